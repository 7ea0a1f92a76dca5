# SPDX-License-Identifier: GPL-2.0-or-later
"""The default number of native threads per call."""

from __future__ import annotations

import os
import sys
from typing import Optional

from .exceptions import ParameterError

_explicit: Optional[int] = None  # set by set_num_threads
_in_forked_child = False


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _after_fork_in_child() -> None:
    # A forked DataLoader worker should not multiply threads by workers: one thread
    # each unless the user chose a number.
    global _in_forked_child
    _in_forked_child = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def set_num_threads(n: Optional[int]) -> None:
    """Set the default number of threads swiftspec uses per call.

    Parameters
    ----------
    n : int > 0 or None
        The number of threads; ``None`` restores the default (the available cores, or 1
        inside a child process of a fork or of multiprocessing).
    """
    global _explicit
    _explicit = _checked(n)


def get_num_threads() -> int:
    """The default number of threads swiftspec uses per call."""
    if _explicit is not None:
        return _explicit
    return 1 if _in_forked_child or _in_spawned_child() else available_cores()


def _in_spawned_child() -> bool:
    """A worker process started by multiprocessing with spawn or forkserver (as a
    DataLoader may be): like a forked one, it gets one thread unless set."""
    multiprocessing = sys.modules.get("multiprocessing")  # a child has imported it
    return multiprocessing is not None and multiprocessing.parent_process() is not None


def resolve(n_threads: Optional[int]) -> int:
    """The thread count for one call: ``n_threads`` if given, else the default."""
    n_threads = _checked(n_threads)
    if n_threads is None:
        return min(get_num_threads(), 1024)  # set_num_threads accepts any size
    return min(n_threads, 1024)


def _checked(n_threads: Optional[int]) -> Optional[int]:
    """``n_threads`` if it is None or a positive int, else ParameterError naming it."""
    if n_threads is not None and (
        isinstance(n_threads, bool) or not isinstance(n_threads, int) or n_threads < 1
    ):
        raise ParameterError(f"n_threads={n_threads!r} must be a positive integer or None")
    return n_threads
