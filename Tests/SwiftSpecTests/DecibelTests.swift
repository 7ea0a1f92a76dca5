// SPDX-License-Identifier: GPL-2.0-or-later
//
// power_to_db against 10*log10 of known powers, NaN propagation and the top_db floor;
// the DCT matrices against their definitions (scipy.fft.dct) and orthogonality.
import Testing
@testable import SwiftSpec
#if canImport(Glibc)
import Glibc
#endif

@Suite("Decibels")
struct DecibelTests {
  @Test("10 log10(max(amin, S)) of known powers (float64)")
  func analytic() {
    let db = decibels([1.0, 10, 100, 1e-3, 1e-10, 0, -5, 2])
    let expected = [0.0, 10, 20, -30, -100, -100, -100, 10 * log10(2.0)]
    for (value, truth) in zip(db, expected) { #expect(abs(value - truth) <= 1e-12) }
  }

  @Test("float32 arithmetic: the floor is 10 log10(1e-10f) in float32")
  func float32Floor() {
    let db = decibels([Float(0), 1, 1000])
    // librosa gives -100.00001 (numpy's SIMD log10f is 1 ulp below the correctly rounded
    // -10 here); the correctly rounded float32 result is -100. Either is within 1 ulp.
    #expect(abs(db[0] - Float("-100.00001")!) <= Float(100).ulp)
    #expect(db[0] >= Float("-100.00001")! && db[0] <= -100)
    #expect(db[1] == 0)
    #expect(abs(db[2] - 30) <= 2 * Float(30).ulp)
  }

  @Test("a scalar reference is subtracted in dB; amin also floors it")
  func scalarReference() {
    let db = decibels([4.0, 0.4, 40], reference: .decibels(10 * log10(4.0)))
    let expected = [0.0, -10, 10]
    for (value, truth) in zip(db, expected) { #expect(abs(value - truth) <= 1e-12) }
    for (ref, truth) in [(0.0, -100.0), (-100, 20), (1, 0)] {
      guard case .decibels(let value) = DecibelReference.value(ref) else {
        Issue.record("not a dB reference")
        continue
      }
      #expect(abs(value - truth) <= 1e-12)
    }
  }

  @Test("ref = max: the maximum maps to 0 dB; all-zero input gives 0 everywhere")
  func maximumReference() {
    let db = decibels([100.0, 1, 0.01], reference: .maximum)
    let expected = [0.0, -20, -40]
    for (value, truth) in zip(db, expected) { #expect(abs(value - truth) <= 1e-12) }
    #expect(decibels([Float](repeating: 0, count: 5), reference: .maximum).allSatisfy { $0 == 0 })
  }

  @Test("top_db clamps at max - top_db")
  func topDB() {
    let db = decibels([1.0, 1e-3, 1e-12, 0], topDB: 80)
    let expected = [0.0, -30, -80, -80]
    for (value, truth) in zip(db, expected) { #expect(abs(value - truth) <= 1e-12) }
    let zero = decibels([10.0, 1], topDB: 0)
    #expect(zero.allSatisfy { abs($0 - 10) <= 1e-12 })
  }

  @Test("NaN: one entry without top_db; the whole group with top_db (numpy's max)")
  func nanPropagation() {
    let without = decibels([1.0, .nan, 100], topDB: nil)
    #expect(without[1].isNaN && without[0] == 0 && abs(without[2] - 20) <= 1e-12)
    #expect(decibels([1.0, .nan, 100], topDB: 80).allSatisfy { $0.isNaN })
    #expect(decibels([Float(1), .nan], reference: .maximum).allSatisfy { $0.isNaN })
    // +inf with top_db: the whole group becomes +inf.
    #expect(decibels([1.0, .infinity], topDB: 80).allSatisfy { $0 == .infinity })
  }

  @Test("the input may be the output")
  func inPlace() {
    var values: [Double] = [1, 10, 100]
    values.withUnsafeMutableBufferPointer { buffer in
      powerToDecibels(UnsafePointer(buffer.baseAddress!), count: 3, reference: .maximum,
                      amin: 1e-10, topDB: nil, into: buffer.baseAddress!)
    }
    for (value, truth) in zip(values, [-20.0, -10, 0]) { #expect(abs(value - truth) <= 1e-12) }
  }

  @Test("DecibelOptions rejects amin <= 0 and top_db < 0 or NaN")
  func options() {
    for amin in [0.0, -1e-10] {
      #expect(throws: SpectrogramError.self) { try DecibelOptions(amin: amin) }
    }
    for topDB in [-1.0, .nan] {
      #expect(throws: SpectrogramError.self) { try DecibelOptions(topDB: topDB) }
    }
    #expect(throws: Never.self) { try DecibelOptions(topDB: nil) }
  }
}

@Suite("DCT matrices")
struct DCTTests {
  static func product(_ a: [Double], _ b: [Double], _ n: Int, transposeB: Bool) -> [Double] {
    var c = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      for j in 0..<n {
        var sum = 0.0
        for k in 0..<n { sum += a[i * n + k] * (transposeB ? b[j * n + k] : b[k * n + j]) }
        c[i * n + j] = sum
      }
    }
    return c
  }

  static func isIdentity(_ m: [Double], _ n: Int, tolerance: Double = 1e-12) -> Bool {
    (0..<n).allSatisfy { i in
      (0..<n).allSatisfy { j in abs(m[i * n + j] - (i == j ? 1 : 0)) <= tolerance }
    }
  }

  @Test("ortho DCT-II is orthogonal: M M^T = I", arguments: [1, 2, 8, 13, 40, 128])
  func orthoTypeTwo(n: Int) throws {
    let m = try dctMatrix(type: 2, norm: .ortho, n: n, outputCount: n)
    #expect(Self.isIdentity(Self.product(m, m, n, transposeB: true), n))
    #expect(m.count == n * n)
  }

  @Test("ortho DCT-III is the transpose (inverse) of ortho DCT-II; ortho DCT-I orthogonal")
  func orthoOthers() throws {
    let n = 12
    let two = try dctMatrix(type: 2, norm: .ortho, n: n, outputCount: n)
    let three = try dctMatrix(type: 3, norm: .ortho, n: n, outputCount: n)
    for i in 0..<n {
      for j in 0..<n { #expect(abs(three[i * n + j] - two[j * n + i]) <= 1e-15) }
    }
    let one = try dctMatrix(type: 1, norm: .ortho, n: n, outputCount: n)
    #expect(Self.isIdentity(Self.product(one, one, n, transposeB: true), n))
  }

  @Test("DCT-II definitions: backward y_k = 2 sum x_j cos(pi k (2j+1) / 2n), forward / 2n")
  func definitions() throws {
    let n = 7
    let backward = try dctMatrix(type: 2, norm: .backward, n: n, outputCount: 3)
    let forward = try dctMatrix(type: 2, norm: .forward, n: n, outputCount: 3)
    #expect(backward.count == 3 * n)
    for k in 0..<3 {
      for j in 0..<n {
        let value = 2 * cos(Double.pi * Double(k * (2 * j + 1)) / Double(2 * n))
        #expect(abs(backward[k * n + j] - value) <= 1e-14)
        #expect(abs(forward[k * n + j] - value / Double(2 * n)) <= 1e-15)
      }
    }
    // The ortho type-2 first row is sqrt(1/n): the DC of a constant is sqrt(n).
    let ortho = try dctMatrix(type: 2, norm: .ortho, n: n, outputCount: 1)
    #expect(ortho.allSatisfy { abs($0 - (1 / Double(n)).squareRoot()) <= 1e-15 })
  }

  @Test("invalid DCT requests throw", arguments: [(0, 8, 8), (4, 8, 8), (2, 0, 0), (2, 4, 5),
                                                   (1, 1, 1), (2, 4, -1)])
  func invalid(type: Int, n: Int, outputCount: Int) {
    #expect(throws: SpectrogramError.self) {
      try dctMatrix(type: type, norm: .ortho, n: n, outputCount: outputCount)
    }
  }
}
