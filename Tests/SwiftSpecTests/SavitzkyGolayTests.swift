// SPDX-License-Identifier: GPL-2.0-or-later
//
// The Savitzky-Golay filter against hand-computed values: a central difference with each
// way of extending the ends, moving averages wider than the line, exact derivatives of
// polynomials; and the batched layouts and threads against single lines.
import Testing
@testable import SwiftSpec
#if canImport(Glibc)
import Glibc
#endif

/// The 3-point linear fit: row 0 averages, row 1 is the least-squares slope.
private let linearFit3: [Double] = [1.0 / 3, 1.0 / 3, 1.0 / 3, -0.5, 0, 0.5]

/// The textbook 5-point quadratic fit (coefficients of 1, s, s^2 over s = -2...2).
private let quadraticFit5: [Double] = [-3.0 / 35, 12.0 / 35, 17.0 / 35, 12.0 / 35, -3.0 / 35,
                             -0.2, -0.1, 0, 0.1, 0.2,
                             2.0 / 14, -1.0 / 14, -2.0 / 14, -1.0 / 14, 2.0 / 14]

private func filtered<T: BinaryFloatingPoint>(
  _ x: [T], _ filter: SavitzkyGolayFilter, outer: Int = 1, inner: Int = 1, threads: Int = 1
) throws -> [T] {
  var out = [T](repeating: .nan, count: x.count)
  try x.withUnsafeBufferPointer { source in
    try out.withUnsafeMutableBufferPointer { target in
      try filter.apply(source.baseAddress!, outer: outer, length: x.count / (outer * inner),
                       inner: inner, into: target.baseAddress!, threads: threads)
    }
  }
  return out
}

@Suite("Savitzky-Golay filter")
struct SavitzkyGolayTests {
  @Test("central difference (x[k+1] - x[k-1]) / 2 with each end mode", arguments: [
    (SavitzkyGolayMode.nearest, 1.5, 3.5),  // x[-1] = x[0], x[4] = x[3]
    (.wrap, -6, -4),  // x[-1] = x[3], x[4] = x[0]
    (.mirror, 0, 0),  // x[-1] = x[1], x[4] = x[2]
    (.constant, 1, -3.5),  // x[-1] = x[4] = cval = 2
    (.interp, 4, 6),  // slopes of the lines fitted to x[0...2] and x[1...3]
  ])
  func centralDifference(mode: SavitzkyGolayMode, first: Double, last: Double) throws {
    let filter = try SavitzkyGolayFilter(width: 3, polyorder: 1, deriv: 1, delta: 1,
                                         fit: linearFit3, mode: mode, cval: 2)
    let out = try filtered([1.0, 4, 9, 16], filter)
    for (value, truth) in zip(out, [first, 4, 6, last]) { #expect(abs(value - truth) <= 1e-14) }
  }

  @Test("a 7-point moving average over a 2-sample line repeats it (wrap, mirror)")
  func windowWiderThanTheLine() throws {
    for mode in [SavitzkyGolayMode.wrap, .mirror] {
      let filter = try SavitzkyGolayFilter(width: 7, polyorder: 0, deriv: 0, delta: 1,
                                           fit: [Double](repeating: 1.0 / 7, count: 7),
                                           mode: mode, cval: 0)
      // Rows -3...3 are b a b a b a b around row 0, a b a b a b a around row 1.
      let out = try filtered([1.0, 100], filter)
      #expect(abs(out[0] - (3 * 1 + 4 * 100) / 7) <= 1e-12)
      #expect(abs(out[1] - (4 * 1 + 3 * 100) / 7) <= 1e-12)
    }
  }

  @Test("interp differentiates a quadratic exactly; delta scales by delta^-deriv")
  func quadratic() throws {
    let x = (0..<12).map { Double($0 * $0) - 3 * Double($0) + 1 }
    for (deriv, delta) in [(1, 1.0), (2, 1.0), (1, 0.5), (2, -2.0), (3, 1.0)] {
      let filter = try SavitzkyGolayFilter(width: 5, polyorder: 2, deriv: deriv, delta: delta,
                                           fit: quadraticFit5, mode: .interp, cval: 0)
      let out = try filtered(x, filter)
      for (k, value) in out.enumerated() {
        let derivatives: [Double] = [2 * Double(k) - 3, 2, 0]
        let truth: Double = derivatives[deriv - 1] / pow(delta, Double(deriv))
        #expect((value - truth).magnitude <= 1e-12, "deriv \(deriv), delta \(delta), k \(k)")
      }
    }
  }

  @Test("threads change nothing (lines long enough to be shared between threads)")
  func threads() throws {
    let (outer, length) = (64, 2048)
    let data = noise(outer * length, seed: 7)
    let filter = try SavitzkyGolayFilter(width: 5, polyorder: 2, deriv: 1, delta: 1,
                                         fit: quadraticFit5, mode: .interp, cval: 0)
    let serial = try filtered(data, filter, outer: outer)
    #expect(try filtered(data, filter, outer: outer, threads: 4) == serial)
  }

  @Test("a batch along any axis equals its lines filtered alone")
  func batches() throws {
    let (outer, length, inner) = (3, 17, 5)
    let data = noise(outer * length * inner)
    for mode in SavitzkyGolayMode.allCases {
      let filter = try SavitzkyGolayFilter(width: 5, polyorder: 2, deriv: 1, delta: 1,
                                           fit: quadraticFit5, mode: mode, cval: 0.25)
      let batch = try filtered(data, filter, outer: outer, inner: inner)
      for o in 0..<outer {
        for i in 0..<inner {
          let line = (0..<length).map { data[(o * length + $0) * inner + i] }
          let alone = try filtered(line, filter)
          let inBatch = (0..<length).map { batch[(o * length + $0) * inner + i] }
          #expect(alone == inBatch, "mode \(mode), line \(o), \(i)")
        }
      }
      // float32 outputs are the float64 results rounded once.
      let single = try filtered(data.map { Float($0) }, filter, outer: outer, inner: inner)
      let double = try filtered(data.map { Double(Float($0)) }, filter, outer: outer, inner: inner)
      #expect(single == double.map { Float($0) })
    }
  }

  @Test("bad arguments are refused, naming the value")
  func invalid() {
    func make(width: Int = 3, polyorder: Int = 1, deriv: Int = 1, delta: Double = 1,
              fit: [Double] = linearFit3) throws(SpectrogramError) {
      _ = try SavitzkyGolayFilter(width: width, polyorder: polyorder, deriv: deriv,
                                  delta: delta, fit: fit, mode: .nearest, cval: 0)
    }
    #expect(throws: SpectrogramError.invalidArgument("width=4 must be a positive odd integer")) {
      try make(width: 4, fit: [Double](repeating: 0, count: 8))
    }
    #expect(throws: SpectrogramError.self) { try make(polyorder: 3, fit: [Double](repeating: 0, count: 12)) }
    #expect(throws: SpectrogramError.self) { try make(deriv: -1) }
    #expect(throws: SpectrogramError.self) { try make(delta: 0) }
    #expect(throws: SpectrogramError.self) { try make(delta: .nan) }
    #expect(throws: SpectrogramError.self) { try make(fit: [1, 2, 3]) }
    #expect(throws: SpectrogramError.self) { try make(fit: [0, .nan, 0, 0, 0, 0]) }
    #expect(throws: SpectrogramError.self) {
      let filter = try SavitzkyGolayFilter(width: 5, polyorder: 2, deriv: 1, delta: 1,
                                           fit: quadraticFit5, mode: .interp, cval: 0)
      _ = try filtered([1.0, 2, 3, 4], filter)
    }
  }
}
