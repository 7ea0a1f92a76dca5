# SPDX-License-Identifier: GPL-2.0-or-later
"""The ``swiftspec`` command: a folder of recordings to spectrogram images or arrays.

::

    swiftspec images IN OUT [--sr 32000] [--clip 5] [--n-mels 128] [--size 512x512]
                            [--format png|npy] [--workers N] [--engine local|dask]
    swiftspec images        # the bundled bird recording -> ./swiftspec-images

Every audio file under IN is loaded at ``--sr`` in mono, cut into ``--clip``-second clips
(`swiftspec.clips.split`), turned into a log-mel spectrogram in dB relative to the clip's
maximum (`swiftspec.clips.log_mel`), and saved as an 8-bit PNG (min-max per clip, low
frequencies at the bottom) or a float32 ``.npy`` array, mirroring IN's folders:
``IN/a/b.ogg`` gives ``OUT/a/b_0000.png``, ``OUT/a/b_0001.png``, ... (two sources that
differ only by extension keep it: ``b.ogg_0000.png``, ``b.wav_0000.png``). Files with the
extensions in AUDIO_EXTENSIONS are converted; hidden files and folders are skipped.

Guarantees:

- **Atomic outputs**: every file (image, array, manifest, settings) is written to a
  temporary name in its folder and renamed into place, so a killed run leaves no
  half-written file; temporaries left by a kill are removed by the next run. (Renames
  protect against a killed process, not a power cut: nothing is fsync'ed.)
- **Resumable**: ``OUT/.swiftspec/journal.jsonl`` records each finished source file
  (size, modification time, outputs), one appended line per file (a line cut short by a
  kill is ignored). A re-run skips the files it lists whose outputs all exist, rewrites
  the missing outputs of the others, redoes files it does not list (or that changed), and
  writes nothing when everything is done.
  ``OUT/.swiftspec/settings.json`` holds the settings; a re-run with other settings is
  refused unless ``--overwrite`` is given.
- **Nothing stops the run**: an unreadable, corrupt or empty file (or folder, FIFO,
  broken link...) is reported in the manifest and the summary, and the run goes on
  (exit status 1 if any file failed).
- **But a full disk**: when an output cannot be written because OUT's file system is
  full or read-only, the run stops (files in flight are finished or reported), lists the
  files it did not convert, and exits with status 1; every output already written is
  whole, and the same command resumes once there is room.
- **Manifest**: ``OUT/manifest.csv``, one row per clip (source, clip, start_s, audio_s,
  output, shape, status, error) and one row per empty, failed or unconverted file.

Work is spread over local processes (``--workers``) or a dask.distributed cluster
(``--engine dask --scheduler ADDRESS``; OUT must then be on a file system that the
workers share). Both give the same outputs and manifest.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import errno
import io
import json
import multiprocessing
import os
import stat
import sys
import time
import uuid
import warnings
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import (Any, BinaryIO, Callable, Dict, Iterable, Iterator, List, Optional,
                    Sequence, TextIO, Tuple, Union)

import numpy as np

from . import clips as _clips
from .audio import RES_TYPES, load
from .exceptions import ParameterError

__all__ = ["main", "run", "Settings", "Summary", "convert_file"]

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff",
                    ".aifc", ".au", ".snd", ".caf", ".w64", ".rf64")
STATE_DIR = ".swiftspec"
JOURNAL = "journal.jsonl"
SETTINGS_FILE = "settings.json"
LOCK_FILE = "lock"
MANIFEST = "manifest.csv"
TMP_SUFFIX = ".swiftspec-tmp"
MANIFEST_FIELDS = ("source", "clip", "start_s", "audio_s", "output", "shape", "status",
                   "error")
DEMO_OUTPUT = "swiftspec-images"
BATCH = 32  # clips per native call (bounds memory for long recordings)
# Write errors that no later file can escape either (the output medium is full or
# read-only): the run stops instead of failing every remaining file the same way.
STOP_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})
# PNG encoding dominates the run time: zlib level 1 with the run-length strategy (3,
# Z_RLE) is several times faster than Pillow's default (level 6) on spectrograms, and its
# files are slightly smaller. The pixels are the same either way (lossless).
PNG_OPTIONS = {"compress_level": 1, "compress_type": 3}


def sample_path() -> Path:
    """The bundled recording that ``swiftspec images`` converts without arguments."""
    return Path(__file__).resolve().parent / "data" / "oss_birds_10s.wav"


# ---- Settings ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    """How recordings become outputs (`swiftspec images`' options); see `run`.

    Every field changes the outputs, so an output folder records them
    (``.swiftspec/settings.json``) and refuses a run with other values.

    sr, clip, clip_hop, tail, min_tail
        Load at ``sr`` Hz in mono (resampling with ``res_type``); cut into ``clip``-second
        clips every ``clip_hop`` seconds (None: ``clip``), see `swiftspec.clips.split`.
    n_fft, hop_length, n_mels, fmin, fmax, top_db, precision
        The log-mel spectrogram of each clip, see `swiftspec.clips.log_mel`.
    format
        ``'png'``: an 8-bit image (`swiftspec.clips.to_image`: min-max per clip, low
        frequencies at the bottom), resized to ``size`` = (width, height) with
        ``resize_filter``, coloured with ``colormap``. ``'npy'``: the float32 log-mel
        array (n_mels, frames), rows in librosa's order (lowest band first).
    """

    sr: int = 32000
    clip: float = 5.0
    clip_hop: Optional[float] = None
    tail: str = "pad"
    min_tail: float = 0.0
    n_fft: int = 2048
    hop_length: int = 512
    n_mels: int = 128
    fmin: float = 0.0
    fmax: Optional[float] = None
    top_db: float = 80.0
    format: str = "png"
    size: Optional[Tuple[int, int]] = None  # also 'WxH', N or [w, h] (see parse_size)
    colormap: str = "gray"
    resize_filter: str = "bicubic"
    res_type: str = "soxr_hq"
    precision: str = "exact"

    def __post_init__(self) -> None:
        # Accept 'WxH' strings and lists for size; store a (width, height) tuple.
        object.__setattr__(self, "size", _clips.parse_size(self.size))

    def as_json(self) -> Dict[str, Any]:
        data = asdict(self)
        data["size"] = list(self.size) if self.size else None
        return data

    @property
    def extension(self) -> str:
        return "." + self.format

    def describe(self) -> str:
        what = f"{self.format}"
        if self.format == "png":
            what += f", {self.size[0]}x{self.size[1]}" if self.size else ", unresized"
            what += f", {self.colormap}"
        return (f"{what}; {self.clip:g} s clips at {self.sr} Hz, tail={self.tail}, "
                f"{self.n_mels} mels, n_fft {self.n_fft}, hop {self.hop_length}")

    def output_shape(self, n_mels: int, n_frames: int) -> Tuple[int, ...]:
        """numpy shape of one output for a (n_mels, n_frames) spectrogram."""
        if self.format == "npy":
            return (n_mels, n_frames)
        height, width = (self.size[1], self.size[0]) if self.size else (n_mels, n_frames)
        return (height, width) if self.colormap == "gray" else (height, width, 3)


def check_settings(settings: Settings) -> List[str]:
    """Validate ``settings`` by converting one second of silence; ParameterError if bad.

    Returns the warnings the conversion raised (e.g. empty mel filters).
    """
    if settings.format not in ("png", "npy"):
        raise ParameterError(f"format={settings.format!r} must be 'png' or 'npy'")
    if settings.format == "npy" and (settings.size is not None or settings.colormap != "gray"):
        raise ParameterError("--size and --colormap apply to png output only")
    if isinstance(settings.sr, bool) or not isinstance(settings.sr, int) or settings.sr < 1:
        raise ParameterError(f"sr={settings.sr!r} must be a positive integer (Hz)")
    if settings.res_type not in RES_TYPES:
        raise ParameterError(f"res_type={settings.res_type!r} must be one of "
                             f"{', '.join(RES_TYPES)}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = np.zeros(settings.sr, dtype=np.float32)
        parts = _clips.split(y, sr=settings.sr, duration=settings.clip, hop=settings.clip_hop,
                             tail=settings.tail, min_tail=settings.min_tail)
        S = _clips.log_mel(parts[0].y if parts else y, sr=settings.sr, n_fft=settings.n_fft,
                           hop_length=settings.hop_length, n_mels=settings.n_mels,
                           fmin=settings.fmin, fmax=settings.fmax, top_db=settings.top_db,
                           precision=settings.precision)
        _render(S, settings)
    return sorted({str(w.message) for w in caught})


# ---- Work on one file (runs in a worker process) ---------------------------------------

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
    rel: str
    status: str          # "ok", "empty" or "error"
    rows: List[List[Any]] = field(default_factory=list)  # [clip, start_s, audio_s, output, shape]
    error: str = ""
    written: int = 0
    kept: int = 0
    warnings: List[str] = field(default_factory=list)
    stop_run: bool = False  # an output could not be written for a reason in STOP_ERRNOS


class _OutputError(Exception):
    """An output could not be written (as opposed to a source that cannot be read)."""

    def __init__(self, output: str, error: OSError) -> None:
        super().__init__(f"cannot write {output}: {error.strerror or error}")
        self.errno = error.errno


def _seconds(samples: int, sr: float) -> str:
    return repr(round(samples / sr, 6))


def _shape_text(shape: Iterable[int]) -> str:
    return "x".join(str(int(s)) for s in shape)


def atomic_write(path: Union[str, os.PathLike[str]], write: Callable[[BinaryIO], Any]) -> None:
    """Call ``write(fileobj)`` on a temporary file next to ``path``, then rename it.

    The temporary is named ``.<name>.<random><TMP_SUFFIX>`` and is removed on failure.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:12]}{TMP_SUFFIX}")
    try:
        with open(tmp, "xb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _render(S: np.ndarray, settings: Settings) -> Callable[[BinaryIO], Any]:
    """The bytes-writer of one output for the log-mel spectrogram ``S``."""
    if settings.format == "npy":
        array = np.ascontiguousarray(S, dtype=np.float32)
        return lambda f: np.save(f, array, allow_pickle=False)
    image = _clips.to_image(S, size=settings.size, colormap=settings.colormap,
                            resample=settings.resize_filter)
    return lambda f: image.save(f, format="PNG", **PNG_OPTIONS)


def convert_file(task: Task, settings: Settings) -> FileResult:
    """Convert one source file; never raises for a bad file (see FileResult.status)."""
    result = FileResult(task.rel, "ok")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _convert(task, settings, result)
        result.warnings = sorted({str(w.message) for w in caught})
    except _OutputError as error:
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
    parts = _clips.split(y, sr=sr, duration=settings.clip, hop=settings.clip_hop,
                         tail=settings.tail, min_tail=settings.min_tail)
    if not parts:
        result.status = "empty"
        result.error = (f"{y.size / sr:.3f} s of audio gives no clip (clip "
                        f"{settings.clip:g} s, tail={settings.tail}, "
                        f"min_tail={settings.min_tail:g})")
        return
    out_root = Path(task.out_root)
    keep = set(task.keep)
    # Clips of equal length (all but a kept tail) go through the engine in batches.
    groups: Dict[int, List[_clips.Clip]] = {}
    for part in parts:
        groups.setdefault(part.y.shape[-1], []).append(part)
    rows: Dict[int, List[Any]] = {}
    for group in groups.values():
        for first in range(0, len(group), BATCH):
            batch = group[first:first + BATCH]
            S = _clips.log_mel(np.stack([p.y for p in batch]), sr=sr,
                               n_fft=settings.n_fft, hop_length=settings.hop_length,
                               n_mels=settings.n_mels, fmin=settings.fmin,
                               fmax=settings.fmax, top_db=settings.top_db,
                               precision=settings.precision, n_threads=task.n_threads)
            for part, spec in zip(batch, S):
                output = f"{task.stem}_{part.index:04d}{settings.extension}"
                if output in keep:
                    result.kept += 1
                else:
                    writer = _render(spec, settings)
                    try:
                        atomic_write(out_root / output, writer)
                    except OSError as error:
                        raise _OutputError(output, error) from error
                    result.written += 1
                rows[part.index] = [part.index, _seconds(part.start, sr),
                                    _seconds(part.n_audio, sr), output,
                                    _shape_text(settings.output_shape(*spec.shape))]
    result.rows = [rows[k] for k in sorted(rows)]


# ---- Engines ----------------------------------------------------------------------------

def _crash_result(task: Task, detail: str) -> FileResult:
    return FileResult(task.rel, "error", error=f"WorkerCrash: {detail}")


def _pool(workers: int) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["swiftspec.cli"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def _run_isolated(convert: Callable[[Task, Settings], FileResult], task: Task,
                  settings: Settings) -> FileResult:
    """Run one task alone in a fresh process (after a pool crash, to find the culprit)."""
    with _pool(1) as pool:
        try:
            return pool.submit(convert, task, settings).result()
        except BrokenProcessPool:
            return _crash_result(task, "the worker process died while converting this file")


def _local_results(tasks: Iterable[Task], settings: Settings, workers: int,
                   convert: Callable[[Task, Settings], FileResult],
                   stopping: Callable[[], bool]) -> Iterator[FileResult]:
    """Yield a FileResult per task, using ``workers`` local processes (1: this one).

    Once ``stopping()`` is true no task starts; those running are finished.
    """
    if workers == 1:
        for task in tasks:
            if stopping():
                return
            yield convert(task, settings)
        return
    queue = deque(tasks)
    pool = _pool(workers)
    pending: Dict[Future[FileResult], Task] = {}
    try:
        while (queue and not stopping()) or pending:
            while queue and len(pending) < 2 * workers and not stopping():
                task = queue.popleft()
                pending[pool.submit(convert, task, settings)] = task
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            crashed: List[Task] = []
            for future in done:
                task = pending.pop(future)
                try:
                    yield future.result()
                except BrokenProcessPool:
                    crashed.append(task)
                except Exception as error:  # noqa: BLE001 - e.g. a result that won't unpickle
                    yield FileResult(task.rel, "error",
                                     error=f"{type(error).__name__}: {error}")
            if crashed:
                # A worker died (a crash in a decoder, the OOM killer...): the pool is
                # unusable and every task in flight failed with it. Retry each alone to
                # tell the culprit from the bystanders, then carry on with a new pool.
                crashed += list(pending.values())
                pending.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                for task in crashed:
                    yield _run_isolated(convert, task, settings)
                pool = _pool(workers)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _dask_results(tasks: Iterable[Task], settings: Settings, workers: int,
                  scheduler: Optional[str],
                  convert: Callable[[Task, Settings], FileResult],
                  stopping: Callable[[], bool]) -> Iterator[FileResult]:
    """Yield a FileResult per task, mapping files over a dask.distributed cluster
    (no task starts once ``stopping()`` is true)."""
    try:
        import distributed
    except ImportError as error:
        raise ImportError("--engine dask needs dask.distributed: pip install "
                          "'dask[distributed]' (or pip install 'swiftspec[dask]')") from error
    with contextlib.ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(distributed.Client(scheduler))
        else:
            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                dashboard_address=None))
            client = stack.enter_context(distributed.Client(cluster))
        limit = 2 * max(1, sum(client.nthreads().values()))
        queue = deque(tasks)
        running: Dict[str, Task] = {}
        completed = distributed.as_completed()

        def submit() -> None:
            while queue and len(running) < limit and not stopping():
                task = queue.popleft()
                future = client.submit(convert, task, settings, pure=False,
                                       key=f"swiftspec-{uuid.uuid4().hex}")
                running[future.key] = task
                completed.add(future)

        submit()
        for future in completed:
            task = running.pop(future.key)
            try:
                yield future.result()
            except Exception as error:  # noqa: BLE001 - KilledWorker and the like
                yield FileResult(task.rel, "error", error=f"{type(error).__name__}: {error}")
            finally:
                future.release()
            submit()


# ---- Progress ---------------------------------------------------------------------------

class _Progress:
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
                self.bar = tqdm(total=total, unit="file", file=sys.stderr, dynamic_ncols=True,
                                desc="swiftspec images")

    def update(self, result: FileResult) -> None:
        self.files += 1
        self.clips += result.written + result.kept
        self.failed += result.status == "error"
        if not self.enabled or not self.total:
            return
        now = time.perf_counter()
        rate = self.clips / max(now - self.start, 1e-9)
        if self.bar is not None:
            self.bar.set_postfix_str(f"{rate:.1f} clips/s, {self.failed} failed",
                                     refresh=False)
            self.bar.update(1)
            return
        tty = sys.stderr.isatty()
        if now - self.last >= (0.2 if tty else 10.0) or self.files == self.total:
            self.last = now
            elapsed = max(now - self.start, 1e-9)
            line = (f"swiftspec images: {self.files}/{self.total} files, {self.clips} clips, "
                    f"{self.files / elapsed:.1f} files/s, {rate:.1f} clips/s, "
                    f"{self.failed} failed")
            sys.stderr.write(("\r" + line) if tty else (line + "\n"))
            sys.stderr.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.enabled and self.total and sys.stderr.isatty():
            sys.stderr.write("\n")
            sys.stderr.flush()


# ---- State: lock, settings, journal -----------------------------------------------------

class _State:
    """OUT/.swiftspec: the lock, the settings and the journal of finished files."""

    def __init__(self, out_dir: Path) -> None:
        self.dir = out_dir / STATE_DIR
        self.dir.mkdir(parents=True, exist_ok=True)
        self.journal_path = self.dir / JOURNAL
        self.settings_path = self.dir / SETTINGS_FILE
        self._lock: Optional[BinaryIO] = None
        self._journal: Optional[TextIO] = None
        self.journal_lines = 0       # lines found by read_journal
        self.journal_appended = 0    # lines appended by this run

    def lock(self) -> None:
        import fcntl

        self._lock = open(self.dir / LOCK_FILE, "a+b")  # noqa: SIM115 - held for the run
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            self._lock.close()
            self._lock = None
            raise ParameterError(f"another swiftspec run is writing to {self.dir.parent}") \
                from error

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
        if found == wanted and not overwrite:
            return
        if found is not None and found != wanted and not overwrite:
            changed = sorted(k for k in set(found) | set(wanted)
                             if found.get(k) != wanted.get(k))
            details = ", ".join(f"{k} {found.get(k)!r} -> {wanted.get(k)!r}" for k in changed)
            raise ParameterError(
                f"{self.dir.parent} holds outputs made with other settings ({details}): "
                "choose another OUT, or pass --overwrite to redo every file")
        # New settings: forget the old journal first, so that a kill in between never
        # pairs old outputs with new settings.
        atomic_write(self.journal_path, lambda f: None)
        text = json.dumps(wanted, indent=2, sort_keys=True) + "\n"
        atomic_write(self.settings_path, lambda f: f.write(text.encode("utf-8")))

    def read_journal(self) -> Dict[str, Dict[str, Any]]:
        """source -> its latest entry; a line cut short by a kill is ignored."""
        entries: Dict[str, Dict[str, Any]]
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

    def append(self, entry: Dict[str, Any]) -> None:
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

    def compact(self, entries: Dict[str, Dict[str, Any]]) -> None:
        """Rewrite the journal with one line per source if it has more."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self.journal_lines + self.journal_appended == len(entries):
            return
        text = "".join(json.dumps(entries[k], separators=(",", ":")) + "\n"
                       for k in sorted(entries))
        atomic_write(self.journal_path, lambda f: f.write(text.encode("utf-8")))


def _remove_stale_temporaries(out_dir: Union[str, os.PathLike[str]]) -> int:
    """Delete temporaries a killed run left behind (ours only: .*<TMP_SUFFIX>)."""
    removed = 0
    for root, _, files in os.walk(out_dir):
        for name in files:
            if name.startswith(".") and name.endswith(TMP_SUFFIX):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(root, name))
                    removed += 1
    return removed


# ---- Discovery --------------------------------------------------------------------------

def find_sources(in_path: Union[str, os.PathLike[str]],
                 out_dir: Union[str, os.PathLike[str], None] = None,
                 extensions: Iterable[str] = AUDIO_EXTENSIONS,
                 errors: Optional[List[Tuple[str, str]]] = None) -> List[Tuple[str, str]]:
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
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and (skip is None or Path(current, d).resolve() != skip))
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


# ---- The run ----------------------------------------------------------------------------

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
    stopped: str = ""          # why the run stopped early ("": it did not)
    not_converted: int = 0     # files left undone by the stop
    manifest_error: str = ""   # why the manifest could not be written ("": it was)

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
        return (self.clips_written + self.clips_kept) / self.elapsed if self.elapsed > 0 \
            else 0.0

    def report(self) -> str:
        if self.engine != "local":
            where = self.engine
        else:
            where = "this process" if self.workers == 1 else \
                f"{self.workers} local worker processes"
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
        if self.stopped:
            lines.append(f"  STOPPED: {self.stopped}; {_plural(self.not_converted, 'file')} "
                         "not converted. Make room and run the same command again to "
                         "resume (finished outputs are kept).")
        if self.manifest_error:
            lines.append(f"  the manifest could not be written: {self.manifest_error}")
        if self.stale_removed:
            lines.append(f"  removed {self.stale_removed} temporary files left by an "
                         "interrupted run")
        for source, status, error in self.problems[:20]:
            lines.append(f"  {status}: {source}: {error}")
        if len(self.problems) > 20:
            lines.append(f"  ... and {len(self.problems) - 20} more empty, failed or "
                         "unconverted files (see the manifest)")
        for message in self.warnings[:5]:
            lines.append(f"  warning: {message}")
        return "\n".join(lines)


def _file_kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
    return next((name for test, name in kinds if test(mode)), "not a file")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _manifest_text(rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MANIFEST_FIELDS)
    writer.writerows(rows)
    return buffer.getvalue()


def run(in_path: Union[str, os.PathLike[str]], out_dir: Union[str, os.PathLike[str]],
        settings: Optional[Settings] = None, *, workers: int = 1, engine: str = "local",
        scheduler: Optional[str] = None, overwrite: bool = False, progress: bool = False,
        _convert: Callable[[Task, Settings], FileResult] = convert_file) -> Summary:
    """Convert every audio file under ``in_path`` into ``out_dir``; return a Summary.

    Parameters
    ----------
    in_path : path
        An audio file, or a folder searched recursively for AUDIO_EXTENSIONS.
    out_dir : path
        Where outputs, ``manifest.csv`` and the ``.swiftspec`` state go (created).
    settings : Settings or None
        The conversion; defaults to ``Settings()``.
    workers : int >= 1
        Local worker processes (1: convert in this process), or the LocalCluster size
        for ``engine='dask'`` without a scheduler.
    engine : {'local', 'dask'}
    scheduler : str or None
        A dask.distributed scheduler address (``engine='dask'``).
    overwrite : bool
        Redo every file, replacing existing outputs (needed to change the settings of
        an existing ``out_dir``).
    progress : bool
        Show a progress bar on stderr.

    Raises
    ------
    ParameterError
        For bad settings or paths, other settings in ``out_dir`` (without
        ``overwrite``), or another run holding ``out_dir``. A bad audio file never
        raises: it is reported in the summary and the manifest.
    """
    settings = Settings() if settings is None else settings
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ParameterError(f"workers={workers!r} must be a positive integer")
    if engine not in ("local", "dask"):
        raise ParameterError(f"engine={engine!r} must be 'local' or 'dask'")
    if scheduler and engine != "dask":
        raise ParameterError("a scheduler address needs engine='dask' (--engine dask)")
    setting_warnings = check_settings(settings)
    in_path = Path(in_path)
    if not in_path.exists():
        raise ParameterError(f"IN={str(in_path)!r} does not exist")
    out_dir = Path(out_dir).resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise ParameterError(f"OUT={str(out_dir)!r} exists and is not a folder")

    start = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    state = _State(out_dir)
    state.lock()
    try:
        state.check_settings(settings, overwrite)
        where = "local" if engine == "local" else (
            f"dask at {scheduler}" if scheduler
            else f"a dask LocalCluster of {workers} processes")
        summary = Summary(out_dir, out_dir / MANIFEST, settings, where, workers)
        summary.warnings = list(setting_warnings)
        summary.stale_removed = _remove_stale_temporaries(out_dir)
        journal = state.read_journal()  # empty after --overwrite
        rows: List[List[Any]] = []           # manifest rows

        def report_problem(rel: str, status: str, message: str) -> None:
            summary.problems.append((rel, status, message))
            rows.append([rel, "", "", "", "", "", status, message])

        unlistable: List[Tuple[str, str]] = []
        sources = find_sources(in_path, out_dir, errors=unlistable)
        for folder, message in unlistable:
            summary.failed += 1
            report_problem(folder, "error", message)
        stems = output_stems([rel for _, rel in sources])
        summary.files = len(sources)

        done: Dict[str, Dict[str, Any]] = {}  # journal entries of this run's good files
        tasks: List[Task]
        signatures: Dict[str, List[int]]
        tasks, signatures = [], {}
        for path, rel in sources:
            try:
                st = os.stat(path)
                if not stat.S_ISREG(st.st_mode):  # a FIFO would block the decoder forever
                    raise OSError(f"not a regular file ({_file_kind(st.st_mode)}): {path}")
            except OSError as error:
                summary.failed += 1
                report_problem(rel, "error", f"{type(error).__name__}: {error}")
                continue
            signature = [st.st_size, st.st_mtime_ns]
            signatures[rel] = signature
            entry = journal.get(rel)
            keep: Tuple[str, ...] = ()
            if (entry and entry.get("signature") == signature
                    and entry.get("stem") == stems[rel]):
                outputs = [row[3] for row in entry["rows"]]
                keep = tuple(o for o in outputs if (out_dir / o).is_file())
                if len(keep) == len(outputs):
                    summary.skipped += 1
                    summary.clips_total += len(outputs)
                    rows.extend([rel, *row, "ok", ""] for row in entry["rows"])
                    done[rel] = entry
                    continue
            tasks.append(Task(path, rel, stems[rel], str(out_dir), keep))

        # Biggest files first, so that no long file starts last and runs alone.
        tasks.sort(key=lambda t: -signatures[t.rel][0])
        # No pool for less than two files' work. In parallel runs each conversion uses
        # one native thread (the processes share the cores); alone, it uses them all.
        if engine == "local":
            workers = summary.workers = max(1, min(workers, len(tasks)))
        if engine == "dask" or workers > 1:
            tasks = [replace(task, n_threads=1) for task in tasks]
        bar = _Progress(len(tasks), progress)
        unfinished = {task.rel for task in tasks}
        try:
            stopping: Callable[[], bool] = lambda: bool(summary.stopped)  # noqa: E731
            if engine == "dask":
                results = _dask_results(tasks, settings, workers, scheduler, _convert,
                                        stopping)
            else:
                results = _local_results(tasks, settings, workers, _convert, stopping)
            for result in results:
                unfinished.discard(result.rel)
                bar.update(result)
                for message in result.warnings:
                    if message not in summary.warnings:
                        summary.warnings.append(message)
                if result.status == "ok":
                    summary.ok += 1
                    summary.clips_written += result.written
                    summary.clips_kept += result.kept
                    summary.clips_total += len(result.rows)
                    entry = {"source": result.rel, "signature": signatures[result.rel],
                             "stem": stems[result.rel], "rows": result.rows}
                    rows.extend([result.rel, *row, "ok", ""] for row in result.rows)
                    try:
                        state.append(entry)
                    except OSError as error:  # its outputs stand; a re-run redoes it
                        summary.stopped = f"cannot write the journal: {error}"
                        continue
                    done[result.rel] = entry
                else:
                    summary.empty += result.status == "empty"
                    summary.failed += result.status == "error"
                    report_problem(result.rel, result.status, result.error)
                    if result.stop_run and not summary.stopped:
                        summary.stopped = result.error
        finally:
            bar.close()
        for rel in sorted(unfinished):
            summary.not_converted += 1
            report_problem(rel, "not converted", "the run stopped before this file")

        rows.sort(key=lambda r: (r[0], -1 if r[1] == "" else int(r[1])))
        summary.problems.sort()
        text = _manifest_text(rows)
        try:
            current = summary.manifest.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            current = None
        try:
            if current != text:
                atomic_write(summary.manifest, lambda f: f.write(text.encode("utf-8")))
        except OSError as error:
            summary.manifest_error = f"{type(error).__name__}: {error}"
        journal.update(done)
        with contextlib.suppress(OSError):  # compaction only saves re-reading
            state.compact(journal)
    finally:
        state.close()
    summary.elapsed = time.perf_counter() - start
    return summary


# ---- Command line -----------------------------------------------------------------------

def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not np.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not finite")
    return value


def _size(text: str) -> Optional[Tuple[int, int]]:
    try:
        return _clips.parse_size(text)
    except ParameterError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="swiftspec", description="swiftspec: librosa's spectrograms, fast.")
    parser.add_argument("--version", action="version", version=f"swiftspec {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    images = commands.add_parser(
        "images", help="a folder of recordings to spectrogram images or arrays",
        description="Convert every audio file under IN into log-mel spectrogram images "
                    "(or arrays) of fixed-length clips under OUT, mirroring IN's folders, "
                    "with a manifest (OUT/manifest.csv). Resumable: re-running skips what "
                    "is done. Without IN and OUT, converts the bundled bird recording into "
                    f"./{DEMO_OUTPUT}.",
        epilog="Exit status: 0 when every file converted (or was empty), 1 when some "
               "failed or the run stopped on a full or read-only disk (see the summary and "
               "the manifest; run again to resume), 2 for bad arguments.")
    images.add_argument("input", nargs="?", metavar="IN", help="an audio file or a folder")
    images.add_argument("output", nargs="?", metavar="OUT", help="the output folder")
    d = Settings()
    group = images.add_argument_group("audio and clips")
    group.add_argument("--sr", type=_positive_int, default=d.sr,
                       help="sample rate to load at, Hz (default %(default)s)")
    group.add_argument("--clip", type=_number, default=d.clip,
                       help="clip length, seconds (default %(default)s)")
    group.add_argument("--clip-hop", type=_number, default=None, metavar="SECONDS",
                       help="seconds between clip starts (default: the clip length)")
    group.add_argument("--tail", choices=_clips.TAILS, default=d.tail,
                       help="the partial last clip: zero-pad it, drop it or keep it short "
                            "(default %(default)s)")
    group.add_argument("--min-tail", type=_number, default=d.min_tail, metavar="SECONDS",
                       help="drop a partial clip with less audio than this (default 0)")
    group.add_argument("--res-type", choices=RES_TYPES, default=d.res_type,
                       help="resampling method (default %(default)s)")
    group = images.add_argument_group("spectrogram")
    group.add_argument("--n-fft", type=_positive_int, default=d.n_fft,
                       help="FFT size (default %(default)s)")
    group.add_argument("--hop", type=_positive_int, default=d.hop_length, dest="hop_length",
                       help="hop length, samples (default %(default)s)")
    group.add_argument("--n-mels", type=_positive_int, default=d.n_mels,
                       help="mel bands (default %(default)s)")
    group.add_argument("--fmin", type=_number, default=d.fmin,
                       help="lowest frequency, Hz (default %(default)s)")
    group.add_argument("--fmax", type=_number, default=None,
                       help="highest frequency, Hz (default: sr / 2)")
    group.add_argument("--top-db", type=_number, default=d.top_db,
                       help="dynamic range below each clip's maximum, dB (default "
                            "%(default)s)")
    group.add_argument("--precision", choices=("exact", "fast"), default=d.precision,
                       help="FFT precision (default %(default)s)")
    group = images.add_argument_group("output")
    group.add_argument("--format", choices=("png", "npy"), default=d.format,
                       help="8-bit PNG image or float32 log-mel array (default %(default)s)")
    group.add_argument("--size", type=_size, default=None, metavar="WxH",
                       help="resize images to WIDTHxHEIGHT pixels, e.g. 512x512 (default: "
                            "frames x mels)")
    group.add_argument("--colormap", default=d.colormap,
                       help="gray (default), heat, or a matplotlib colour map name "
                            "(e.g. viridis, magma; needs matplotlib)")
    group.add_argument("--resize-filter", choices=_clips.RESIZE_FILTERS,
                       default=d.resize_filter,
                       help="Pillow filter for --size (default %(default)s)")
    group.add_argument("--overwrite", action="store_true",
                       help="redo every file and replace existing outputs (needed to "
                            "change the settings of an existing OUT)")
    group = images.add_argument_group("execution")
    group.add_argument("--workers", type=_positive_int, default=None,
                       help="worker processes (default: the available cores, "
                            f"{default_workers()} here)")
    group.add_argument("--engine", choices=("local", "dask"), default="local",
                       help="local processes, or a dask.distributed cluster (default "
                            "%(default)s)")
    group.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="dask scheduler address, e.g. tcp://10.0.0.1:8786 (with "
                            "--engine dask; without it a LocalCluster of --workers "
                            "processes is started)")
    group.add_argument("--no-progress", action="store_true",
                       help="no progress bar on stderr")
    commands.add_parser("info", help="print the configuration for a bug report",
                        description="Print swiftspec's version, native library, FFTW build, "
                                    "SIMD level, threads and optional dependencies.")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``swiftspec`` console script and ``python -m swiftspec``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "info":
        from ._info import show_config
        show_config()
        return 0
    if args.command != "images":
        parser.print_help()
        return 2
    if args.input is None:
        in_path, out_dir = sample_path(), Path(DEMO_OUTPUT)
    elif args.output is None:
        parser.error("OUT is required when IN is given (images IN OUT)")
    else:
        in_path, out_dir = Path(args.input), Path(args.output)
    if args.scheduler and args.engine != "dask":
        parser.error("--scheduler needs --engine dask")
    try:
        settings = Settings(
            sr=args.sr, clip=args.clip, clip_hop=args.clip_hop, tail=args.tail,
            min_tail=args.min_tail, n_fft=args.n_fft, hop_length=args.hop_length,
            n_mels=args.n_mels, fmin=args.fmin, fmax=args.fmax, top_db=args.top_db,
            format=args.format, size=args.size, colormap=args.colormap,
            resize_filter=args.resize_filter, res_type=args.res_type,
            precision=args.precision)
        summary = run(in_path, out_dir, settings,
                      workers=args.workers or default_workers(), engine=args.engine,
                      scheduler=args.scheduler, overwrite=args.overwrite,
                      progress=not args.no_progress)
    except (ParameterError, ImportError) as error:
        print(f"swiftspec images: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # OUT's state cannot be written (full or read-only disk...)
        print(f"swiftspec images: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("swiftspec images: interrupted; run the same command again to resume",
              file=sys.stderr)
        return 130
    print(summary.report())
    return summary.exit_status

