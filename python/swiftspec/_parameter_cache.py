# SPDX-License-Identifier: GPL-2.0-or-later
"""Bounded caches of what validating a parameter set gives.

Validating parameters and building windows and bases costs more than analysing a short
clip, so the public functions keep what depends only on their parameters (never on the
audio's values) in a `ParameterCache`, keyed by `typed` parameters. (The FFT plans
themselves are cached by the engine.)
"""

from __future__ import annotations

from typing import Any, Dict, Hashable, Optional, Tuple, TypeVar

Entry = TypeVar("Entry")


def typed(*values: Any) -> Tuple[Any, ...]:
    """A cache key for ``values`` that tells their types apart as well as their values:
    ``True == 1`` and ``np.float64(2.0) == 2.0``, but they validate differently."""
    return values + tuple(map(type, values))


class ParameterCache(Dict[Hashable, Entry]):
    """A bounded dict from parameter sets to their validated form, shared by threads
    without a lock.

    Look an entry up with ``cache[key]``: KeyError if it is not cached, TypeError if the
    key cannot be hashed (an array among the parameters; such keys are never cached).
    Lookups and inserts are single dict operations, atomic under the GIL, and a full cache
    is cleared rather than trimmed: entries are cheap to rebuild.
    """

    def __init__(self, max_size: int = 64) -> None:
        super().__init__()
        self.max_size = max_size

    def put(self, key: Optional[Hashable], entry: Entry) -> None:
        """Cache ``entry`` under ``key`` (None: not cacheable)."""
        if key is None:
            return
        if len(self) >= self.max_size:
            self.clear()
        try:
            self[key] = entry
        except TypeError:  # unhashable
            pass
