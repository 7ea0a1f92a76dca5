// SPDX-License-Identifier: GPL-2.0-or-later

/// How the ends of a signal are extended for centred analysis (numpy.pad modes).
public enum PadMode: Int32, Sendable, CaseIterable {
  case constant = 0
  case edge = 1
  case reflect = 2
  case symmetric = 3
  case linearRamp = 4
  /// numpy leaves the padding unspecified; swiftspec uses zeros.
  case empty = 5
}

/// Where each STFT frame reads its samples, reproducing librosa's framing exactly.
///
/// With `center`, librosa pads `nFFT / 2` samples on each side, but (since 0.10) it pads
/// only the head and the tail of the signal separately: frames touching the left pad are
/// cut from `pad(y[..<headEnd])`, frames touching the right pad from `pad(y[tailStart...])`,
/// and the rest read `y` directly. numpy's reflect/symmetric padding of a short segment is
/// periodic in that segment, so the tail frames can differ from padding the whole signal;
/// this type reproduces that. A short signal is padded whole.
package struct FrameLayout: Sendable, Equatable {
  package let signalLength: Int
  package let nFFT: Int
  package let hopLength: Int
  package let center: Bool
  package let padMode: PadMode
  package let frameCount: Int
  /// Left padding: `nFFT / 2` when centred, else 0. Frame `t` starts at `t * hop - padLeft`.
  package let padLeft: Int
  /// Segments whose own padding feeds the frames that leave the signal.
  let headSegmentEnd: Int
  let tailSegmentStart: Int
  let firstTailFrame: Int

  /// - Throws: `.inputTooShort` when no frame fits, `.invalidArgument` for non-positive
  ///   sizes or a mode that cannot pad an empty signal.
  package init(signalLength: Int, nFFT: Int, hopLength: Int, center: Bool, padMode: PadMode)
    throws(SpectrogramError)
  {
    guard nFFT > 0 else { throw .invalidArgument("n_fft=\(nFFT) must be a positive integer") }
    guard hopLength > 0 else {
      throw .invalidArgument("hop_length=\(hopLength) must be a positive integer")
    }
    guard signalLength >= 0 else { throw .invalidArgument("negative signal length") }
    self.signalLength = signalLength
    self.nFFT = nFFT
    self.hopLength = hopLength
    self.center = center
    self.padMode = padMode
    let pad = center ? nFFT / 2 : 0
    padLeft = pad
    if center && signalLength == 0 && padMode != .constant && padMode != .empty {
      throw .invalidArgument("can't extend empty axis using modes other than 'constant' or 'empty'")
    }
    // Uncentred, n_fft > length is librosa's "n_fft is too large for uncentered analysis":
    // no frame fits, which swiftspec.h reports as SWIFTSPEC_ERR_INPUT_TOO_SHORT.
    if !center && nFFT > signalLength {
      throw .inputTooShort(n: signalLength, frameLength: nFFT)
    }
    let (padded, overflow) = signalLength.addingReportingOverflow(2 * pad)
    guard !overflow else { throw .sizeOverflow }
    guard padded >= nFFT else { throw .inputTooShort(n: padded, frameLength: nFFT) }
    frameCount = 1 + (padded - nFFT) / hopLength

    // librosa's partition: frames < startK touch the left pad; frames >= tailK the right.
    // ceil(pad / hop) without the overflow of pad + hop - 1 for huge hops.
    let startK = pad / hopLength + (pad % hopLength == 0 ? 0 : 1)
    let tailK = floorDiv(signalLength + pad - nFFT, hopLength) + 1
    if !center || tailK <= startK {
      headSegmentEnd = signalLength
      tailSegmentStart = 0
      firstTailFrame = center ? 0 : frameCount
    } else {
      headSegmentEnd = min(signalLength, (startK - 1) * hopLength - pad + nFFT + 1)
      // Used only by frames >= tailK, which exist only if tailK < frameCount; then the
      // product is below the padded length. Otherwise it may overflow: wrap, unused.
      tailSegmentStart = tailK &* hopLength &- pad
      firstTailFrame = tailK
    }
  }

  /// The frame's first sample index in the signal (negative inside the left pad).
  @inlinable
  package func frameStart(_ frame: Int) -> Int { frame * hopLength - padLeft }

  /// Whether frame `frame` lies wholly inside the signal (read without padding).
  @inlinable
  package func isInterior(_ frame: Int) -> Bool {
    let start = frameStart(frame)
    return start >= 0 && start + nFFT <= signalLength
  }

  /// The segment `[lower, upper)` of the signal whose padding librosa uses for a frame
  /// that leaves the signal.
  func segment(forFrame frame: Int) -> (lower: Int, upper: Int) {
    if frame >= firstTailFrame { return (tailSegmentStart, signalLength) }
    if frameStart(frame) < 0 { return (0, headSegmentEnd) }
    return (0, signalLength)
  }

  /// Writes the `nFFT` samples of a frame that leaves the signal into `out`, converted
  /// to `T`, padding as numpy.pad pads the frame's segment.
  func gatherPaddedFrame<S: BinaryFloatingPoint, T: BinaryFloatingPoint>(
    _ frame: Int, from signal: UnsafePointer<S>, into out: UnsafeMutablePointer<T>
  ) {
    let (lower, upper) = segment(forFrame: frame)
    let start = frameStart(frame)
    for n in 0..<nFFT {
      let i = start + n
      out[n] = T(i >= lower && i < upper ? signal[i] : paddedSample(i, lower, upper, signal))
    }
  }

  /// numpy.pad's value at index `i` outside `[lower, upper)`, for a pad of `padLeft` on
  /// each side of that segment (the segment is not empty here).
  private func paddedSample<S: BinaryFloatingPoint>(
    _ i: Int, _ lower: Int, _ upper: Int, _ signal: UnsafePointer<S>
  ) -> S {
    let length = upper - lower
    switch padMode {
    case .constant, .empty:
      return 0
    case .edge:
      return i < lower ? signal[lower] : signal[upper - 1]
    case .reflect:
      guard length > 1 else { return signal[lower] }
      let period = 2 * (length - 1)
      var k = positiveMod(i - lower, period)
      if k >= length { k = period - k }
      return signal[lower + k]
    case .symmetric:
      let period = 2 * length
      var k = positiveMod(i - lower, period)
      if k >= length { k = period - 1 - k }
      return signal[lower + k]
    case .linearRamp:
      // numpy: linspace(0, edge, pad, endpoint=False), computed in float64 and cast to
      // the array's dtype, with the sample nearest the signal last; mirrored on the right.
      let distance = i < lower ? lower - i : i - upper + 1
      let edge = Double(i < lower ? signal[lower] : signal[upper - 1])
      let step = edge / Double(padLeft)
      return S(Double(padLeft - distance) * step)
    }
  }
}

@inlinable
func floorDiv(_ a: Int, _ b: Int) -> Int {
  let q = a / b
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

@inlinable
func positiveMod(_ a: Int, _ b: Int) -> Int {
  let r = a % b
  return r < 0 ? r + b : r
}
