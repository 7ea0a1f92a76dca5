# SPDX-License-Identifier: GPL-2.0-or-later
"""``--format shards``: the clips of a run packed into a few large ``.npy`` arrays.

Workers convert each recording into a staging array (``OUT/.swiftspec/staging/<stem>.npy``,
its clips' rows, written and journaled like any output). Once every file is converted,
the coordinator packs the clips in manifest order (source path, then clip) into
``OUT/shard_00000.npy``, ``OUT/shard_00001.npy``, ... of `rows_per_shard` rows each (the
last one fewer). So the shards depend on the inputs and settings only, never on the
number of workers or the order in which they finished.

Each shard is filled in memory (at most ``shard_size`` bytes: the coordinator holds one
shard at a time), written to a temporary name and renamed, then recorded in
``OUT/.swiftspec/shards.jsonl`` (its name and the ``[source, size, mtime_ns, clip]`` of
each row). Staging arrays are deleted once their clips are in recorded shards. A re-run
keeps every recorded shard whose file exists and whose rows are the clips it would hold
now, and writes the others, taking clips from the staging arrays or from the old shards
(`_ClipReader`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Set, Tuple

import numpy as np

from .journal import STAGING_DIR, Entry, OutputState
from .writers import atomic_write, npy_writer

if TYPE_CHECKING:
    from .settings import Settings
    from .summary import Summary

SHARD_NAME = re.compile(r"shard_(\d{5,})\.npy")

#: A row's identity: [source, size, mtime_ns, clip] (the source's signature included, so
#: that a changed recording never matches its old rows).
ClipId = List[Any]


def shard_name(index: int) -> str:
    return f"shard_{index:05d}.npy"


def rows_per_shard(settings: Settings, shape: Tuple[int, ...]) -> int:
    """Rows of ``shape`` in one shard: as many as fit in ``settings.shard_size`` bytes
    (at least one)."""
    row_bytes = int(np.prod(shape)) * np.dtype(settings.shard_dtype).itemsize
    return max(1, settings.shard_size // row_bytes)


@dataclass(frozen=True)
class _Clip:
    source: str
    position: int  # its row in the source's staging array
    last: bool  # the source's last clip
    row: List[Any]  # its journal row [clip, start_s, audio_s, output, shape]
    identity: ClipId


def _clips(done: Dict[str, Entry]) -> List[_Clip]:
    """Every clip of the converted sources ``done``, in packing (manifest) order."""
    clips = []
    for source in sorted(done):
        entry = done[source]
        rows = sorted(entry["rows"], key=lambda row: row[0])
        for position, row in enumerate(rows):
            clips.append(
                _Clip(
                    source,
                    position,
                    position == len(rows) - 1,
                    row,
                    [source, *entry["signature"], row[0]],
                )
            )
    return clips


def _recorded_rows(
    out_dir: Path, record: Dict[str, Entry]
) -> Dict[Tuple[Any, ...], Tuple[str, int]]:
    """identity -> (shard, row) of the rows of recorded shards whose file exists."""
    rows = {}
    for name, entry in record.items():
        if (out_dir / name).is_file():
            for row, identity in enumerate(entry["clips"]):
                rows[tuple(identity)] = (name, row)
    return rows


def packed_sources(out_dir: Path, record: Dict[str, Entry], journal: Dict[str, Entry]) -> Set[str]:
    """The journal's sources whose clips are all in recorded shards on disk."""
    rows = _recorded_rows(out_dir, record)
    return {
        source
        for source, entry in journal.items()
        if entry["rows"]
        and all((source, *entry["signature"], row[0]) in rows for row in entry["rows"])
    }


def finish(
    out_dir: Path, settings: Settings, done: Dict[str, Entry], state: OutputState, summary: Summary
) -> List[List[Any]]:
    """Pack the clips of ``done`` into shards, unless the run stopped; return the
    manifest rows (clips not in a shard point at their staging array)."""
    clips = _clips(done)
    if not summary.stopped:
        try:
            _pack(out_dir, settings, clips, state, summary)
        except (OSError, ValueError) as error:
            summary.stopped = f"cannot pack the shards: {type(error).__name__}: {error}"
    located = _recorded_rows(out_dir, state.read_shards())
    rows = []
    for clip in clips:
        output, row = located.get(tuple(clip.identity), (clip.row[3], clip.position))
        rows.append([clip.source, *clip.row[:3], output, clip.row[4], "ok", "", row])
    return rows


def _pack(
    out_dir: Path, settings: Settings, clips: List[_Clip], state: OutputState, summary: Summary
) -> None:
    record = state.read_shards()
    shape = tuple(int(n) for n in clips[0].row[4].split("x")) if clips else ()
    per_shard = rows_per_shard(settings, shape) if clips else 1
    with _ClipReader(out_dir, record, clips) as reader:
        new_record = []
        for index, first in enumerate(range(0, len(clips), per_shard)):
            part = clips[first : first + per_shard]
            entry: Entry = {"name": shard_name(index), "clips": [c.identity for c in part]}
            new_record.append(entry)
            summary.shards_total += 1
            if (
                record.get(entry["name"], {}).get("clips") != entry["clips"]
                or not (out_dir / entry["name"]).is_file()
            ):
                shard = np.empty((len(part), *shape), dtype=settings.shard_dtype)
                for row, clip in enumerate(part):
                    shard[row] = reader.read(clip)
                reader.before_replacing(entry["name"])
                atomic_write(out_dir / entry["name"], npy_writer(shard))
                del shard
                state.append_shard(entry)
                summary.shards_written += 1
            for clip in part:
                reader.packed(clip)
    # Shards past the last one: a former run had more clips.
    for path in sorted(out_dir.glob("shard_*.npy")):
        match = SHARD_NAME.fullmatch(path.name)
        if match and int(match.group(1)) >= len(new_record):
            path.unlink()
    if list(record.values()) != new_record:
        state.rewrite_shards(new_record)
    shutil.rmtree(out_dir / STAGING_DIR, ignore_errors=True)


class _ClipReader:
    """The rows of clips, from their staging array or from the shards recorded before
    this packing.

    An old shard is memory-mapped when first read, or just before a new shard replaces
    it if rows still to pack are in it (the map keeps the old file's data after the
    rename), and closed when no row still to pack is in it: few are open at a time.
    """

    def __init__(self, out_dir: Path, record: Dict[str, Entry], clips: List[_Clip]) -> None:
        self.out_dir = out_dir
        self.old_rows = _recorded_rows(out_dir, record)
        self.needed: Counter[str] = Counter(
            self.old_rows[key][0]
            for key in (tuple(c.identity) for c in clips)
            if key in self.old_rows
        )
        self.old_shards: Dict[str, np.ndarray] = {}
        self.staged: Optional[Tuple[str, np.ndarray]] = None  # the one staging array open

    def __enter__(self) -> _ClipReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.staged = None
        self.old_shards.clear()

    def read(self, clip: _Clip) -> np.ndarray:
        path = self.out_dir / clip.row[3]
        if self.staged is None or self.staged[0] != clip.source:
            self.staged = None
            if path.is_file():
                self.staged = (clip.source, np.load(path, mmap_mode="r"))
        if self.staged is not None:
            return self.staged[1][clip.position]
        found = self.old_rows.get(tuple(clip.identity))
        if found is None:
            raise ValueError(
                f"the clips of {clip.source} are neither staged nor in a "
                "shard: run again with --overwrite"
            )
        name, row = found
        return self._old_shard(name)[row]

    def _old_shard(self, name: str) -> np.ndarray:
        if name not in self.old_shards:
            self.old_shards[name] = np.load(self.out_dir / name, mmap_mode="r")
        return self.old_shards[name]

    def before_replacing(self, name: str) -> None:
        """Map the old shard ``name`` if rows still to pack are in it."""
        if self.needed[name] > 0:
            self._old_shard(name)

    def packed(self, clip: _Clip) -> None:
        """``clip`` is in a recorded shard: close an old shard no longer needed, and
        delete the staging array of ``clip``'s source after its last clip."""
        found = self.old_rows.get(tuple(clip.identity))
        if found is not None:
            self.needed[found[0]] -= 1
            if self.needed[found[0]] == 0:
                self.old_shards.pop(found[0], None)
        if clip.last:
            if self.staged is not None and self.staged[0] == clip.source:
                self.staged = None
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.out_dir / clip.row[3])
