// SPDX-License-Identifier: GPL-2.0-or-later

/// Why a swiftspec computation was refused.
///
/// The C shims map each case to one pinned status code of `swiftspec.h`.
public enum SpectrogramError: Error, Equatable, Sendable {
  /// An argument is out of its documented range; the message names it.
  case invalidArgument(String)
  /// The signal is too short for even one frame (`n` padded samples, `frameLength` needed).
  case inputTooShort(n: Int, frameLength: Int)
  /// The audio contains NaN or an infinity.
  case nonFiniteInput
  /// A scratch allocation failed.
  case outOfMemory
  /// FFTW could not create a plan of this size.
  case fftPlanFailed(size: Int)
  /// A size computed from the arguments does not fit in `Int`.
  case sizeOverflow
  /// A required pointer was null (C callers only).
  case nullPointer
  /// An output capacity is smaller than the result (C callers only).
  case bufferTooSmall(needed: Int)
}

/// Multiplies sizes, throwing instead of trapping on overflow.
@inlinable
package func checkedProduct(_ factors: Int...) throws(SpectrogramError) -> Int {
  var result = 1
  for factor in factors {
    guard factor >= 0 else { throw .invalidArgument("negative size \(factor)") }
    let (product, overflow) = result.multipliedReportingOverflow(by: factor)
    guard !overflow else { throw .sizeOverflow }
    result = product
  }
  return result
}
