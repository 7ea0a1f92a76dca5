// SPDX-License-Identifier: GPL-2.0-or-later
#if canImport(Glibc)
import Glibc
#endif

/// How a Savitzky-Golay filter treats the ends of a line: `scipy.signal.savgol_filter`'s
/// `mode`. The padding modes are scipy.ndimage's (`mirror` reflects about the end
/// sample, which is not repeated: numpy's 'reflect'); beyond one reflection the
/// extension continues periodically, as in ndimage.
package enum SavitzkyGolayMode: Int32, Sendable, CaseIterable {
  /// No padding: the outputs within `width / 2` of an end are the derivative of the
  /// polynomial fitted to the first (last) `width` samples, at their positions.
  case interp = 0
  case nearest = 1
  case mirror = 2
  case constant = 3
  case wrap = 4
}

/// A Savitzky-Golay derivative filter, `scipy.signal.savgol_filter(x, width, polyorder,
/// deriv, delta, mode=mode, cval=cval)`: at each sample, the `deriv`-th derivative of
/// the polynomial of degree `polyorder` fitted by least squares to the `width` samples
/// centred on it.
///
/// The fit itself is given: `fit` is the `(polyorder + 1) x width` matrix (row-major)
/// whose row `j` gives the coefficient of `s^j` of the fitted polynomial from the
/// samples at positions `s = -width/2 ... width/2` (the pseudo-inverse of that
/// Vandermonde matrix). All arithmetic is in `Double`; outputs are rounded once.
package struct SavitzkyGolayFilter: Sendable {
  package let width: Int
  package let polyorder: Int
  package let deriv: Int
  package let mode: SavitzkyGolayMode
  package let cval: Double
  /// The fit, `(polyorder + 1) x width`, kept for `interp`'s edge polynomials.
  let fit: [Double]
  /// Correlation weights: out[k] = sum_t kernel[t] * x[k + t - width/2].
  let kernel: [Double]
  /// `interp` only: `width - 1` rows of `polyorder + 1` weights, the derivative at the
  /// edge positions s = -width/2 ... -1, then 1 ... width/2 of each fitted coefficient.
  let edgeWeights: [Double]

  /// - Parameters:
  ///   - width: Odd, >= 1: the samples in each fit.
  ///   - polyorder: Degree of the polynomial, `0 ..< width`.
  ///   - deriv: Order of the derivative, >= 0 (above `polyorder` it is zero).
  ///   - delta: Sample spacing, finite and non-zero: the derivative is divided by
  ///     `delta^deriv`.
  ///   - fit: `(polyorder + 1) * width` finite values (see the type's description).
  /// - Throws: `.invalidArgument` naming the value out of range.
  package init(width: Int, polyorder: Int, deriv: Int, delta: Double, fit: [Double],
              mode: SavitzkyGolayMode, cval: Double) throws(SpectrogramError) {
    guard width > 0, width % 2 == 1 else {
      throw .invalidArgument("width=\(width) must be a positive odd integer")
    }
    guard polyorder >= 0, polyorder < width else {
      throw .invalidArgument("polyorder=\(polyorder) must be in 0 ..< width=\(width)")
    }
    guard deriv >= 0 else { throw .invalidArgument("deriv=\(deriv) must be non-negative") }
    guard delta.isFinite, delta != 0 else {
      throw .invalidArgument("delta=\(delta) must be finite and non-zero")
    }
    let terms = polyorder + 1
    guard fit.count == (try checkedProduct(terms, width)) else {
      throw .invalidArgument("fit has \(fit.count) values, not (polyorder + 1) * width")
    }
    guard fit.allSatisfy(\.isFinite) else {
      throw .invalidArgument("fit is not finite everywhere")
    }
    self.width = width
    self.polyorder = polyorder
    self.deriv = deriv
    self.mode = mode
    self.cval = cval
    self.fit = fit

    // The derivative at s of sum_j c_j s^j is sum_{j >= deriv} c_j j!/(j-deriv)! s^(j-deriv);
    // at s = 0 only j = deriv remains.
    let scale = 1 / pow(delta, Double(deriv))
    func weight(_ j: Int, at s: Double) -> Double {
      guard j >= deriv else { return 0 }
      var falling = 1.0
      for factor in stride(from: j, to: j - deriv, by: -1) { falling *= Double(factor) }
      return falling * pow(s, Double(j - deriv)) * scale
    }
    kernel = deriv <= polyorder
      ? (0..<width).map { weight(deriv, at: 0) * fit[deriv * width + $0] }
      : [Double](repeating: 0, count: width)
    let half = width / 2
    if mode == .interp {
      let positions = (-half..<0).map(Double.init) + (0..<half).map { Double($0 + 1) }
      edgeWeights = positions.flatMap { s in (0..<terms).map { weight($0, at: s) } }
    } else {
      edgeWeights = []
    }
  }

  /// Filters every line along the middle axis of `outer x length x inner` values
  /// (row-major), into `output` of the same layout. `input` and `output` must not overlap.
  ///
  /// - Throws: `.invalidArgument` for `interp` with `length < width`; `.outOfMemory`.
  /// - Complexity: O(outer * length * inner * width).
  @_specialize(exported: true, where T == Float)
  @_specialize(exported: true, where T == Double)
  package func apply<T: BinaryFloatingPoint>(
    _ input: UnsafePointer<T>, outer: Int, length: Int, inner: Int,
    into output: UnsafeMutablePointer<T>, threads: Int
  ) throws(SpectrogramError) {
    if mode == .interp && length < width {
      throw .invalidArgument("mode interp needs length=\(length) >= width=\(width)")
    }
    // Without lines or with empty ones there is nothing to do (and the other sizes are
    // then bounded by no buffer).
    guard outer > 0 else { return }
    let plane = try checkedProduct(length, inner)
    guard plane > 0 else { return }
    // Pieces of at least 2^20 outputs (a few milliseconds): smaller calls are not worth
    // starting a thread for.
    let linesPerPiece = max(1, (1 << 20) / plane)
    try parallelWork(count: outer, threads: threads, minimumChunk: linesPerPiece) {
      (queue) throws(SpectrogramError) in
      // Per thread: sums of one block, and interp's fitted coefficients for one block.
      guard let sums = AlignedBuffer<Double>(count: Self.block),
        let coefficients = AlignedBuffer<Double>(
          count: mode == .interp ? (polyorder + 1) * Self.block : 0)
      else { throw .outOfMemory }
      while let planes = queue.next() {
        for p in planes {
          filterPlane(input + p * plane, length: length, inner: inner,
                      into: output + p * plane, sums: sums.pointer,
                      coefficients: coefficients.pointer)
        }
      }
    }
  }

  /// Outputs computed together, bounding the scratch memory.
  static let block = 1024

  private func filterPlane<T: BinaryFloatingPoint>(
    _ x: UnsafePointer<T>, length: Int, inner: Int, into y: UnsafeMutablePointer<T>,
    sums: UnsafeMutablePointer<Double>, coefficients: UnsafeMutablePointer<Double>
  ) {
    let half = width / 2
    // Rows whose whole window lies inside the line: one contiguous run of the plane.
    let interior = half..<max(half, length - half)
    var start = interior.lowerBound * inner
    let end = interior.upperBound * inner
    while start < end {
      let count = min(Self.block, end - start)
      sums.update(repeating: 0, count: count)
      for t in 0..<width {
        let w = kernel[t]
        let source = x + start + (t - half) * inner
        for i in 0..<count { sums[i] += w * Double(source[i]) }
      }
      let target = y + start
      for i in 0..<count { target[i] = T(sums[i]) }
      start += count
    }
    if mode == .interp {
      fitEdges(x, length: length, inner: inner, into: y, coefficients: coefficients)
    } else {
      let head = 0..<min(half, length)
      for row in Array(head) + Array(max(head.upperBound, length - half)..<length) {
        padRow(row, x, length: length, inner: inner, into: y, sums: sums)
      }
    }
  }

  /// One output row near an end, reading the padded extension of the line.
  private func padRow<T: BinaryFloatingPoint>(
    _ row: Int, _ x: UnsafePointer<T>, length: Int, inner: Int,
    into y: UnsafeMutablePointer<T>, sums: UnsafeMutablePointer<Double>
  ) {
    let half = width / 2
    var start = 0
    while start < inner {
      let count = min(Self.block, inner - start)
      sums.update(repeating: 0, count: count)
      for t in 0..<width {
        let w = kernel[t]
        if let source = sourceRow(row + t - half, length: length) {
          let values = x + source * inner + start
          for i in 0..<count { sums[i] += w * Double(values[i]) }
        } else {
          for i in 0..<count { sums[i] += w * cval }
        }
      }
      let target = y + row * inner + start
      for i in 0..<count { target[i] = T(sums[i]) }
      start += count
    }
  }

  /// The row that stands for row `index` of the extended line; nil for `cval`.
  func sourceRow(_ index: Int, length: Int) -> Int? {
    if index >= 0 && index < length { return index }
    switch mode {
    case .nearest: return index < 0 ? 0 : length - 1
    case .wrap: return (index % length + length) % length
    case .mirror:
      guard length > 1 else { return 0 }
      let period = 2 * (length - 1)
      let r = (index % period + period) % period
      return r < length ? r : period - r
    case .constant, .interp: return nil
    }
  }

  /// interp: the rows within `width / 2` of each end, from the polynomial fitted to the
  /// first (last) `width` rows.
  private func fitEdges<T: BinaryFloatingPoint>(
    _ x: UnsafePointer<T>, length: Int, inner: Int, into y: UnsafeMutablePointer<T>,
    coefficients: UnsafeMutablePointer<Double>
  ) {
    let half = width / 2
    let terms = polyorder + 1
    for (windowStart, firstRow, weightRow) in [(0, 0, 0), (length - width, length - half, half)] {
      var start = 0
      while start < inner {
        let count = min(Self.block, inner - start)
        coefficients.update(repeating: 0, count: terms * count)
        for j in 0..<terms {
          let c = coefficients + j * count
          for t in 0..<width {
            let f = fit[j * width + t]
            let values = x + (windowStart + t) * inner + start
            for i in 0..<count { c[i] += f * Double(values[i]) }
          }
        }
        for r in 0..<half {
          let target = y + (firstRow + r) * inner + start
          for i in 0..<count {
            var sum = 0.0
            for j in 0..<terms { sum += edgeWeights[(weightRow + r) * terms + j] * coefficients[j * count + i] }
            target[i] = T(sum)
          }
        }
        start += count
      }
    }
  }
}
