// SPDX-License-Identifier: GPL-2.0-or-later
//
// Mel conversions and filter banks against librosa's float64 values and its definitions
// (mel_frequencies, fft_frequencies, filters.mel).
import Testing
@testable import SwiftSpec
#if canImport(Glibc)
import Glibc
#endif

@Suite("Mel scale")
struct MelScaleTests {
  @Test("Slaney break point: hz_to_mel(1000) and mel_to_hz(15) as librosa computes them")
  func slaneyBreakPoint() {
    #expect(MelScale.mel(fromHz: 1000) == 14.999999999999998)
    #expect(MelScale.hz(fromMel: 15.0) == 1000.0000000000002)
  }

  @Test("Slaney values (librosa): linear below 1 kHz, logarithmic above")
  func slaneyValues() {
    #expect(MelScale.mel(fromHz: 0) == 0)
    #expect(MelScale.mel(fromHz: 440) == 6.6)
    #expect(MelScale.mel(fromHz: -100) == -1.5)
    #expect(MelScale.mel(fromHz: 8000) == 45.245640471924965)
    #expect(MelScale.hz(fromMel: 40) == 5577.800011749387)
    // Analytic: 200/3 Hz per mel below 1 kHz; logstep ln(6.4)/27 above.
    #expect(abs(MelScale.mel(fromHz: 6400) - (15 + 27)) <= 1e-12)
  }

  @Test("HTK values (librosa): 2595 log10(1 + f/700)")
  func htkValues() {
    #expect(MelScale.mel(fromHz: 1000, htk: true) == 999.9855371396244)
    #expect(MelScale.hz(fromMel: 1000, htk: true) == 1000.021816457287)
    #expect(MelScale.mel(fromHz: 440, htk: true) == 549.6386753811499)
    #expect(abs(MelScale.mel(fromHz: 700, htk: true) - 2595 * log10(2.0)) <= 1e-12)
  }

  @Test("conversions invert each other and pass NaN through")
  func roundTrip() {
    for htk in [false, true] {
      for hz in stride(from: 0.0, through: 20000, by: 137.5) {
        let back = MelScale.hz(fromMel: MelScale.mel(fromHz: hz, htk: htk), htk: htk)
        #expect(abs(back - hz) <= 1e-9 * max(1, hz))
      }
      #expect(MelScale.mel(fromHz: .nan, htk: htk).isNaN)
      #expect(MelScale.hz(fromMel: .nan, htk: htk).isNaN)
    }
  }

  @Test("mel_frequencies: n = 0, 1 (fmin), 2 (fmin, fmax), evenly spaced in mel")
  func frequencies() {
    #expect(MelScale.frequencies(count: 0, fmin: 0, fmax: 11025).isEmpty)
    #expect(MelScale.frequencies(count: 1, fmin: 300, fmax: 11025) == [300])
    #expect(MelScale.frequencies(count: 2, fmin: 0, fmax: 11025) == [0, 11025])
    let grid = MelScale.frequencies(count: 41, fmin: 0, fmax: 8000)
    let mels = grid.map { MelScale.mel(fromHz: $0) }
    let step = MelScale.mel(fromHz: 8000) / 40
    for (i, m) in mels.enumerated() { #expect(abs(m - Double(i) * step) <= 1e-12) }
  }

  @Test("fft_frequencies = k * (sr / n_fft), k = 0 ... n_fft/2")
  func fftFrequencies() {
    let f = MelScale.fftFrequencies(sampleRate: 16000, nFFT: 512)
    #expect(f.count == 257)
    #expect(f[1] == 31.25 && f[256] == 8000)
    #expect(MelScale.fftFrequencies(sampleRate: 22050, nFFT: 1) == [0])
    #expect(MelScale.fftFrequencies(sampleRate: 8000, nFFT: 255).count == 128)
  }

  @Test("filter bank shape and empty rows: sr 16000, n_fft 512, 256 mels")
  func emptyFilters() throws {
    for dtype in [true, false] {
      let bank = dtype
        ? try MelFilterBank(sampleRate: 16000, nFFT: 512, melCount: 256, fmax: 8000,
                            dtype: Float.self)
        : try MelFilterBank(sampleRate: 16000, nFFT: 512, melCount: 256, fmax: 8000,
                            dtype: Double.self)
      #expect(bank.melCount == 256 && bank.binCount == 257)
      #expect(bank.weights.count == 256 * 257)
      let zeroRows = (0..<256).filter { m in
        bank.weights[(m * 257)..<((m + 1) * 257)].allSatisfy { $0 == 0 }
      }
      // 24 all-zero rows, interleaved in the low band: 0, 3, 8, 11, ...
      #expect(zeroRows.count == 24)
      #expect(Array(zeroRows.prefix(4)) == [0, 3, 8, 11])
      // Row 0 starts at 0 Hz, so librosa does not count it as "empty".
      #expect(bank.emptyFilterCount == 23)
      #expect(bank.weights.allSatisfy { $0 >= 0 })
    }
  }

  @Test("no empty filters for sr 16000, n_fft 400, 128 mels; each peak near its centre")
  func filterPeaks() throws {
    let bank = try MelFilterBank(sampleRate: 16000, nFFT: 400, melCount: 128, fmax: 8000,
                                 dtype: Float.self)
    #expect(bank.emptyFilterCount == 0)
    let edges = MelScale.frequencies(count: 130, fmin: 0, fmax: 8000)
    let binHz = 16000.0 / 400
    for m in 0..<128 {
      let row = Array(bank.weights[(m * 201)..<((m + 1) * 201)])
      let peak = row.indices.max { row[$0] < row[$1] }!
      #expect(abs(Double(peak) * binHz - edges[m + 1]) <= binHz, "row \(m)")
    }
  }

  @Test("slaney=false: triangles peak at most 1; slaney: area normalised to 2/width")
  func normalisation() throws {
    let plain = try MelFilterBank(sampleRate: 22050, nFFT: 2048, melCount: 40, fmax: 11025,
                                  slaneyNorm: false, dtype: Double.self)
    #expect(plain.weights.max()! <= 1)
    #expect(plain.weights.max()! > 0.9)
    let slaney = try MelFilterBank(sampleRate: 22050, nFFT: 2048, melCount: 40, fmax: 11025,
                                   slaneyNorm: true, dtype: Double.self)
    let edges = MelScale.frequencies(count: 42, fmin: 0, fmax: 11025)
    for m in 0..<40 {
      let factor = 2.0 / (edges[m + 2] - edges[m])
      for k in 0..<1025 where plain.weights[m * 1025 + k] > 0 {
        let ratio = slaney.weights[m * 1025 + k] / plain.weights[m * 1025 + k]
        #expect(abs(ratio - factor) <= 1e-12 * factor)
      }
    }
  }

  @Test("fmin > fmax: librosa's degenerate bank (247 non-zero weights, sign by norm)")
  func reversedBand() throws {
    // librosa.filters.mel(sr=16000, n_fft=512, n_mels=40, fmin=5000, fmax=1000): the
    // descending edges give triangles of negative width. With norm='slaney' the area
    // factor is negative: 247 weights < 0, every row's max is 0, so all 40 rows count as
    // empty. With norm=None: 247 weights > 0 and no empty row.
    let slaney = try MelFilterBank(sampleRate: 16000, nFFT: 512, melCount: 40, fmin: 5000,
                                   fmax: 1000, slaneyNorm: true, dtype: Float.self)
    #expect(slaney.weights.filter { $0 < 0 }.count == 247)
    #expect(slaney.weights.allSatisfy { $0 <= 0 })
    #expect(slaney.emptyFilterCount == 40)
    let plain = try MelFilterBank(sampleRate: 16000, nFFT: 512, melCount: 40, fmin: 5000,
                                  fmax: 1000, slaneyNorm: false, dtype: Float.self)
    #expect(plain.weights.filter { $0 > 0 }.count == 247)
    #expect(plain.weights.allSatisfy { $0 >= 0 })
    #expect(plain.emptyFilterCount == 0)
  }

  @Test("invalid arguments are rejected; no filters cost nothing whatever n_fft")
  func invalid() throws {
    #expect(throws: SpectrogramError.self) {
      try MelFilterBank(sampleRate: 0, nFFT: 512, melCount: 4, fmax: 8000, dtype: Float.self)
    }
    #expect(throws: SpectrogramError.self) {
      try MelFilterBank(sampleRate: .nan, nFFT: 512, melCount: 4, fmax: 8000, dtype: Float.self)
    }
    #expect(throws: SpectrogramError.self) {
      try MelFilterBank(sampleRate: 16000, nFFT: 512, melCount: -1, fmax: 8000,
                        dtype: Float.self)
    }
    #expect(throws: SpectrogramError.self) {
      try MelFilterBank(sampleRate: 16000, nFFT: 512, melCount: 4, fmax: .infinity,
                        dtype: Float.self)
    }
    #expect(throws: SpectrogramError.sizeOverflow) {
      try MelFilterBank(sampleRate: 16000, nFFT: 512, melCount: 1 << 62, fmax: 8000,
                        dtype: Float.self)
    }
    let empty = try MelFilterBank(sampleRate: 16000, nFFT: 1 << 50, melCount: 0, fmax: 8000,
                                  dtype: Float.self)
    #expect(empty.weights.isEmpty && empty.binCount == (1 << 49) + 1)
  }
}
