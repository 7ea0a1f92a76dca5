// SPDX-License-Identifier: GPL-2.0-or-later
import CFFTW

/// The process-wide cache of FFTW plans and Bluestein tables.
///
/// Plans come from wisdom measured ahead of time (FFTWisdom.swift, FFTW_PATIENT) for the
/// common sizes, else from FFTW_ESTIMATE. Both are deterministic: the same size gets the
/// same plan, hence the same bits, in every process. Nothing is measured at run time (a
/// measured 2048-point plan costs ~140 ms and may differ from run to run).
///
/// FFTW's planner is not thread-safe, so plans are made under a mutex. Fork safety is
/// the C ABI's: its fork gate (fork_gate.c) lets fork() happen only while no thread is
/// inside a call, hence never while this mutex is held. (Swift callers that fork while
/// another thread calls into SwiftSpec get no such guarantee.)
final class PlanCache: Sendable {
  private struct Key: Hashable {
    let size: Int
    let precision: Int
    let kind: FFTPlanKind
  }

  private struct Plans {
    var plans: [Key: FFTPlan] = [:]
    /// `BluesteinTables<F>` by (size, precision of F).
    var bluesteinTables: [Key: any Sendable] = [:]
  }

  private let state = ForkSafeMutex(Plans())

  init() {
    Double.importWisdom(embeddedWisdomDouble)
    Float.importWisdom(embeddedWisdomFloat)
  }

  func plan<T: FFTScalar>(_: T.Type, size: Int, kind: FFTPlanKind)
    throws(SpectrogramError) -> FFTPlan
  {
    try state.withLock { (cache) throws(SpectrogramError) in
      try Self.plan(T.self, size: size, kind: kind, in: &cache)
    }
  }

  /// The tables of Bluestein's algorithm for `size`-point transforms in precision `F`.
  func bluestein<F: FFTScalar>(_: F.Type, size: Int) throws(SpectrogramError)
    -> BluesteinTables<F>
  {
    try state.withLock { (cache) throws(SpectrogramError) in
      let key = Key(size: size, precision: F.precisionTag, kind: .complexForward)
      if let cached = cache.bluesteinTables[key] as? BluesteinTables<F> { return cached }
      let tables = try BluesteinTables<F>(size: size) { (length) throws(SpectrogramError) in
        (try Self.plan(F.self, size: length, kind: .complexForward, in: &cache),
         try Self.plan(Double.self, size: length, kind: .complexForward, in: &cache))
      }
      cache.bluesteinTables[key] = tables
      return tables
    }
  }

  /// The cached plan, made and cached first if need be; called with the lock held.
  private static func plan<T: FFTScalar>(
    _: T.Type, size: Int, kind: FFTPlanKind, in cache: inout Plans
  ) throws(SpectrogramError) -> FFTPlan {
    guard size > 0, size <= Int(Int32.max) else { throw .fftPlanFailed(size: size) }
    let key = Key(size: size, precision: T.precisionTag, kind: kind)
    if let cached = cache.plans[key] { return cached }
    let fromWisdom = UInt32(FFTW_PATIENT) | UInt32(FFTW_WISDOM_ONLY)
    guard let raw = T.makePlan(size: size, kind: kind, flags: fromWisdom)
      ?? T.makePlan(size: size, kind: kind, flags: UInt32(FFTW_ESTIMATE))
    else { throw .fftPlanFailed(size: size) }
    let plan = FFTPlan(raw: raw)
    cache.plans[key] = plan
    return plan
  }
}

let planCache = PlanCache()

/// FFTW's version string, e.g. `fftw-3.3.10-sse2-avx`.
package var fftwVersion: UnsafePointer<CChar> { cfftw_version_string() }
