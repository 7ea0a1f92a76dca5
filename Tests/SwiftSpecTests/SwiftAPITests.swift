// SPDX-License-Identifier: GPL-2.0-or-later
import Glibc
import SwiftSpec
import Testing

@Suite("Swift array API")
struct SwiftAPITests {
  /// A 2 kHz sine at 32 kHz: its power lands in the mel band whose centre is nearest
  /// 2 kHz, and the dB result (ref = max) peaks at exactly 0 dB there.
  @Test func logMelOfASinePeaksInTheRightBand() throws {
    let sr = 32000.0
    let samples = (0..<32000).map { Float(sin(2 * Double.pi * 2000 * Double($0) / sr)) }
    let parameters = try AnalysisParameters(nFFT: 2048, hopLength: 512)
    let bank = try MelFilterBank(sampleRate: sr, nFFT: 2048, melCount: 64, fmax: sr / 2,
                                 dtype: Float.self)
    let logMel = try melSpectrogram(samples, parameters: parameters, filterBank: bank,
                                    decibels: DecibelOptions(reference: .maximum))
    #expect(logMel.rowCount == 64 && logMel.frameCount == 1 + 32000 / 512)
    let middle = logMel.frameCount / 2
    let column = (0..<64).map { logMel[$0, middle] }
    let peak = try #require(column.indices.max { column[$0] < column[$1] })
    // Band centres are the interior mel points: the nearest to 2 kHz is the peak band.
    let centres = Array(MelScale.frequencies(count: 66, fmin: 0, fmax: sr / 2)[1...64])
    let nearest = try #require(centres.indices.min { abs(centres[$0] - 2000) < abs(centres[$1] - 2000) })
    #expect(abs(peak - nearest) <= 1)
    #expect(logMel.values.max() == 0)
    #expect(logMel.values.min()! >= -80)
  }

  @Test func mfccOfSilenceIsConstant() throws {
    // All-zero audio: every log-mel value is the floor 10 log10(1e-10) = -100 dB, so
    // the orthonormal DCT-II gives c0 = -100 sqrt(n_mels) and zero elsewhere.
    let parameters = try AnalysisParameters(nFFT: 512, hopLength: 128)
    let bank = try MelFilterBank(sampleRate: 16000, nFFT: 512, melCount: 40, fmax: 8000,
                                 dtype: Float.self)
    let coefficients = try mfcc([Float](repeating: 0, count: 4000), parameters: parameters,
                                filterBank: bank, mfccCount: 13)
    #expect(coefficients.rowCount == 13)
    for t in 0..<coefficients.frameCount {
      #expect(abs(coefficients[0, t] - Float(-100 * 40.0.squareRoot())) < 1e-3)
      for k in 1..<13 { #expect(abs(coefficients[k, t]) < 1e-3) }
    }
  }
}
