# SPDX-License-Identifier: GPL-2.0-or-later
"""OUT/manifest.csv: one row per clip, and one per empty, failed or unconverted file.

``row`` is the clip's row in ``output`` when that holds several clips (``--format
shards``), else empty.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Iterable, List, Optional, Sequence, Tuple

from .writers import atomic_write

MANIFEST = "manifest.csv"
MANIFEST_FIELDS = (
    "source",
    "clip",
    "start_s",
    "audio_s",
    "output",
    "shape",
    "status",
    "error",
    "row",
)


def clip_rows(
    source: str, rows: Iterable[Sequence[Any]], output_rows: Optional[Sequence[Any]] = None
) -> List[List[Any]]:
    """Manifest rows of a converted file from its ``[clip, start_s, audio_s, output,
    shape]`` rows (and each clip's row in its output, if it shares it)."""
    rows = list(rows)
    positions = [""] * len(rows) if output_rows is None else output_rows
    return [[source, *row, "ok", "", position] for row, position in zip(rows, positions)]


def manifest_text(clips: Iterable[Sequence[Any]], problems: Iterable[Tuple[str, str, str]]) -> str:
    """The CSV of ``clips`` (from `clip_rows`) and ``problems`` ``(source, status,
    error)``, sorted by source then clip (a file's problem row first)."""
    rows = [
        *clips,
        *([source, "", "", "", "", "", status, error, ""] for source, status, error in problems),
    ]
    rows.sort(key=lambda r: (r[0], -1 if r[1] == "" else int(r[1])))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MANIFEST_FIELDS)
    writer.writerows(rows)
    return buffer.getvalue()


def write_manifest(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, unless the file already holds it."""
    try:
        current = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        current = None
    if current != text:
        atomic_write(path, lambda f: f.write(text.encode("utf-8")))
