// SPDX-License-Identifier: GPL-2.0-or-later
//
// The exported C functions of swiftspec.h: each validates its arguments, calls the
// SwiftSpec core and maps errors to the pinned status codes. Nothing here may trap: a
// trap kills the host process (a Python interpreter, say), so every caller-supplied size
// is range-checked and multiplied with overflow checks before memory is touched.
import CSwiftSpec
import SwiftSpec

// MARK: - Library information

@_cdecl("swiftspec_abi_version")
public func swiftspecABIVersion() -> Int32 { Int32(SWIFTSPEC_ABI_VERSION) }

@_cdecl("swiftspec_strerror")
public func swiftspecStrerror(_ status: Int32) -> UnsafePointer<CChar> {
  message(for: status)
}

@_cdecl("swiftspec_fftw_version")
public func swiftspecFFTWVersion() -> UnsafePointer<CChar> { fftwVersion }

@_cdecl("swiftspec_simd_level")
public func swiftspecSIMDLevel() -> UnsafePointer<CChar> { simdLevelName }

// MARK: - Windows and frequency grids

@_cdecl("swiftspec_get_window")
public func swiftspecGetWindow(
  _ window: Int32, _ n: Int64, _ periodic: Int32, _ out: UnsafeMutablePointer<Double>?,
  _ outCap: Int64
) -> Int32 {
  withStatus { () throws(SpectrogramError) in
    guard let kind = WindowKind(rawValue: window) else {
      throw .invalidArgument("unknown window code \(window)")
    }
    let count = try size(n, "n")
    let out = try outputBuffer(out, capacity: outCap, needed: count)
    let values = kind.values(length: count, periodic: try flag(periodic, "periodic"))
    for (i, v) in values.enumerated() { out[i] = v }
  }
}

@_cdecl("swiftspec_fft_frequencies")
public func swiftspecFFTFrequencies(
  _ sr: Double, _ nFFT: Int64, _ out: UnsafeMutablePointer<Double>?, _ outCap: Int64
) -> Int32 {
  withStatus { () throws(SpectrogramError) in
    guard sr > 0, sr.isFinite else { throw .invalidArgument("sr=\(sr) must be positive") }
    let n = try positive(nFFT, "n_fft")
    let out = try outputBuffer(out, capacity: outCap, needed: n / 2 + 1)
    for (k, f) in MelScale.fftFrequencies(sampleRate: sr, nFFT: n).enumerated() { out[k] = f }
  }
}

@_cdecl("swiftspec_convert_mel")
public func swiftspecConvertMel(
  _ input: UnsafePointer<Double>?, _ n: Int64, _ toMel: Int32, _ htk: Int32,
  _ out: UnsafeMutablePointer<Double>?, _ outCap: Int64
) -> Int32 {
  withStatus { () throws(SpectrogramError) in
    let count = try size(n, "n")
    let input = try inputBuffer(input, count: count)
    let out = try outputBuffer(out, capacity: outCap, needed: count)
    let forward = try flag(toMel, "to_mel")
    let htk = try flag(htk, "htk")
    for i in 0..<count {
      out[i] = forward
        ? MelScale.mel(fromHz: input[i], htk: htk) : MelScale.hz(fromMel: input[i], htk: htk)
    }
  }
}

@_cdecl("swiftspec_mel_frequencies")
public func swiftspecMelFrequencies(
  _ nMels: Int64, _ fmin: Double, _ fmax: Double, _ htk: Int32,
  _ out: UnsafeMutablePointer<Double>?, _ outCap: Int64
) -> Int32 {
  withStatus { () throws(SpectrogramError) in
    let count = try size(nMels, "n_mels")
    let out = try outputBuffer(out, capacity: outCap, needed: count)
    let values = MelScale.frequencies(count: count, fmin: fmin, fmax: fmax,
                                      htk: try flag(htk, "htk"))
    for (i, v) in values.enumerated() { out[i] = v }
  }
}

@_cdecl("swiftspec_mel_filter_bank")
public func swiftspecMelFilterBank(
  _ sr: Double, _ nFFT: Int64, _ nMels: Int64, _ fmin: Double, _ fmax: Double,
  _ htk: Int32, _ slaneyNorm: Int32, _ dtype: Int32, _ out: UnsafeMutableRawPointer?,
  _ outCap: Int64, _ nEmpty: UnsafeMutablePointer<Int64>?
) -> Int32 {
  withStatus { () throws(SpectrogramError) in
    let n = try positive(nFFT, "n_fft")
    let mels = try size(nMels, "n_mels")
    guard let nEmpty else { throw .nullPointer }
    let needed = try checkedProduct(mels, n / 2 + 1)
    let type = try SampleType(dtype)
    let htk = try flag(htk, "htk")
    let slaney = try flag(slaneyNorm, "slaney_norm")
    // The capacity is checked before the bank is built: it bounds the work and memory.
    let bank: MelFilterBank
    switch type {
    case .float32:
      let out = try outputBuffer(out, capacity: outCap, needed: needed, as: Float.self)
      bank = try MelFilterBank(sampleRate: sr, nFFT: n, melCount: mels, fmin: fmin, fmax: fmax,
                               htk: htk, slaneyNorm: slaney, dtype: Float.self)
      for (i, w) in bank.weights.enumerated() { out[i] = Float(w) }
    case .float64:
      let out = try outputBuffer(out, capacity: outCap, needed: needed, as: Double.self)
      bank = try MelFilterBank(sampleRate: sr, nFFT: n, melCount: mels, fmin: fmin, fmax: fmax,
                               htk: htk, slaneyNorm: slaney, dtype: Double.self)
      for (i, w) in bank.weights.enumerated() { out[i] = w }
    }
    nEmpty.pointee = Int64(bank.emptyFilterCount)
  }
}

@_cdecl("swiftspec_dct_matrix")
public func swiftspecDCTMatrix(
  _ dctType: Int32, _ norm: Int32, _ n: Int64, _ nOut: Int64,
  _ out: UnsafeMutablePointer<Double>?, _ outCap: Int64
) -> Int32 {
  withStatus { () throws(SpectrogramError) in
    guard let norm = DCTNorm(rawValue: norm) else {
      throw .invalidArgument("unknown DCT norm code \(norm)")
    }
    let length = try positive(n, "n")
    let rows = try size(nOut, "n_out")
    let out = try outputBuffer(out, capacity: outCap, needed: try checkedProduct(rows, length))
    let matrix = try dctMatrix(type: Int(dctType), norm: norm, n: length, outputCount: rows)
    for (i, v) in matrix.enumerated() { out[i] = v }
  }
}

// MARK: - STFT

@_cdecl("swiftspec_stft_n_frames")
public func swiftspecSTFTFrameCount(
  _ nSamples: Int64, _ nFFT: Int64, _ hopLength: Int64, _ center: Int32,
  _ nFrames: UnsafeMutablePointer<Int64>?
) -> Int32 {
  withStatus { () throws(SpectrogramError) in
    guard let nFrames else { throw .nullPointer }
    let layout = try FrameLayout(
      signalLength: try size(nSamples, "n_samples"), nFFT: try positive(nFFT, "n_fft"),
      hopLength: try positive(hopLength, "hop_length"), center: try flag(center, "center"),
      padMode: .constant)
    nFrames.pointee = Int64(layout.frameCount)
  }
}

@_cdecl("swiftspec_stft")
public func swiftspecSTFT(
  _ input: UnsafeRawPointer?, _ inDtype: Int32, _ nRows: Int64, _ nSamples: Int64,
  _ nFFT: Int64, _ hopLength: Int64, _ window: UnsafePointer<Double>?, _ center: Int32,
  _ padMode: Int32, _ precision: Int32, _ output: UnsafeMutableRawPointer?,
  _ outDtype: Int32, _ outCap: Int64, _ nThreads: Int32
) -> Int32 {
  withStatus { () throws(SpectrogramError) in
    let request = try AnalysisRequest(
      input, inDtype, nRows, nSamples, nFFT, hopLength, window, center, padMode, precision,
      outDtype, nThreads)
    let needed = try checkedProduct(request.rows, request.frameCount, request.parameters.binCount)
    try request.checkOutput(output, capacity: outCap, needed: needed)
    struct Run: KernelVisitor {
      let request: AnalysisRequest
      let output: UnsafeMutableRawPointer
      func run<S: BinaryFloatingPoint, F: FFTScalar, O: DecibelScalar>(
        _: S.Type, _: F.Type, _: O.Type
      ) throws(SpectrogramError) {
        try computeSTFT(
          request.signal(S.self), rows: request.rows, signalLength: request.signalLength,
          parameters: request.parameters, fft: F.self,
          into: output.assumingMemoryBound(to: O.self), threads: request.threads)
      }
    }
    try request.dispatch(Run(request: request, output: output.unsafelyUnwrapped))
  }
}

@_cdecl("swiftspec_istft_length")
public func swiftspecISTFTLength(
  _ nFrames: Int64, _ nFFT: Int64, _ hopLength: Int64, _ center: Int32, _ length: Int64,
  _ nOut: UnsafeMutablePointer<Int64>?
) -> Int32 {
  withStatus { () throws(SpectrogramError) in
    guard let nOut else { throw .nullPointer }
    let geometry = try istftGeometry(
      frames: try size(nFrames, "n_frames"), nFFT: try positive(nFFT, "n_fft"),
      hopLength: try positive(hopLength, "hop_length"), center: try flag(center, "center"),
      length: length < 0 ? nil : try positive(length, "length"))
    nOut.pointee = Int64(geometry.outputLength)
  }
}

@_cdecl("swiftspec_istft")
public func swiftspecISTFT(
  _ input: UnsafeRawPointer?, _ dtype: Int32, _ nRows: Int64, _ nFrames: Int64,
  _ nBins: Int64, _ nFFT: Int64, _ hopLength: Int64, _ window: UnsafePointer<Double>?,
  _ center: Int32, _ length: Int64, _ output: UnsafeMutableRawPointer?, _ outCap: Int64,
  _ nThreads: Int32
) -> Int32 {
  withStatus { () throws(SpectrogramError) in
    let type = try SampleType(dtype)
    let rows = try size(nRows, "n_rows")
    let frames = try size(nFrames, "n_frames")
    let bins = try size(nBins, "n_bins")
    let n = try fftLength(nFFT)
    let hop = try positive(hopLength, "hop_length")
    let centered = try flag(center, "center")
    let target = length < 0 ? nil : try positive(length, "length")
    let windowValues = try finiteWindow(window, count: n)
    let threads = try threadCount(nThreads)
    let inputCount = try checkedProduct(rows, frames, bins, 2)
    let geometry = try istftGeometry(
      frames: frames, nFFT: n, hopLength: hop, center: centered, length: target)
    let needed = try checkedProduct(rows, geometry.outputLength)
    switch type {
    case .float32:
      try computeISTFT(
        try inputBuffer(input, count: inputCount, as: Float.self), rows: rows, frames: frames,
        bins: bins, nFFT: n, hopLength: hop, window: windowValues, center: centered,
        length: target, into: try outputBuffer(output, capacity: outCap, needed: needed, as: Float.self),
        threads: threads)
    case .float64:
      try computeISTFT(
        try inputBuffer(input, count: inputCount, as: Double.self), rows: rows, frames: frames,
        bins: bins, nFFT: n, hopLength: hop, window: windowValues, center: centered,
        length: target, into: try outputBuffer(output, capacity: outCap, needed: needed, as: Double.self),
        threads: threads)
    }
  }
}

// MARK: - Features

@_cdecl("swiftspec_melspectrogram")
public func swiftspecMelSpectrogram(
  _ input: UnsafeRawPointer?, _ inDtype: Int32, _ nRows: Int64, _ nSamples: Int64,
  _ nFFT: Int64, _ hopLength: Int64, _ window: UnsafePointer<Double>?, _ center: Int32,
  _ padMode: Int32, _ precision: Int32, _ power: Double, _ melBasis: UnsafeRawPointer?,
  _ nMels: Int64, _ output: UnsafeMutableRawPointer?, _ outDtype: Int32, _ outCap: Int64,
  _ nThreads: Int32
) -> Int32 {
  withStatus { () throws(SpectrogramError) in
    let request = try AnalysisRequest(
      input, inDtype, nRows, nSamples, nFFT, hopLength, window, center, padMode, precision,
      outDtype, nThreads)
    let mel = try MelRequest(request, power: power, basis: melBasis, nMels: nMels)
    try mel.run(rowsOf: mel.melCount, into: output, capacity: outCap) {
      MelRun(request: request, mel: mel, decibels: nil, output: $0)
    }
  }
}

@_cdecl("swiftspec_spectrogram")
public func swiftspecSpectrogram(
  _ input: UnsafeRawPointer?, _ inDtype: Int32, _ nRows: Int64, _ nSamples: Int64,
  _ nFFT: Int64, _ hopLength: Int64, _ window: UnsafePointer<Double>?, _ center: Int32,
  _ padMode: Int32, _ precision: Int32, _ power: Double, _ output: UnsafeMutableRawPointer?,
  _ outDtype: Int32, _ outCap: Int64, _ nThreads: Int32
) -> Int32 {
  withStatus { () throws(SpectrogramError) in
    let request = try AnalysisRequest(
      input, inDtype, nRows, nSamples, nFFT, hopLength, window, center, padMode, precision,
      outDtype, nThreads)
    try checkPower(power)
    let needed = try checkedProduct(request.rows, request.parameters.binCount, request.frameCount)
    try request.checkOutput(output, capacity: outCap, needed: needed)
    struct Run: KernelVisitor {
      let request: AnalysisRequest
      let power: Double
      let output: UnsafeMutableRawPointer
      func run<S: BinaryFloatingPoint, F: FFTScalar, O: DecibelScalar>(
        _: S.Type, _: F.Type, _: O.Type
      ) throws(SpectrogramError) {
        try computePowerSpectrogram(
          request.signal(S.self), rows: request.rows, signalLength: request.signalLength,
          parameters: request.parameters, fft: F.self, power: power,
          into: output.assumingMemoryBound(to: O.self), threads: request.threads)
      }
    }
    try request.dispatch(Run(request: request, power: power, output: output.unsafelyUnwrapped))
  }
}

@_cdecl("swiftspec_log_melspectrogram")
public func swiftspecLogMelSpectrogram(
  _ input: UnsafeRawPointer?, _ inDtype: Int32, _ nRows: Int64, _ nSamples: Int64,
  _ nFFT: Int64, _ hopLength: Int64, _ window: UnsafePointer<Double>?, _ center: Int32,
  _ padMode: Int32, _ precision: Int32, _ power: Double, _ melBasis: UnsafeRawPointer?,
  _ nMels: Int64, _ refMode: Int32, _ refDB: Double, _ amin: Double, _ hasTopDB: Int32,
  _ topDB: Double, _ output: UnsafeMutableRawPointer?, _ outDtype: Int32, _ outCap: Int64,
  _ nThreads: Int32
) -> Int32 {
  withStatus { () throws(SpectrogramError) in
    let request = try AnalysisRequest(
      input, inDtype, nRows, nSamples, nFFT, hopLength, window, center, padMode, precision,
      outDtype, nThreads)
    let mel = try MelRequest(request, power: power, basis: melBasis, nMels: nMels)
    let decibels = try decibelOptions(refMode, refDB, amin, hasTopDB, topDB)
    try mel.run(rowsOf: mel.melCount, into: output, capacity: outCap) {
      MelRun(request: request, mel: mel, decibels: decibels, output: $0)
    }
  }
}

@_cdecl("swiftspec_mfcc")
public func swiftspecMFCC(
  _ input: UnsafeRawPointer?, _ inDtype: Int32, _ nRows: Int64, _ nSamples: Int64,
  _ nFFT: Int64, _ hopLength: Int64, _ window: UnsafePointer<Double>?, _ center: Int32,
  _ padMode: Int32, _ precision: Int32, _ power: Double, _ melBasis: UnsafeRawPointer?,
  _ nMels: Int64, _ amin: Double, _ hasTopDB: Int32, _ topDB: Double,
  _ dctMatrix: UnsafePointer<Double>?, _ nMFCC: Int64, _ output: UnsafeMutableRawPointer?,
  _ outDtype: Int32, _ outCap: Int64, _ nThreads: Int32
) -> Int32 {
  withStatus { () throws(SpectrogramError) in
    let request = try AnalysisRequest(
      input, inDtype, nRows, nSamples, nFFT, hopLength, window, center, padMode, precision,
      outDtype, nThreads)
    let mel = try MelRequest(request, power: power, basis: melBasis, nMels: nMels)
    let decibels = try decibelOptions(
      Int32(SWIFTSPEC_REF_SCALAR), 0, amin, hasTopDB, topDB)
    let mfccCount = try size(nMFCC, "n_mfcc")
    let dct = try inputBuffer(dctMatrix, count: try checkedProduct(mfccCount, mel.melCount))
    for i in 0..<(mfccCount * mel.melCount) where !dct[i].isFinite {
      throw .invalidArgument("dct_matrix contains a non-finite value")
    }
    struct Run: KernelVisitor {
      let request: AnalysisRequest
      let mel: MelRequest
      let decibels: DecibelOptions
      let dct: UnsafePointer<Double>
      let mfccCount: Int
      let output: UnsafeMutableRawPointer
      func run<S: BinaryFloatingPoint, F: FFTScalar, O: DecibelScalar>(
        _: S.Type, _: F.Type, _: O.Type
      ) throws(SpectrogramError) {
        try computeMFCC(
          request.signal(S.self), rows: request.rows, signalLength: request.signalLength,
          parameters: request.parameters, fft: F.self, power: mel.power,
          basis: mel.basis.assumingMemoryBound(to: O.self), melCount: mel.melCount,
          decibels: decibels, dct: dct, mfccCount: mfccCount,
          into: output.assumingMemoryBound(to: O.self), threads: request.threads)
      }
    }
    try mel.run(rowsOf: mfccCount, into: output, capacity: outCap) {
      Run(request: request, mel: mel, decibels: decibels, dct: dct, mfccCount: mfccCount,
          output: $0)
    }
  }
}

@_cdecl("swiftspec_power_to_db")
public func swiftspecPowerToDB(
  _ input: UnsafeRawPointer?, _ dtype: Int32, _ nGroups: Int64, _ groupLen: Int64,
  _ refMode: Int32, _ refDB: Double, _ amin: Double, _ hasTopDB: Int32, _ topDB: Double,
  _ output: UnsafeMutableRawPointer?, _ outCap: Int64, _ nThreads: Int32
) -> Int32 {
  withStatus { () throws(SpectrogramError) in
    let type = try SampleType(dtype)
    let threads = try threadCount(nThreads)
    let groups = try size(nGroups, "n_groups")
    let length = try size(groupLen, "group_len")
    let count = try checkedProduct(groups, length)
    let options = try decibelOptions(refMode, refDB, amin, hasTopDB, topDB)
    func convert<T: DecibelScalar>(_: T.Type) throws(SpectrogramError) {
      let source = try inputBuffer(input, count: count, as: T.self)
      let target = try outputBuffer(output, capacity: outCap, needed: count, as: T.self)
      guard count > 0 else { return }  // n_groups is unbounded when group_len is 0
      try parallelChunks(count: groups, threads: threads) { groupRange in
        for g in groupRange {
          powerToDecibels(source + g * length, count: length, reference: options.reference,
                          amin: options.amin, topDB: options.topDB, into: target + g * length)
        }
      }
    }
    switch type {
    case .float32: try convert(Float.self)
    case .float64: try convert(Double.self)
    }
  }
}

// MARK: - Filters

@_cdecl("swiftspec_savgol_filter")
public func swiftspecSavitzkyGolayFilter(
  _ input: UnsafeRawPointer?, _ dtype: Int32, _ nOuter: Int64, _ nAxis: Int64,
  _ nInner: Int64, _ width: Int64, _ fit: UnsafePointer<Double>?, _ polyorder: Int64,
  _ deriv: Int64, _ delta: Double, _ mode: Int32, _ cval: Double,
  _ output: UnsafeMutableRawPointer?, _ outCap: Int64, _ nThreads: Int32
) -> Int32 {
  withStatus { () throws(SpectrogramError) in
    let type = try SampleType(dtype)
    let outer = try size(nOuter, "n_outer")
    let length = try size(nAxis, "n_axis")
    let inner = try size(nInner, "n_inner")
    let count = try checkedProduct(outer, length, inner)
    let span = try positive(width, "width")
    let order = try size(polyorder, "polyorder")
    guard order < span else {
      throw .invalidArgument("polyorder=\(polyorder) must be less than width=\(width)")
    }
    guard let mode = SavitzkyGolayMode(rawValue: mode) else {
      throw .invalidArgument("unknown savgol mode code \(mode)")
    }
    let threads = try threadCount(nThreads)
    let fitCount = try checkedProduct(order + 1, span)
    _ = try checkedProduct(fitCount, MemoryLayout<Double>.stride)  // addressable before the copy
    let fitValues = Array(UnsafeBufferPointer(start: try inputBuffer(fit, count: fitCount),
                                              count: fitCount))
    let filter = try SavitzkyGolayFilter(
      width: span, polyorder: order, deriv: try size(deriv, "deriv"), delta: delta,
      fit: fitValues, mode: mode, cval: cval)
    switch type {
    case .float32:
      try filter.apply(
        try inputBuffer(input, count: count, as: Float.self), outer: outer, length: length,
        inner: inner, into: try outputBuffer(output, capacity: outCap, needed: count, as: Float.self),
        threads: threads)
    case .float64:
      try filter.apply(
        try inputBuffer(input, count: count, as: Double.self), outer: outer, length: length,
        inner: inner, into: try outputBuffer(output, capacity: outCap, needed: count, as: Double.self),
        threads: threads)
    }
  }
}

// MARK: - Shared request validation

/// The validated arguments common to the STFT and the fused features.
struct AnalysisRequest {
  let input: UnsafeRawPointer
  let inputType: SampleType
  let outputType: SampleType
  let rows: Int
  let signalLength: Int
  let parameters: AnalysisParameters
  let frameCount: Int
  let threads: Int

  init(
    _ input: UnsafeRawPointer?, _ inDtype: Int32, _ nRows: Int64, _ nSamples: Int64,
    _ nFFT: Int64, _ hopLength: Int64, _ window: UnsafePointer<Double>?, _ center: Int32,
    _ padMode: Int32, _ precision: Int32, _ outDtype: Int32, _ nThreads: Int32
  ) throws(SpectrogramError) {
    inputType = try SampleType(inDtype)
    outputType = try SampleType(outDtype)
    rows = try size(nRows, "n_rows")
    signalLength = try size(nSamples, "n_samples")
    let n = try fftLength(nFFT)
    let hop = try positive(hopLength, "hop_length")
    guard let mode = PadMode(rawValue: padMode) else {
      throw .invalidArgument("unknown pad mode code \(padMode)")
    }
    guard let precision = Precision(rawValue: precision) else {
      throw .invalidArgument("unknown precision code \(precision)")
    }
    if precision == .fast && (inputType != .float32 || outputType != .float32) {
      throw .invalidArgument("precision FAST needs float32 input and output")
    }
    parameters = try AnalysisParameters(
      nFFT: n, hopLength: hop, window: try finiteWindow(window, count: n),
      center: try flag(center, "center"), padMode: mode, precision: precision)
    threads = try threadCount(nThreads)
    let count = try checkedProduct(rows, signalLength)
    self.input = try rawInput(input, bytes: try checkedProduct(count, inputType.byteSize))
    try checkFinite(self.input, type: inputType, count: count, input: .audio,
                    threads: threads)
    frameCount = try parameters.layout(signalLength: signalLength).frameCount
  }

  func signal<S>(_: S.Type) -> UnsafePointer<S> { input.assumingMemoryBound(to: S.self) }

  func checkOutput(_ output: UnsafeMutableRawPointer?, capacity: Int64, needed: Int)
    throws(SpectrogramError)
  {
    guard output != nil else { throw .nullPointer }
    guard capacity >= 0, Int(capacity) >= needed else { throw .bufferTooSmall(needed: needed) }
  }

  /// Calls `visitor` with the sample, FFT and output types of this request.
  func dispatch(_ visitor: some KernelVisitor) throws(SpectrogramError) {
    switch (inputType, outputType, parameters.precision) {
    case (.float32, .float32, .fast): try visitor.run(Float.self, Float.self, Float.self)
    case (.float32, .float32, .exact): try visitor.run(Float.self, Double.self, Float.self)
    case (.float32, .float64, _): try visitor.run(Float.self, Double.self, Double.self)
    case (.float64, .float32, _): try visitor.run(Double.self, Double.self, Float.self)
    case (.float64, .float64, _): try visitor.run(Double.self, Double.self, Double.self)
    }
  }
}

/// A kernel generic over sample type `S`, FFT precision `F` and output type `O`.
protocol KernelVisitor {
  func run<S: BinaryFloatingPoint, F: FFTScalar, O: DecibelScalar>(
    _: S.Type, _: F.Type, _: O.Type) throws(SpectrogramError)
}

/// The validated mel arguments of the fused features.
struct MelRequest {
  let request: AnalysisRequest
  let power: Double
  let basis: UnsafeRawPointer
  let melCount: Int

  init(_ request: AnalysisRequest, power: Double, basis: UnsafeRawPointer?, nMels: Int64)
    throws(SpectrogramError)
  {
    try checkPower(power)
    self.request = request
    self.power = power
    melCount = try size(nMels, "n_mels")
    let count = try checkedProduct(melCount, request.parameters.binCount)
    self.basis = try rawInput(basis, bytes: try checkedProduct(count, request.outputType.byteSize))
    try checkFinite(self.basis, type: request.outputType, count: count, input: .melBasis)
  }

  /// Checks that `output` holds `perFrame` values for each frame of each row, then runs
  /// the visitor `makeRun` gives for it.
  func run<Visitor: KernelVisitor>(
    rowsOf perFrame: Int, into output: UnsafeMutableRawPointer?, capacity: Int64,
    _ makeRun: (UnsafeMutableRawPointer) -> Visitor
  ) throws(SpectrogramError) {
    let needed = try checkedProduct(request.rows, perFrame, request.frameCount)
    try request.checkOutput(output, capacity: capacity, needed: needed)
    // No samples and an empty result: nothing to compute. (n_rows is bounded by no buffer
    // then, and a loop over the rows would not end.)
    guard needed > 0 || request.signalLength > 0 else { return }
    try request.dispatch(makeRun(output.unsafelyUnwrapped))
  }
}

struct MelRun: KernelVisitor {
  let request: AnalysisRequest
  let mel: MelRequest
  let decibels: DecibelOptions?
  let output: UnsafeMutableRawPointer

  func run<S: BinaryFloatingPoint, F: FFTScalar, O: DecibelScalar>(
    _: S.Type, _: F.Type, _: O.Type
  ) throws(SpectrogramError) {
    try computeMelSpectrogram(
      request.signal(S.self), rows: request.rows, signalLength: request.signalLength,
      parameters: request.parameters, fft: F.self, power: mel.power,
      basis: mel.basis.assumingMemoryBound(to: O.self), melCount: mel.melCount,
      decibels: decibels, into: output.assumingMemoryBound(to: O.self),
      threads: request.threads)
  }
}
