// SPDX-License-Identifier: GPL-2.0-or-later
//
// Frame counts against librosa.stft's (centred and not), and numpy.pad semantics of the
// padded frames on tiny arrays (expected values computed by hand from numpy's rules).
import Testing
@testable import SwiftSpec

@Suite("Framing")
struct FramingTests {
  /// librosa.stft's frame count: centred 1 + (L + 2*(n_fft//2) - n_fft) // hop,
  /// else 1 + (L - n_fft) // hop.
  static func expectedFrames(_ length: Int, _ nFFT: Int, _ hop: Int, _ center: Bool) -> Int {
    center ? 1 + (length + 2 * (nFFT / 2) - nFFT) / hop : 1 + (length - nFFT) / hop
  }

  @Test("frame counts follow librosa.stft (center/no center, odd/even n_fft)",
        arguments: [(2048, 512), (2048, 2048), (512, 128), (511, 128), (400, 160), (63, 7),
                    (8, 1), (1, 1), (3, 5)])
  func frameCounts(nFFT: Int, hop: Int) throws {
    for length in [nFFT, nFFT + 1, nFFT + hop - 1, nFFT + hop, 3 * nFFT + 17, 22050] {
      for center in [true, false] {
        let layout = try FrameLayout(signalLength: length, nFFT: nFFT, hopLength: hop,
                                     center: center, padMode: .constant)
        #expect(layout.frameCount == Self.expectedFrames(length, nFFT, hop, center),
                "L=\(length) n_fft=\(nFFT) hop=\(hop) center=\(center)")
        if center && nFFT % 2 == 0 { #expect(layout.frameCount == 1 + length / hop) }
        if center && nFFT % 2 == 1 { #expect(layout.frameCount == 1 + (length - 1) / hop) }
      }
    }
  }

  @Test("short signals, centred: L=1 -> 1, 1023 -> 2, 2047 -> 4 frames")
  func shortCentred() throws {
    for (length, frames) in [(1, 1), (1023, 2), (2047, 4), (0, 1)] {
      let layout = try FrameLayout(signalLength: length, nFFT: 2048, hopLength: 512,
                                   center: true, padMode: .constant)
      #expect(layout.frameCount == frames, "L=\(length)")
    }
  }

  @Test("L = 0 with odd n_fft: input too short (n = n_fft - 1)")
  func emptyOdd() {
    #expect(throws: SpectrogramError.inputTooShort(n: 510, frameLength: 511)) {
      try FrameLayout(signalLength: 0, nFFT: 511, hopLength: 128, center: true,
                      padMode: .constant)
    }
  }

  @Test("L = 0 with a mode that cannot pad an empty array", arguments: [
    PadMode.reflect, .edge, .symmetric, .linearRamp,
  ])
  func emptyReflect(mode: PadMode) {
    #expect(throws: SpectrogramError.self) {
      try FrameLayout(signalLength: 0, nFFT: 512, hopLength: 128, center: true, padMode: mode)
    }
    #expect(throws: Never.self) {
      try FrameLayout(signalLength: 0, nFFT: 512, hopLength: 128, center: true,
                      padMode: .empty)
    }
  }

  @Test("uncentred: L < n_fft is too short, L == n_fft gives one frame")
  func uncentred() throws {
    #expect(throws: SpectrogramError.inputTooShort(n: 100, frameLength: 512)) {
      try FrameLayout(signalLength: 100, nFFT: 512, hopLength: 128, center: false,
                      padMode: .constant)
    }
    #expect(throws: SpectrogramError.inputTooShort(n: 0, frameLength: 512)) {
      try FrameLayout(signalLength: 0, nFFT: 512, hopLength: 128, center: false,
                      padMode: .constant)
    }
    let one = try FrameLayout(signalLength: 512, nFFT: 512, hopLength: 128, center: false,
                              padMode: .constant)
    #expect(one.frameCount == 1)
    let still = try FrameLayout(signalLength: 512 + 127, nFFT: 512, hopLength: 128,
                                center: false, padMode: .constant)
    #expect(still.frameCount == 1)
  }

  @Test("non-positive sizes are invalid arguments")
  func invalidSizes() {
    for (nFFT, hop) in [(0, 1), (-4, 1), (8, 0), (8, -2)] {
      #expect(throws: SpectrogramError.self) {
        try FrameLayout(signalLength: 100, nFFT: nFFT, hopLength: hop, center: true,
                        padMode: .constant)
      }
    }
  }

  @Test("huge hops and signals never trap: one frame, or an overflow error")
  func hugeValues() throws {
    let layout = try FrameLayout(signalLength: 10, nFFT: 4, hopLength: Int.max, center: true,
                                 padMode: .reflect)
    #expect(layout.frameCount == 1)
    let long = try FrameLayout(signalLength: (1 << 62) + 10, nFFT: 4, hopLength: 1 << 62,
                               center: true, padMode: .reflect)
    #expect(long.frameCount == 2)
    #expect(throws: SpectrogramError.sizeOverflow) {
      try FrameLayout(signalLength: 10, nFFT: Int.max, hopLength: 1, center: true,
                      padMode: .constant)
    }
  }

  // ---- numpy.pad of [1, 2, 3] by 4 on each side (n_fft = 8, hop = 1: 4 frames) ---------

  /// The padded signal as the frames see it: frame t holds padded[t ..< t + 8].
  static func paddedSignal(_ signal: [Double], nFFT: Int, mode: PadMode) throws -> [Double] {
    let layout = try FrameLayout(signalLength: signal.count, nFFT: nFFT, hopLength: 1,
                                 center: true, padMode: mode)
    var padded = [Double](repeating: .nan, count: signal.count + 2 * (nFFT / 2))
    var frame = [Double](repeating: .nan, count: nFFT)
    signal.withUnsafeBufferPointer { source in
      for t in 0..<layout.frameCount {
        frame.withUnsafeMutableBufferPointer { out in
          if layout.isInterior(t) {
            for n in 0..<nFFT { out[n] = source[layout.frameStart(t) + n] }
          } else {
            layout.gatherPaddedFrame(t, from: source.baseAddress!, into: out.baseAddress!)
          }
        }
        for n in 0..<nFFT { padded[t + n] = frame[n] }
      }
    }
    return padded
  }

  // Hand-computed from numpy's definitions: constant pads zeros; edge repeats the end
  // samples; reflect mirrors about the end samples (period 2(n-1)); symmetric mirrors
  // including them (period 2n); linear_ramp goes linearly from 0 to the end sample over
  // the pad, endpoint excluded (linspace(0, edge, pad, endpoint=False)).
  static let tiny: [(PadMode, [Double])] = [
    (.constant, [0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0]),
    (.empty, [0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0]),
    (.edge, [1, 1, 1, 1, 1, 2, 3, 3, 3, 3, 3]),
    (.reflect, [1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3]),
    (.symmetric, [3, 3, 2, 1, 1, 2, 3, 3, 2, 1, 1]),
    (.linearRamp, [0, 0.25, 0.5, 0.75, 1, 2, 3, 2.25, 1.5, 0.75, 0]),
  ]

  @Test("numpy.pad semantics of [1, 2, 3] padded by 4", arguments: 0..<6)
  func tinyPads(index: Int) throws {
    let (mode, expected) = Self.tiny[index]
    #expect(try Self.paddedSignal([1, 2, 3], nFFT: 8, mode: mode) == expected, "\(mode)")
  }

  @Test("reflect and symmetric of one sample repeat it; reflect of two is periodic")
  func tinierPads() throws {
    #expect(try Self.paddedSignal([5], nFFT: 6, mode: .reflect) == [5, 5, 5, 5, 5, 5, 5])
    #expect(try Self.paddedSignal([5], nFFT: 6, mode: .symmetric) == [5, 5, 5, 5, 5, 5, 5])
    #expect(try Self.paddedSignal([5], nFFT: 6, mode: .edge) == [5, 5, 5, 5, 5, 5, 5])
    // [1, 2] reflected by 5: period 2 about each end.
    #expect(try Self.paddedSignal([1, 2], nFFT: 10, mode: .reflect)
      == [2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1])
  }

  @Test("long signals: head/tail padding equals padding the whole signal (not reflect)",
        arguments: [PadMode.constant, .edge, .symmetric, .linearRamp])
  func partialPaddingMatchesFullPadding(mode: PadMode) throws {
    // With the tail segment longer than the pad, librosa's partial padding is exact.
    let signal = (0..<40).map { Double($0 * $0 % 17) - 8 }
    let nFFT = 8, pad = 4
    let padded = try Self.paddedSignal(signal, nFFT: nFFT, mode: mode)
    #expect(Array(padded[pad..<(pad + signal.count)]) == signal)
    switch mode {
    case .constant:
      #expect(padded.prefix(pad).allSatisfy { $0 == 0 } && padded.suffix(pad).allSatisfy { $0 == 0 })
    case .edge:
      #expect(padded.prefix(pad).allSatisfy { $0 == signal[0] })
      #expect(padded.suffix(pad).allSatisfy { $0 == signal[39] })
    case .symmetric:
      #expect(Array(padded.prefix(pad)) == [signal[3], signal[2], signal[1], signal[0]])
      #expect(Array(padded.suffix(pad)) == [signal[39], signal[38], signal[37], signal[36]])
    default:
      #expect(Array(padded.prefix(pad)) == [0, 0.25, 0.5, 0.75].map { $0 * signal[0] })
      #expect(Array(padded.suffix(pad)) == [0.75, 0.5, 0.25, 0].map { $0 * signal[39] })
    }
  }
}
