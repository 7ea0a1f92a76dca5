// SPDX-License-Identifier: GPL-2.0-or-later
#if canImport(Glibc)
import Glibc
#endif

/// A value guarded by a pthread mutex, with `Synchronization.Mutex`'s `withLock` shape.
///
/// Not `Synchronization.Mutex`: on Linux it is a priority-inheritance futex holding the
/// owner's thread ID, which it caches per thread. A child forked by a thread that has
/// locked one before gets the parent's cached ID, and its next contended lock traps
/// ("Unknown error occurred while attempting to acquire a Mutex"), killing the process:
/// test_reliability.py's fork storm hit it in about one run in twelve. A pthread mutex
/// keeps no thread ID, and the fork gate (fork_gate.c) ensures none is held at fork.
final class ForkSafeMutex<Value>: @unchecked Sendable {
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private var value: Value

  init(_ value: Value) {
    self.value = value
    pthread_mutex_init(mutex, nil)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try body(&value)
  }
}
