// SPDX-License-Identifier: GPL-2.0-or-later

/// `|STFT|^power` of `rows` signals, fused: no complex STFT is stored.
///
/// `out` is `[row][bin][frame]`, like librosa's `np.abs(stft(y)) ** power` (and
/// torchaudio's `Spectrogram`). Each spectrum component is first rounded to `O`, as the
/// complex STFT would be, and the power is taken as in `powerSpectrum`.
///
/// - Precondition: `out` holds `rows * binCount * frameCount` values.
@_specialize(exported: true, where S == Float, F == Double, O == Float)
@_specialize(exported: true, where S == Float, F == Float, O == Float)
@_specialize(exported: true, where S == Float, F == Double, O == Double)
@_specialize(exported: true, where S == Double, F == Double, O == Float)
@_specialize(exported: true, where S == Double, F == Double, O == Double)
package func computePowerSpectrogram<S: BinaryFloatingPoint, F: FFTScalar, O: BinaryFloatingPoint>(
  _ signal: UnsafePointer<S>, rows: Int, signalLength: Int, parameters: AnalysisParameters,
  fft: F.Type, power: Double, into out: UnsafeMutablePointer<O>, threads: Int
) throws(SpectrogramError) {
  try checkPower(power)
  let layout = try parameters.layout(signalLength: signalLength)
  let bins = parameters.binCount
  let frames = layout.frameCount
  let rowSize = try checkedProduct(bins, frames)
  // Powers of a block of frames are gathered bin-major, then each bin's run of the block
  // is copied to its output row: contiguous writes instead of one per frame and bin.
  let block = 32
  try forEachFrame(F.self, rows: rows, layout: layout, window: parameters.window,
                   threads: threads) { (transformer, row, frameRange) throws(SpectrogramError) in
    guard let powers = AlignedBuffer<O>(count: bins * block) else { throw .outOfMemory }
    let rowSignal = signal + row * signalLength
    var blockStart = frameRange.lowerBound
    while blockStart < frameRange.upperBound {
      let blockEnd = min(blockStart + block, frameRange.upperBound)
      powerBlock(transformer, rowSignal, frames: blockStart..<blockEnd, power: power,
                 into: powers.pointer, block: block)
      let target = out + row * rowSize + blockStart
      for k in 0..<bins {
        let source = powers.pointer + k * block
        let destination = target + k * frames
        for j in 0..<(blockEnd - blockStart) { destination[j] = source[j] }
      }
      blockStart = blockEnd
    }
  }
}
