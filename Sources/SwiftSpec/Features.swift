// SPDX-License-Identifier: GPL-2.0-or-later
#if canImport(Glibc)
import Glibc
#endif

/// Decibel scaling applied per row (one channel) after the mel projection.
public struct DecibelOptions: Sendable {
  public let reference: DecibelReference
  public let amin: Double
  public let topDB: Double?

  public init(reference: DecibelReference = .decibels(0), amin: Double = 1e-10,
              topDB: Double? = 80) throws(SpectrogramError) {
    guard amin > 0 else { throw .invalidArgument("amin=\(amin) must be strictly positive") }
    if let topDB, !(topDB >= 0) {
      throw .invalidArgument("top_db=\(topDB) must be non-negative")
    }
    self.reference = reference
    self.amin = amin
    self.topDB = topDB
  }
}

/// The mel spectrogram of `rows` signals, fused: each frame goes window -> FFT ->
/// |X|^power -> mel basis without the complex STFT ever being stored.
///
/// `out` is `[row][mel][frame]`. The complex spectrum is first rounded to `O` (librosa
/// rounds the STFT to complex64 for float32 audio), the power is taken in the FFT
/// precision `F`, and the mel product accumulates in `O` over each filter's band.
/// With `decibels`, each row is then converted by `powerToDecibels`.
///
/// - Precondition: `basis` holds `melCount * binCount` values; `out` holds
///   `rows * melCount * frameCount`.
@_specialize(exported: true, where S == Float, F == Double, O == Float)
@_specialize(exported: true, where S == Float, F == Float, O == Float)
@_specialize(exported: true, where S == Float, F == Double, O == Double)
@_specialize(exported: true, where S == Double, F == Double, O == Float)
@_specialize(exported: true, where S == Double, F == Double, O == Double)
package func computeMelSpectrogram<S: BinaryFloatingPoint, F: FFTScalar, O: DecibelScalar>(
  _ signal: UnsafePointer<S>, rows: Int, signalLength: Int, parameters: AnalysisParameters,
  fft: F.Type, power: Double, basis: UnsafePointer<O>, melCount: Int,
  decibels: DecibelOptions?, into out: UnsafeMutablePointer<O>, threads: Int
) throws(SpectrogramError) {
  try checkPower(power)
  let layout = try parameters.layout(signalLength: signalLength)
  let bins = parameters.binCount
  let frames = layout.frameCount
  let rowSize = try checkedProduct(melCount, frames)
  let packed = PackedMelBasis(basis: basis, melCount: melCount, bins: bins)
  try forEachFrame(F.self, rows: rows, layout: layout, window: parameters.window,
                   threads: threads) { (transformer, row, frameRange) throws(SpectrogramError) in
    // Power spectra of a block of frames, bin-major ([bin][frame]), feed the SIMD mel
    // product, which writes contiguous runs of each output row.
    let block = PackedMelBasis<O>.blockSize
    guard let powers = AlignedBuffer<O>(count: bins * block) else { throw .outOfMemory }
    let rowSignal = signal + row * signalLength
    let rowOut = out + row * rowSize
    var blockStart = frameRange.lowerBound
    while blockStart < frameRange.upperBound {
      let blockEnd = min(blockStart + block, frameRange.upperBound)
      melBlock(transformer, rowSignal, frames: blockStart..<blockEnd, power: power,
               packed: packed, powers: powers.pointer, into: rowOut + blockStart,
               stride: frames)
      blockStart = blockEnd
    }
  }
  if let decibels {
    try applyDecibels(decibels, to: out, rows: rows, rowSize: rowSize, threads: threads)
  }
}

/// Throws unless `power`, the exponent of the magnitude, is positive and finite.
package func checkPower(_ power: Double) throws(SpectrogramError) {
  guard power > 0, power.isFinite else {
    throw .invalidArgument("power=\(power) must be a positive number")
  }
}

/// `|X|^power` of `frames` (at most `block` of them) of one signal, bin-major: bin `k` of
/// frame `t` goes to `powers[k * block + (t - frames.lowerBound)]`.
@inline(__always)
func powerBlock<S: BinaryFloatingPoint, F: FFTScalar, O: BinaryFloatingPoint>(
  _ transformer: FrameTransformer<F>, _ signal: UnsafePointer<S>, frames: Range<Int>,
  power: Double, into powers: UnsafeMutablePointer<O>, block: Int
) {
  let bins = transformer.layout.nFFT / 2 + 1
  transformer.transform(frames: frames, of: signal) { t, spectrum in
    powerSpectrum(spectrum, bins: bins, power: power, into: powers + (t - frames.lowerBound),
                  stride: block)
  }
}

/// The mel power of `frames` (at most `PackedMelBasis.blockSize` of them) of one signal,
/// written to `out[m * stride + (t - frames.lowerBound)]`; `powers` is scratch for
/// `binCount * blockSize` values.
@inline(__always)
func melBlock<S: BinaryFloatingPoint, F: FFTScalar, O: DecibelScalar>(
  _ transformer: FrameTransformer<F>, _ signal: UnsafePointer<S>, frames: Range<Int>,
  power: Double, packed: PackedMelBasis<O>, powers: UnsafeMutablePointer<O>,
  into out: UnsafeMutablePointer<O>, stride: Int
) {
  powerBlock(transformer, signal, frames: frames, power: power, into: powers,
             block: PackedMelBasis<O>.blockSize)
  packed.project(powers, count: frames.count, into: out, stride: stride)
}

/// `|X|^power` of `bins` interleaved complex values, written every `stride` elements.
/// Each component is first rounded to `O` (librosa stores the STFT as complex64 for
/// float32 audio), then the power is taken in the FFT precision `F` and rounded to `O`.
@inline(__always)
func powerSpectrum<F: FFTScalar, O: BinaryFloatingPoint>(
  _ spectrum: UnsafePointer<F>, bins: Int, power: Double, into out: UnsafeMutablePointer<O>,
  stride: Int
) {
  if power == 2 || power == 1,
    powerSpectrumKernel(spectrum, bins: bins, magnitude: power == 1, into: out, stride: stride)
  {
    return
  }
  if power == 2 {
    for k in 0..<bins {
      let re = F(O(spectrum[2 * k]))
      let im = F(O(spectrum[2 * k + 1]))
      out[k * stride] = O(re * re + im * im)
    }
  } else if power == 1 {
    for k in 0..<bins {
      let re = F(O(spectrum[2 * k]))
      let im = F(O(spectrum[2 * k + 1]))
      out[k * stride] = O((re * re + im * im).squareRoot())
    }
  } else {
    for k in 0..<bins {
      let re = Double(O(spectrum[2 * k]))
      let im = Double(O(spectrum[2 * k + 1]))
      out[k * stride] = O(pow((re * re + im * im).squareRoot(), power))
    }
  }
}

/// Converts each of `rows` contiguous rows of `rowSize` values to decibels in place.
func applyDecibels<O: DecibelScalar>(
  _ options: DecibelOptions, to values: UnsafeMutablePointer<O>, rows: Int, rowSize: Int,
  threads: Int
) throws(SpectrogramError) {
  try parallelChunks(count: rows, threads: threads) { rowRange in
    for row in rowRange {
      let group = values + row * rowSize
      powerToDecibels(group, count: rowSize, reference: options.reference,
                      amin: options.amin, topDB: options.topDB, into: group)
    }
  }
}

/// MFCCs: the log-mel spectrogram (`computeMelSpectrogram` with `decibels`), then
/// `dct` (`[mfccCount][melCount]`, see `dctMatrix`) along the mel axis, accumulated in
/// float64. `out` is `[row][mfcc][frame]`.
@_specialize(exported: true, where S == Float, F == Double, O == Float)
@_specialize(exported: true, where S == Float, F == Float, O == Float)
@_specialize(exported: true, where S == Float, F == Double, O == Double)
@_specialize(exported: true, where S == Double, F == Double, O == Float)
@_specialize(exported: true, where S == Double, F == Double, O == Double)
package func computeMFCC<S: BinaryFloatingPoint, F: FFTScalar, O: DecibelScalar>(
  _ signal: UnsafePointer<S>, rows: Int, signalLength: Int, parameters: AnalysisParameters,
  fft: F.Type, power: Double, basis: UnsafePointer<O>, melCount: Int,
  decibels: DecibelOptions, dct: UnsafePointer<Double>, mfccCount: Int,
  into out: UnsafeMutablePointer<O>, threads: Int
) throws(SpectrogramError) {
  let frames = try parameters.layout(signalLength: signalLength).frameCount
  let melRow = try checkedProduct(melCount, frames)
  if melRow > mfccScratchLimit {
    return try computeMFCCInTwoPasses(
      signal, rows: rows, signalLength: signalLength, parameters: parameters, fft: F.self,
      power: power, basis: basis, melCount: melCount, decibels: decibels, dct: dct,
      mfccCount: mfccCount, into: out, threads: threads)
  }
  // The log-mel scratch holds a group of rows at a time: at most mfccScratchLimit values,
  // so a large batch needs no log-mel array of its full size.
  let groupRows = max(1, min(rows, mfccScratchLimit / max(1, melRow)))
  guard let logMel = AlignedBuffer<O>(count: try checkedProduct(groupRows, melRow)) else {
    throw .outOfMemory
  }
  var firstRow = 0
  while firstRow < rows {
    let count = min(groupRows, rows - firstRow)
    try computeMelSpectrogram(
      signal + firstRow * signalLength, rows: count, signalLength: signalLength,
      parameters: parameters, fft: F.self, power: power, basis: basis, melCount: melCount,
      decibels: decibels, into: logMel.pointer, threads: threads)
    try applyDCT(dct, mfccCount: mfccCount, to: UnsafePointer(logMel.pointer), rows: count,
                 melCount: melCount, frames: frames, into: out + firstRow * mfccCount * frames,
                 threads: threads)
    firstRow += count
  }
}

/// Values of log-mel scratch `computeMFCC` may hold at once (16 MB of float32); longer
/// rows take `computeMFCCInTwoPasses`.
let mfccScratchLimit = 1 << 22

/// MFCCs of rows too long for a log-mel scratch (a ten-minute recording, say), in memory
/// independent of their length: a first pass over the frames finds each row's peak dB
/// (for `top_db`), a second recomputes each block of frames' log-mel, clamps it and
/// applies the DCT. Every value is computed exactly as in the one-pass path, so both
/// paths give identical bits; the price is a second FFT of every frame.
func computeMFCCInTwoPasses<S: BinaryFloatingPoint, F: FFTScalar, O: DecibelScalar>(
  _ signal: UnsafePointer<S>, rows: Int, signalLength: Int, parameters: AnalysisParameters,
  fft: F.Type, power: Double, basis: UnsafePointer<O>, melCount: Int,
  decibels: DecibelOptions, dct: UnsafePointer<Double>, mfccCount: Int,
  into out: UnsafeMutablePointer<O>, threads: Int
) throws(SpectrogramError) {
  guard case .decibels(let refDB) = decibels.reference else {
    throw .invalidArgument("MFCC needs a fixed dB reference")
  }
  let layout = try parameters.layout(signalLength: signalLength)
  let frames = layout.frameCount
  let bins = parameters.binCount
  let block = PackedMelBasis<O>.blockSize
  let packed = PackedMelBasis(basis: basis, melCount: melCount, bins: bins)
  let peaks = PeakTable<O>(count: rows)

  // Calls body(row, block of frames, log-mel [mel][block]) for every block of frames.
  func forEachLogMelBlock(
    _ body: (_ row: Int, _ frames: Range<Int>, _ logMel: UnsafeMutablePointer<O>) -> Void
  ) throws(SpectrogramError) {
    try forEachFrame(F.self, rows: rows, layout: layout, window: parameters.window,
                     threads: threads) { (transformer, row, frameRange) throws(SpectrogramError) in
      guard let powers = AlignedBuffer<O>(count: bins * block),
        let columns = AlignedBuffer<O>(count: max(1, melCount) * block)
      else { throw .outOfMemory }
      var start = frameRange.lowerBound
      while start < frameRange.upperBound {
        let end = min(start + block, frameRange.upperBound)
        melBlock(transformer, signal + row * signalLength, frames: start..<end, power: power,
                 packed: packed, powers: powers.pointer, into: columns.pointer, stride: block)
        powerToDecibels(columns.pointer, count: melCount * block, reference: .decibels(refDB),
                        amin: decibels.amin, topDB: nil, into: columns.pointer)
        body(row, start..<end, columns.pointer)
        start = end
      }
    }
  }

  if decibels.topDB != nil {
    try forEachLogMelBlock { row, frameRange, logMel in
      var peak = -O.infinity
      for m in 0..<melCount {
        for j in 0..<frameRange.count { peak = nanMaximum(peak, logMel[m * block + j]) }
      }
      peaks.merge(peak, row: row)
    }
  }
  try forEachLogMelBlock { row, frameRange, logMel in
    if let topDB = decibels.topDB {
      let threshold = peaks[row] - O(topDB)
      for i in 0..<(melCount * block) { logMel[i] = nanMaximum(logMel[i], threshold) }
    }
    let target = out + row * mfccCount * frames + frameRange.lowerBound
    for k in 0..<mfccCount {
      for j in 0..<frameRange.count {
        var sum = 0.0
        for m in 0..<melCount { sum += dct[k * melCount + m] * Double(logMel[m * block + j]) }
        target[k * frames + j] = O(sum)
      }
    }
  }
}

/// Per-row maxima merged from several threads (NaN wins, as numpy's max).
private final class PeakTable<O: BinaryFloatingPoint & Sendable>: Sendable {
  private let values: ForkSafeMutex<[O]>

  init(count: Int) {
    values = ForkSafeMutex(Array(repeating: -O.infinity, count: count))
  }

  func merge(_ value: O, row: Int) {
    values.withLock { $0[row] = nanMaximum($0[row], value) }
  }

  subscript(row: Int) -> O { values.withLock { $0[row] } }
}

/// `y[row][k][t] = sum_m dct[k][m] x[row][m][t]`, accumulated in float64.
func applyDCT<O: DecibelScalar>(
  _ dct: UnsafePointer<Double>, mfccCount: Int, to x: UnsafePointer<O>, rows: Int,
  melCount: Int, frames: Int, into out: UnsafeMutablePointer<O>, threads: Int
) throws(SpectrogramError) {
  try parallelWork(count: rows, threads: threads) { (queue) throws(SpectrogramError) in
    guard let accumulator = AlignedBuffer<Double>(count: frames) else { throw .outOfMemory }
    let sum = accumulator.pointer
    while let rowRange = queue.next() {
      for row in rowRange {
        let source = x + row * melCount * frames
        let target = out + row * mfccCount * frames
        for k in 0..<mfccCount {
          for t in 0..<frames { sum[t] = 0 }
          for m in 0..<melCount {
            let c = dct[k * melCount + m]
            let xm = source + m * frames
            for t in 0..<frames { sum[t] += c * Double(xm[t]) }
          }
          for t in 0..<frames { target[k * frames + t] = O(sum[t]) }
        }
      }
    }
  }
}
