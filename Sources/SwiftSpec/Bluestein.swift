// SPDX-License-Identifier: GPL-2.0-or-later
#if canImport(Glibc)
import Glibc
#endif

/// The convolution length of Bluestein's algorithm for `size` points: the smallest
/// `2^k`, `3 * 2^k` or `5 * 2^k` that is at least `2 * size - 1` (at most 25% above it).
/// Embedded wisdom covers these lengths up to 16384 (tools/make_wisdom.c).
func bluesteinLength(forSize size: Int) -> Int {
  let needed = 2 * size - 1
  var best = Int.max
  for base in [1, 3, 5] {
    var length = base
    while length < needed { length *= 2 }
    best = min(best, length)
  }
  return best
}

/// The tables of Bluestein's algorithm for one transform size, shared by all threads.
///
/// The DFT `X[k] = sum_n x[n] e^(-2 pi i n k / N)` is rewritten with
/// `n k = (n^2 + k^2 - (k - n)^2) / 2` as `X[k] = w[k] sum_n (x[n] w[n]) conj(w[k - n])`,
/// `w[m] = e^(-pi i m^2 / N)`: a convolution with the chirp `conj(w)`, done by FFTs of a
/// fast length `L >= 2N - 1`. The chirp's spectrum is computed once, in double precision.
final class BluesteinTables<F: FFTScalar>: @unchecked Sendable {
  let size: Int
  let length: Int
  /// The forward complex FFTW plan of `length` points, in `F`.
  let plan: FFTPlan
  /// `w[n]`, `size` interleaved complex values.
  let chirp: AlignedBuffer<F>
  /// `FFT(b) / length` for `b[m] = conj(w[m])` at `m` and `length - m`: `length` values.
  let kernelSpectrum: AlignedBuffer<F>

  /// - Parameter plans: the `F` and `Double` forward complex plans of a given length.
  init(size: Int, plans: (Int) throws(SpectrogramError) -> (FFTPlan, FFTPlan))
    throws(SpectrogramError)
  {
    guard size > 0, size <= Int(Int32.max) / 4 else { throw .fftPlanFailed(size: size) }
    self.size = size
    length = bluesteinLength(forSize: size)
    let (plan, doublePlan) = try plans(length)
    self.plan = plan
    guard let chirp = AlignedBuffer<F>(count: 2 * size),
      let kernelSpectrum = AlignedBuffer<F>(count: 2 * length),
      let kernel = AlignedBuffer<Double>(count: 2 * length),
      let spectrum = AlignedBuffer<Double>(count: 2 * length)
    else { throw .outOfMemory }
    // m^2 mod 2N is exact in integers, so the angle keeps full precision for large m.
    let period = 2 * size
    for m in 0..<size {
      let angle = Double.pi * Double((m * m) % period) / Double(size)
      let (c, s) = (cos(angle), sin(angle))
      chirp.pointer[2 * m] = F(c)
      chirp.pointer[2 * m + 1] = F(-s)
      kernel.pointer[2 * m] = c
      kernel.pointer[2 * m + 1] = s
      if m > 0 {
        kernel.pointer[2 * (length - m)] = c
        kernel.pointer[2 * (length - m) + 1] = s
      }
    }
    Double.forwardComplex(doublePlan, kernel.pointer, spectrum.pointer)
    let scale = 1 / Double(length)
    for i in 0..<(2 * length) { kernelSpectrum.pointer[i] = F(spectrum.pointer[i] * scale) }
    self.chirp = chirp
    self.kernelSpectrum = kernelSpectrum
  }
}

/// A complex DFT of any size by Bluestein's algorithm, with its own scratch: one per thread.
///
/// A transform is three steps: the caller writes `z[j] * chirp[j]` into `modulated`,
/// `convolve()` runs the convolution, and the DFT is `Z[k] = chirp[k] * conj(u[k])` of the
/// `u` it returns; callers fuse the first and last steps into their own passes.
final class BluesteinDFT<F: FFTScalar> {
  let tables: BluesteinTables<F>
  /// The chirp-modulated input, `length` interleaved complex values, zero beyond `size`
  /// (the zeros are written once).
  let modulated: UnsafeMutablePointer<F>
  private let buffers: (AlignedBuffer<F>, AlignedBuffer<F>, AlignedBuffer<F>)

  init(size: Int) throws(SpectrogramError) {
    tables = try planCache.bluestein(F.self, size: size)
    guard let modulated = AlignedBuffer<F>(count: 2 * tables.length),
      let spectrum = AlignedBuffer<F>(count: 2 * tables.length),
      let convolved = AlignedBuffer<F>(count: 2 * tables.length)
    else { throw .outOfMemory }
    buffers = (modulated, spectrum, convolved)
    self.modulated = modulated.pointer
  }

  /// `w[n]`, `size` interleaved complex values.
  var chirp: UnsafePointer<F> { UnsafePointer(tables.chirp.pointer) }

  /// The convolution of `modulated` with the chirp, conjugated: `size` interleaved complex
  /// values (valid until the next call).
  ///
  /// The inverse FFT of the convolution is a forward FFT of the conjugate, conjugated:
  /// one forward plan serves both directions.
  func convolve() -> UnsafePointer<F> {
    let spectrum = buffers.1.pointer
    F.forwardComplex(tables.plan, modulated, spectrum)
    let b = tables.kernelSpectrum.pointer
    for k in 0..<tables.length {
      let (re, im, br, bi) = (spectrum[2 * k], spectrum[2 * k + 1], b[2 * k], b[2 * k + 1])
      spectrum[2 * k] = re * br - im * bi
      spectrum[2 * k + 1] = -(re * bi + im * br)
    }
    let u = buffers.2.pointer
    F.forwardComplex(tables.plan, spectrum, u)
    return UnsafePointer(u)
  }
}
