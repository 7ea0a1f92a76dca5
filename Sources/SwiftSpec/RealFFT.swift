// SPDX-License-Identifier: GPL-2.0-or-later

/// Real transforms of one size, forward (real to `size / 2 + 1` complex bins) or inverse
/// (bins to reals, unnormalised), with their own scratch: one per thread.
///
/// Where FFTW is fast for the size (`fftwIsFast`), its r2c or c2r plan runs frame by frame.
/// Elsewhere two real frames share one complex Bluestein DFT, the first as its real part
/// and the second as its imaginary part, and are separated by the symmetry of real
/// signals' spectra; that halves Bluestein's cost per frame. Each frame is first scaled
/// to unit norm by a power of two (exact), so the rounding error one frame leaves in the
/// other is relative to its own norm, as in a transform of that frame alone.
final class RealFFT<F: FFTScalar> {
  enum Direction {
    case forward
    case inverse
  }

  let size: Int
  /// Whether two frames share one computation (Bluestein's algorithm) rather than being
  /// transformed one by one (FFTW's plans).
  var pairsFrames: Bool { bluestein != nil }
  private let plan: FFTPlan?
  private let bluestein: BluesteinDFT<F>?
  /// `size` interleaved complex values: the inverse transform's pair packed into one signal.
  private let packed: AlignedBuffer<F>?

  init(size: Int, direction: Direction) throws(SpectrogramError) {
    self.size = size
    if fftwIsFast(forSize: size) {
      plan = try planCache.plan(
        F.self, size: size, kind: direction == .forward ? .realForward : .realInverse)
      bluestein = nil
      packed = nil
    } else {
      plan = nil
      bluestein = try BluesteinDFT<F>(size: size)
      guard let packed = AlignedBuffer<F>(count: 2 * size) else { throw .outOfMemory }
      self.packed = packed
    }
  }

  /// The spectra of one or two frames of `size` reals (preserved), each written as
  /// `size / 2 + 1` interleaved complex values.
  func forward(
    _ first: UnsafeMutablePointer<F>, into firstOut: UnsafeMutablePointer<F>,
    _ second: UnsafeMutablePointer<F>?, into secondOut: UnsafeMutablePointer<F>?
  ) {
    guard let bluestein else {
      F.forward(plan!, first, firstOut)
      if let second, let secondOut { F.forward(plan!, second, secondOut) }
      return
    }
    let n = size
    let w = bluestein.chirp
    let a = bluestein.modulated
    // z = first + i second, each scaled, times the chirp: Bluestein's first step, fused.
    let firstScale = unitScale(first, count: n)
    let secondScale = second.map { unitScale($0, count: n) } ?? 1
    if let second {
      for j in 0..<n {
        let (re, im) = (first[j] * firstScale, second[j] * secondScale)
        a[2 * j] = re * w[2 * j] - im * w[2 * j + 1]
        a[2 * j + 1] = re * w[2 * j + 1] + im * w[2 * j]
      }
    } else {
      for j in 0..<n {
        let re = first[j] * firstScale
        a[2 * j] = re * w[2 * j]
        a[2 * j + 1] = re * w[2 * j + 1]
      }
    }
    let u = bluestein.convolve()
    // Z[k] = w[k] conj(u[k]); X[k] = (Z[k] + conj Z[n-k]) / 2, Y[k] = (Z[k] - conj Z[n-k]) / 2i.
    @inline(__always) func spectrum(_ k: Int) -> (F, F) {
      let (re, im, wr, wi) = (u[2 * k], -u[2 * k + 1], w[2 * k], w[2 * k + 1])
      return (re * wr - im * wi, re * wi + im * wr)
    }
    let firstGain = 0.5 / firstScale
    let secondGain = 0.5 / secondScale
    for k in 0...(n / 2) {
      let (zr, zi) = spectrum(k)
      let (mr, mi) = k == 0 ? (zr, zi) : spectrum(n - k)
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
    guard let bluestein, let z = packed?.pointer else {
      F.inverse(plan!, first, firstOut)
      if let second, let secondOut { F.inverse(plan!, second, secondOut) }
      return
    }
    let firstScale = unitScale(first, count: 2 * bins)
    let secondScale = second.map { unitScale($0, count: 2 * bins) } ?? 1
    // z = X + iY over all n bins (Hermitian extension above n / 2), conjugated: the
    // inverse DFT is the conjugate of the forward DFT of the conjugate.
    for k in 0..<n {
      let (index, sign): (Int, F) = k < bins ? (k, 1) : (n - k, -1)
      var re = first[2 * index] * firstScale
      var im = sign * first[2 * index + 1] * firstScale
      if let second {
        re -= sign * second[2 * index + 1] * secondScale
        im += second[2 * index] * secondScale
      }
      z[2 * k] = re
      z[2 * k + 1] = -im
    }
    bluestein.transform(z)
    let firstGain = 1 / firstScale
    let secondGain = 1 / secondScale
    for j in 0..<n {
      firstOut[j] = z[2 * j] * firstGain
      secondOut?[j] = -z[2 * j + 1] * secondGain
    }
  }
}

/// A power of two that brings the Euclidean norm of `count` values near 1 (1 for zeros
/// and non-finite sums). Scaling by it and back is exact outside overflow and underflow.
@inline(__always)
func unitScale<F: BinaryFloatingPoint & SIMDScalar>(_ values: UnsafePointer<F>, count: Int)
  -> F
{
  // Eight running sums in a fixed order (the same values always give the same scale):
  // independent sums let the loop use SIMD registers.
  var sums = SIMD8<F>()
  var i = 0
  while i + 8 <= count {
    let v = UnsafeRawPointer(values + i).loadUnaligned(as: SIMD8<F>.self)
    sums += v * v
    i += 8
  }
  var sumOfSquares = sums.sum()
  while i < count {
    sumOfSquares += values[i] * values[i]
    i += 1
  }
  guard sumOfSquares > 0, sumOfSquares.isFinite else { return 1 }
  return F(sign: .plus, exponent: -(sumOfSquares.exponent / 2), significand: 1)
}
