// SPDX-License-Identifier: GPL-2.0-or-later
// Internal to libswiftspec.so (not exported: see exports.map).
#ifndef SWIFTSPEC_FORK_GATE_H
#define SWIFTSPEC_FORK_GATE_H

/* Every C-ABI call holds the fork gate while it runs; fork() waits at the gate until no
 * thread is inside the library. Returns 0 when the gate is held (then call leave). */
int sspec_fork_gate_enter(void);
void sspec_fork_gate_leave(void);

#endif
