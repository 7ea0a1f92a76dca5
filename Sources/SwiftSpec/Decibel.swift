// SPDX-License-Identifier: GPL-2.0-or-later
import CKernels
#if canImport(Glibc)
import Glibc
#endif

/// A floating-point type whose `log10` is evaluated in its own precision, as numpy does.
package protocol DecibelScalar: BinaryFloatingPoint, SIMDScalar, Sendable {
  /// Replaces each of the `count` values with its base-10 logarithm.
  static func log10(_ values: UnsafeMutablePointer<Self>, count: Int)
  /// `output[i] = Self(Double(10 * log10(max(floor, input[i]))) - refDB)` for
  /// `i < count`, in `Self` arithmetic but for the subtraction, with NaN propagating
  /// through the maximum (numpy's `maximum`). `input` may equal `output`.
  static func decibels(_ input: UnsafePointer<Self>, count: Int, floor: Self, refDB: Double,
                       into output: UnsafeMutablePointer<Self>)
}

extension Float: DecibelScalar {
  /// `log10` rounded to `Float`, vectorised (the C kernel `sspec_log10_f`): `x = 2^e m`
  /// with `m` in [sqrt(1/2), sqrt(2)), `ln m = 2 atanh(s)`, `s = (m - 1) / (m + 1)`,
  /// summed as an odd series in float64 (truncation below 1e-10 relative, far under
  /// float32's 6e-8), so the result is the correctly rounded logarithm but in rare ties.
  /// Zero, subnormals, infinities and NaN take the same branch-free path via selects.
  package static func log10(_ values: UnsafeMutablePointer<Float>, count: Int) {
    sspec_log10_f(values, count)
  }

  /// One pass of the C kernel `sspec_db_f` (maximum, the `log10` above, scaling).
  package static func decibels(_ input: UnsafePointer<Float>, count: Int, floor: Float,
                              refDB: Double, into output: UnsafeMutablePointer<Float>) {
    sspec_db_f(input, output, count, floor, refDB)
  }
}

extension Double: DecibelScalar {
  package static func log10(_ values: UnsafeMutablePointer<Double>, count: Int) {
    for i in 0..<count { values[i] = Glibc.log10(values[i]) }
  }

  /// glibc's `log10`, which has no vector form giving the same bits.
  package static func decibels(_ input: UnsafePointer<Double>, count: Int, floor: Double,
                              refDB: Double, into output: UnsafeMutablePointer<Double>) {
    for i in 0..<count { output[i] = Glibc.log10(nanMaximum(floor, input[i])) }
    for i in 0..<count { output[i] = 10 * output[i] - refDB }
  }
}

/// How the decibel reference is chosen.
public enum DecibelReference: Sendable, Equatable {
  /// A fixed reference, given in dB: `10 * log10(max(amin, |ref|))` in float64.
  case decibels(Double)
  /// The group's maximum, like librosa's `ref=np.max` (per channel in librosa 1.0).
  case maximum
}

/// numpy's `maximum`: NaN if either argument is NaN.
@inlinable
func nanMaximum<T: BinaryFloatingPoint>(_ a: T, _ b: T) -> T {
  if a.isNaN { return a }
  if b.isNaN { return b }
  return a > b ? a : b
}

/// The maximum of `count` values, NaN if any is NaN (numpy's `max`).
@inlinable
func nanMax<T: BinaryFloatingPoint>(_ values: UnsafePointer<T>, count: Int) -> T {
  if T.self == Float.self {
    let floats = UnsafeRawPointer(values).assumingMemoryBound(to: Float.self)
    return unsafeBitCast(sspec_max_f(floats, count), to: T.self)
  }
  var result = -T.infinity
  for i in 0..<count { result = nanMaximum(result, values[i]) }
  return result
}

/// librosa's `power_to_db` over one group of values, in `T` arithmetic as numpy does it
/// for arrays of type `T`.
///
/// `out = 10 log10(max(amin, x)) - ref_db`, then, with `topDB`,
/// `out = max(out, max(out) - topDB)`. `input` may equal `output`.
///
/// - Parameters:
///   - amin: > 0, rounded to `T` as numpy rounds a Python float against a `T` array.
///   - topDB: >= 0 or nil.
/// - Complexity: O(count).
@_specialize(exported: true, where T == Float)
@_specialize(exported: true, where T == Double)
package func powerToDecibels<T: DecibelScalar>(
  _ input: UnsafePointer<T>, count: Int, reference: DecibelReference, amin: Double,
  topDB: Double?, into output: UnsafeMutablePointer<T>
) {
  let floor = T(amin)
  let refDB: Double
  switch reference {
  case .decibels(let value): refDB = value
  case .maximum:
    // The same log10 as the values', so the maximum itself maps to exactly 0 dB.
    var peak = nanMaximum(floor, nanMax(input, count: count))
    T.log10(&peak, count: 1)
    refDB = Double(T(10) * peak)
  }
  T.decibels(input, count: count, floor: floor, refDB: refDB, into: output)
  if let topDB {
    let threshold = nanMax(UnsafePointer(output), count: count) - T(topDB)
    if T.self == Float.self {
      sspec_clamp_f(UnsafeMutableRawPointer(output).assumingMemoryBound(to: Float.self), count,
                    unsafeBitCast(threshold, to: Float.self))
    } else {
      for i in 0..<count { output[i] = nanMaximum(output[i], threshold) }
    }
  }
}
