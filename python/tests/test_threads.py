# SPDX-License-Identifier: GPL-2.0-or-later
"""Concurrent calls give the same bytes as serial ones; thread counts do not change results."""

import multiprocessing
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import swiftspec

CASES = [
    dict(kind="stft", n_fft=512, hop_length=128),
    dict(kind="stft", n_fft=2048, hop_length=512, pad_mode="reflect"),
    dict(kind="mel", n_fft=1024, hop_length=256, n_mels=64),
    dict(kind="mel", n_fft=2048, hop_length=512, precision="fast"),
    dict(kind="mfcc", n_fft=400, hop_length=160, n_mels=40),
]


def compute(case, y, n_threads=1):
    case = dict(case)
    kind = case.pop("kind")
    if kind == "stft":
        return swiftspec.stft(y, n_threads=n_threads, **case)
    if kind == "mel":
        return swiftspec.feature.melspectrogram(y=y, sr=16000, n_threads=n_threads, **case)
    return swiftspec.feature.mfcc(y=y, sr=16000, n_threads=n_threads, **case)


@pytest.fixture(scope="module")
def signals():
    rng = np.random.default_rng(440)
    return [rng.standard_normal(n).astype(np.float32) for n in (1000, 16000, 40000)]


def test_threads_match_serial(signals):
    jobs = [(c, y) for c in CASES for y in signals] * 8
    serial = [compute(c, y) for c, y in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(lambda job: compute(*job), jobs))
    for expected, got in zip(serial, parallel):
        assert np.array_equal(expected, got)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["kind"] + str(c["n_fft"]))
@pytest.mark.parametrize("n_threads", [2, 3, 8])
def test_thread_count_does_not_change_results(signals, case, n_threads):
    batch = np.stack([signals[1], signals[1][::-1].copy(), signals[1] * 0.5])
    expected = compute(case, batch, n_threads=1)
    assert np.array_equal(expected, compute(case, batch, n_threads=n_threads))
    # Each row of a batch equals the single-channel call.
    assert np.array_equal(expected[1], compute(case, batch[1], n_threads=1))


def _child(queue):
    rng = np.random.default_rng(1)
    y = rng.standard_normal(20000).astype(np.float32)
    queue.put(swiftspec.feature.melspectrogram(y=y, sr=16000, n_threads=2).sum())


@pytest.mark.slow
@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_child_processes_compute(method):
    y = np.random.default_rng(1).standard_normal(20000).astype(np.float32)
    expected = swiftspec.feature.melspectrogram(y=y, sr=16000).sum()  # plans made in parent
    context = multiprocessing.get_context(method)
    queue = context.Queue()
    process = context.Process(target=_child, args=(queue,))
    process.start()
    process.join(timeout=60)
    assert process.exitcode == 0
    assert queue.get(timeout=5) == expected


def test_num_threads_setting():
    default = swiftspec.get_num_threads()
    assert default >= 1
    try:
        swiftspec.set_num_threads(3)
        assert swiftspec.get_num_threads() == 3
    finally:
        swiftspec.set_num_threads(None)
    assert swiftspec.get_num_threads() == default
