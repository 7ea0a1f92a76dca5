// SPDX-License-Identifier: GPL-2.0-or-later
#if canImport(Glibc)
import Glibc
#endif

/// The normalisation of a DCT, `scipy.fft.dct`'s `norm` (the raw values are the C ABI's).
public enum DCTNorm: Int32, Sendable {
  case backward = 0
  case ortho = 1
  case forward = 2
}

/// The DCT matrix `[outputCount][n]` of `scipy.fft.dct(x, type:, norm:)`, so that
/// `y = M x` gives the first `outputCount` coefficients.
///
/// - Throws: `.invalidArgument` for a type outside 1...3, `n < 1`, or type 1 with n < 2.
/// - Complexity: O(outputCount * n).
package func dctMatrix(type: Int, norm: DCTNorm, n: Int, outputCount: Int)
  throws(SpectrogramError) -> [Double]
{
  guard (1...3).contains(type) else {
    throw .invalidArgument("dct_type=\(type) is not supported (1, 2 or 3)")
  }
  guard n >= 1, outputCount >= 0, outputCount <= n else {
    throw .invalidArgument("DCT length n=\(n) must be positive and keep at most n coefficients")
  }
  guard type != 1 || n > 1 else {
    throw .invalidArgument("DCT-I is not defined for length n=\(n) < 2")
  }
  var matrix = [Double](repeating: 0, count: try checkedProduct(outputCount, n))
  let size = Double(n)
  for k in 0..<outputCount {
    for j in 0..<n {
      var value: Double
      switch type {
      case 1:
        // y_k = x_0 + (-1)^k x_{n-1} + 2 sum_{j=1}^{n-2} x_j cos(pi k j / (n-1))
        let angle = Double.pi * Double((k * j) % (2 * (n - 1))) / Double(n - 1)
        let edge = j == 0 || j == n - 1
        value = (edge ? 1.0 : 2.0) * cos(angle)
        switch norm {
        case .backward: break
        case .forward: value /= 2.0 * (size - 1)
        case .ortho:
          value /= (2.0 * (size - 1)).squareRoot()
          if edge { value *= 2.0.squareRoot() }
          if k == 0 || k == n - 1 { value /= 2.0.squareRoot() }
        }
      case 2:
        // y_k = 2 sum_j x_j cos(pi k (2j+1) / (2n))
        let angle = Double.pi * Double((k * (2 * j + 1)) % (4 * n)) / (2.0 * size)
        value = 2.0 * cos(angle)
        switch norm {
        case .backward: break
        case .forward: value /= 2.0 * size
        case .ortho: value *= k == 0 ? (1.0 / (4.0 * size)).squareRoot() : (1.0 / (2.0 * size)).squareRoot()
        }
      default:
        // y_k = x_0 + 2 sum_{j>=1} x_j cos(pi j (2k+1) / (2n))
        let angle = Double.pi * Double((j * (2 * k + 1)) % (4 * n)) / (2.0 * size)
        value = j == 0 ? 1.0 : 2.0 * cos(angle)
        switch norm {
        case .backward: break
        case .forward: value /= 2.0 * size
        case .ortho: value *= j == 0 ? (1.0 / size).squareRoot() : (1.0 / (2.0 * size)).squareRoot()
        }
      }
      matrix[k * n + j] = value
    }
  }
  return matrix
}
