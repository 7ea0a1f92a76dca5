// SPDX-License-Identifier: GPL-2.0-or-later
//
// The FFT layer against the DFT's definition, summed directly in float64: each algorithm's
// sizes (even and odd smooth sizes, primes, 2 x prime), forward and inverse, one frame or a pair of frames
// of very different loudness, in both precisions.
import Testing
@testable import SwiftSpec
#if canImport(Glibc)
import Glibc
#endif

@Suite("FFT layer")
struct RealFFTTests {
  /// `size / 2 + 1` bins of the DFT of `x`, interleaved, summed directly.
  static func directDFT(_ x: [Double]) -> [Double] {
    let n = x.count
    var out = [Double](repeating: 0, count: 2 * (n / 2 + 1))
    for k in 0...(n / 2) {
      var (re, im) = (0.0, 0.0)
      for j in 0..<n {
        let angle = -2 * Double.pi * Double((j * k) % n) / Double(n)
        re += x[j] * cos(angle)
        im += x[j] * sin(angle)
      }
      out[2 * k] = re
      out[2 * k + 1] = im
    }
    return out
  }

  static func maxError<F: FFTScalar>(_ ours: UnsafeMutablePointer<F>, _ expected: [Double])
    -> Double
  {
    expected.indices.map { abs(Double(ours[$0]) - expected[$0]) }.max()!
  }

  static func norm(_ values: [Double]) -> Double { values.map { $0 * $0 }.reduce(0, +).squareRoot() }

  @Test("the algorithm rule: FFTW's real plans for even sizes with prime factors up to 23, its complex plans in pairs for odd ones, Bluestein in pairs otherwise")
  func algorithmRule() {
    #expect([1, 2, 23, 97, 1022, 4913, 4096].map { largestPrimeFactor(of: $0) }
            == [1, 2, 23, 97, 73, 17, 2])
    for size in [2, 64, 100, 400, 1000, 1024, 1088, 2002, 2048, 4096] {
      #expect(RealFFTAlgorithm(size: size) == .fftwReal, "\(size)")
    }
    for size in [1, 3, 11, 17, 81, 1125, 1331, 2025, 3375, 4913, 5313] {
      #expect(RealFFTAlgorithm(size: size) == .fftwComplexPairs, "\(size)")
    }
    for size in [29, 1022, 1031, 2046, 2047, 4099, 8191] {
      #expect(RealFFTAlgorithm(size: size) == .bluesteinPairs, "\(size)")
    }
    #expect(bluesteinLength(forSize: 1031) == 2560)  // 2061 <= 5 * 2^9
    #expect(bluesteinLength(forSize: 1025) == 2560)  // 2049 <= 5 * 2^9 < 3 * 2^10
    #expect(bluesteinLength(forSize: 1024) == 2048)
    #expect(bluesteinLength(forSize: 4099) == 10240)
  }

  func checkForward<F: FFTScalar>(_: F.Type, size: Int, tolerance: Double) throws {
    let fft = try RealFFT<F>(size: size, direction: .forward)
    let loud = noise(size, seed: 1).map { 1e4 * $0 }
    let quiet = noise(size, seed: 2).map { 1e-3 * $0 }
    let bins = size / 2 + 1
    let a = AlignedBuffer<F>(count: size)!, b = AlignedBuffer<F>(count: size)!
    let outA = AlignedBuffer<F>(count: 2 * bins)!, outB = AlignedBuffer<F>(count: 2 * bins)!
    for j in 0..<size {
      a.pointer[j] = F(loud[j])
      b.pointer[j] = F(quiet[j])
    }
    // What the transform sees: the inputs rounded to F.
    let expectedA = Self.directDFT((0..<size).map { Double(a.pointer[$0]) })
    let expectedB = Self.directDFT((0..<size).map { Double(b.pointer[$0]) })
    // A pair: the quiet frame's error stays relative to its own size, not the loud one's.
    fft.forward(a.pointer, into: outA.pointer, b.pointer, into: outB.pointer)
    #expect(Self.maxError(outA.pointer, expectedA) <= tolerance * Self.norm(expectedA))
    #expect(Self.maxError(outB.pointer, expectedB) <= tolerance * Self.norm(expectedB))
    // One frame alone.
    fft.forward(b.pointer, into: outB.pointer, nil, into: nil)
    #expect(Self.maxError(outB.pointer, expectedB) <= tolerance * Self.norm(expectedB))
  }

  func checkInverse<F: FFTScalar>(_: F.Type, size: Int, tolerance: Double) throws {
    // The spectra of two real signals; the unnormalised inverse gives size * signal.
    let signals = [noise(size, seed: 3).map { 1e3 * $0 }, noise(size, seed: 4)]
    let fft = try RealFFT<F>(size: size, direction: .inverse)
    let bins = size / 2 + 1
    let spectra = signals.map { signal in
      let values = Self.directDFT(signal)
      let buffer = AlignedBuffer<F>(count: 2 * bins)!
      for i in values.indices { buffer.pointer[i] = F(values[i]) }
      return buffer
    }
    let outA = AlignedBuffer<F>(count: size)!, outB = AlignedBuffer<F>(count: size)!
    fft.inverse(spectra[0].pointer, into: outA.pointer, spectra[1].pointer, into: outB.pointer)
    for (out, signal) in [(outA, signals[0]), (outB, signals[1])] {
      let expected = signal.map { $0 * Double(size) }
      #expect(Self.maxError(out.pointer, expected) <= tolerance * Self.norm(expected))
    }
  }

  static let sizes = [1, 2, 3, 11, 17, 29, 64, 67, 81, 100, 127, 256, 257, 400, 998, 1022, 1031, 1088,
                      1125, 2047]

  @Test("forward, float64: within 1e-12 of the DFT's norm", arguments: sizes)
  func forwardDouble(size: Int) throws { try checkForward(Double.self, size: size, tolerance: 1e-12) }

  @Test("forward, float32: within 2e-6 of the DFT's norm", arguments: sizes)
  func forwardFloat(size: Int) throws { try checkForward(Float.self, size: size, tolerance: 2e-6) }

  @Test("inverse, float64: within 1e-12 of the signal's norm", arguments: sizes)
  func inverseDouble(size: Int) throws { try checkInverse(Double.self, size: size, tolerance: 1e-12) }

  @Test("inverse, float32: within 2e-6 of the signal's norm", arguments: sizes)
  func inverseFloat(size: Int) throws { try checkInverse(Float.self, size: size, tolerance: 2e-6) }
}
