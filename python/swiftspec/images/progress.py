# SPDX-License-Identifier: GPL-2.0-or-later
"""The progress bar of a run, on stderr."""

from __future__ import annotations

import sys
import time
from typing import Any

from .convert import FileResult


class Progress:
    """A progress bar on stderr: tqdm's if installed, else a plain status line."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled = total, enabled
        self.files = self.clips = self.failed = 0
        self.start = self.last = time.perf_counter()
        self.bar: Any = None  # a tqdm bar (tqdm is optional)
        if enabled and total:
            try:
                from tqdm import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self.bar = tqdm(
                    total=total,
                    unit="file",
                    file=sys.stderr,
                    dynamic_ncols=True,
                    desc="swiftspec images",
                )

    def update(self, result: FileResult) -> None:
        self.files += 1
        self.clips += result.written + result.kept
        self.failed += result.status == "error"
        if not self.enabled or not self.total:
            return
        now = time.perf_counter()
        rate = self.clips / max(now - self.start, 1e-9)
        if self.bar is not None:
            self.bar.set_postfix_str(f"{rate:.1f} clips/s, {self.failed} failed", refresh=False)
            self.bar.update(1)
            return
        tty = sys.stderr.isatty()
        if now - self.last >= (0.2 if tty else 10.0) or self.files == self.total:
            self.last = now
            elapsed = max(now - self.start, 1e-9)
            line = (
                f"swiftspec images: {self.files}/{self.total} files, {self.clips} clips, "
                f"{self.files / elapsed:.1f} files/s, {rate:.1f} clips/s, "
                f"{self.failed} failed"
            )
            sys.stderr.write(("\r" + line) if tty else (line + "\n"))
            sys.stderr.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.enabled and self.total and sys.stderr.isatty():
            sys.stderr.write("\n")
            sys.stderr.flush()
