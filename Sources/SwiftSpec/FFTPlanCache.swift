// SPDX-License-Identifier: GPL-2.0-or-later
import CFFTW
#if canImport(Glibc)
import Glibc
#endif

/// A real FFT precision that FFTW provides: `Double` (fftw_*) or `Float` (fftwf_*).
///
/// Plans come from one process-wide cache; execution uses the new-array execute
/// functions on buffers from `allocate`, which have the alignment the plans assume.
public protocol FFTScalar: BinaryFloatingPoint, Sendable {
  /// Forward real-to-complex transform of `n` points: `input` holds `n` reals, `output`
  /// holds `n / 2 + 1` interleaved complex values.
  static func forward(_ plan: FFTPlan, _ input: UnsafeMutablePointer<Self>,
                      _ output: UnsafeMutablePointer<Self>)
  /// Inverse complex-to-real transform (unnormalised; destroys `input`).
  static func inverse(_ plan: FFTPlan, _ input: UnsafeMutablePointer<Self>,
                      _ output: UnsafeMutablePointer<Self>)
  /// Forward complex transform of `n` interleaved complex values (`input` is preserved).
  static func forwardComplex(_ plan: FFTPlan, _ input: UnsafeMutablePointer<Self>,
                             _ output: UnsafeMutablePointer<Self>)
  /// Makes a plan of `kind` with planner `flags`; called only under the cache lock.
  static func makePlan(size: Int, kind: FFTPlanKind, flags: UInt32) -> OpaquePointer?
  /// Adds FFTW wisdom (plans measured ahead of time); called only under the cache lock.
  static func importWisdom(_ wisdom: String)
  static var precisionTag: Int { get }
}

/// An FFTW plan from the cache. Plans are immutable and live until the process exits.
public struct FFTPlan: @unchecked Sendable {
  let raw: OpaquePointer
}

/// The transforms swiftspec plans: real ones of the frame size, and the forward complex
/// ones that Bluestein's algorithm runs (see Bluestein.swift).
public enum FFTPlanKind: Sendable {
  case realForward
  case realInverse
  case complexForward
}

extension Double: FFTScalar {
  public static func forward(_ plan: FFTPlan, _ input: UnsafeMutablePointer<Double>,
                             _ output: UnsafeMutablePointer<Double>) {
    UnsafeMutableRawPointer(output).withMemoryRebound(to: fftw_complex.self, capacity: 1) {
      fftw_execute_dft_r2c(plan.raw, input, $0)
    }
  }
  public static func inverse(_ plan: FFTPlan, _ input: UnsafeMutablePointer<Double>,
                             _ output: UnsafeMutablePointer<Double>) {
    UnsafeMutableRawPointer(input).withMemoryRebound(to: fftw_complex.self, capacity: 1) {
      fftw_execute_dft_c2r(plan.raw, $0, output)
    }
  }
  public static func forwardComplex(_ plan: FFTPlan, _ input: UnsafeMutablePointer<Double>,
                                    _ output: UnsafeMutablePointer<Double>) {
    UnsafeMutableRawPointer(input).withMemoryRebound(to: fftw_complex.self, capacity: 1) { i in
      UnsafeMutableRawPointer(output).withMemoryRebound(to: fftw_complex.self, capacity: 1) {
        fftw_execute_dft(plan.raw, i, $0)
      }
    }
  }
  public static func makePlan(size: Int, kind: FFTPlanKind, flags: UInt32) -> OpaquePointer? {
    planWithScratch(Double.self, size: size, kind: kind) { input, output in
      switch kind {
      case .realForward:
        output.withMemoryRebound(to: fftw_complex.self, capacity: size / 2 + 1) {
          fftw_plan_dft_r2c_1d(Int32(size), input, $0, flags)
        }
      case .realInverse:
        input.withMemoryRebound(to: fftw_complex.self, capacity: size / 2 + 1) {
          fftw_plan_dft_c2r_1d(Int32(size), $0, output, flags)
        }
      case .complexForward:
        input.withMemoryRebound(to: fftw_complex.self, capacity: size) { i in
          output.withMemoryRebound(to: fftw_complex.self, capacity: size) {
            fftw_plan_dft_1d(Int32(size), i, $0, FFTW_FORWARD, flags)
          }
        }
      }
    }
  }
  public static func importWisdom(_ wisdom: String) { _ = fftw_import_wisdom_from_string(wisdom) }
  public static var precisionTag: Int { 64 }
}

extension Float: FFTScalar {
  public static func forward(_ plan: FFTPlan, _ input: UnsafeMutablePointer<Float>,
                             _ output: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(output).withMemoryRebound(to: fftwf_complex.self, capacity: 1) {
      fftwf_execute_dft_r2c(plan.raw, input, $0)
    }
  }
  public static func inverse(_ plan: FFTPlan, _ input: UnsafeMutablePointer<Float>,
                             _ output: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(input).withMemoryRebound(to: fftwf_complex.self, capacity: 1) {
      fftwf_execute_dft_c2r(plan.raw, $0, output)
    }
  }
  public static func forwardComplex(_ plan: FFTPlan, _ input: UnsafeMutablePointer<Float>,
                                    _ output: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(input).withMemoryRebound(to: fftwf_complex.self, capacity: 1) { i in
      UnsafeMutableRawPointer(output).withMemoryRebound(to: fftwf_complex.self, capacity: 1) {
        fftwf_execute_dft(plan.raw, i, $0)
      }
    }
  }
  public static func makePlan(size: Int, kind: FFTPlanKind, flags: UInt32) -> OpaquePointer? {
    planWithScratch(Float.self, size: size, kind: kind) { input, output in
      switch kind {
      case .realForward:
        output.withMemoryRebound(to: fftwf_complex.self, capacity: size / 2 + 1) {
          fftwf_plan_dft_r2c_1d(Int32(size), input, $0, flags)
        }
      case .realInverse:
        input.withMemoryRebound(to: fftwf_complex.self, capacity: size / 2 + 1) {
          fftwf_plan_dft_c2r_1d(Int32(size), $0, output, flags)
        }
      case .complexForward:
        input.withMemoryRebound(to: fftwf_complex.self, capacity: size) { i in
          output.withMemoryRebound(to: fftwf_complex.self, capacity: size) {
            fftwf_plan_dft_1d(Int32(size), i, $0, FFTW_FORWARD, flags)
          }
        }
      }
    }
  }
  public static func importWisdom(_ wisdom: String) { _ = fftwf_import_wisdom_from_string(wisdom) }
  public static var precisionTag: Int { 32 }
}

/// Runs `make(input, output)` with aligned scratch arrays of the plan's shape (FFTW_ESTIMATE
/// never writes to them, but FFTW records their alignment).
private func planWithScratch<T: FFTScalar>(
  _: T.Type, size: Int, kind: FFTPlanKind,
  _ make: (UnsafeMutablePointer<T>, UnsafeMutablePointer<T>) -> OpaquePointer?
) -> OpaquePointer? {
  let complexCount = kind == .complexForward ? 2 * size : 2 * (size / 2 + 1)
  guard let real = AlignedBuffer<T>(count: kind == .complexForward ? 2 * size : size),
    let complex = AlignedBuffer<T>(count: complexCount)
  else { return nil }
  return kind == .realInverse ? make(complex.pointer, real.pointer) : make(real.pointer, complex.pointer)
}

/// A zero-initialised buffer with FFTW's SIMD alignment, freed on deinit.
public final class AlignedBuffer<T: BinaryFloatingPoint> {
  public let pointer: UnsafeMutablePointer<T>
  public let count: Int

  public init?(count: Int) {
    let (bytes, overflow) = max(count, 1).multipliedReportingOverflow(by: MemoryLayout<T>.stride)
    guard !overflow, let raw = fftw_malloc(bytes) else { return nil }
    memset(raw, 0, bytes)
    self.pointer = raw.bindMemory(to: T.self, capacity: max(count, 1))
    self.count = count
  }

  deinit { fftw_free(pointer) }
}

/// The process-wide cache of FFTW plans and Bluestein tables.
///
/// Plans come from wisdom measured ahead of time (FFTWisdom.swift, FFTW_PATIENT) for the
/// common sizes, else from FFTW_ESTIMATE. Both are deterministic: the same size gets the
/// same plan, hence the same bits, in every process. Nothing is measured at run time (a
/// measured 2048-point plan costs ~140 ms and may differ from run to run).
///
/// FFTW's planner is not thread-safe, so plans are made under a pthread mutex. Fork safety
/// is the C ABI's: its fork gate (fork_gate.c) lets fork() happen only while no thread
/// is inside a call, hence never while this mutex is held. (Swift callers that fork while
/// another thread calls into SwiftSpec get no such guarantee.)
final class PlanCache: @unchecked Sendable {
  private struct Key: Hashable {
    let size: Int
    let precision: Int
    let kind: FFTPlanKind
  }

  private let mutex: UnsafeMutablePointer<pthread_mutex_t>
  private var plans: [Key: FFTPlan] = [:]
  /// `BluesteinTables<F>` by (size, precision of F).
  private var bluesteinTables: [Key: AnyObject] = [:]

  init() {
    mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    pthread_mutex_init(mutex, nil)
    Double.importWisdom(embeddedWisdomDouble)
    Float.importWisdom(embeddedWisdomFloat)
  }

  func plan<T: FFTScalar>(_: T.Type, size: Int, kind: FFTPlanKind)
    throws(SpectrogramError) -> FFTPlan
  {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try lockedPlan(T.self, size: size, kind: kind)
  }

  /// The tables of Bluestein's algorithm for `size`-point transforms in precision `F`.
  func bluestein<F: FFTScalar>(_: F.Type, size: Int) throws(SpectrogramError)
    -> BluesteinTables<F>
  {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    let key = Key(size: size, precision: F.precisionTag, kind: .complexForward)
    if let cached = bluesteinTables[key] as? BluesteinTables<F> { return cached }
    let tables = try BluesteinTables<F>(size: size) { (length) throws(SpectrogramError) in
      (try lockedPlan(F.self, size: length, kind: .complexForward),
       try lockedPlan(Double.self, size: length, kind: .complexForward))
    }
    bluesteinTables[key] = tables
    return tables
  }

  private func lockedPlan<T: FFTScalar>(_: T.Type, size: Int, kind: FFTPlanKind)
    throws(SpectrogramError) -> FFTPlan
  {
    guard size > 0, size <= Int(Int32.max) else { throw .fftPlanFailed(size: size) }
    let key = Key(size: size, precision: T.precisionTag, kind: kind)
    if let cached = plans[key] { return cached }
    let fromWisdom = UInt32(FFTW_PATIENT) | UInt32(FFTW_WISDOM_ONLY)
    guard let raw = T.makePlan(size: size, kind: kind, flags: fromWisdom)
      ?? T.makePlan(size: size, kind: kind, flags: UInt32(FFTW_ESTIMATE))
    else { throw .fftPlanFailed(size: size) }
    let plan = FFTPlan(raw: raw)
    plans[key] = plan
    return plan
  }
}

let planCache = PlanCache()

/// FFTW's version string, e.g. `fftw-3.3.10-sse2-avx`.
public var fftwVersion: UnsafePointer<CChar> { cfftw_version_string() }
