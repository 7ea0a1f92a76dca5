// SPDX-License-Identifier: GPL-2.0-or-later
import CFFTW
#if canImport(Glibc)
import Glibc
#endif

/// A real FFT precision that FFTW provides: `Double` (fftw_*) or `Float` (fftwf_*).
///
/// Plans come from one process-wide cache (`PlanCache`); execution uses the new-array
/// execute functions on `AlignedBuffer`s, which have the alignment the plans assume.
package protocol FFTScalar: BinaryFloatingPoint, Sendable {
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
package struct FFTPlan: @unchecked Sendable {
  let raw: OpaquePointer
}

/// The transforms swiftspec plans: real ones of the frame size, and the forward complex
/// ones that Bluestein's algorithm runs (see Bluestein.swift).
package enum FFTPlanKind: Sendable {
  case realForward
  case realInverse
  case complexForward
}

extension Double: FFTScalar {
  package static func forward(_ plan: FFTPlan, _ input: UnsafeMutablePointer<Double>,
                             _ output: UnsafeMutablePointer<Double>) {
    UnsafeMutableRawPointer(output).withMemoryRebound(to: fftw_complex.self, capacity: 1) {
      fftw_execute_dft_r2c(plan.raw, input, $0)
    }
  }
  package static func inverse(_ plan: FFTPlan, _ input: UnsafeMutablePointer<Double>,
                             _ output: UnsafeMutablePointer<Double>) {
    UnsafeMutableRawPointer(input).withMemoryRebound(to: fftw_complex.self, capacity: 1) {
      fftw_execute_dft_c2r(plan.raw, $0, output)
    }
  }
  package static func forwardComplex(_ plan: FFTPlan, _ input: UnsafeMutablePointer<Double>,
                                    _ output: UnsafeMutablePointer<Double>) {
    UnsafeMutableRawPointer(input).withMemoryRebound(to: fftw_complex.self, capacity: 1) { i in
      UnsafeMutableRawPointer(output).withMemoryRebound(to: fftw_complex.self, capacity: 1) {
        fftw_execute_dft(plan.raw, i, $0)
      }
    }
  }
  package static func makePlan(size: Int, kind: FFTPlanKind, flags: UInt32) -> OpaquePointer? {
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
  package static func importWisdom(_ wisdom: String) { _ = fftw_import_wisdom_from_string(wisdom) }
  package static var precisionTag: Int { 64 }
}

extension Float: FFTScalar {
  package static func forward(_ plan: FFTPlan, _ input: UnsafeMutablePointer<Float>,
                             _ output: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(output).withMemoryRebound(to: fftwf_complex.self, capacity: 1) {
      fftwf_execute_dft_r2c(plan.raw, input, $0)
    }
  }
  package static func inverse(_ plan: FFTPlan, _ input: UnsafeMutablePointer<Float>,
                             _ output: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(input).withMemoryRebound(to: fftwf_complex.self, capacity: 1) {
      fftwf_execute_dft_c2r(plan.raw, $0, output)
    }
  }
  package static func forwardComplex(_ plan: FFTPlan, _ input: UnsafeMutablePointer<Float>,
                                    _ output: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(input).withMemoryRebound(to: fftwf_complex.self, capacity: 1) { i in
      UnsafeMutableRawPointer(output).withMemoryRebound(to: fftwf_complex.self, capacity: 1) {
        fftwf_execute_dft(plan.raw, i, $0)
      }
    }
  }
  package static func makePlan(size: Int, kind: FFTPlanKind, flags: UInt32) -> OpaquePointer? {
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
  package static func importWisdom(_ wisdom: String) { _ = fftwf_import_wisdom_from_string(wisdom) }
  package static var precisionTag: Int { 32 }
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
