// SPDX-License-Identifier: GPL-2.0-or-later

/// The output length and the number of frames used by librosa's `istft`.
///
/// Without `length`: `nFFT + hop * (frames - 1)`, less `2 * (nFFT / 2)` when centred.
/// With `length`, only the frames that reach it are used.
package func istftGeometry(frames: Int, nFFT: Int, hopLength: Int, center: Bool, length: Int?)
  throws(SpectrogramError) -> (framesUsed: Int, outputLength: Int)
{
  guard nFFT > 0 else { throw .invalidArgument("n_fft=\(nFFT) must be a positive integer") }
  guard hopLength > 0 else {
    throw .invalidArgument("hop_length=\(hopLength) must be a positive integer")
  }
  guard frames >= 0 else { throw .invalidArgument("n_frames=\(frames) must be non-negative") }
  let pad = center ? 2 * (nFFT / 2) : 0
  if let length {
    guard length > 0 else { throw .invalidArgument("length=\(length) must be positive") }
    let (padded, overflow) = length.addingReportingOverflow(pad)
    guard !overflow else { throw .sizeOverflow }
    let needed = padded / hopLength + (padded % hopLength == 0 ? 0 : 1)
    return (min(frames, needed), length)
  }
  let (span, o1) = hopLength.multipliedReportingOverflow(by: frames - 1)
  let (total, o2) = nFFT.addingReportingOverflow(span)
  guard !o1, !o2 else { throw .sizeOverflow }
  guard total - pad >= 0 else {
    throw .invalidArgument("no output samples for n_frames=\(frames), n_fft=\(nFFT)")
  }
  return (frames, total - pad)
}

/// The inverse STFT of librosa (`istft`): each frame is inverse-transformed (in float64),
/// windowed and overlap-added in `C` arithmetic; the sum is divided by the window's
/// squared envelope wherever that exceeds the smallest normal `C`.
///
/// - Parameters:
///   - input: `rows` matrices `[frames][bins]` of interleaved complex `C`; bins beyond
///     `nFFT / 2 + 1` are ignored and missing ones are zero.
///   - window: `nFFT` samples, centred.
///   - output: `rows * outputLength` values (see `istftGeometry`).
@_specialize(exported: true, where C == Float)
@_specialize(exported: true, where C == Double)
package func computeISTFT<C: BinaryFloatingPoint>(
  _ input: UnsafePointer<C>, rows: Int, frames: Int, bins: Int, nFFT: Int, hopLength: Int,
  window: [Double], center: Bool, length: Int?, into output: UnsafeMutablePointer<C>,
  threads: Int
) throws(SpectrogramError) {
  guard window.count == nFFT else {
    throw .invalidArgument("Window size mismatch: \(window.count) != \(nFFT)")
  }
  let (used, outputLength) = try istftGeometry(
    frames: frames, nFFT: nFFT, hopLength: hopLength, center: center, length: length)
  // No rows, no output: the envelope below (as long as the padded signal) is not needed,
  // and its length is not bounded by any buffer the caller owns. An empty output needs
  // no work either, however many rows.
  guard rows > 0, outputLength > 0 else { return }
  let start = center ? nFFT / 2 : 0
  let usedBins = min(bins, nFFT / 2 + 1)

  // The squared-window envelope, accumulated in C over the padded signal.
  let paddedLength = nFFT + hopLength * max(0, used - 1)
  var envelope = [C](repeating: 0, count: paddedLength)
  for f in 0..<used {
    for n in 0..<nFFT where f * hopLength + n < paddedLength {
      envelope[f * hopLength + n] = C(Double(envelope[f * hopLength + n]) + window[n] * window[n])
    }
  }

  try parallelWork(count: rows, threads: threads) { (queue) throws(SpectrogramError) in
    let fft = try RealFFT<Double>(size: nFFT, direction: .inverse)
    guard let firstSpectrum = AlignedBuffer<Double>(count: 2 * (nFFT / 2 + 1)),
      let secondSpectrum = AlignedBuffer<Double>(count: 2 * (nFFT / 2 + 1)),
      let firstFrame = AlignedBuffer<Double>(count: nFFT),
      let secondFrame = AlignedBuffer<Double>(count: nFFT)
    else { throw .outOfMemory }
    while let rowRange = queue.next() {
      for row in rowRange {
        let y = output + row * outputLength
        for i in 0..<outputLength { y[i] = 0 }
        func load(frame f: Int, into s: UnsafeMutablePointer<Double>) {
          let column = input + 2 * (row * frames + f) * bins
          for k in 0..<(2 * (nFFT / 2 + 1)) { s[k] = k < 2 * usedBins ? Double(column[k]) : 0 }
        }
        func overlapAdd(frame f: Int, _ frame: UnsafeMutablePointer<Double>) {
          let scale = 1.0 / Double(nFFT)
          for n in 0..<nFFT {
            let position = f * hopLength + n - start
            guard position >= 0, position < outputLength else { continue }
            let sample = window[n] * (frame[n] * scale)
            y[position] = C(Double(y[position]) + sample)
          }
        }
        // Frames go in the pairs (0, 1), (2, 3), ... of the row (see RealFFT).
        for first in stride(from: 0, to: used, by: 2) {
          let second = first + 1 < used ? first + 1 : nil
          load(frame: first, into: firstSpectrum.pointer)
          if let second {
            load(frame: second, into: secondSpectrum.pointer)
            fft.inverse(firstSpectrum.pointer, into: firstFrame.pointer,
                        secondSpectrum.pointer, into: secondFrame.pointer)
          } else {
            fft.inverse(firstSpectrum.pointer, into: firstFrame.pointer, nil, into: nil)
          }
          overlapAdd(frame: first, firstFrame.pointer)
          if let second { overlapAdd(frame: second, secondFrame.pointer) }
        }
        for i in 0..<outputLength {
          let e = start + i < paddedLength ? envelope[start + i] : 0
          if e > C.leastNormalMagnitude { y[i] = y[i] / e }
        }
      }
    }
  }
}
