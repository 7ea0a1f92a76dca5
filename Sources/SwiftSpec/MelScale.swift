// SPDX-License-Identifier: GPL-2.0-or-later
import CKernels
#if canImport(Glibc)
import Glibc
#endif

/// Hz <-> mel conversions and frequency grids, in librosa's float64 arithmetic.
///
/// The Slaney scale is linear (200/3 Hz per mel) below 1 kHz and logarithmic above,
/// with `logstep = ln(6.4) / 27`; the HTK scale is `2595 log10(1 + f / 700)`.
/// NaN passes through both.
public enum MelScale {
  static let linearStep = 200.0 / 3
  static let breakHz = 1000.0
  static let breakMel = (1000.0 - 0.0) / (200.0 / 3)  // 14.999999999999998, as librosa
  static let logStep = log(6.4) / 27.0

  /// The mel value of `hz`.
  public static func mel(fromHz hz: Double, htk: Bool = false) -> Double {
    if htk { return 2595.0 * log10(1.0 + hz / 700.0) }
    if hz >= breakHz { return breakMel + log(hz / breakHz) / logStep }
    return (hz - 0.0) / linearStep
  }

  /// The frequency in Hz of mel value `mel`.
  public static func hz(fromMel mel: Double, htk: Bool = false) -> Double {
    if htk { return 700.0 * (pow(10.0, mel / 2595.0) - 1.0) }
    if mel >= breakMel { return breakHz * exp(logStep * (mel - breakMel)) }
    return 0.0 + linearStep * mel
  }

  /// `count` frequencies evenly spaced in mels from `fmin` to `fmax` (librosa's
  /// `mel_frequencies`: numpy.linspace on the mel scale, then back to Hz).
  public static func frequencies(count: Int, fmin: Double, fmax: Double, htk: Bool = false)
    -> [Double]
  {
    let low = mel(fromHz: fmin, htk: htk)
    let high = mel(fromHz: fmax, htk: htk)
    return linspace(low, high, count: count).map { hz(fromMel: $0, htk: htk) }
  }

  /// The centre frequency of each rFFT bin, `k * (sr / nFFT)`: librosa 1.0.1's
  /// `fft_frequencies` (0.11 and 1.0.0 took numpy.fft.rfftfreq's
  /// `k * (1 / (nFFT * (1 / sr)))`, which differs by an ulp for some sizes).
  public static func fftFrequencies(sampleRate sr: Double, nFFT: Int) -> [Double] {
    let spacing = sr / Double(nFFT)
    return (0...(nFFT / 2)).map { Double($0) * spacing }
  }
}

/// numpy.linspace(start, stop, count) with endpoint: `i * step + start`, last = stop.
func linspace(_ start: Double, _ stop: Double, count: Int) -> [Double] {
  guard count > 0 else { return [] }
  guard count > 1 else { return [start] }
  let step = (stop - start) / Double(count - 1)
  var values = (0..<count).map { Double($0) * step + start }
  values[count - 1] = stop
  return values
}

/// A mel filter bank: `melCount` triangular filters over `nFFT / 2 + 1` rFFT bins.
public struct MelFilterBank: Sendable {
  public let melCount: Int
  public let binCount: Int
  /// Row-major `[melCount][binCount]` weights in float64 (exact float32 values when
  /// built with `dtype: Float.self`).
  public let weights: [Double]
  /// Filters that are all zero although their lower edge is above 0 Hz.
  public let emptyFilterCount: Int

  /// Builds the bank exactly as `librosa.filters.mel` does, including its rounding:
  /// triangles in float64, rounded to `T`, scaled by the float64 Slaney area factor
  /// and rounded to `T` again.
  ///
  /// - Parameters:
  ///   - sampleRate: > 0. - nFFT: > 0. - melCount: >= 0.
  ///   - fmin, fmax: band edges in Hz (fmax above Nyquist gives empty filters).
  ///   - htk: HTK instead of Slaney mel scale. - slaneyNorm: area normalisation.
  /// - Complexity: O(melCount * binCount).
  @_specialize(exported: true, where T == Float)
  @_specialize(exported: true, where T == Double)
  public init<T: BinaryFloatingPoint>(
    sampleRate: Double, nFFT: Int, melCount: Int, fmin: Double = 0, fmax: Double,
    htk: Bool = false, slaneyNorm: Bool = true, dtype: T.Type
  ) throws(SpectrogramError) {
    guard sampleRate > 0, sampleRate.isFinite else {
      throw .invalidArgument("sr=\(sampleRate) must be positive")
    }
    guard nFFT > 0 else { throw .invalidArgument("n_fft=\(nFFT) must be a positive integer") }
    guard melCount >= 0 else { throw .invalidArgument("n_mels=\(melCount) must be non-negative") }
    guard fmin.isFinite, fmax.isFinite else {
      throw .invalidArgument("fmin=\(fmin) and fmax=\(fmax) must be finite")
    }
    let bins = nFFT / 2 + 1
    let count = try checkedProduct(melCount, bins)
    guard melCount <= Int.max - 2 else { throw .sizeOverflow }
    // No filters, no grid: an empty bank costs nothing whatever nFFT is.
    let fftFreqs = melCount > 0 ? MelScale.fftFrequencies(sampleRate: sampleRate, nFFT: nFFT) : []
    let edges = MelScale.frequencies(count: melCount + 2, fmin: fmin, fmax: fmax, htk: htk)
    var weights = [Double](repeating: 0, count: count)
    var empty = 0
    for m in 0..<melCount {
      let lowerWidth = edges[m + 1] - edges[m]
      let upperWidth = edges[m + 2] - edges[m + 1]
      let area = 2.0 / (edges[m + 2] - edges[m])
      var peak = 0.0
      var hasNaN = false
      for k in 0..<bins {
        let lower = -(edges[m] - fftFreqs[k]) / lowerWidth
        let upper = (edges[m + 2] - fftFreqs[k]) / upperWidth
        // numpy's maximum(0, minimum(lower, upper)): a NaN (0 / 0, where two edges meet
        // on a bin) propagates, where Swift's min and max would drop it.
        let ramp = lower.isNaN || upper.isNaN ? Double.nan : max(0, min(lower, upper))
        var w = Double(T(ramp))
        if slaneyNorm { w = Double(T(w * area)) }
        weights[m * bins + k] = w
        hasNaN = hasNaN || w.isNaN
        peak = max(peak, w)
      }
      // librosa counts a filter as empty unless its maximum is > 0 (not so for a NaN
      // maximum) or its lower edge is 0 Hz.
      if (peak == 0 || hasNaN) && edges[m] != 0 { empty += 1 }
    }
    self.melCount = melCount
    self.binCount = bins
    self.weights = weights
    self.emptyFilterCount = empty
  }
}

/// A mel basis packed for the product with a block of power spectra: each filter's
/// non-zero span of weights, stored contiguously (a 128-filter Slaney bank over 1025 bins
/// packs into about 2,000 weights, 8 KB, instead of a 525 KB dense matrix).
///
/// The product runs over `blockSize` frames at once, one SIMD lane per frame, so each
/// output value is still the sequential sum over the filter's bins.
final class PackedMelBasis<T: BinaryFloatingPoint & SIMDScalar> {
  static var blockSize: Int { Int(SSPEC_MEL_LANES) }

  let melCount: Int
  /// Filter m uses bins `firstBin[m] ..< firstBin[m] + width[m]` and the weights at
  /// `weights + offset[m]`.
  private let firstBin: UnsafeMutablePointer<Int>
  private let width: UnsafeMutablePointer<Int>
  private let offset: UnsafeMutablePointer<Int>
  private let weights: UnsafeMutablePointer<T>

  init(basis: UnsafePointer<T>, melCount: Int, bins: Int) {
    self.melCount = melCount
    firstBin = .allocate(capacity: max(1, melCount))
    width = .allocate(capacity: max(1, melCount))
    offset = .allocate(capacity: max(1, melCount))
    var total = 0
    for m in 0..<melCount {
      let (lo, hi) = Self.nonZeroSpan(basis + m * bins, count: bins)
      firstBin[m] = lo
      width[m] = hi - lo
      offset[m] = total
      total += hi - lo
    }
    weights = .allocate(capacity: max(1, total))
    for m in 0..<melCount {
      (weights + offset[m]).initialize(from: basis + m * bins + firstBin[m], count: width[m])
    }
  }

  /// The first and one-past-last non-zero index of `count` values (each call packs the
  /// whole basis, so this scan is most of a short clip's overhead): runs of zero bytes
  /// first, a vectorised scan, then element by element for zeros stored as -0.
  private static func nonZeroSpan(_ row: UnsafePointer<T>, count: Int) -> (Int, Int) {
    let size = MemoryLayout<T>.stride
    var lo = sspec_leading_zero_bytes(row, count * size) / size
    while lo < count && row[lo] == 0 { lo += 1 }
    var hi = count - sspec_trailing_zero_bytes(row + lo, (count - lo) * size) / size
    while hi > lo && row[hi - 1] == 0 { hi -= 1 }
    return (lo, hi)
  }

  deinit {
    firstBin.deallocate()
    width.deallocate()
    offset.deallocate()
    weights.deallocate()
  }

  /// `out[m * stride + j] = sum_k basis[m][k] * powers[k][j]` for j < `count`, where
  /// `powers` is `[bins][blockSize]` (frame j of the block in lane j). The C kernel
  /// (`sspec_mel_f` / `sspec_mel_d`) runs the lanes as one or more SIMD vectors.
  @inline(__always)
  func project(_ powers: UnsafePointer<T>, count: Int, into out: UnsafeMutablePointer<T>,
               stride: Int) {
    if T.self == Float.self {
      sspec_mel_f(UnsafeRawPointer(powers).assumingMemoryBound(to: Float.self), count,
                  UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self), stride,
                  melCount, firstBin, width, offset,
                  UnsafeRawPointer(weights).assumingMemoryBound(to: Float.self))
    } else if T.self == Double.self {
      sspec_mel_d(UnsafeRawPointer(powers).assumingMemoryBound(to: Double.self), count,
                  UnsafeMutableRawPointer(out).assumingMemoryBound(to: Double.self), stride,
                  melCount, firstBin, width, offset,
                  UnsafeRawPointer(weights).assumingMemoryBound(to: Double.self))
    } else {
      projectLanes(powers, count: count, into: out, stride: stride)
    }
  }

  /// `project` in Swift, for element types without a C kernel.
  private func projectLanes(_ powers: UnsafePointer<T>, count: Int,
                            into out: UnsafeMutablePointer<T>, stride: Int) {
    for m in 0..<melCount {
      let w = weights + offset[m]
      let column = powers + firstBin[m] * Self.blockSize
      for j in 0..<count {
        var sum: T = 0
        for k in 0..<width[m] { sum += w[k] * column[k * Self.blockSize + j] }
        out[m * stride + j] = sum
      }
    }
  }
}
