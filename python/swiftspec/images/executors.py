# SPDX-License-Identifier: GPL-2.0-or-later
"""Where files are converted: local worker processes, or a dask.distributed cluster.

Both yield one FileResult per task, in completion order, and start no task once
``stopping()`` is true (those running are finished).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import uuid
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Callable, Dict, Iterable, Iterator, List, Optional

from .convert import FileResult, Task

if TYPE_CHECKING:
    from .settings import Settings

#: Converts one file in a worker; must be picklable (a module-level function).
Convert = Callable[[Task, "Settings"], FileResult]


def _crash_result(task: Task, detail: str) -> FileResult:
    return FileResult(task.rel, "error", error=f"WorkerCrash: {detail}")


def _failure(task: Task, error: Exception) -> FileResult:
    return FileResult(task.rel, "error", error=f"{type(error).__name__}: {error}")


def _pool(workers: int) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["swiftspec.images"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def _run_isolated(convert: Convert, task: Task, settings: Settings) -> FileResult:
    """Run one task alone in a fresh process (after a pool crash, to find the culprit)."""
    with _pool(1) as pool:
        try:
            return pool.submit(convert, task, settings).result()
        except BrokenProcessPool:
            return _crash_result(task, "the worker process died while converting this file")


def local_results(
    tasks: Iterable[Task],
    settings: Settings,
    workers: int,
    convert: Convert,
    stopping: Callable[[], bool],
) -> Iterator[FileResult]:
    """A FileResult per task, from ``workers`` local processes (1: this process)."""
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
                    yield _failure(task, error)
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


def dask_results(
    tasks: Iterable[Task],
    settings: Settings,
    workers: int,
    scheduler: Optional[str],
    convert: Convert,
    stopping: Callable[[], bool],
) -> Iterator[FileResult]:
    """A FileResult per task, mapping files over the dask.distributed cluster at
    ``scheduler`` (None: a LocalCluster of ``workers`` processes)."""
    try:
        import distributed
    except ImportError as error:
        raise ImportError(
            "--engine dask needs dask.distributed: pip install "
            "'dask[distributed]' (or pip install 'swiftspec[dask]')"
        ) from error
    with contextlib.ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(distributed.Client(scheduler))
        else:
            cluster = stack.enter_context(
                distributed.LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
                )
            )
            client = stack.enter_context(distributed.Client(cluster))
        limit = 2 * max(1, sum(client.nthreads().values()))
        queue = deque(tasks)
        running: Dict[str, Task] = {}
        completed = distributed.as_completed()

        def submit() -> None:
            while queue and len(running) < limit and not stopping():
                task = queue.popleft()
                future = client.submit(
                    convert, task, settings, pure=False, key=f"swiftspec-{uuid.uuid4().hex}"
                )
                running[future.key] = task
                completed.add(future)

        submit()
        for future in completed:
            task = running.pop(future.key)
            try:
                yield future.result()
            except Exception as error:  # noqa: BLE001 - KilledWorker and the like
                yield _failure(task, error)
            finally:
                future.release()
            submit()
