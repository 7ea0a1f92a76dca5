// SPDX-License-Identifier: GPL-2.0-or-later
//
// fork() must not happen while a thread is inside the library: the child would inherit
// whatever that thread was halfway through and nobody would finish it, e.g. a Swift
// runtime one-time initialisation (swift_once, generic metadata), which the child then
// waits for forever, or the FFTW plan-cache mutex. So every C-ABI call holds this gate
// for reading, and a pthread_atfork handler takes it for writing before fork(): the fork
// waits until the calls in flight return (none of them needs the forking thread), and
// the child starts with no call half done.
//
// A pthread rwlock, not a Swift lock: the atfork handlers take it in one callback and
// release it in another, which a scoped withLock cannot express, and it must be
// reinitialised in the child. (The Swift mutexes are pthread ones too: ForkSafeMutex.swift
// says why Synchronization.Mutex does not survive fork.)
#define _GNU_SOURCE
#include <pthread.h>

#include "fork_gate.h"

// Writer-preferring, so threads that keep calling in cannot starve a waiting fork.
// (Non-recursive: a call never enters the gate twice.)
#define GATE_INITIALIZER PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP

static pthread_rwlock_t gate = GATE_INITIALIZER;

int sspec_fork_gate_enter(void) { return pthread_rwlock_rdlock(&gate); }

void sspec_fork_gate_leave(void) { pthread_rwlock_unlock(&gate); }

static void close_gate(void) { pthread_rwlock_wrlock(&gate); }

static void reopen_gate_in_parent(void) { pthread_rwlock_unlock(&gate); }

// The child has one thread and a new thread id, which the lock's record of its writer
// would not match: start it afresh instead of unlocking.
static void reopen_gate_in_child(void) {
  static const pthread_rwlock_t fresh = GATE_INITIALIZER;
  gate = fresh;
}

// At load time, before any call: registration needs no lazy initialisation that a
// fork could interrupt.
__attribute__((constructor)) static void install_fork_gate(void) {
  pthread_atfork(close_gate, reopen_gate_in_parent, reopen_gate_in_child);
}
