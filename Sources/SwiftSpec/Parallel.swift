// SPDX-License-Identifier: GPL-2.0-or-later
#if canImport(Glibc)
import Glibc
#endif

/// The number of online CPUs (at least 1).
package var onlineCPUCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

private final class ThreadBody: @unchecked Sendable {
  let run: () -> Void
  init(_ run: @escaping () -> Void) { self.run = run }
}

/// Hands out consecutive pieces of `0..<count` to the threads of one `parallelWork`
/// call, in order, until none is left (or a thread has failed).
///
/// Threads take pieces as they go instead of a fixed share each, so a thread slowed down
/// (a shared VM's other tenants, an interrupt) does not leave the others idle at the end.
/// Piece boundaries depend only on `count`, `threads` and `minimumChunk`, never on timing.
package final class WorkQueue: Sendable {
  private struct Progress {
    var cursor = 0
    var cancelled = false
  }

  private let count: Int
  private let pieceSize: Int
  private let progress = ForkSafeMutex(Progress())

  init(count: Int, pieceSize: Int) {
    self.count = count
    self.pieceSize = pieceSize
  }

  /// The next piece, or nil when the work is done or cancelled.
  package func next() -> Range<Int>? {
    progress.withLock { progress in
      guard !progress.cancelled, progress.cursor < count else { return nil }
      let start = progress.cursor
      progress.cursor += min(pieceSize, count - start)
      return start..<progress.cursor
    }
  }

  func cancel() {
    progress.withLock { $0.cancelled = true }
  }
}

/// Pieces per thread: enough to even out threads that run at different speeds, few
/// enough that per-piece costs stay negligible.
private let piecesPerThread = 8

/// Runs `worker` on up to `threads` threads created for this call (fork-safe: no pool
/// outlives the call); the workers share a `WorkQueue` over `0..<count` whose pieces
/// hold at least `minimumChunk` items. A worker does its per-thread setup (scratch
/// buffers), then loops over `queue.next()`.
///
/// Runs inline, with the whole range as one piece, when one thread suffices or a
/// thread cannot be created. Rethrows the first error a worker throws, after every
/// worker has finished (the queue hands out no piece after an error).
package func parallelWork(
  count: Int, threads: Int, minimumChunk: Int = 1,
  _ worker: (WorkQueue) throws(SpectrogramError) -> Void
) throws(SpectrogramError) {
  guard count > 0 else { return }
  let minimum = max(1, minimumChunk)
  let workers = max(1, min(threads, count / minimum))
  if workers == 1 { return try worker(WorkQueue(count: count, pieceSize: count)) }
  // Pieces are whole multiples of `minimumChunk` (blocks of frames stay whole).
  let size = max(minimum, count / (workers * piecesPerThread) + 1)
  let queue = WorkQueue(count: count, pieceSize: size + (minimum - size % minimum) % minimum)

  let errors = UnsafeMutableBufferPointer<SpectrogramError?>.allocate(capacity: workers)
  errors.initialize(repeating: nil)
  defer { errors.deallocate() }
  try withoutActuallyEscaping(worker) { (worker) throws(SpectrogramError) in
    var handles: [pthread_t?] = []
    for index in 0..<workers {
      let work = ThreadBody {
        do throws(SpectrogramError) { try worker(queue) } catch {
          errors[index] = error
          queue.cancel()
        }
      }
      if index == workers - 1 {
        work.run()  // the calling thread is the last worker
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

/// Runs `body` on every piece of `0..<count` (see `parallelWork`), on up to `threads`
/// threads; `body` must not depend on how the range is cut.
package func parallelChunks(
  count: Int, threads: Int, minimumChunk: Int = 1,
  _ body: (Range<Int>) throws(SpectrogramError) -> Void
) throws(SpectrogramError) {
  try parallelWork(count: count, threads: threads, minimumChunk: minimumChunk) {
    (queue) throws(SpectrogramError) in
    while let piece = queue.next() { try body(piece) }
  }
}
