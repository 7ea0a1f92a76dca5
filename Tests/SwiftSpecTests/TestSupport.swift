// SPDX-License-Identifier: GPL-2.0-or-later
//
// Helpers shared by the unit tests: a seeded generator and array wrappers around the
// pointer-based kernels.
@testable import SwiftSpec
#if canImport(Glibc)
import Glibc
#endif

/// A small deterministic generator (SplitMix64): every run sees the same "noise".
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

func noise(_ count: Int, seed: UInt64 = 20240521) -> [Double] {
  var generator = SeededGenerator(seed: seed)
  return (0..<count).map { _ in Double.random(in: -1...1, using: &generator) }
}

/// The periodic Hann window in closed form (not the library's).
func closedFormHann(_ n: Int) -> [Double] {
  (0..<n).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n)) }
}

/// computeSTFT of `rows` signals of equal length, float64 throughout; interleaved
/// complex output laid out [row][frame][bin].
func stft64(_ signal: [Double], rows: Int = 1, parameters: AnalysisParameters, threads: Int = 1)
  throws -> (frames: Int, values: [Double])
{
  let length = signal.count / rows
  let frames = try parameters.layout(signalLength: length).frameCount
  var out = [Double](repeating: .nan, count: rows * frames * parameters.binCount * 2)
  try signal.withUnsafeBufferPointer { source in
    try out.withUnsafeMutableBufferPointer { target in
      try computeSTFT(source.baseAddress!, rows: rows, signalLength: length,
                      parameters: parameters, fft: Double.self, into: target.baseAddress!,
                      threads: threads)
    }
  }
  return (frames, out)
}

/// computeISTFT of `rows` interleaved complex matrices [frames][bins], float64.
func istft64(_ spectrum: [Double], rows: Int = 1, frames: Int, bins: Int, nFFT: Int,
             hopLength: Int, window: [Double], center: Bool = true, length: Int? = nil,
             threads: Int = 1) throws -> [Double]
{
  let outputLength = try istftGeometry(frames: frames, nFFT: nFFT, hopLength: hopLength,
                                       center: center, length: length).outputLength
  var out = [Double](repeating: .nan, count: rows * outputLength)
  try spectrum.withUnsafeBufferPointer { source in
    try out.withUnsafeMutableBufferPointer { target in
      try computeISTFT(source.baseAddress!, rows: rows, frames: frames, bins: bins, nFFT: nFFT,
                       hopLength: hopLength, window: window, center: center, length: length,
                       into: target.baseAddress!, threads: threads)
    }
  }
  return out
}

/// powerToDecibels over an array (one group).
func decibels<T: DecibelScalar>(_ values: [T], reference: DecibelReference = .decibels(0),
                                amin: Double = 1e-10, topDB: Double? = nil) -> [T] {
  var out = [T](repeating: 0, count: values.count)
  values.withUnsafeBufferPointer { source in
    out.withUnsafeMutableBufferPointer { target in
      powerToDecibels(source.baseAddress!, count: values.count, reference: reference,
                      amin: amin, topDB: topDB, into: target.baseAddress!)
    }
  }
  return out
}

/// Bitwise equality of two float arrays (NaN payloads included).
func bitwiseEqual(_ a: [Double], _ b: [Double]) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
}

func bitwiseEqual(_ a: [Float], _ b: [Float]) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
}

func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
  zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
