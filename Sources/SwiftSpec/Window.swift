// SPDX-License-Identifier: GPL-2.0-or-later
#if canImport(Glibc)
import Glibc
#endif

/// The analysis windows computed natively.
///
/// Each is bit-identical in `Double` to `scipy.signal.get_window(name, n, fftbins:)`:
/// the formulas and the order of operations follow scipy's (a cosine sum over
/// `linspace(-pi, pi, M)` for the cosine windows).
public enum WindowKind: Int32, Sendable, CaseIterable {
  case hann = 0
  case hamming = 1
  case blackman = 2
  case boxcar = 3
  case bartlett = 4
  case triang = 5
}

extension WindowKind {
  /// The window of length `length`.
  ///
  /// - Parameters:
  ///   - length: number of samples, `>= 0`. Lengths 0 and 1 give `[]` and `[1.0]`.
  ///   - periodic: `true` for the DFT-even window used for spectral analysis
  ///     (scipy's `fftbins=True`, librosa's default), `false` for the symmetric one.
  /// - Complexity: O(`length`).
  public func values(length: Int, periodic: Bool = true) -> [Double] {
    guard length > 1 else { return Array(repeating: 1.0, count: max(0, length)) }
    // scipy builds a periodic window as the symmetric one of length + 1, truncated.
    let m = periodic ? length + 1 : length
    var window = [Double](repeating: 0, count: m)
    switch self {
    case .hann: cosineSum(&window, coefficients: [0.5, 1.0 - 0.5])
    case .hamming: cosineSum(&window, coefficients: [0.54, 1.0 - 0.54])
    case .blackman: cosineSum(&window, coefficients: [0.42, 0.50, 0.08])
    case .boxcar: window = Array(repeating: 1.0, count: m)
    case .bartlett:
      let half = Double(m - 1) / 2.0
      for n in 0..<m {
        let ramp = 2.0 * Double(n) / Double(m - 1)
        window[n] = Double(n) <= half ? ramp : 2.0 - ramp
      }
    case .triang:
      let rise = (m + 1) / 2
      for i in 0..<rise {
        let n = Double(i + 1)
        let value = m % 2 == 0 ? (2.0 * n - 1.0) / Double(m) : 2.0 * n / (Double(m) + 1.0)
        window[i] = value
        window[m - 1 - i] = value
      }
    }
    if periodic { window.removeLast() }
    return window
  }

  /// `w[i] = sum_k a[k] * cos(k * fac[i])` accumulated from k = 0, with
  /// `fac = linspace(-pi, pi, M)` computed as numpy does (`i * step + start`, last = pi).
  private func cosineSum(_ window: inout [Double], coefficients: [Double]) {
    let m = window.count
    let step = (Double.pi - (-Double.pi)) / Double(m - 1)
    for i in 0..<m {
      let fac = i == m - 1 ? Double.pi : Double(i) * step + -Double.pi
      var sum = 0.0
      for (k, a) in coefficients.enumerated() {
        sum += a * (k == 0 ? 1.0 : cos(Double(k) * fac))
      }
      window[i] = sum
    }
  }
}

/// Centres `window` in `size` zeros, as librosa's `util.pad_center` does: the extra
/// zero of an odd difference goes on the right.
///
/// - Throws: `.invalidArgument` if the window is longer than `size`.
package func padCenter(_ window: [Double], size: Int) throws(SpectrogramError) -> [Double] {
  guard window.count <= size else {
    throw .invalidArgument("Target size (\(size)) must be at least input size (\(window.count))")
  }
  let left = (size - window.count) / 2
  var out = [Double](repeating: 0, count: size)
  for (i, w) in window.enumerated() { out[left + i] = w }
  return out
}
