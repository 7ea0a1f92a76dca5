# SPDX-License-Identifier: GPL-2.0-or-later
"""Converting one source file into its clip outputs (runs in a worker process)."""

from __future__ import annotations

import errno
import hashlib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, Iterator, List, Optional, Tuple

import numpy as np

from .. import clips as _clips
from .._analysis import Analysis
from ..audio import _require, load
from ..feature import delta, melspectrogram
from ..spectrum import amplitude_to_db, power_to_db
from ..util import normalize, normalize_rms
from . import writers
from .journal import staged_output

if TYPE_CHECKING:
    from .settings import Settings

BATCH = 32  # clips per native call (bounds memory for long recordings)
# Write errors that no later file can escape either (the output medium is full or
# read-only): the run stops instead of failing every remaining file the same way.
STOP_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})

SPECTROGRAMS = ("mel", "linear")
POWERS = (1.0, 2.0)  # magnitude or power
PAD_MODES = ("constant", "edge", "reflect", "symmetric")
NORMALIZATIONS = ("none", "peak", "rms")
SELECTIONS = ("all", "center", "random")
STACKS = ("gray", "deltas")
DEFAULT_AMIN = {1.0: 1e-5, 2.0: 1e-10}  # amplitude_to_db's and power_to_db's


@dataclass(frozen=True)
class Task:
    """One source file to convert."""

    source: str  # absolute path
    rel: str  # path relative to IN (posix), the manifest's source
    stem: str  # outputs are <OUT>/<stem>_<clip:04d><ext>
    out_root: str  # absolute OUT
    keep: Tuple[str, ...] = ()  # outputs (relative) known good: not rewritten
    n_threads: Optional[int] = None


@dataclass
class FileResult:
    """What converting one source file gave."""

    rel: str
    status: str  # "ok", "empty" or "error"
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
    """The clips of ``y`` that become outputs (`swiftspec.clips.split`), each with its
    audio normalised (``settings.normalize``) before the zero-padding of a tail."""
    parts = _clips.split(
        y,
        sr=sr,
        duration=settings.clip,
        hop=settings.clip_hop,
        tail=settings.tail,
        min_tail=settings.min_tail,
    )
    if settings.normalize == "none":
        return parts
    normalized = []
    for part in parts:
        clip_y = part.y.copy()
        clip_y[..., : part.n_audio] = normalize_audio(clip_y[..., : part.n_audio], settings)
        normalized.append(part._replace(y=clip_y))
    return normalized


def normalize_audio(y: np.ndarray, settings: Settings) -> np.ndarray:
    """``y`` as ``settings.normalize`` asks: as it is, peak 1, or ``rms_dbfs`` dBFS RMS
    (silence is left as it is)."""
    if settings.normalize == "peak":
        return normalize(y, norm=np.inf, axis=-1)
    if settings.normalize == "rms":
        return normalize_rms(y, target_dbfs=settings.rms_dbfs, axis=-1)
    return y


def select_clip(source: str, rel: str, settings: Settings) -> Tuple[List[_clips.Clip], float]:
    """The one clip of a recording that ``settings.select`` ('center' or 'random') asks
    for, and the recording's length in seconds.

    Only that clip's samples are decoded: the length comes from the file's header and
    the decoder seeks to the clip. Positions are counted at the file's own rate: a clip
    is ``L = round(clip * native_sr)`` frames; ``'center'`` starts at
    ``(frames - L) // 2``; ``'random'`` at an offset drawn uniformly from
    ``0 .. frames - L`` by `random_start`. The clip is then resampled to ``sr`` and cut
    (or zero-padded by a few samples of resampling slack) to ``round(clip * sr)``
    samples. A recording shorter than a clip is decoded whole, normalised, and repeated
    end to end until it fills the clip. A recording with less than ``min_tail`` seconds
    gives no clip.
    """
    soundfile = _require("soundfile", "swiftspec images", "audio")
    with soundfile.SoundFile(source) as opened:  # (load closes it too)
        native_sr, frames = opened.samplerate, opened.frames
        seconds = frames / native_sr
        if frames == 0 or seconds < settings.min_tail:
            return [], seconds
        clip_frames = max(1, round(settings.clip * native_sr))
        start = 0
        if frames > clip_frames:
            start = (
                (frames - clip_frames) // 2
                if settings.select == "center"
                else random_start(settings.seed, rel, frames - clip_frames + 1)
            )
            opened.seek(start)
        # (+ 0.5 frame: load reads int(duration * native_sr) frames, which float rounding
        # could otherwise make one short)
        y, sr = load(
            opened,
            sr=settings.sr,
            mono=True,
            res_type=settings.res_type,
            duration=(min(frames, clip_frames) + 0.5) / native_sr,
        )
    length = round(settings.clip * sr)
    y = normalize_audio(y[:length], settings)
    n_audio = y.size
    if frames < clip_frames:
        y = np.resize(y, length)  # repeated end to end
    else:
        y = np.pad(y, (0, length - n_audio))  # resampling slack: a sample or so
    return [_clips.Clip(0, round(start * sr / native_sr), n_audio, y)], seconds


def random_start(seed: int, rel: str, n_starts: int) -> int:
    """The start of ``select='random'``'s clip: uniform in ``range(n_starts)``, drawn by
    ``numpy.random.default_rng(SeedSequence([seed, w0, w1, w2, w3]))`` where ``w0..w3``
    are the first 16 bytes of the SHA-256 of the relative path ``rel`` (UTF-8) read as
    little-endian uint32: the same for a file whatever the workers and their order."""
    words = np.frombuffer(hashlib.sha256(rel.encode("utf-8")).digest()[:16], dtype="<u4")
    rng = np.random.default_rng(np.random.SeedSequence([seed, *map(int, words)]))
    return int(rng.integers(0, n_starts))


def spectrogram(
    y: np.ndarray, sr: float, settings: Settings, n_threads: Optional[int] = None
) -> np.ndarray:
    """The spectrogram in dB of one clip ``(n,)``, or of a batch of clips ``(k, n)``:
    ``(..., bands, frames)``, or ``(..., 3, bands, frames)`` with 3 channels."""
    if settings.spectrogram == "mel":
        S = melspectrogram(
            y=y,
            sr=sr,
            n_fft=settings.n_fft,
            hop_length=settings.hop_length,
            n_mels=settings.n_mels,
            fmin=settings.fmin,
            fmax=settings.fmax,
            pad_mode=settings.pad_mode,
            power=settings.power,
            precision=settings.precision,
            n_threads=n_threads,
        )
    else:
        analysis = Analysis(
            y,
            n_fft=settings.n_fft,
            hop_length=settings.hop_length,
            win_length=None,
            window="hann",
            center=True,
            pad_mode=settings.pad_mode,
            precision=settings.precision,
            n_threads=n_threads,
            caller="swiftspec images",
        )
        S = analysis.power_spectrogram(settings.power)
    to_db = power_to_db if settings.power == 2 else amplitude_to_db
    amin = DEFAULT_AMIN[settings.power] if settings.amin is None else settings.amin
    S_db = to_db(
        S,
        ref=np.max if settings.ref == "max" else settings.ref,
        amin=amin,
        top_db=settings.top_db,
        n_threads=n_threads,
    )
    if settings.channels == 1:
        return S_db
    if settings.stack == "gray":
        return np.stack([S_db] * 3, axis=-3)
    return np.stack(
        [
            S_db,
            delta(S_db, order=1, n_threads=n_threads),
            delta(S_db, order=2, n_threads=n_threads),
        ],
        axis=-3,
    )


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
    sr = settings.sr
    if settings.select == "all":
        y, _ = load(task.source, sr=sr, mono=True, res_type=settings.res_type)
        seconds = y.size / sr
        parts = split_clips(y, sr, settings) if y.size else []
    else:
        parts, seconds = select_clip(task.source, task.rel, settings)
    if seconds == 0:
        result.status, result.error = "empty", "no audio samples"
        return
    if not parts:
        result.status = "empty"
        result.error = (
            f"{seconds:.3f} s of audio gives no clip (clip "
            f"{settings.clip:g} s, tail={settings.tail}, "
            f"min_tail={settings.min_tail:g})"
        )
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
            rows[part.index] = [
                part.index,
                _seconds(part.start, sr),
                _seconds(part.n_audio, sr),
                output,
                _shape_text(settings.output_shape(*spec.shape[-2:])),
            ]
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
            yield group[first : first + BATCH]


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
