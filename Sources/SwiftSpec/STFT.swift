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

  public func layout(signalLength: Int) throws(SpectrogramError) -> FrameLayout {
    try FrameLayout(signalLength: signalLength, nFFT: nFFT, hopLength: hopLength,
                    center: center, padMode: padMode)
  }
}

/// Windows and transforms frames of one signal; owns per-thread aligned scratch.
///
/// `F` is the FFT precision. Not thread-safe: make one per thread.
final class FrameTransformer<F: FFTScalar> {
  let layout: FrameLayout
  let plan: FFTPlan
  let window: AlignedBuffer<F>
  let frame: AlignedBuffer<F>
  /// `binCount` interleaved complex values of the last transformed frame.
  let spectrum: AlignedBuffer<F>

  init(layout: FrameLayout, window values: [Double]) throws(SpectrogramError) {
    self.layout = layout
    plan = try planCache.plan(F.self, size: layout.nFFT)
    guard let window = AlignedBuffer<F>(count: layout.nFFT),
      let frame = AlignedBuffer<F>(count: layout.nFFT),
      let spectrum = AlignedBuffer<F>(count: 2 * (layout.nFFT / 2 + 1))
    else { throw .outOfMemory }
    for (i, w) in values.enumerated() { window.pointer[i] = F(w) }
    self.window = window
    self.frame = frame
    self.spectrum = spectrum
  }

  /// Transforms frame `index` of `signal` into `spectrum`.
  @inline(__always)
  func transform<S: BinaryFloatingPoint>(frame index: Int, of signal: UnsafePointer<S>) {
    let n = layout.nFFT
    let input = frame.pointer
    let w = window.pointer
    if layout.isInterior(index) {
      applyWindow(window: w, samples: signal + layout.frameStart(index), into: input, count: n)
    } else {
      layout.gatherPaddedFrame(index, from: signal, into: input)
      applyWindow(window: w, samples: input, into: input, count: n)
    }
    F.forward(plan, input, spectrum.pointer)
  }
}

/// Runs `body(transformer, row, frame)` for every frame of every row, split over
/// threads; each thread has its own transformer.
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
public func computeSTFT<S: BinaryFloatingPoint, F: FFTScalar, O: BinaryFloatingPoint>(
  _ signal: UnsafePointer<S>, rows: Int, signalLength: Int, parameters: AnalysisParameters,
  fft: F.Type, into out: UnsafeMutablePointer<O>, threads: Int
) throws(SpectrogramError) {
  let layout = try parameters.layout(signalLength: signalLength)
  let bins = parameters.binCount
  try forEachFrame(F.self, rows: rows, layout: layout, window: parameters.window,
                   threads: threads) { (transformer, row, frames) in
    let rowSignal = signal + row * signalLength
    for t in frames {
      transformer.transform(frame: t, of: rowSignal)
      let destination = out + 2 * ((row * layout.frameCount + t) * bins)
      let spectrum = transformer.spectrum.pointer
      for k in 0..<(2 * bins) { destination[k] = O(spectrum[k]) }
    }
  }
}
