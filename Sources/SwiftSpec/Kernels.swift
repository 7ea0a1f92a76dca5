// SPDX-License-Identifier: GPL-2.0-or-later
import CKernels

// The per-frame kernels of the C target CKernels (window, power spectrum, mel product,
// float32 log10 and dB), compiled for baseline x86-64, AVX2 and AVX-512 and chosen once
// when the library loads (SWIFTSPEC_SIMD may force a lower level). Every level gives
// identical bits. Type combinations without a C kernel run the same arithmetic in Swift.

/// The SIMD level of the kernels: "baseline", "avx2" or "avx512".
package var simdLevelName: UnsafePointer<CChar> { sspec_simd_level_name() }

@inline(__always)
private func cast<T, U>(_ pointer: UnsafePointer<T>, to _: U.Type) -> UnsafePointer<U> {
  UnsafeRawPointer(pointer).assumingMemoryBound(to: U.self)
}

@inline(__always)
private func cast<T, U>(_ pointer: UnsafeMutablePointer<T>, to _: U.Type)
  -> UnsafeMutablePointer<U>
{
  UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: U.self)
}

/// `out[i] = window[i] * F(samples[i])` for `i < count`; `out` may equal `samples`.
/// C kernels for (S, F) = (Float, Float), (Float, Double), (Double, Double).
@inline(__always)
func applyWindow<S: BinaryFloatingPoint, F: FFTScalar>(
  window: UnsafePointer<F>, samples: UnsafePointer<S>, into out: UnsafeMutablePointer<F>,
  count: Int
) {
  if F.self == Float.self && S.self == Float.self {
    sspec_window_ff(cast(window, to: Float.self), cast(samples, to: Float.self),
                    cast(out, to: Float.self), count)
  } else if F.self == Double.self && S.self == Float.self {
    sspec_window_fd(cast(window, to: Double.self), cast(samples, to: Float.self),
                    cast(out, to: Double.self), count)
  } else if F.self == Double.self && S.self == Double.self {
    sspec_window_dd(cast(window, to: Double.self), cast(samples, to: Double.self),
                    cast(out, to: Double.self), count)
  } else {
    for i in 0..<count { out[i] = window[i] * F(samples[i]) }
  }
}

/// The C power kernel for (F, O) = (Float, Float), (Double, Float), (Double, Double) and
/// power 2 (`magnitude` false) or 1 (true); false when the combination has none.
@inline(__always)
func powerSpectrumKernel<F: FFTScalar, O: BinaryFloatingPoint>(
  _ spectrum: UnsafePointer<F>, bins: Int, magnitude: Bool, into out: UnsafeMutablePointer<O>,
  stride: Int
) -> Bool {
  let flag: Int32 = magnitude ? 1 : 0
  if F.self == Float.self && O.self == Float.self {
    sspec_power_ff(cast(spectrum, to: Float.self), bins, flag, cast(out, to: Float.self), stride)
  } else if F.self == Double.self && O.self == Float.self {
    sspec_power_df(cast(spectrum, to: Double.self), bins, flag, cast(out, to: Float.self),
                   stride)
  } else if F.self == Double.self && O.self == Double.self {
    sspec_power_dd(cast(spectrum, to: Double.self), bins, flag, cast(out, to: Double.self),
                   stride)
  } else {
    return false
  }
  return true
}
