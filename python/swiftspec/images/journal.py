# SPDX-License-Identifier: GPL-2.0-or-later
"""OUT/.swiftspec: what makes a run resumable.

The lock (one run per output folder), the settings the outputs were made with, and the
journal: one JSON line per finished source file (its signature, output stem and clip
rows), appended as each file finishes. With ``--format shards`` also the staging arrays
(one per converted recording, until packed) and the shard record: one JSON line per
shard written, naming the clips in its rows.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Dict, List, Optional, TextIO

from ..exceptions import ParameterError
from .writers import atomic_write

if TYPE_CHECKING:
    from .settings import Settings

STATE_DIR = ".swiftspec"
JOURNAL = "journal.jsonl"
SETTINGS_FILE = "settings.json"
LOCK_FILE = "lock"
SHARD_RECORD = "shards.jsonl"
STAGING_DIR = f"{STATE_DIR}/staging"

#: A journal line: {"source", "signature": [size, mtime_ns], "stem", "rows"}.
Entry = Dict[str, Any]


def journal_entry(source: str, signature: List[int], stem: str, rows: List[List[Any]]) -> Entry:
    return {"source": source, "signature": signature, "stem": stem, "rows": rows}


def finished_outputs(
    entry: Optional[Entry], signature: List[int], stem: str
) -> Optional[List[str]]:
    """The outputs ``entry`` lists if it is about this very file (same signature and
    stem), else None: the file must be converted again."""
    if entry and entry.get("signature") == signature and entry.get("stem") == stem:
        return [row[3] for row in entry["rows"]]
    return None


def staged_output(stem: str) -> str:
    """Where ``--format shards`` stages a recording's clips (relative to OUT)."""
    return f"{STAGING_DIR}/{stem}.npy"


def _read_lines(path: Path) -> List[Entry]:
    """The JSON objects of a JSON-lines file; a line cut short by a kill is ignored."""
    entries = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if isinstance(entry, dict):
                    entries.append(entry)
    except FileNotFoundError:
        pass
    return entries


def _jsonl(entries: List[Entry]) -> bytes:
    return "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in entries).encode()


class OutputState:
    """OUT/.swiftspec: the lock, the settings and the journal of finished files.

    ``with OutputState(out_dir) as state:`` holds the lock for the run.
    """

    def __init__(self, out_dir: Path) -> None:
        self.dir = out_dir / STATE_DIR
        self.dir.mkdir(parents=True, exist_ok=True)
        self.journal_path = self.dir / JOURNAL
        self.settings_path = self.dir / SETTINGS_FILE
        self.shard_record_path = self.dir / SHARD_RECORD
        self._lock: Optional[BinaryIO] = None
        self._journal: Optional[TextIO] = None
        self.journal_lines = 0  # lines found by read_journal
        self.journal_appended = 0  # lines appended by this run

    def __enter__(self) -> OutputState:
        self.lock()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def lock(self) -> None:
        import fcntl

        self._lock = open(self.dir / LOCK_FILE, "a+b")  # noqa: SIM115 - held for the run
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            self._lock.close()
            self._lock = None
            raise ParameterError(
                f"another swiftspec run is writing to {self.dir.parent}"
            ) from error

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def check_settings(self, settings: Settings, overwrite: bool) -> None:
        """Record ``settings``, refusing other settings than the folder's (unless
        ``overwrite``, which also forgets the journal: every file is redone)."""
        wanted = settings.as_json()
        try:
            found = json.loads(self.settings_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            found = None
        except (OSError, ValueError):
            found = {}
        if isinstance(found, dict) and found:
            found = settings.completed(found)
        if found == wanted and not overwrite:
            return
        if found is not None and found != wanted and not overwrite:
            changed = sorted(k for k in set(found) | set(wanted) if found.get(k) != wanted.get(k))
            details = ", ".join(f"{k} {found.get(k)!r} -> {wanted.get(k)!r}" for k in changed)
            raise ParameterError(
                f"{self.dir.parent} holds outputs made with other settings ({details}): "
                "choose another OUT, or pass --overwrite to redo every file"
            )
        # New settings: forget the old journal first, so that a kill in between never
        # pairs old outputs with new settings.
        atomic_write(self.journal_path, lambda f: None)
        atomic_write(self.shard_record_path, lambda f: None)
        text = json.dumps(wanted, indent=2, sort_keys=True) + "\n"
        atomic_write(self.settings_path, lambda f: f.write(text.encode("utf-8")))

    def read_journal(self) -> Dict[str, Entry]:
        """source -> its latest entry; a line cut short by a kill is ignored."""
        entries: Dict[str, Entry]
        entries, lines = {}, 0
        try:
            with open(self.journal_path, encoding="utf-8") as f:
                for line in f:
                    lines += 1
                    try:
                        entry = json.loads(line)
                        entries[entry["source"]] = entry
                    except (ValueError, KeyError, TypeError):
                        continue
        except FileNotFoundError:
            pass
        self.journal_lines = lines
        return entries

    def read_shards(self) -> Dict[str, Entry]:
        """shard file name -> its latest record ``{"name", "clips": [[source, size,
        mtime_ns, clip], ...]}`` (row order)."""
        return {
            e["name"]: e
            for e in _read_lines(self.shard_record_path)
            if isinstance(e.get("name"), str) and isinstance(e.get("clips"), list)
        }

    def append_shard(self, entry: Entry) -> None:
        """Record a shard once its file is in place (a kill before leaves it unrecorded:
        it is written again)."""
        with open(self.shard_record_path, "ab") as f:
            if f.tell() > 0:
                with open(self.shard_record_path, "rb") as check:
                    check.seek(-1, os.SEEK_END)
                    if check.read(1) != b"\n":
                        f.write(b"\n")
            f.write(_jsonl([entry]))

    def rewrite_shards(self, entries: List[Entry]) -> None:
        """Replace the shard record by ``entries`` (the shards of the finished packing)."""
        data = _jsonl(entries)
        atomic_write(self.shard_record_path, lambda f: f.write(data))

    def append(self, entry: Entry) -> None:
        if self._journal is None:
            self._journal = open(self.journal_path, "a", encoding="utf-8")  # noqa: SIM115
            # A line cut short by a kill must not swallow the next one.
            if self._journal.tell() > 0:
                with open(self.journal_path, "rb") as f:
                    f.seek(-1, os.SEEK_END)
                    if f.read(1) != b"\n":
                        self._journal.write("\n")
        try:
            self._journal.write(json.dumps(entry, separators=(",", ":")) + "\n")
            self._journal.flush()
        except OSError:
            # Drop the unwritten tail: a partial line is ignored by read_journal.
            with contextlib.suppress(OSError):
                self._journal.close()
            self._journal = None
            raise
        self.journal_appended += 1

    def compact(self, entries: Dict[str, Entry]) -> None:
        """Rewrite the journal with one line per source if it has more."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self.journal_lines + self.journal_appended == len(entries):
            return
        text = "".join(
            json.dumps(entries[k], separators=(",", ":")) + "\n" for k in sorted(entries)
        )
        atomic_write(self.journal_path, lambda f: f.write(text.encode("utf-8")))
