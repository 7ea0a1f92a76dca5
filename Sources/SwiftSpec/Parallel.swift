// SPDX-License-Identifier: GPL-2.0-or-later
#if canImport(Glibc)
import Glibc
#endif

/// The number of online CPUs (at least 1).
public var onlineCPUCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

private final class ThreadBody: @unchecked Sendable {
  let run: () -> Void
  init(_ run: @escaping () -> Void) { self.run = run }
}

/// Splits `0..<count` into at most `threads` contiguous chunks and runs `body` on each,
/// on threads created for this call (fork-safe: no pool outlives the call).
///
/// Runs inline when one chunk suffices or a thread cannot be created. Rethrows the
/// first error a chunk throws, after every chunk has finished.
public func parallelChunks(
  count: Int, threads: Int, minimumChunk: Int = 1,
  _ body: (Range<Int>) throws(SpectrogramError) -> Void
) throws(SpectrogramError) {
  guard count > 0 else { return }
  let chunks = max(1, min(threads, count / max(1, minimumChunk)))
  if chunks == 1 { return try body(0..<count) }

  let errors = UnsafeMutableBufferPointer<SpectrogramError?>.allocate(capacity: chunks)
  errors.initialize(repeating: nil)
  defer { errors.deallocate() }
  try withoutActuallyEscaping(body) { (body) throws(SpectrogramError) in
    var handles: [pthread_t?] = []
    for chunk in 0..<chunks {
      let range = chunkStart(chunk, of: chunks, count: count)
        ..< chunkStart(chunk + 1, of: chunks, count: count)
      let work = ThreadBody {
        do throws(SpectrogramError) { try body(range) } catch { errors[chunk] = error }
      }
      if chunk == chunks - 1 {
        work.run()  // the calling thread takes the last chunk
        continue
      }
      var handle = pthread_t()
      let context = Unmanaged.passRetained(work).toOpaque()
      let started = pthread_create(&handle, nil, { context in
        guard let context else { return nil }
        Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue().run()
        return nil
      }, context)
      if started == 0 {
        handles.append(handle)
      } else {
        Unmanaged<ThreadBody>.fromOpaque(context).release()
        work.run()
      }
    }
    for case let handle? in handles { pthread_join(handle, nil) }
  }
  for case let error? in errors { throw error }
}

/// `count * chunk / chunks` without overflowing for huge counts (chunk <= chunks).
private func chunkStart(_ chunk: Int, of chunks: Int, count: Int) -> Int {
  chunks.dividingFullWidth(count.multipliedFullWidth(by: chunk)).quotient
}
