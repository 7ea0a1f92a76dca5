# SPDX-License-Identifier: GPL-2.0-or-later
"""Finding the recordings to convert, and naming their outputs."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

AUDIO_EXTENSIONS = (
    ".wav",
    ".flac",
    ".ogg",
    ".oga",
    ".opus",
    ".mp3",
    ".aif",
    ".aiff",
    ".aifc",
    ".au",
    ".snd",
    ".caf",
    ".w64",
    ".rf64",
)


def find_sources(
    in_path: Union[str, os.PathLike[str]],
    out_dir: Union[str, os.PathLike[str], None] = None,
    extensions: Iterable[str] = AUDIO_EXTENSIONS,
    errors: Optional[List[Tuple[str, str]]] = None,
) -> List[Tuple[str, str]]:
    """``[(absolute path, relative posix path)]`` of the audio files under ``in_path``.

    Sorted; hidden files and folders (names starting with '.') are skipped, and so is
    ``out_dir`` when it lies inside ``in_path``. Folders that cannot be listed are
    appended to ``errors`` as ``(relative posix path + '/', message)``.
    """
    in_path = Path(in_path)
    if in_path.is_file():
        return [(str(in_path.resolve()), in_path.name)]
    found: List[Tuple[str, str]] = []
    skip = Path(out_dir).resolve() if out_dir is not None else None
    root = in_path.resolve()

    def unlistable(error: OSError) -> None:
        if errors is not None:
            folder = Path(error.filename or root).relative_to(root).as_posix()
            errors.append((folder + "/", f"{type(error).__name__}: {error}"))

    for current, dirs, files in os.walk(root, onerror=unlistable):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and (skip is None or Path(current, d).resolve() != skip)
        )
        for name in sorted(files):
            if name.startswith(".") or not name.lower().endswith(tuple(extensions)):
                continue
            path = Path(current, name)
            found.append((str(path), path.relative_to(root).as_posix()))
    return found


def output_stems(rels: Sequence[str]) -> Dict[str, str]:
    """source -> output stem: the path without its extension, or with it on a clash.

    ``a/x.wav`` gives ``a/x`` (outputs ``a/x_0000.png``...), unless another source in the
    folder has the same stem (``a/x.ogg``): then both keep their full names
    (``a/x.wav_0000.png``, ``a/x.ogg_0000.png``).
    """

    def plain(rel: str) -> str:
        head, _, name = rel.rpartition("/")
        stem = name.rsplit(".", 1)[0] if "." in name[1:] else name
        return f"{head}/{stem}" if head else stem

    counts: Dict[str, int] = {}
    for rel in rels:
        counts[plain(rel)] = counts.get(plain(rel), 0) + 1
    return {rel: plain(rel) if counts[plain(rel)] == 1 else rel for rel in rels}


def source_signature(path: str) -> List[int]:
    """``[size, mtime_ns]`` of a source: how the journal tells that it changed.

    OSError if it cannot be read or is not a regular file (a FIFO would block the
    decoder forever).
    """
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise OSError(f"not a regular file ({_file_kind(st.st_mode)}): {path}")
    return [st.st_size, st.st_mtime_ns]


def _file_kind(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    )
    return next((name for test, name in kinds if test(mode)), "not a file")
