# SPDX-License-Identifier: GPL-2.0-or-later
"""Converting one source file into its clip outputs (runs in a worker process)."""

from __future__ import annotations

import errno
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, Iterator, List, Optional, Tuple

import numpy as np

from .. import clips as _clips
from ..audio import load
from . import writers
from .journal import staged_output

if TYPE_CHECKING:
    from .settings import Settings

BATCH = 32  # clips per native call (bounds memory for long recordings)
# Write errors that no later file can escape either (the output medium is full or
# read-only): the run stops instead of failing every remaining file the same way.
STOP_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


@dataclass(frozen=True)
class Task:
    """One source file to convert."""

    source: str          # absolute path
    rel: str             # path relative to IN (posix), the manifest's source
    stem: str            # outputs are <OUT>/<stem>_<clip:04d><ext>
    out_root: str        # absolute OUT
    keep: Tuple[str, ...] = ()     # outputs (relative) known good: not rewritten
    n_threads: Optional[int] = None


@dataclass
class FileResult:
    """What converting one source file gave."""

    rel: str
    status: str          # "ok", "empty" or "error"
    rows: List[List[Any]] = field(default_factory=list)  # [clip, start_s, audio_s, output, shape]
    error: str = ""
    written: int = 0
    kept: int = 0
    warnings: List[str] = field(default_factory=list)
    stop_run: bool = False  # an output could not be written for a reason in STOP_ERRNOS


class OutputError(Exception):
    """An output could not be written (as opposed to a source that cannot be read)."""

    def __init__(self, output: str, error: OSError) -> None:
        super().__init__(f"cannot write {output}: {error.strerror or error}")
        self.errno = error.errno


def split_clips(y: np.ndarray, sr: float, settings: Settings) -> List[_clips.Clip]:
    """The clips of ``y`` that become outputs (`swiftspec.clips.split`)."""
    return _clips.split(y, sr=sr, duration=settings.clip, hop=settings.clip_hop,
                        tail=settings.tail, min_tail=settings.min_tail)


def spectrogram(y: np.ndarray, sr: float, settings: Settings,
                n_threads: Optional[int] = None) -> np.ndarray:
    """The spectrogram of one clip ``(n,)``, or of a batch of clips ``(k, n)``."""
    return _clips.log_mel(y, sr=sr, n_fft=settings.n_fft, hop_length=settings.hop_length,
                          n_mels=settings.n_mels, fmin=settings.fmin, fmax=settings.fmax,
                          top_db=settings.top_db, precision=settings.precision,
                          n_threads=n_threads)


def convert_file(task: Task, settings: Settings) -> FileResult:
    """Convert one source file; never raises for a bad file (see FileResult.status)."""
    result = FileResult(task.rel, "ok")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _convert(task, settings, result)
        result.warnings = sorted({str(w.message) for w in caught})
    except OutputError as error:
        result.status, result.rows = "error", []
        result.error = f"OutputError: {error}"
        result.stop_run = error.errno in STOP_ERRNOS
    except Exception as error:  # noqa: BLE001 - reported per file, the run goes on
        result.status, result.rows = "error", []
        result.error = f"{type(error).__name__}: {error}".strip()
    return result


def _convert(task: Task, settings: Settings, result: FileResult) -> None:
    y, sr = load(task.source, sr=settings.sr, mono=True, res_type=settings.res_type)
    if y.size == 0:
        result.status, result.error = "empty", "no audio samples"
        return
    parts = split_clips(y, sr, settings)
    if not parts:
        result.status = "empty"
        result.error = (f"{y.size / sr:.3f} s of audio gives no clip (clip "
                        f"{settings.clip:g} s, tail={settings.tail}, "
                        f"min_tail={settings.min_tail:g})")
        return
    out_root, keep = Path(task.out_root), set(task.keep)
    rows: Dict[int, List[Any]] = {}
    # --format shards: the recording's rows go into one staging array, packed later.
    staged: Optional[Dict[int, np.ndarray]] = {} if settings.format == "shards" else None
    for batch in _batches(parts):
        S = spectrogram(np.stack([p.y for p in batch]), sr, settings, task.n_threads)
        for part, spec in zip(batch, S):
            if staged is not None:
                output = staged_output(task.stem)
                staged[part.index] = writers.clip_array(spec, settings)
            else:
                output = f"{task.stem}_{part.index:04d}{settings.extension}"
                if output in keep:
                    result.kept += 1
                else:
                    _write(out_root, output, spec, settings)
                    result.written += 1
            rows[part.index] = [part.index, _seconds(part.start, sr),
                                _seconds(part.n_audio, sr), output,
                                _shape_text(settings.output_shape(*spec.shape))]
    result.rows = [rows[k] for k in sorted(rows)]
    if staged is not None:
        array = np.stack([staged[k] for k in sorted(staged)])
        _write_output(out_root, staged_output(task.stem), writers.npy_writer(array))
        result.written += len(staged)


def _batches(parts: Iterable[_clips.Clip]) -> Iterator[List[_clips.Clip]]:
    """Clips of equal length (all but a kept tail), at most BATCH per native call."""
    groups: Dict[int, List[_clips.Clip]] = {}
    for part in parts:
        groups.setdefault(part.y.shape[-1], []).append(part)
    for group in groups.values():
        for first in range(0, len(group), BATCH):
            yield group[first:first + BATCH]


def _write(out_root: Path, output: str, spec: np.ndarray, settings: Settings) -> None:
    _write_output(out_root, output, writers.render(spec, settings))


def _write_output(out_root: Path, output: str, write: writers.Writer) -> None:
    try:
        writers.atomic_write(out_root / output, write)
    except OSError as error:
        raise OutputError(output, error) from error


def _seconds(samples: int, sr: float) -> str:
    return repr(round(samples / sr, 6))


def _shape_text(shape: Iterable[int]) -> str:
    return "x".join(str(int(s)) for s in shape)
