# SPDX-License-Identifier: GPL-2.0-or-later
"""`run`: the outline of a `swiftspec images` job, from IN to OUT and its manifest."""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Optional, Set, Tuple, Union

from ..exceptions import ParameterError
from . import shards
from .convert import FileResult, convert_file
from .executors import Convert, dask_results, local_results
from .journal import OutputState, journal_entry
from .manifest import MANIFEST, clip_rows, manifest_text, write_manifest
from .plan import Plan, plan_work
from .progress import Progress
from .settings import Settings, check_settings
from .summary import Summary
from .writers import remove_stale_temporaries

ENGINES = ("local", "dask")


def run(
    in_path: Union[str, os.PathLike[str]],
    out_dir: Union[str, os.PathLike[str]],
    settings: Optional[Settings] = None,
    *,
    workers: int = 1,
    engine: str = "local",
    scheduler: Optional[str] = None,
    overwrite: bool = False,
    progress: bool = False,
    convert: Convert = convert_file,
) -> Summary:
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
        Local processes, or a dask.distributed cluster.
    scheduler : str or None
        A dask.distributed scheduler address (``engine='dask'``).
    overwrite : bool
        Redo every file, replacing existing outputs (needed to change the settings of
        an existing ``out_dir``).
    progress : bool
        Show a progress bar on stderr.
    convert : callable
        ``convert(task, settings) -> FileResult`` converts one file in a worker:
        `convert_file`, or a picklable module-level function wrapping it (tests use
        this to crash a worker).

    Raises
    ------
    ParameterError
        For bad settings or paths, other settings in ``out_dir`` (without
        ``overwrite``), or another run holding ``out_dir``. A bad audio file never
        raises: it is reported in the summary and the manifest.
    """
    settings = Settings() if settings is None else settings
    _check_execution(workers, engine, scheduler)
    setting_warnings = check_settings(settings)
    in_path, out_dir = _check_paths(in_path, out_dir)

    start = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    with OutputState(out_dir) as state:
        state.check_settings(settings, overwrite)
        summary = Summary(
            out_dir,
            out_dir / MANIFEST,
            settings,
            _engine_description(engine, scheduler, workers),
            workers,
        )
        summary.add_warnings(setting_warnings)
        summary.stale_removed = remove_stale_temporaries(out_dir)
        journal = state.read_journal()  # empty after --overwrite
        packed = (
            shards.packed_sources(out_dir, state.read_shards(), journal)
            if settings.format == "shards"
            else frozenset()
        )
        plan = plan_work(in_path, out_dir, journal, summary, packed)

        # No pool for less than two files' work. In parallel runs each conversion uses
        # one native thread (the processes share the cores); alone, it uses them all.
        if engine == "local":
            workers = summary.workers = max(1, min(workers, len(plan.tasks)))
        if engine == "dask" or workers > 1:
            plan.tasks = [replace(task, n_threads=1) for task in plan.tasks]

        def stopping() -> bool:
            return bool(summary.stopped)

        if engine == "dask":
            results = dask_results(plan.tasks, settings, workers, scheduler, convert, stopping)
        else:
            results = local_results(plan.tasks, settings, workers, convert, stopping)
        bar = Progress(len(plan.tasks), progress)
        try:
            unfinished = _collect(results, plan, state, summary, bar)
        finally:
            bar.close()
        for rel in sorted(unfinished):
            summary.add_problem(rel, "not converted", "the run stopped before this file")
        if settings.format == "shards":
            plan.rows = shards.finish(out_dir, settings, plan.done, state, summary)

        summary.problems.sort()
        try:
            write_manifest(summary.manifest, manifest_text(plan.rows, summary.problems))
        except OSError as error:
            summary.manifest_error = f"{type(error).__name__}: {error}"
        journal.update(plan.done)
        with contextlib.suppress(OSError):  # compaction only saves re-reading
            state.compact(journal)
    summary.elapsed = time.perf_counter() - start
    return summary


def _check_execution(workers: int, engine: str, scheduler: Optional[str]) -> None:
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ParameterError(f"workers={workers!r} must be a positive integer")
    if engine not in ENGINES:
        raise ParameterError(f"engine={engine!r} must be 'local' or 'dask'")
    if scheduler and engine != "dask":
        raise ParameterError("a scheduler address needs engine='dask' (--engine dask)")


def _check_paths(
    in_path: Union[str, os.PathLike[str]], out_dir: Union[str, os.PathLike[str]]
) -> Tuple[Path, Path]:
    in_path = Path(in_path)
    if not in_path.exists():
        raise ParameterError(f"IN={str(in_path)!r} does not exist")
    out_dir = Path(out_dir).resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise ParameterError(f"OUT={str(out_dir)!r} exists and is not a folder")
    return in_path, out_dir


def _engine_description(engine: str, scheduler: Optional[str], workers: int) -> str:
    if engine == "local":
        return "local"
    return f"dask at {scheduler}" if scheduler else f"a dask LocalCluster of {workers} processes"


def _collect(
    results: Iterable[FileResult], plan: Plan, state: OutputState, summary: Summary, bar: Progress
) -> Set[str]:
    """Record each result in ``summary``, the manifest rows and the journal, as it
    comes; set ``summary.stopped`` on a full disk. Returns the sources left without a
    result."""
    unfinished = {task.rel for task in plan.tasks}
    for result in results:
        unfinished.discard(result.rel)
        bar.update(result)
        summary.add_warnings(result.warnings)
        if result.status != "ok":
            summary.add_problem(result.rel, result.status, result.error)
            if result.stop_run and not summary.stopped:
                summary.stopped = result.error
            continue
        summary.add_converted(result)
        plan.rows.extend(clip_rows(result.rel, result.rows))
        entry = journal_entry(
            result.rel, plan.signatures[result.rel], plan.stems[result.rel], result.rows
        )
        try:
            state.append(entry)
        except OSError as error:  # its outputs stand; a re-run redoes it
            summary.stopped = f"cannot write the journal: {error}"
            continue
        plan.done[result.rel] = entry
    return unfinished
