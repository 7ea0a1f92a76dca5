# SPDX-License-Identifier: GPL-2.0-or-later
"""Reliability under load, threads and forks (issue 5): no crash, no hang, no wrong answer.

- Memory: a long loop of mixed calls (including calls that fail in Python and in C) keeps
  the process's resident memory and malloc'ed bytes flat.
- Threads: 8 Python threads calling with mixed parameters get results bit-identical to
  serial calls; in a fresh process, 8 threads planning the same never-seen FFT sizes at
  once (plan-cache races) get the same bytes as serial calls there and in this process.
- Fork: processes forked (multiprocessing 'fork') while other threads compute and plan new
  FFT sizes compute correct results and never deadlock; 'spawn' too; a torch DataLoader
  with two forked workers likewise (skipped, with the reason, without torch).
- Determinism: the same input gives the same bytes on repeated calls, with 1, 2 or 8
  native threads, and as any row of a batch of shape (1, n), (3, n) or (2, 2, n), in
  exact and fast precision.

Every test that starts a process bounds it with a watchdog (a join or communicate
timeout, then SIGKILL of its process group): a deadlock fails the test, it never hangs the
suite. Figures (calls, threads, forks) are in each test's docstring and docs/guarantees.md.
"""

import ctypes
import ctypes.util
import gc
import importlib.util
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import _reliability_jobs as jobs_module
import numpy as np
import pytest
from _reliability_jobs import digest, digests, mixed_jobs, new_size_jobs, run

import swiftspec
from swiftspec import _ffi

# Forks, spawns and long loops: the slow suite (pytest -m 'not slow' leaves it out).
pytestmark = pytest.mark.slow

TESTS_DIR = Path(__file__).resolve().parent
PYTHON_DIR = Path(swiftspec.__file__).resolve().parent.parent
WATCHDOG = 120  # seconds for any child process; every run here takes a few seconds


def child_env():
    """The environment of a child Python: this package, this library, no thread override."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(PYTHON_DIR), str(TESTS_DIR)])
    env["SWIFTSPEC_LIBRARY"] = str(_ffi.library_path)
    env.pop("SWIFTSPEC_NUM_THREADS", None)
    return env


def run_script(source, *args, timeout=WATCHDOG):
    """Run `source` in a fresh Python in its own session; return its last stdout line as
    JSON. Kills the whole process group and fails the test when the watchdog expires."""
    process = subprocess.Popen(
        [sys.executable, "-c", source, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"child process did not finish within {timeout} s (deadlock?)")
    assert process.returncode == 0, f"child exited with {process.returncode}: {stderr[-3000:]}"
    return json.loads(stdout.strip().splitlines()[-1])


# ---- (a) A long loop with flat memory ---------------------------------------------------


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _mallinfo2():
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    function = getattr(libc, "mallinfo2", None)
    if function is None:
        return None
    function.restype = _MallInfo2
    return function


_MALLINFO2 = _mallinfo2() if sys.platform.startswith("linux") else None


def memory():
    """(resident bytes, bytes malloc'ed and not freed, or None) of this process."""
    gc.collect()
    with open("/proc/self/statm") as statm:
        rss = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    if _MALLINFO2 is None:
        return rss, None
    info = _MALLINFO2()
    return rss, info.uordblks + info.hblkhd


def _loop_calls():
    """The cycle of calls of the memory test: features, dB, istft, batches, both
    precisions, and failures raised by Python's checks and by the C library's."""
    y = jobs_module.signal(1, 16000)
    y64 = jobs_module.signal(2, 12000, np.float64)
    batch = np.stack([y[:8000], y[8000:]])
    window = np.hanning(512)
    bad = np.zeros(4, dtype=np.complex128)

    def c_error():
        status = _ffi.lib.swiftspec_stft(
            _ffi.pointer(y),
            _ffi.FLOAT32,
            1,
            y.size,
            512,
            128,
            _ffi.pointer(window),
            1,
            42,
            0,
            _ffi.pointer(bad),
            _ffi.FLOAT64,
            2,
            1,
        )
        assert status == _ffi.ERR_INVALID_ARGUMENT  # pad mode 42, rejected in the shim

    def python_error():
        with pytest.raises(swiftspec.ParameterError):
            swiftspec.stft(y, n_fft=0)

    def nan_error():
        with pytest.raises(swiftspec.ParameterError):
            swiftspec.feature.melspectrogram(y=np.full(4000, np.nan, np.float32), sr=16000)

    return [
        lambda: swiftspec.stft(y, n_fft=512, hop_length=128),
        lambda: swiftspec.feature.melspectrogram(
            y=y, sr=16000, n_fft=1024, hop_length=256, n_mels=40
        ),
        lambda: swiftspec.feature.mfcc(
            y=y64, sr=16000, n_mfcc=20, n_fft=400, hop_length=160, n_mels=40
        ),
        lambda: swiftspec.power_to_db(np.abs(swiftspec.stft(batch, n_fft=256)) ** 2, ref=np.max),
        lambda: swiftspec.feature.melspectrogram(
            y=batch, sr=16000, n_fft=512, hop_length=160, n_mels=32, precision="fast", n_threads=2
        ),
        lambda: swiftspec.istft(swiftspec.stft(y64[:4000], n_fft=256), n_fft=256),
        c_error,
        python_error,
        nan_error,
    ]


def test_long_loop_memory_is_flat():
    """2,000 mixed calls (after 300 of warm-up) grow resident memory by < 8 MB and the
    malloc'ed bytes by < 1 MB: no per-call leak in Python, in the library, on error paths."""
    calls = _loop_calls()
    for i in range(300):
        calls[i % len(calls)]()
    rss_before, heap_before = memory()
    for i in range(2000):
        calls[i % len(calls)]()
    rss_after, heap_after = memory()
    rss_growth = rss_after - rss_before
    assert rss_growth < 8 << 20, f"RSS grew by {rss_growth / 2**20:.1f} MB over 2,000 calls"
    if heap_before is not None:
        heap_growth = heap_after - heap_before
        assert heap_growth < 1 << 20, (
            f"malloc'ed bytes grew by {heap_growth / 2**10:.0f} kB over 2,000 calls"
        )


# ---- (b) Threads --------------------------------------------------------------------------


def test_eight_threads_bit_identical_to_serial():
    """8 Python threads x 40 calls (320 calls, each with 1-3 native threads of its own)
    over 5 kinds, 6 FFT sizes, 4 hops, 6 pad modes, 5 batch shapes, both precisions and
    dtypes: every result has the bytes of the serial call."""
    jobs = mixed_jobs(seed=11, count=80) * 4
    expected = digests(jobs)
    barrier = threading.Barrier(8)

    def worker(index):
        barrier.wait()  # all threads start together
        return [(i, digest(run(jobs[i]))) for i in range(index, len(jobs), 8)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [pair for chunk in pool.map(worker, range(8)) for pair in chunk]
    assert len(results) == len(jobs) == 320
    mismatched = [jobs[i] for i, d in results if d != expected[i]]
    assert not mismatched, f"{len(mismatched)} results differ from serial: {mismatched[:3]}"


# Sizes no other test plans: in a fresh process each is planned for the first time.
RACE_SIZES = list(range(1101, 1149))

PLAN_RACE = textwrap.dedent("""
    import json, sys, threading
    from _reliability_jobs import digest, new_size_jobs, run

    jobs = new_size_jobs(json.loads(sys.argv[1]))
    barrier = threading.Barrier(8)
    results = [dict() for _ in range(8)]

    def worker(t):
        barrier.wait()
        # Every thread runs every job, each from another starting point: the same new size
        # is often requested by several threads at once, and different ones concurrently.
        for k in range(len(jobs)):
            i = (k + 6 * t) % len(jobs)
            results[t][i] = digest(run(jobs[i]))

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    serial = [digest(run(job)) for job in jobs]  # the plans exist by now
    agree = all(results[t][i] == serial[i] for t in range(8) for i in range(len(jobs)))
    print(json.dumps({"agree": agree, "digests": serial, "calls": 8 * len(jobs)}))
""")


def test_concurrent_first_time_planning():
    """In a fresh process, 8 threads each run 48 jobs of 48 never-planned FFT sizes (384
    calls; up to 8 threads request the same new plan at once): all results equal the
    serial ones there, and the ones computed here (the same bytes in another process)."""
    report = run_script(PLAN_RACE, json.dumps(RACE_SIZES))
    assert report["calls"] == 384
    assert report["agree"], "a thread's result differs from the serial call"
    assert report["digests"] == digests(new_size_jobs(RACE_SIZES)), (
        "results differ between processes"
    )


# ---- (c) Fork and spawn ------------------------------------------------------------------

# Sizes planned (for the first time) by the parent's planner threads while it forks.
FORK_PLANNER_SIZES = list(range(1201, 3201))

FORK_STORM = textwrap.dedent("""
    import json, multiprocessing, sys, threading, time, warnings
    import numpy as np
    import swiftspec
    from _reliability_jobs import digests, mixed_jobs, new_size_jobs, run, send_digests

    method, n_children, child_timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    planner_sizes = json.loads(sys.argv[4])
    context = multiprocessing.get_context(method)

    # What each child computes: usual sizes (planned here before the fork) and sizes the
    # planner threads are planning meanwhile (the child may inherit or make those plans).
    def child_jobs(i):
        fresh = planner_sizes[(7 * i) % len(planner_sizes)::53][:3]
        return mixed_jobs(seed=100 + i, count=4) + new_size_jobs(fresh, seed=i)

    stop = threading.Event()
    busy = [0, 0, 0, 0]          # threads inside a call when a fork starts (racy, indicative)
    planned = [0]

    def planner(t):
        for n_fft in planner_sizes[t::2]:
            if stop.is_set():
                return
            busy[t] = 1
            y = np.zeros(n_fft, np.float32)
            swiftspec.stft(y, n_fft=n_fft, hop_length=n_fft, center=False, n_threads=1)
            swiftspec.stft(y, n_fft=n_fft, hop_length=n_fft, center=False, precision="fast")
            busy[t] = 0
            planned[0] += 2

    def computer(t):
        y = np.random.default_rng(t).standard_normal((2, 48000)).astype(np.float32)
        while not stop.is_set():
            busy[2 + t] = 1
            swiftspec.feature.melspectrogram(y=y, sr=16000, n_threads=2)
            busy[2 + t] = 0

    if __name__ == "__main__":
        for i in range(n_children):
            [run(job) for job in child_jobs(i)[:4]]  # usual sizes: planned before forking
        threads = [threading.Thread(target=planner, args=(t,)) for t in range(2)]
        threads += [threading.Thread(target=computer, args=(t,)) for t in range(2)]
        for thread in threads:
            thread.start()
        forks = hung = failed = planning_at_fork = 0
        results = {}
        start = time.monotonic()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # 3.12: fork with threads
            for i in range(n_children):
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=send_digests, args=(send, child_jobs(i)))
                planning_at_fork += busy[0] or busy[1]
                process.start()
                send.close()
                forks += 1
                got = receive.poll(child_timeout) and receive.recv()
                process.join(timeout=child_timeout)
                if process.is_alive() or not got:
                    hung += 1
                    process.kill()
                    process.join()
                    continue
                if got[0] != "ok" or process.exitcode != 0:
                    failed += 1
                    print("child failed:", got, process.exitcode, file=sys.stderr)
                    continue
                results[i] = got[1]
        stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - start
        # The expected bytes, computed here once every thread has stopped.
        wrong = sum(results[i] != digests(child_jobs(i)) for i in results)
        print(json.dumps(dict(forks=forks, hung=hung, failed=failed, wrong=wrong,
                              ok=len(results) - wrong, planning_at_fork=planning_at_fork,
                              plans_made_meanwhile=planned[0], seconds=round(elapsed, 1),
                              calls_per_child=len(child_jobs(0)))))
""")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs the fork start method")
def test_fork_while_threads_compute_and_plan():
    """60 children forked (multiprocessing 'fork') while two threads plan new FFT sizes
    and two compute mel spectrograms with native threads: each child runs 7 calls (usual
    sizes and sizes being planned, 1-3 native threads), within a 30 s watchdog each; none
    hangs, every result is bit-identical to the parent's."""
    report = run_script(FORK_STORM, "fork", 60, 30, json.dumps(FORK_PLANNER_SIZES))
    assert report["hung"] == 0, report
    assert report["failed"] == 0, report
    assert report["wrong"] == 0, report
    assert report["ok"] == report["forks"] == 60, report


def test_spawn_while_threads_compute_and_plan():
    """3 children started with 'spawn' while the parent's threads compute and plan: each
    imports swiftspec afresh and computes the same bytes."""
    report = run_script(FORK_STORM, "spawn", 3, 60, json.dumps(FORK_PLANNER_SIZES))
    assert report["hung"] == 0 and report["failed"] == 0 and report["wrong"] == 0, report
    assert report["ok"] == 3, report


# ---- (d) A real torch DataLoader ----------------------------------------------------------

DATALOADER = textwrap.dedent("""
    import json, sys, threading
    import numpy as np
    import torch
    from torch.utils.data import DataLoader, Dataset
    import swiftspec
    from _reliability_jobs import digest, mixed_jobs, new_size_jobs, run

    JOBS = mixed_jobs(seed=500, count=16) + new_size_jobs(range(1501, 1517), seed=3)

    class Features(Dataset):
        def __len__(self):
            return len(JOBS)

        def __getitem__(self, i):
            return {"digest": digest(run(JOBS[i])), "threads": swiftspec.get_num_threads(),
                    "worker": torch.utils.data.get_worker_info().id}

    if __name__ == "__main__":
        stop = threading.Event()

        def busy():  # the parent keeps computing and planning while workers fork
            n = 1601
            y = np.zeros(4096, np.float32)
            while not stop.is_set():
                swiftspec.stft(y[:n], n_fft=n, hop_length=n, center=False)
                swiftspec.feature.melspectrogram(y=y, sr=16000, n_fft=512, n_threads=2)
                n = n + 2 if n + 2 <= len(y) else 1601

        threads = [threading.Thread(target=busy) for _ in range(2)]
        for thread in threads:
            thread.start()
        loader = DataLoader(Features(), batch_size=None, num_workers=2,
                            multiprocessing_context="fork", timeout=60)
        items = list(loader)
        stop.set()
        for thread in threads:
            thread.join()
        expected = [digest(run(job)) for job in JOBS]
        print(json.dumps({"items": len(items),
                          "wrong": sum(item["digest"] != e for item, e in zip(items, expected)),
                          "workers": sorted({int(item["worker"]) for item in items}),
                          "threads": sorted({int(item["threads"]) for item in items})}))
""")

FIRST_CALL_FORK = textwrap.dedent("""
    import json, os, random, signal, sys, threading, time
    import numpy as np
    import swiftspec

    # Two threads make this process's first calls (every one-time initialisation of the
    # library and of its Swift runtime happens now) while the main thread forks.
    y = np.random.default_rng(0).standard_normal(8000).astype(np.float32)

    def first_calls(which):
        if which == 0:
            swiftspec.feature.mfcc(y=y, sr=16000, n_mels=32, n_threads=2)
        else:
            swiftspec.istft(swiftspec.stft(y, n_fft=1000), n_fft=1000, n_threads=2)

    threads = [threading.Thread(target=first_calls, args=(k,)) for k in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(random.Random(int(sys.argv[1])).uniform(0, 0.003))
    pid = os.fork()
    if pid == 0:
        signal.alarm(30)  # a deadlocked child dies of SIGALRM
        swiftspec.filters.get_window("hann", 777)
        swiftspec.feature.melspectrogram(y=y, sr=16000, n_fft=640, n_mels=24)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    for thread in threads:
        thread.join()
    print(json.dumps({"child_status": status}))
""")


def test_fork_during_the_first_calls_of_a_process():
    """16 fresh processes fork while two threads make the process's first calls (a fork
    that caught a one-time initialisation half done used to leave the child waiting for
    it forever, about one fork in four): every child computes and exits within 30 s."""
    statuses = [run_script(FIRST_CALL_FORK, seed)["child_status"] for seed in range(16)]
    assert statuses == [0] * 16, statuses


_TORCH_SKIP = (
    "torch is not installed (pip install 'torch==2.13.0+cpu'): the DataLoader fork test did not run"
)


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason=_TORCH_SKIP)
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs the fork start method")
def test_torch_dataloader_fork_workers_while_parent_busy():
    """A torch DataLoader with 2 forked workers (32 items: mixed jobs and 16 FFT sizes new
    to every process) while two parent threads compute and plan: no deadlock (DataLoader
    timeout and watchdog), every item bit-identical to the in-process result."""
    report = run_script(DATALOADER, timeout=180)
    assert report["items"] == 32 and report["wrong"] == 0, report
    assert report["workers"] == [0, 1], report
    assert report["threads"] == [1], report  # one native thread per forked worker


# ---- Empty results of huge batches (found by the fuzzer) -------------------------------

EMPTY_HUGE = textwrap.dedent("""
    import ctypes, json, time, warnings
    import numpy as np
    import swiftspec
    from swiftspec import _ffi

    warnings.simplefilter("ignore")
    start = time.monotonic()
    shapes = []
    for n_threads in (1, 2):
        y = swiftspec.istft(np.zeros((2**40, 33, 0), np.complex64), n_fft=64, hop_length=64,
                            center=False, n_threads=n_threads)
        S = swiftspec.feature.melspectrogram(y=np.zeros((2**40, 0), np.float32), sr=16000,
                                             n_fft=64, n_mels=0, n_threads=n_threads)
        shapes += [list(y.shape), list(S.shape)]
        out = np.zeros(1)
        status = _ffi.lib.swiftspec_power_to_db(None, _ffi.FLOAT64, 2**62, 0, 0, 0.0, 1e-10,
                                                0, 0.0, _ffi.pointer(out), 0, n_threads)
        shapes.append(status)
    print(json.dumps({"shapes": shapes, "seconds": time.monotonic() - start}))
""")


def test_empty_results_of_huge_batches_return_at_once():
    """An empty result (no samples, no mel bands, empty groups) of 2**40 (2**62) rows is
    returned at once: it used to loop over every row (a hang) or, with several threads,
    overflow computing the chunk bounds (a trap that kills the process)."""
    report = run_script(EMPTY_HUGE, timeout=30)
    assert report["shapes"] == [[2**40, 0], [2**40, 0, 1], 0] * 2, report
    assert report["seconds"] < 10, report


# ---- (e) Determinism ---------------------------------------------------------------------

CASES = [
    (kind, precision)
    for kind in ("stft", "mel", "logmel", "mfcc")
    for precision in ("exact", "fast")
] + [("istft", "exact")]  # istft: no fast mode


@pytest.mark.parametrize("kind,precision", CASES)
def test_same_bytes_across_calls_threads_and_batch_shapes(kind, precision):
    """Same input, same bytes: 3 repeated calls, 1/2/8 native threads, and every row of
    batches (1, n), (3, n) and (2, 2, n) equals the single-row call."""
    n = 7777  # frames do not divide evenly between threads or blocks
    job = dict(
        kind=kind,
        seed=21,
        shape=(n,),
        n_fft=1024,
        hop=256,
        precision=precision,
        dtype="float32",
        pad_mode="reflect",
        n_threads=1,
    )
    rows = [jobs_module.signal(21 + r, n) for r in range(4)]
    single = [run(job, y) for y in rows]
    reference = digest(single[0])
    for _ in range(3):
        assert digest(run(job, rows[0])) == reference
    for n_threads in (2, 8):
        assert digest(run(dict(job, n_threads=n_threads), rows[0])) == reference, n_threads
    for shape in ((1, n), (3, n), (2, 2, n)):
        batch = np.stack(rows[: int(np.prod(shape[:-1]))]).reshape(shape)
        for n_threads in (1, 2, 8):
            result = run(dict(job, n_threads=n_threads), batch)
            flat = result.reshape((-1,) + result.shape[len(shape) - 1 :])
            for r in range(flat.shape[0]):
                assert digest(flat[r]) == digest(single[r]), (shape, n_threads, r)
