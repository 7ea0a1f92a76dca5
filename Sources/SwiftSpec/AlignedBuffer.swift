// SPDX-License-Identifier: GPL-2.0-or-later
import CFFTW
#if canImport(Glibc)
import Glibc
#endif

/// A zero-initialised buffer with FFTW's SIMD alignment, freed on deinit.
package final class AlignedBuffer<T: BinaryFloatingPoint> {
  package let pointer: UnsafeMutablePointer<T>
  package let count: Int

  package init?(count: Int) {
    let (bytes, overflow) = max(count, 1).multipliedReportingOverflow(by: MemoryLayout<T>.stride)
    guard !overflow, let raw = fftw_malloc(bytes) else { return nil }
    memset(raw, 0, bytes)
    self.pointer = raw.bindMemory(to: T.self, capacity: max(count, 1))
    self.count = count
  }

  deinit { fftw_free(pointer) }
}
