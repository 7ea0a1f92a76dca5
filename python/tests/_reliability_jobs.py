# SPDX-License-Identifier: GPL-2.0-or-later
"""Deterministic swiftspec workloads shared by test_reliability.py and the processes it
starts (forked, spawned and DataLoader workers). A job is a plain dict, so it can be sent to
a child; `run(job)` computes it and `digest` names the result's exact bytes."""

import hashlib

import numpy as np

import swiftspec

SR = 16000
PAD_MODES = ("constant", "edge", "reflect", "symmetric", "linear_ramp", "empty")
# Mel bands per n_fft: few enough that no filter is empty (which would warn).
N_MELS = {256: 16, 400: 24, 512: 32, 1000: 40, 1024: 40, 2048: 64}


def signal(seed, n, dtype=np.float32):
    """A tone plus noise, the same for the same (seed, n, dtype) in every process."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SR
    y = 0.3 * np.sin(2 * np.pi * (220.0 + 37.0 * (seed % 11)) * t)
    return (y + 0.05 * rng.standard_normal(n)).astype(dtype)


def audio(job):
    """The job's input: shape job['shape'] (the last entry is the length), rows seeded
    seed, seed + 1, ..."""
    shape = tuple(job["shape"])
    rows = int(np.prod(shape[:-1], dtype=np.int64))
    dtype = np.dtype(job.get("dtype", "float32"))
    y = np.stack([signal(job["seed"] + r, shape[-1], dtype) for r in range(rows)])
    return y.reshape(shape)


def run(job, y=None):
    """The result of one job (a numpy array)."""
    y = audio(job) if y is None else y
    kind = job["kind"]
    n_fft, hop = job["n_fft"], job["hop"]
    common = dict(n_fft=n_fft, hop_length=hop, n_threads=job.get("n_threads"))
    framing = dict(center=job.get("center", True), pad_mode=job.get("pad_mode", "constant"))
    precision = job.get("precision", "exact")
    n_mels = N_MELS.get(n_fft, 24)
    if kind == "stft":
        return swiftspec.stft(y, precision=precision, **framing, **common)
    if kind == "mel":
        return swiftspec.feature.melspectrogram(
            y=y, sr=SR, n_mels=n_mels, precision=precision, **framing, **common
        )
    if kind == "logmel":
        mel = swiftspec.feature.melspectrogram(
            y=y, sr=SR, n_mels=n_mels, precision=precision, **framing, **common
        )
        return swiftspec.power_to_db(mel, ref=np.max, top_db=80.0)
    if kind == "mfcc":
        return swiftspec.feature.mfcc(
            y=y, sr=SR, n_mfcc=13, n_mels=n_mels, precision=precision, **framing, **common
        )
    if kind == "istft":
        D = swiftspec.stft(y, **common)
        return swiftspec.istft(
            D, hop_length=hop, n_fft=n_fft, length=y.shape[-1], n_threads=job.get("n_threads")
        )
    raise ValueError(f"unknown job kind {kind!r}")


def digest(array):
    """SHA-256 of dtype, shape and bytes: equal digests mean bit-identical arrays."""
    array = np.ascontiguousarray(array)
    h = hashlib.sha256(f"{array.dtype.str}{array.shape}".encode())
    h.update(array.tobytes())
    return h.hexdigest()


def mixed_jobs(seed, count):
    """`count` jobs over kinds, sizes, hops, precisions, pad modes, batch shapes, dtypes and
    native thread counts."""
    rng = np.random.default_rng(seed)
    kinds = ("stft", "mel", "logmel", "mfcc", "istft")
    shapes = ((4000,), (1, 3000), (3, 2500), (2, 2, 2500), (5000,))
    jobs = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        n_fft = int(rng.choice([256, 400, 512, 1000, 1024, 2048]))
        precision = "fast" if (kind != "istft" and rng.random() < 0.35) else "exact"
        dtype = "float32" if precision == "fast" or rng.random() < 0.6 else "float64"
        jobs.append(
            dict(
                kind=kind,
                seed=int(rng.integers(0, 1000)),
                shape=shapes[int(rng.integers(5))],
                n_fft=n_fft,
                hop=int(rng.choice([n_fft // 4, n_fft // 2, 160, 333])),
                precision=precision,
                dtype=dtype,
                pad_mode=str(rng.choice(PAD_MODES)),
                center=bool(rng.random() < 0.85),
                n_threads=int(rng.choice([1, 2, 3])),
            )
        )
    return jobs


def new_size_jobs(sizes, seed=7):
    """One short job per n_fft in `sizes` (sizes nothing else plans): planning dominates."""
    jobs = []
    for i, n_fft in enumerate(sizes):
        kind = ("stft", "mel", "mfcc")[i % 3]
        jobs.append(
            dict(
                kind=kind,
                seed=seed + i,
                shape=(2 * n_fft,),
                n_fft=int(n_fft),
                hop=int(n_fft // 2),
                precision="fast" if i % 2 else "exact",
                dtype="float32",
                n_threads=1 + i % 2,
            )
        )
    return jobs


def digests(jobs):
    return [digest(run(job)) for job in jobs]


def send_digests(connection, jobs):
    """Child process body: compute `jobs` and send their digests (or the error)."""
    try:
        connection.send(("ok", digests(jobs)))
    except BaseException as error:  # reported to the parent, which fails the test
        connection.send(("error", repr(error)))
    finally:
        connection.close()
