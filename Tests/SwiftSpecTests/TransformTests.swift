// SPDX-License-Identifier: GPL-2.0-or-later
//
// STFT and ISTFT against analytic results: the peak bin of a sine, the DC bin of a
// constant, Parseval's identity per frame, the ISTFT round trip; and multi-threaded
// results bit-identical to single-threaded ones.
import Testing
@testable import SwiftSpec
#if canImport(Glibc)
import Glibc
#endif

@Suite("STFT and ISTFT")
struct TransformTests {
  static let sampleRate = 16000.0

  static func sine(_ hz: Double, count: Int, amplitude: Double = 1) -> [Double] {
    (0..<count).map { amplitude * sin(2 * Double.pi * hz * Double($0) / sampleRate) }
  }

  static func magnitude(_ values: [Double], frame: Int, bin: Int, bins: Int) -> Double {
    let i = 2 * (frame * bins + bin)
    return (values[i] * values[i] + values[i + 1] * values[i + 1]).squareRoot()
  }

  @Test("a 1 kHz sine at 16 kHz peaks at bin 32 of a 512-point STFT, |X| = N/4")
  func sinePeak() throws {
    let parameters = try AnalysisParameters(nFFT: 512, hopLength: 128,
                                            window: closedFormHann(512))
    let (frames, values) = try stft64(Self.sine(1000, count: 8192), parameters: parameters)
    #expect(frames == 1 + 8192 / 128)
    for t in 4..<(frames - 4) {
      let row = (0..<257).map { Self.magnitude(values, frame: t, bin: $0, bins: 257) }
      let peak = row.indices.max { row[$0] < row[$1] }!
      #expect(peak == 32, "frame \(t)")
      #expect(abs(row[32] - 128) <= 1e-9)
      // The periodic Hann window's spectrum has only 3 lines: nothing beyond bins 31..33.
      #expect(row.enumerated().allSatisfy { k, v in (31...33).contains(k) || v <= 1e-9 })
    }
  }

  @Test("the DC bin of a constant is the sum of the window; bin 1 is -N/4")
  func constantSignal() throws {
    let window = closedFormHann(64)
    let parameters = try AnalysisParameters(nFFT: 64, hopLength: 16, window: window)
    let (frames, values) = try stft64([Double](repeating: 1, count: 1024), parameters: parameters)
    let t = frames / 2
    let dc = values[2 * (t * 33)]
    #expect(abs(dc - window.reduce(0, +)) <= 1e-12)
    #expect(abs(dc - 32) <= 1e-12)
    #expect(abs(values[2 * (t * 33) + 2] + 16) <= 1e-12)
    #expect(abs(values[2 * (t * 33) + 1]) <= 1e-12)
  }

  @Test("Parseval per frame: sum (w x)^2 = (1/N) sum over the full spectrum",
        arguments: [64, 63, 400, 511])
  func parseval(nFFT: Int) throws {
    let window = closedFormHann(nFFT)
    let signal = noise(4096)
    let hop = nFFT / 4
    let parameters = try AnalysisParameters(nFFT: nFFT, hopLength: hop, window: window,
                                            center: false)
    let (frames, values) = try stft64(signal, parameters: parameters)
    let bins = nFFT / 2 + 1
    for t in stride(from: 0, to: frames, by: 7) {
      var energy = 0.0
      for n in 0..<nFFT {
        let sample = window[n] * signal[t * hop + n]
        energy += sample * sample
      }
      var spectral = 0.0
      for k in 0..<bins {
        let power = pow(Self.magnitude(values, frame: t, bin: k, bins: bins), 2)
        // Bins other than DC (and Nyquist, for even n) stand for their mirror image too.
        let doubled = k != 0 && !(nFFT % 2 == 0 && k == nFFT / 2)
        spectral += doubled ? 2 * power : power
      }
      spectral /= Double(nFFT)
      #expect(abs(spectral - energy) <= 1e-10 * energy, "frame \(t)")
    }
  }

  @Test("istft(stft(y)) recovers y", arguments: [
    (512, 128, true), (512, 128, false), (400, 100, true), (511, 128, true), (64, 16, true),
  ])
  func roundTrip(nFFT: Int, hop: Int, center: Bool) throws {
    let window = WindowKind.hann.values(length: nFFT)
    let signal = noise(5000)
    let parameters = try AnalysisParameters(nFFT: nFFT, hopLength: hop, window: window,
                                            center: center)
    let (frames, spectrum) = try stft64(signal, parameters: parameters)
    let bins = nFFT / 2 + 1
    let back = try istft64(spectrum, frames: frames, bins: bins, nFFT: nFFT, hopLength: hop,
                           window: window, center: center, length: signal.count)
    #expect(back.count == signal.count)
    // Without centring, the first and last samples sit under a near-zero envelope.
    let range = center ? 0..<signal.count : nFFT..<(signal.count - nFFT)
    let error = range.map { abs(back[$0] - signal[$0]) }.max()!
    #expect(error <= 1e-10, "max error \(error)")
  }

  @Test("istft output lengths: 22050 samples -> 44 frames -> 22016 back")
  func istftLengths() throws {
    let frames = try FrameLayout(signalLength: 22050, nFFT: 2048, hopLength: 512, center: true,
                                 padMode: .constant).frameCount
    #expect(frames == 44)
    let natural = try istftGeometry(frames: frames, nFFT: 2048, hopLength: 512, center: true,
                                    length: nil)
    #expect(natural.outputLength == 22016 && natural.framesUsed == 44)
    let cut = try istftGeometry(frames: 44, nFFT: 2048, hopLength: 512, center: true,
                                length: 1000)
    #expect(cut.outputLength == 1000)
    #expect(cut.framesUsed == Int((Double(1000 + 2048) / 512).rounded(.up)))
    #expect(try istftGeometry(frames: 1, nFFT: 2048, hopLength: 512, center: true,
                              length: nil).outputLength == 0)
    #expect(throws: SpectrogramError.self) {
      try istftGeometry(frames: 0, nFFT: 2048, hopLength: 512, center: true, length: nil)
    }
    #expect(throws: SpectrogramError.sizeOverflow) {
      try istftGeometry(frames: 1 << 40, nFFT: 2048, hopLength: 1 << 40, center: true,
                        length: nil)
    }
  }

  @Test("istft with no rows returns at once, whatever the geometry")
  func istftNoRows() throws {
    var placeholder = 0.0
    try withUnsafeMutablePointer(to: &placeholder) { pointer in
      try computeISTFT(UnsafePointer(pointer), rows: 0, frames: 2, bins: 3, nFFT: 4,
                       hopLength: 1 << 40, window: [0, 0.5, 1, 0.5], center: false,
                       length: nil, into: pointer, threads: 1)
    }
    #expect(placeholder == 0)
  }

  // ---- threads ------------------------------------------------------------------------

  // 509 is prime: Bluestein's algorithm, which transforms frames in pairs.
  @Test("STFT with many threads is bit-identical to one thread",
        arguments: [2, 3, 8], [512, 509])
  func parallelSTFT(threads: Int, nFFT: Int) throws {
    let signal = noise(3 * 20000)
    for padMode in [PadMode.constant, .reflect] {
      let parameters = try AnalysisParameters(nFFT: nFFT, hopLength: 100,
                                              window: closedFormHann(nFFT), padMode: padMode)
      let one = try stft64(signal, rows: 3, parameters: parameters, threads: 1)
      let many = try stft64(signal, rows: 3, parameters: parameters, threads: threads)
      #expect(one.frames == many.frames)
      #expect(bitwiseEqual(one.values, many.values))
      #expect(!one.values.contains { $0.isNaN })
    }
  }

  @Test("mel spectrogram and MFCC with many threads are bit-identical to one thread")
  func parallelFeatures() throws {
    let rows = 3, length = 16000
    let signal = noise(rows * length).map { Float($0) }
    let parameters = try AnalysisParameters(nFFT: 512, hopLength: 160,
                                            window: closedFormHann(512))
    let bank = try MelFilterBank(sampleRate: 16000, nFFT: 512, melCount: 40, fmax: 8000,
                                 dtype: Float.self)
    let basis = bank.weights.map { Float($0) }
    let frames = try parameters.layout(signalLength: length).frameCount
    let dct = try dctMatrix(type: 2, norm: .ortho, n: 40, outputCount: 13)

    func mel(threads: Int, decibels: DecibelOptions?) throws -> [Float] {
      var out = [Float](repeating: .nan, count: rows * 40 * frames)
      try signal.withUnsafeBufferPointer { s in
        try basis.withUnsafeBufferPointer { b in
          try out.withUnsafeMutableBufferPointer { o in
            try computeMelSpectrogram(
              s.baseAddress!, rows: rows, signalLength: length, parameters: parameters,
              fft: Double.self, power: 2, basis: b.baseAddress!, melCount: 40,
              decibels: decibels, into: o.baseAddress!, threads: threads)
          }
        }
      }
      return out
    }

    func coefficients(threads: Int) throws -> [Float] {
      var out = [Float](repeating: .nan, count: rows * 13 * frames)
      try signal.withUnsafeBufferPointer { s in
        try basis.withUnsafeBufferPointer { b in
          try dct.withUnsafeBufferPointer { d in
            try out.withUnsafeMutableBufferPointer { o in
              try computeMFCC(
                s.baseAddress!, rows: rows, signalLength: length, parameters: parameters,
                fft: Double.self, power: 2, basis: b.baseAddress!, melCount: 40,
                decibels: try DecibelOptions(), dct: d.baseAddress!, mfccCount: 13,
                into: o.baseAddress!, threads: threads)
            }
          }
        }
      }
      return out
    }

    let melOne = try mel(threads: 1, decibels: nil)
    #expect(!melOne.contains { $0.isNaN })
    let logOne = try mel(threads: 1, decibels: try DecibelOptions(reference: .maximum))
    let mfccOne = try coefficients(threads: 1)
    for threads in [2, 4, 7] {
      #expect(bitwiseEqual(try mel(threads: threads, decibels: nil), melOne))
      #expect(bitwiseEqual(
        try mel(threads: threads, decibels: try DecibelOptions(reference: .maximum)), logOne))
      #expect(bitwiseEqual(try coefficients(threads: threads), mfccOne))
    }
    // Per channel: each row's log-mel maximum is 0 dB (ref = max per row).
    for r in 0..<rows {
      #expect(logOne[(r * 40 * frames)..<((r + 1) * 40 * frames)].max() == 0)
    }
  }

  @Test("ISTFT with many threads is bit-identical to one thread", arguments: [256, 257])
  func parallelISTFT(nFFT: Int) throws {
    let rows = 4, hop = 64
    let window = WindowKind.hann.values(length: nFFT)
    let parameters = try AnalysisParameters(nFFT: nFFT, hopLength: hop, window: window)
    let (frames, spectrum) = try stft64(noise(rows * 3000), rows: rows, parameters: parameters)
    let one = try istft64(spectrum, rows: rows, frames: frames, bins: nFFT / 2 + 1, nFFT: nFFT,
                          hopLength: hop, window: window, threads: 1)
    for threads in [2, 4] {
      let many = try istft64(spectrum, rows: rows, frames: frames, bins: nFFT / 2 + 1,
                             nFFT: nFFT, hopLength: hop, window: window, threads: threads)
      #expect(bitwiseEqual(one, many))
    }
  }

  @Test("rows are independent: a multichannel STFT equals per-row STFTs")
  func rowsIndependent() throws {
    try rowsIndependent(nFFT: 128)
    try rowsIndependent(nFFT: 127)  // prime: frames transformed in pairs (Bluestein)
  }

  func rowsIndependent(nFFT: Int) throws {
    let parameters = try AnalysisParameters(nFFT: nFFT, hopLength: 32,
                                            window: closedFormHann(nFFT))
    let a = noise(1000, seed: 1), b = noise(1000, seed: 2)
    let both = try stft64(a + b, rows: 2, parameters: parameters, threads: 2)
    let first = try stft64(a, parameters: parameters)
    let second = try stft64(b, parameters: parameters)
    #expect(bitwiseEqual(both.values, first.values + second.values))
  }

  @Test("fast (float32 FFT) stays close to exact: error below 2e-6 of the frame peak")
  func fastPrecision() throws {
    let signal = Self.sine(1234.5, count: 8000).map { Float($0) }
    let exact = try stft(signal, parameters: try AnalysisParameters(nFFT: 512, hopLength: 128))
    let fast = try stft(signal, parameters: try AnalysisParameters(nFFT: 512, hopLength: 128,
                                                                   precision: .fast))
    #expect(exact.frameCount == fast.frameCount)
    let peak = exact.values.map { abs($0) }.max()!
    let error = zip(exact.values, fast.values).map { abs($0 - $1) }.max()!
    #expect(error <= 2e-6 * peak)
  }
}
