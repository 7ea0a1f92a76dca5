// SPDX-License-Identifier: GPL-2.0-or-later
//
// The Swift-facing API: librosa's functions over Swift arrays, with librosa's defaults.
// It is a thin layer over the pointer-based kernels that the C ABI also uses.
#if canImport(Glibc)
import Glibc
#endif

/// A real spectrogram: `rowCount` rows (frequency bins, mel bands or coefficients) by
/// `frameCount` frames, stored row-major like librosa's `(rows, frames)` arrays.
public struct Spectrogram: Sendable, Equatable {
  public let rowCount: Int
  public let frameCount: Int
  public var values: [Float]

  public subscript(row: Int, frame: Int) -> Float { values[row * frameCount + frame] }
}

/// A complex STFT: `frameCount` frames of `binCount` bins, stored frame-major as
/// interleaved (real, imaginary) pairs, the layout of the C ABI.
public struct ComplexSpectrogram: Sendable, Equatable {
  public let binCount: Int
  public let frameCount: Int
  public var values: [Float]

  /// The (real, imaginary) value of bin `bin` in frame `frame`.
  public subscript(bin: Int, frame: Int) -> (re: Float, im: Float) {
    let i = 2 * (frame * binCount + bin)
    return (values[i], values[i + 1])
  }
}

extension AnalysisParameters {
  /// librosa's STFT arguments: the window (`winLength` samples, `nFFT` if nil) is
  /// centred in `nFFT`; `hopLength` defaults to `winLength / 4`.
  public init(nFFT: Int = 2048, hopLength: Int? = nil, winLength: Int? = nil,
              window: WindowKind = .hann, center: Bool = true, padMode: PadMode = .constant,
              precision: Precision = .exact) throws(SpectrogramError) {
    let length = winLength ?? nFFT
    guard length > 0 else {
      throw .invalidArgument("win_length=\(length) must be a positive integer")
    }
    try self.init(nFFT: nFFT, hopLength: hopLength ?? length / 4,
                  window: try padCenter(window.values(length: length), size: nFFT),
                  center: center, padMode: padMode, precision: precision)
  }
}

/// The short-time Fourier transform of `signal`, as `librosa.stft` computes it.
///
/// - Throws: `SpectrogramError` for invalid parameters or audio that is not finite.
/// - Complexity: O(frames * nFFT log nFFT).
public func stft(_ signal: [Float], parameters: AnalysisParameters, threads: Int = 1)
  throws(SpectrogramError) -> ComplexSpectrogram
{
  try requireFinite(signal)
  let layout = try parameters.layout(signalLength: signal.count)
  var values = [Float](repeating: 0, count: try checkedProduct(2, layout.frameCount, parameters.binCount))
  try signal.withUnsafeBufferPointer { (input) throws(SpectrogramError) in
    try values.withUnsafeMutableBufferPointer { (output) throws(SpectrogramError) in
      guard let source = input.baseAddress, let target = output.baseAddress else { return }
      if parameters.precision == .fast {
        try computeSTFT(source, rows: 1, signalLength: signal.count, parameters: parameters,
                        fft: Float.self, into: target, threads: threads)
      } else {
        try computeSTFT(source, rows: 1, signalLength: signal.count, parameters: parameters,
                        fft: Double.self, into: target, threads: threads)
      }
    }
  }
  return ComplexSpectrogram(binCount: parameters.binCount, frameCount: layout.frameCount,
                            values: values)
}

/// The mel spectrogram of `signal` (`librosa.feature.melspectrogram`), optionally in
/// decibels (`power_to_db` applied to the whole result).
///
/// - Parameters:
///   - parameters: framing; librosa's melspectrogram uses `hopLength: 512`.
///   - filterBank: from `MelFilterBank(sampleRate:nFFT:melCount:...dtype: Float.self)`.
///   - power: exponent of the magnitude (2 for power).
///   - decibels: if given, convert to dB with these options.
public func melSpectrogram(
  _ signal: [Float], parameters: AnalysisParameters, filterBank: MelFilterBank,
  power: Double = 2, decibels: DecibelOptions? = nil, threads: Int = 1
) throws(SpectrogramError) -> Spectrogram {
  try requireFinite(signal)
  guard filterBank.binCount == parameters.binCount else {
    throw .invalidArgument("the filter bank has \(filterBank.binCount) bins, the STFT \(parameters.binCount)")
  }
  let frames = try parameters.layout(signalLength: signal.count).frameCount
  let basis = filterBank.weights.map { Float($0) }
  var values = [Float](repeating: 0, count: try checkedProduct(filterBank.melCount, frames))
  try withPointers(signal, basis, &values) { (source, weights, target) throws(SpectrogramError) in
    if parameters.precision == .fast {
      try computeMelSpectrogram(
        source, rows: 1, signalLength: signal.count, parameters: parameters, fft: Float.self,
        power: power, basis: weights, melCount: filterBank.melCount, decibels: decibels,
        into: target, threads: threads)
    } else {
      try computeMelSpectrogram(
        source, rows: 1, signalLength: signal.count, parameters: parameters, fft: Double.self,
        power: power, basis: weights, melCount: filterBank.melCount, decibels: decibels,
        into: target, threads: threads)
    }
  }
  return Spectrogram(rowCount: filterBank.melCount, frameCount: frames, values: values)
}

/// MFCCs of `signal` (`librosa.feature.mfcc`): a DCT of the log-mel spectrogram
/// (`power_to_db` with ref 1, amin 1e-10, top_db 80).
///
/// - Parameters:
///   - mfccCount: coefficients kept (at most `filterBank.melCount`).
///   - dctType: 1, 2 or 3. - norm: DCT normalisation (librosa's default is `.ortho`).
public func mfcc(
  _ signal: [Float], parameters: AnalysisParameters, filterBank: MelFilterBank,
  mfccCount: Int = 20, dctType: Int = 2, norm: DCTNorm = .ortho, threads: Int = 1
) throws(SpectrogramError) -> Spectrogram {
  try requireFinite(signal)
  let count = min(mfccCount, filterBank.melCount)
  let dct = try dctMatrix(type: dctType, norm: norm, n: filterBank.melCount, outputCount: count)
  let frames = try parameters.layout(signalLength: signal.count).frameCount
  let basis = filterBank.weights.map { Float($0) }
  var values = [Float](repeating: 0, count: try checkedProduct(count, frames))
  let decibels = try DecibelOptions()
  try withPointers(signal, basis, &values) { (source, weights, target) throws(SpectrogramError) in
    try dct.withUnsafeBufferPointer { (matrix) throws(SpectrogramError) in
      guard let matrix = matrix.baseAddress else { return }
      if parameters.precision == .fast {
        try computeMFCC(
          source, rows: 1, signalLength: signal.count, parameters: parameters, fft: Float.self,
          power: 2, basis: weights, melCount: filterBank.melCount, decibels: decibels,
          dct: matrix, mfccCount: count, into: target, threads: threads)
      } else {
        try computeMFCC(
          source, rows: 1, signalLength: signal.count, parameters: parameters, fft: Double.self,
          power: 2, basis: weights, melCount: filterBank.melCount, decibels: decibels,
          dct: matrix, mfccCount: count, into: target, threads: threads)
      }
    }
  }
  return Spectrogram(rowCount: count, frameCount: frames, values: values)
}

/// `librosa.power_to_db` of a whole spectrogram (one reduction group).
public func powerToDB(_ spectrogram: Spectrogram, options: DecibelOptions) -> Spectrogram {
  var result = spectrogram
  result.values.withUnsafeMutableBufferPointer { buffer in
    guard let base = buffer.baseAddress else { return }
    powerToDecibels(base, count: buffer.count, reference: options.reference,
                    amin: options.amin, topDB: options.topDB, into: base)
  }
  return result
}

extension DecibelReference {
  /// A fixed reference value (librosa's `ref=value`): `10 log10(max(amin, |value|))`.
  public static func value(_ ref: Double, amin: Double = 1e-10) -> DecibelReference {
    .decibels(10 * log10(Swift.max(amin, abs(ref))))
  }
}

private func requireFinite(_ signal: [Float]) throws(SpectrogramError) {
  guard signal.allSatisfy(\.isFinite) else { throw .nonFiniteInput }
}

/// Runs `body` with the base addresses of three arrays (a dummy for empty ones).
private func withPointers(
  _ signal: [Float], _ basis: [Float], _ output: inout [Float],
  _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>)
    throws(SpectrogramError) -> Void
) throws(SpectrogramError) {
  var placeholder: Float = 0
  try signal.withUnsafeBufferPointer { (input) throws(SpectrogramError) in
    try basis.withUnsafeBufferPointer { (weights) throws(SpectrogramError) in
      try output.withUnsafeMutableBufferPointer { (target) throws(SpectrogramError) in
        try withUnsafeMutablePointer(to: &placeholder) { (dummy) throws(SpectrogramError) in
          try body(input.baseAddress ?? UnsafePointer(dummy), weights.baseAddress ?? UnsafePointer(dummy),
                   target.baseAddress ?? dummy)
        }
      }
    }
  }
}
