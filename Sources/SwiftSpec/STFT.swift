// SPDX-License-Identifier: GPL-2.0-or-later

/// Which FFTW precision computes the transform.
public enum Precision: Int32, Sendable {
  /// FFTW in double precision, rounded to the output type: librosa's own arithmetic.
  case exact = 0
  /// FFTW in single precision on float32 data: faster, about 1e-4 dB on log-mel.
  case fast = 1
}

/// The analysis parameters shared by the STFT and the fused features.
public struct AnalysisParameters: Sendable {
  public let nFFT: Int
  public let hopLength: Int
  /// `nFFT` window samples, already centred (see `padCenter`).
  public let window: [Double]
  public let center: Bool
  public let padMode: PadMode
  public let precision: Precision

  /// - Throws: `.invalidArgument` unless `nFFT > 0`, `hopLength > 0` and
  ///   `window.count == nFFT`.
  public init(nFFT: Int, hopLength: Int, window: [Double], center: Bool = true,
              padMode: PadMode = .constant, precision: Precision = .exact)
    throws(SpectrogramError)
  {
    guard nFFT > 0 else { throw .invalidArgument("n_fft=\(nFFT) must be a positive integer") }
    guard hopLength > 0 else {
      throw .invalidArgument("hop_length=\(hopLength) must be a positive integer")
    }
    guard window.count == nFFT else {
      throw .invalidArgument("Window size mismatch: \(window.count) != \(nFFT)")
    }
    self.nFFT = nFFT
    self.hopLength = hopLength
    self.window = window
    self.center = center
    self.padMode = padMode
    self.precision = precision
  }

  /// The number of frequency bins, `nFFT / 2 + 1`.
  public var binCount: Int { nFFT / 2 + 1 }

  package func layout(signalLength: Int) throws(SpectrogramError) -> FrameLayout {
    try FrameLayout(signalLength: signalLength, nFFT: nFFT, hopLength: hopLength,
                    center: center, padMode: padMode)
  }
}

/// Windows and transforms frames of one signal; owns per-thread aligned scratch.
///
/// `F` is the FFT precision. Not thread-safe: make one per thread.
final class FrameTransformer<F: FFTScalar> {
  let layout: FrameLayout
  let fft: RealFFT<F>
  let window: AlignedBuffer<F>
  let frames: (AlignedBuffer<F>, AlignedBuffer<F>)
  /// The spectra of the frames transformed together (see `transform`).
  let spectra: (AlignedBuffer<F>, AlignedBuffer<F>)

  init(layout: FrameLayout, window values: [Double]) throws(SpectrogramError) {
    self.layout = layout
    let n = layout.nFFT
    fft = try RealFFT<F>(size: n, direction: .forward)
    guard let window = AlignedBuffer<F>(count: n),
      let first = AlignedBuffer<F>(count: n), let second = AlignedBuffer<F>(count: n),
      let firstSpectrum = AlignedBuffer<F>(count: 2 * (n / 2 + 1)),
      let secondSpectrum = AlignedBuffer<F>(count: 2 * (n / 2 + 1))
    else { throw .outOfMemory }
    for (i, w) in values.enumerated() { window.pointer[i] = F(w) }
    self.window = window
    frames = (first, second)
    spectra = (firstSpectrum, secondSpectrum)
  }

  /// Transforms the frames of `range` of `signal`, calling `store(t, spectrum)` with
  /// each one's `binCount` interleaved complex values.
  ///
  /// Where the transform shares one computation between two frames (`RealFFT`), frames
  /// go in the fixed pairs (2m, 2m + 1) of the row, a partner outside `range` included:
  /// each frame's rounding then never depends on how the frames were split into ranges
  /// (threads, batch shapes), so neither do the bits of the result.
  @inline(__always)
  func transform<S: BinaryFloatingPoint>(
    frames range: Range<Int>, of signal: UnsafePointer<S>,
    _ store: (_ frame: Int, _ spectrum: UnsafeMutablePointer<F>) -> Void
  ) {
    let (first, second) = (frames.0.pointer, frames.1.pointer)
    let (firstSpectrum, secondSpectrum) = (spectra.0.pointer, spectra.1.pointer)
    guard fft.pairsFrames else {
      for t in range {
        load(frame: t, of: signal, into: first)
        fft.forward(first, into: firstSpectrum, nil, into: nil)
        store(t, firstSpectrum)
      }
      return
    }
    var t = range.lowerBound - range.lowerBound % 2
    while t < range.upperBound {
      load(frame: t, of: signal, into: first)
      if t + 1 < layout.frameCount {
        load(frame: t + 1, of: signal, into: second)
        fft.forward(first, into: firstSpectrum, second, into: secondSpectrum)
        if range.contains(t + 1) { store(t + 1, secondSpectrum) }
      } else {
        fft.forward(first, into: firstSpectrum, nil, into: nil)
      }
      if range.contains(t) { store(t, firstSpectrum) }
      t += 2
    }
  }

  /// Writes frame `index` of `signal`, windowed, into `input`.
  @inline(__always)
  private func load<S: BinaryFloatingPoint>(
    frame index: Int, of signal: UnsafePointer<S>, into input: UnsafeMutablePointer<F>
  ) {
    let n = layout.nFFT
    let w = window.pointer
    if layout.isInterior(index) {
      applyWindow(window: w, samples: signal + layout.frameStart(index), into: input, count: n)
    } else {
      layout.gatherPaddedFrame(index, from: signal, into: input)
      applyWindow(window: w, samples: input, into: input, count: n)
    }
  }
}

/// Runs `body(transformer, row, frames)` over runs of consecutive frames of a row until
/// every frame of every row is done, split over threads; each thread has its own
/// transformer.
func forEachFrame<F: FFTScalar>(
  _: F.Type, rows: Int, layout: FrameLayout, window: [Double], threads: Int,
  _ body: (FrameTransformer<F>, _ row: Int, _ frames: Range<Int>) throws(SpectrogramError) -> Void
) throws(SpectrogramError) {
  let frames = layout.frameCount
  let total = try checkedProduct(rows, frames)
  try parallelWork(count: total, threads: threads, minimumChunk: 16) {
    (queue) throws(SpectrogramError) in
    let transformer = try FrameTransformer<F>(layout: layout, window: window)
    while let chunk = queue.next() {
      var g = chunk.lowerBound
      while g < chunk.upperBound {
        let row = g / frames
        let first = g - row * frames
        let last = min(frames, first + (chunk.upperBound - g))
        try body(transformer, row, first..<last)
        g += last - first
      }
    }
  }
}

/// The STFT of `rows` signals of `signalLength` samples into `out`, laid out
/// `[row][frame][bin]` as interleaved complex `O`.
///
/// - Precondition: `out` holds `rows * frameCount * binCount` complex values.
/// - Complexity: O(rows * frames * nFFT log nFFT).
@_specialize(exported: true, where S == Float, F == Double, O == Float)
@_specialize(exported: true, where S == Float, F == Float, O == Float)
@_specialize(exported: true, where S == Float, F == Double, O == Double)
@_specialize(exported: true, where S == Double, F == Double, O == Float)
@_specialize(exported: true, where S == Double, F == Double, O == Double)
package func computeSTFT<S: BinaryFloatingPoint, F: FFTScalar, O: BinaryFloatingPoint>(
  _ signal: UnsafePointer<S>, rows: Int, signalLength: Int, parameters: AnalysisParameters,
  fft: F.Type, into out: UnsafeMutablePointer<O>, threads: Int
) throws(SpectrogramError) {
  let layout = try parameters.layout(signalLength: signalLength)
  let bins = parameters.binCount
  try forEachFrame(F.self, rows: rows, layout: layout, window: parameters.window,
                   threads: threads) { (transformer, row, frames) in
    let rowSignal = signal + row * signalLength
    transformer.transform(frames: frames, of: rowSignal) { t, spectrum in
      let destination = out + 2 * ((row * layout.frameCount + t) * bins)
      for k in 0..<(2 * bins) { destination[k] = O(spectrum[k]) }
    }
  }
}
