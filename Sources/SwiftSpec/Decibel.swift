// SPDX-License-Identifier: GPL-2.0-or-later
import CKernels
#if canImport(Glibc)
import Glibc
#endif

/// A floating-point type whose `log10` is evaluated in its own precision, as numpy does.
public protocol DecibelScalar: BinaryFloatingPoint, SIMDScalar {
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
  public static func log10(_ values: UnsafeMutablePointer<Float>, count: Int) {
    sspec_log10_f(values, count)
  }

  /// One pass of the C kernel `sspec_db_f` (maximum, the `log10` above, scaling).
  public static func decibels(_ input: UnsafePointer<Float>, count: Int, floor: Float,
                              refDB: Double, into output: UnsafeMutablePointer<Float>) {
    sspec_db_f(input, output, count, floor, refDB)
  }
}

extension Double: DecibelScalar {
  public static func log10(_ values: UnsafeMutablePointer<Double>, count: Int) {
    for i in 0..<count { values[i] = Glibc.log10(values[i]) }
  }

  /// glibc's `log10`, which has no vector form giving the same bits.
  public static func decibels(_ input: UnsafePointer<Double>, count: Int, floor: Double,
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
public func powerToDecibels<T: DecibelScalar>(
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

/// The DCT matrix `[outputCount][n]` of `scipy.fft.dct(x, type:, norm:)`, so that
/// `y = M x` gives the first `outputCount` coefficients.
public enum DCTNorm: Int32, Sendable {
  case backward = 0
  case ortho = 1
  case forward = 2
}

/// - Throws: `.invalidArgument` for a type outside 1...3, `n < 1`, or type 1 with n < 2.
/// - Complexity: O(outputCount * n).
public func dctMatrix(type: Int, norm: DCTNorm, n: Int, outputCount: Int)
  throws(SpectrogramError) -> [Double]
{
  guard (1...3).contains(type) else {
    throw .invalidArgument("dct_type=\(type) is not supported (1, 2 or 3)")
  }
  guard n >= 1, outputCount >= 0, outputCount <= n else {
    throw .invalidArgument("DCT length n=\(n) must be positive and keep at most n coefficients")
  }
  guard type != 1 || n > 1 else {
    throw .invalidArgument("DCT-I is not defined for length n=\(n) < 2")
  }
  var matrix = [Double](repeating: 0, count: try checkedProduct(outputCount, n))
  let size = Double(n)
  for k in 0..<outputCount {
    for j in 0..<n {
      var value: Double
      switch type {
      case 1:
        // y_k = x_0 + (-1)^k x_{n-1} + 2 sum_{j=1}^{n-2} x_j cos(pi k j / (n-1))
        let angle = Double.pi * Double((k * j) % (2 * (n - 1))) / Double(n - 1)
        let edge = j == 0 || j == n - 1
        value = (edge ? 1.0 : 2.0) * cos(angle)
        switch norm {
        case .backward: break
        case .forward: value /= 2.0 * (size - 1)
        case .ortho:
          value /= (2.0 * (size - 1)).squareRoot()
          if edge { value *= 2.0.squareRoot() }
          if k == 0 || k == n - 1 { value /= 2.0.squareRoot() }
        }
      case 2:
        // y_k = 2 sum_j x_j cos(pi k (2j+1) / (2n))
        let angle = Double.pi * Double((k * (2 * j + 1)) % (4 * n)) / (2.0 * size)
        value = 2.0 * cos(angle)
        switch norm {
        case .backward: break
        case .forward: value /= 2.0 * size
        case .ortho: value *= k == 0 ? (1.0 / (4.0 * size)).squareRoot() : (1.0 / (2.0 * size)).squareRoot()
        }
      default:
        // y_k = x_0 + 2 sum_{j>=1} x_j cos(pi j (2k+1) / (2n))
        let angle = Double.pi * Double((j * (2 * k + 1)) % (4 * n)) / (2.0 * size)
        value = j == 0 ? 1.0 : 2.0 * cos(angle)
        switch norm {
        case .backward: break
        case .forward: value /= 2.0 * size
        case .ortho: value *= j == 0 ? (1.0 / size).squareRoot() : (1.0 / (2.0 * size)).squareRoot()
        }
      }
      matrix[k * n + j] = value
    }
  }
  return matrix
}
