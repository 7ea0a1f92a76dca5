// SPDX-License-Identifier: GPL-2.0-or-later
//
// Windows against closed forms and scipy.signal.get_window's float64 values, and
// librosa's pad_center.
import Testing
@testable import SwiftSpec
#if canImport(Glibc)
import Glibc
#endif

@Suite("Windows")
struct WindowTests {
  // scipy.signal.get_window(name, 8) (periodic), repr of each float64.
  static let scipy8: [(WindowKind, [Double])] = [
    (.hann, [0.0, 0.14644660940672627, 0.5, 0.8535533905932737, 1.0, 0.8535533905932737, 0.5,
             0.14644660940672627]),
    (.hamming, [0.08000000000000007, 0.21473088065418822, 0.54, 0.865269119345812, 1.0,
                0.865269119345812, 0.54, 0.21473088065418822]),
    (.blackman, [-1.3877787807814457e-17, 0.06644660940672624, 0.34, 0.7735533905932738,
                 0.9999999999999999, 0.7735533905932738, 0.34, 0.06644660940672624]),
    (.bartlett, [0.0, 0.25, 0.5, 0.75, 1.0, 0.75, 0.5, 0.25]),
    (.triang, [0.2, 0.4, 0.6, 0.8, 1.0, 0.8, 0.6, 0.4]),
    (.boxcar, [1, 1, 1, 1, 1, 1, 1, 1]),
  ]

  @Test("periodic windows of length 8 equal scipy's float64 values bit for bit",
        arguments: 0..<6)
  func scipyValues(index: Int) {
    let (kind, expected) = Self.scipy8[index]
    #expect(kind.values(length: 8, periodic: true) == expected, "\(kind)")
  }

  @Test("symmetric hann(9) is scipy's: zero ends, 1 in the middle")
  func symmetricHann() {
    let expected = [0.0, 0.14644660940672627, 0.5, 0.8535533905932737, 1.0, 0.8535533905932737,
                    0.5, 0.14644660940672627, 0.0]
    #expect(WindowKind.hann.values(length: 9, periodic: false) == expected)
  }

  @Test("cosine windows match their closed forms within 1e-15", arguments: [2, 3, 400, 511, 512, 2048])
  func closedForms(n: Int) {
    let hann = WindowKind.hann.values(length: n)
    let hamming = WindowKind.hamming.values(length: n)
    let blackman = WindowKind.blackman.values(length: n)
    for i in 0..<n {
      let x = 2 * Double.pi * Double(i) / Double(n)
      #expect(abs(hann[i] - (0.5 - 0.5 * cos(x))) <= 1e-15)
      #expect(abs(hamming[i] - (0.54 - 0.46 * cos(x))) <= 1e-15)
      #expect(abs(blackman[i] - (0.42 - 0.5 * cos(x) + 0.08 * cos(2 * x))) <= 1e-15)
    }
  }

  @Test("lengths 0 and 1 give [] and [1.0] for every window", arguments: WindowKind.allCases)
  func degenerateLengths(kind: WindowKind) {
    #expect(kind.values(length: 0).isEmpty)
    #expect(kind.values(length: 1) == [1.0])
    #expect(kind.values(length: 1, periodic: false) == [1.0])
  }

  @Test("a periodic window of length N is the symmetric one of length N + 1, truncated")
  func periodicIsTruncatedSymmetric() {
    for kind in WindowKind.allCases {
      #expect(kind.values(length: 16, periodic: true)
        == Array(kind.values(length: 17, periodic: false).prefix(16)))
    }
  }

  @Test("sum of the periodic hann window is N/2")
  func hannSum() {
    for n in [8, 64, 512, 2048] {
      let sum = WindowKind.hann.values(length: n).reduce(0, +)
      #expect(abs(sum - Double(n) / 2) <= 1e-12 * Double(n))
    }
  }

  @Test("padCenter centres with the extra zero on the right")
  func padCenterPlacement() throws {
    #expect(try padCenter([1, 2, 3], size: 6) == [0, 1, 2, 3, 0, 0])
    #expect(try padCenter([1, 2, 3], size: 7) == [0, 0, 1, 2, 3, 0, 0])
    #expect(try padCenter([1, 2, 3], size: 3) == [1, 2, 3])
    #expect(try padCenter([], size: 2) == [0, 0])
    // librosa: win_length 401 in n_fft 512 -> 55 zeros left, 56 right.
    let padded = try padCenter([Double](repeating: 1, count: 401), size: 512)
    #expect(padded.firstIndex(of: 1) == 55)
    #expect(padded.lastIndex(of: 1) == 455)
    #expect(padded.count == 512)
  }

  @Test("padCenter refuses a window longer than the target")
  func padCenterTooLong() {
    #expect(throws: SpectrogramError.invalidArgument(
      "Target size (2) must be at least input size (3)")) {
      try padCenter([1, 2, 3], size: 2)
    }
  }
}
