// SPDX-License-Identifier: GPL-2.0-or-later

/// How `RealFFT` computes transforms of a given size.
///
/// FFTW's speed per point depends on the size's prime factors: it has codelets for radices
/// up to 16, handles 17-23 well enough with its generic solver, and takes 5-30x a power of
/// two's time per point with larger prime factors (1022, 1031, 2047, 4099, 8191), where
/// Bluestein's algorithm costs 3-8x at any size.
/// Measured here (float, SIMD FFTW, per frame): FFTW ran faster up to 23 (1020, 1088, 1292,
/// 3230 with 17 and 19: 3.3-17 us against 6.4-38 by Bluestein; 5313 = 3 x 7 x 11 x 23: 40
/// against 60), the two were even at 29 and 31 (1334, 2046), and Bluestein won beyond
/// (998 = 2 x 499, 1022 = 2 x 7 x 73, 1998 = 2 x 27 x 37: 1.5-4x). The rule depends on the
/// size alone, so every process picks the same algorithm, hence gets the same bits.
package enum RealFFTAlgorithm: Sendable, Equatable {
  /// FFTW's real-to-complex (or complex-to-real) plan, frame by frame: even sizes whose
  /// prime factors are at most 23.
  case fftwReal
  /// Two frames share one complex FFTW transform of the frame size: odd sizes with such
  /// factors, where FFTW's real plans are 1.5-3x slower than half a complex one (1125:
  /// 7.2 us against 2.4 us per frame; 2025: 15.4 against 4.6; 5313: 79 against 40).
  case fftwComplexPairs
  /// Two frames share one complex DFT by Bluestein's algorithm: sizes with a prime factor
  /// above 23.
  case bluesteinPairs

  /// The largest prime factor FFTW handles faster than Bluestein's algorithm does.
  static let largestFFTWPrime = 23

  /// The algorithm for `size`-point frames.
  package init(size: Int) {
    if largestPrimeFactor(of: size) > Self.largestFFTWPrime {
      self = .bluesteinPairs
    } else {
      self = size % 2 == 0 ? .fftwReal : .fftwComplexPairs
    }
  }
}

/// The largest prime factor of `n` (1 for `n` <= 1).
func largestPrimeFactor(of n: Int) -> Int {
  var rest = n
  var largest = 1
  var divisor = 2
  while divisor * divisor <= rest {
    while rest % divisor == 0 {
      largest = divisor
      rest /= divisor
    }
    divisor += 1
  }
  return rest > 1 ? rest : largest
}

/// Real transforms of one size, forward (real to `size / 2 + 1` complex bins) or inverse
/// (bins to reals, unnormalised), with their own scratch: one per thread.
///
/// With a pair algorithm (`RealFFTAlgorithm`), two real frames share one complex DFT, the
/// first as its real part and the second as its imaginary part, and are separated by the
/// symmetry of real signals' spectra: that halves the cost of the complex transform per
/// frame. Each frame is first scaled to unit norm by a power of two (exact), so the
/// rounding error one frame leaves in the other is relative to its own norm, as in a
/// transform of that frame alone.
final class RealFFT<F: FFTScalar> {
  enum Direction {
    case forward
    case inverse
  }

  let size: Int
  let algorithm: RealFFTAlgorithm
  /// Whether two frames share one computation rather than being transformed one by one.
  var pairsFrames: Bool { algorithm != .fftwReal }
  /// The real plan (`fftwReal`) or the complex plan (`fftwComplexPairs`).
  private let plan: FFTPlan?
  private let bluestein: BluesteinDFT<F>?
  /// Bluestein's chirp, which multiplies a pair's input and output, or nil.
  private let chirp: UnsafePointer<F>?
  /// For a pair: where the packed pair goes (`size` interleaved complex values, or
  /// Bluestein's modulated input) and where FFTW's complex plan writes its result.
  private let pairInput: UnsafeMutablePointer<F>?
  private let pairBuffers: (AlignedBuffer<F>, AlignedBuffer<F>)?

  init(size: Int, direction: Direction) throws(SpectrogramError) {
    self.size = size
    algorithm = RealFFTAlgorithm(size: size)
    switch algorithm {
    case .fftwReal:
      plan = try planCache.plan(
        F.self, size: size, kind: direction == .forward ? .realForward : .realInverse)
      bluestein = nil
      chirp = nil
      pairInput = nil
      pairBuffers = nil
    case .fftwComplexPairs:
      plan = try planCache.plan(F.self, size: size, kind: .complexForward)
      bluestein = nil
      chirp = nil
      guard let input = AlignedBuffer<F>(count: 2 * size),
        let output = AlignedBuffer<F>(count: 2 * size)
      else { throw .outOfMemory }
      pairBuffers = (input, output)
      pairInput = input.pointer
    case .bluesteinPairs:
      plan = nil
      let bluestein = try BluesteinDFT<F>(size: size)
      self.bluestein = bluestein
      chirp = bluestein.chirp
      pairInput = bluestein.modulated
      pairBuffers = nil
    }
  }

  /// The pair's DFT of what was written to `pairInput`; `spectrum(k)` of the returned
  /// value is `Z[k]`.
  @inline(__always)
  private func runPair() -> UnsafePointer<F> {
    if let bluestein { return bluestein.convolve() }
    let (input, output) = pairBuffers!
    F.forwardComplex(plan!, input.pointer, output.pointer)
    return UnsafePointer(output.pointer)
  }

  /// `Z[k]` from `runPair`'s result: itself, or `chirp[k] * conj(u[k])` for Bluestein.
  @inline(__always)
  private func spectrum(_ result: UnsafePointer<F>, _ k: Int, _ chirp: UnsafePointer<F>?)
    -> (F, F)
  {
    guard let w = chirp else { return (result[2 * k], result[2 * k + 1]) }
    let (re, im, wr, wi) = (result[2 * k], -result[2 * k + 1], w[2 * k], w[2 * k + 1])
    return (re * wr - im * wi, re * wi + im * wr)
  }

  /// Writes `z[j] = re + i im` into the pair's input (times the chirp for Bluestein).
  @inline(__always)
  private func setInput(
    _ a: UnsafeMutablePointer<F>, _ j: Int, _ re: F, _ im: F, _ chirp: UnsafePointer<F>?
  ) {
    if let w = chirp {
      a[2 * j] = re * w[2 * j] - im * w[2 * j + 1]
      a[2 * j + 1] = re * w[2 * j + 1] + im * w[2 * j]
    } else {
      a[2 * j] = re
      a[2 * j + 1] = im
    }
  }

  /// The spectra of one or two frames of `size` reals (preserved), each written as
  /// `size / 2 + 1` interleaved complex values.
  func forward(
    _ first: UnsafeMutablePointer<F>, into firstOut: UnsafeMutablePointer<F>,
    _ second: UnsafeMutablePointer<F>?, into secondOut: UnsafeMutablePointer<F>?
  ) {
    guard let a = pairInput else {
      F.forward(plan!, first, firstOut)
      if let second, let secondOut { F.forward(plan!, second, secondOut) }
      return
    }
    let n = size
    let w = chirp
    let firstScale = unitScale(first, count: n)
    let secondScale = second.map { unitScale($0, count: n) } ?? 1
    if let second {
      for j in 0..<n { setInput(a, j, first[j] * firstScale, second[j] * secondScale, w) }
    } else {
      for j in 0..<n { setInput(a, j, first[j] * firstScale, 0, w) }
    }
    let result = runPair()
    // X[k] = (Z[k] + conj Z[n-k]) / 2, Y[k] = (Z[k] - conj Z[n-k]) / 2i, unscaled.
    let firstGain = 0.5 / firstScale
    let secondGain = 0.5 / secondScale
    for k in 0...(n / 2) {
      let (zr, zi) = spectrum(result, k, w)
      let (mr, mi) = k == 0 ? (zr, zi) : spectrum(result, n - k, w)
      firstOut[2 * k] = (zr + mr) * firstGain
      firstOut[2 * k + 1] = (zi - mi) * firstGain
      if let secondOut {
        secondOut[2 * k] = (zi + mi) * secondGain
        secondOut[2 * k + 1] = (mr - zr) * secondGain
      }
    }
  }

  /// The unnormalised inverse transforms of one or two spectra of `size / 2 + 1`
  /// interleaved complex values (which may be destroyed), each into `size` reals. The
  /// imaginary parts of the DC and Nyquist bins are ignored, as by FFTW's c2r.
  func inverse(
    _ first: UnsafeMutablePointer<F>, into firstOut: UnsafeMutablePointer<F>,
    _ second: UnsafeMutablePointer<F>?, into secondOut: UnsafeMutablePointer<F>?
  ) {
    let n = size
    let bins = n / 2 + 1
    let nyquistImaginary = n % 2 == 0 ? 2 * (bins - 1) + 1 : 1
    first[1] = 0
    first[nyquistImaginary] = 0
    second?[1] = 0
    second?[nyquistImaginary] = 0
    guard let a = pairInput else {
      F.inverse(plan!, first, firstOut)
      if let second, let secondOut { F.inverse(plan!, second, secondOut) }
      return
    }
    let w = chirp
    let firstScale = unitScale(first, count: 2 * bins)
    let secondScale = second.map { unitScale($0, count: 2 * bins) } ?? 1
    // Z = X + iY over all n bins (Hermitian extension above n / 2), conjugated: the
    // inverse DFT is the conjugate of the forward DFT of the conjugate.
    for k in 0..<n {
      let (index, sign): (Int, F) = k < bins ? (k, 1) : (n - k, -1)
      var re = first[2 * index] * firstScale
      var im = sign * first[2 * index + 1] * firstScale
      if let second {
        re -= sign * second[2 * index + 1] * secondScale
        im += second[2 * index] * secondScale
      }
      setInput(a, k, re, -im, w)
    }
    let result = runPair()
    let firstGain = 1 / firstScale
    let secondGain = 1 / secondScale
    for j in 0..<n {
      let (re, im) = spectrum(result, j, w)
      firstOut[j] = re * firstGain
      secondOut?[j] = -im * secondGain
    }
  }
}

/// A power of two that brings the Euclidean norm of `count` values near 1 (1 for zeros
/// and non-finite sums). Scaling by it and back is exact outside overflow and underflow.
@inline(__always)
func unitScale<F: BinaryFloatingPoint>(_ values: UnsafePointer<F>, count: Int) -> F {
  // Four running sums in a fixed order (the same values always give the same scale):
  // independent sums let the compiler keep them in one SIMD register.
  var sums: (F, F, F, F) = (0, 0, 0, 0)
  var i = 0
  while i + 4 <= count {
    sums.0 += values[i] * values[i]
    sums.1 += values[i + 1] * values[i + 1]
    sums.2 += values[i + 2] * values[i + 2]
    sums.3 += values[i + 3] * values[i + 3]
    i += 4
  }
  var sumOfSquares = (sums.0 + sums.1) + (sums.2 + sums.3)
  while i < count {
    sumOfSquares += values[i] * values[i]
    i += 1
  }
  guard sumOfSquares > 0, sumOfSquares.isFinite else { return 1 }
  return F(sign: .plus, exponent: -(sumOfSquares.exponent / 2), significand: 1)
}
