# SPDX-License-Identifier: GPL-2.0-or-later
"""What a run did: its counts, problems and warnings, and the report `main` prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, List, Tuple

from .convert import FileResult
from .settings import Settings


@dataclass
class Summary:
    """What a run did (also printed by `main`)."""

    out_dir: Path
    manifest: Path
    settings: Settings
    engine: str
    workers: int
    files: int = 0
    ok: int = 0
    skipped: int = 0
    empty: int = 0
    failed: int = 0
    clips_written: int = 0
    clips_kept: int = 0
    clips_total: int = 0
    elapsed: float = 0.0
    stale_removed: int = 0
    problems: List[Tuple[str, str, str]] = field(default_factory=list)  # (source, status, error)
    warnings: List[str] = field(default_factory=list)
    stopped: str = ""  # why the run stopped early ("": it did not)
    not_converted: int = 0  # files left undone by the stop
    manifest_error: str = ""  # why the manifest could not be written ("": it was)
    shards_total: int = 0  # --format shards: the shards of the packing
    shards_written: int = 0  # of which written by this run (the others were whole)

    @property
    def exit_status(self) -> int:
        """0 when every file converted (or was empty) and the manifest is written, else 1."""
        return 1 if self.failed or self.stopped or self.manifest_error else 0

    @property
    def processed(self) -> int:
        return self.ok + self.empty + self.failed

    @property
    def files_per_s(self) -> float:
        return self.processed / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def clips_per_s(self) -> float:
        return (self.clips_written + self.clips_kept) / self.elapsed if self.elapsed > 0 else 0.0

    def add_problem(self, source: str, status: str, error: str) -> None:
        """Count a source (or folder) that gave no outputs: ``status`` is 'empty',
        'error' or 'not converted'."""
        self.problems.append((source, status, error))
        self.empty += status == "empty"
        self.failed += status == "error"
        self.not_converted += status == "not converted"

    def add_converted(self, result: FileResult) -> None:
        self.ok += 1
        self.clips_written += result.written
        self.clips_kept += result.kept
        self.clips_total += len(result.rows)

    def add_warnings(self, messages: Iterable[str]) -> None:
        for message in messages:
            if message not in self.warnings:
                self.warnings.append(message)

    def report(self) -> str:
        if self.engine != "local":
            where = self.engine
        else:
            where = (
                "this process" if self.workers == 1 else f"{self.workers} local worker processes"
            )
        lines = [
            f"swiftspec images: {_plural(self.files, 'file')} -> {self.out_dir}",
            f"  {self.settings.describe()}",
            f"  converted {_plural(self.ok, 'file')} into "
            f"{_plural(self.clips_written + self.clips_kept, 'clip')}"
            + (f" ({self.clips_kept} already there)" if self.clips_kept else "")
            + f"; skipped {self.skipped} done before; {self.empty} empty; "
            f"{self.failed} failed",
            f"  {self.elapsed:.2f} s in {where}: {self.files_per_s:.2f} files/s, "
            f"{self.clips_per_s:.1f} clips/s",
            f"  outputs: {self.clips_total} in {self.out_dir}   manifest: {self.manifest}",
        ]
        if self.settings.format == "shards" and self.shards_total:
            lines.append(
                f"  packed into {_plural(self.shards_total, 'shard')} "
                f"({self.shards_written} written, "
                f"{self.shards_total - self.shards_written} already there)"
            )
        if self.stopped:
            lines.append(
                f"  STOPPED: {self.stopped}; {_plural(self.not_converted, 'file')} "
                "not converted. Make room and run the same command again to "
                "resume (finished outputs are kept)."
            )
        if self.manifest_error:
            lines.append(f"  the manifest could not be written: {self.manifest_error}")
        if self.stale_removed:
            lines.append(
                f"  removed {self.stale_removed} temporary files left by an interrupted run"
            )
        for source, status, error in self.problems[:20]:
            lines.append(f"  {status}: {source}: {error}")
        if len(self.problems) > 20:
            lines.append(
                f"  ... and {len(self.problems) - 20} more empty, failed or "
                "unconverted files (see the manifest)"
            )
        for message in self.warnings[:5]:
            lines.append(f"  warning: {message}")
        return "\n".join(lines)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")
