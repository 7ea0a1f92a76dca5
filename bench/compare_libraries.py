# SPDX-License-Identifier: GPL-2.0-or-later
"""Two builds of libswiftspec side by side in one process, through the C ABI.

Log-mel (swiftspec_log_melspectrogram, top_db 80, one thread, one clip per call) of
float32 noise clips, 5 s: n_fft 2048 / hop 512 / 128 mels at 32 kHz, and n_fft 400 / hop
160 / 80 mels and n_fft 256 / hop 128 / 64 mels at 16 kHz, both precisions. Repeats
alternate the libraries (order flipped every repeat); prints the median time per clip of
each, the median of the per-repeat ratios, and whether the outputs are bit-identical.

    python bench/compare_libraries.py old=/path/to/old.so new=python/swiftspec/_lib/libswiftspec.so

Only the C ABI is used, so any two builds of ABI version 1 compare.
"""

import ctypes
import statistics
import sys
import time
from ctypes import POINTER, c_double, c_int64, c_void_p

import numpy as np

CASES = [  # label, sample rate, n_fft, hop, n_mels, precision code
    ("2048 fast", 32000, 2048, 512, 128, 1), ("2048 exact", 32000, 2048, 512, 128, 0),
    ("400 fast", 16000, 400, 160, 80, 1), ("400 exact", 16000, 400, 160, 80, 0),
    ("256 fast", 16000, 256, 128, 64, 1), ("256 exact", 16000, 256, 128, 64, 0),
]
CLIPS, REPEATS = 48, 21


def prepare(lib, sr, n_fft, n_mels):
    window = np.empty(n_fft)
    lib.swiftspec_get_window(0, c_int64(n_fft), 1, window.ctypes.data_as(POINTER(c_double)),
                             c_int64(n_fft))
    basis = np.empty((n_mels, n_fft // 2 + 1), np.float32)
    empty = c_int64()
    status = lib.swiftspec_mel_filter_bank(
        c_double(sr), c_int64(n_fft), c_int64(n_mels), c_double(0), c_double(sr / 2), 0, 1, 1,
        c_void_p(basis.ctypes.data), c_int64(basis.size), ctypes.byref(empty))
    assert status == 0, status
    return window, basis


def log_mel(lib, y, out, window, basis, n_fft, hop, precision):
    n_mels, frames = out.shape[1:]
    for clip in range(y.shape[0]):
        status = lib.swiftspec_log_melspectrogram(
            c_void_p(y[clip].ctypes.data), 1, c_int64(1), c_int64(y.shape[1]), c_int64(n_fft),
            c_int64(hop), window.ctypes.data_as(POINTER(c_double)), 1, 0, precision,
            c_double(2.0), c_void_p(basis.ctypes.data), c_int64(n_mels), 0, c_double(0.0),
            c_double(1e-10), 1, c_double(80.0), c_void_p(out[clip].ctypes.data), 1,
            c_int64(n_mels * frames), 1)
        assert status == 0, status


def main():
    libs = {}
    for argument in sys.argv[1:]:
        name, path = argument.split("=", 1)
        libs[name] = ctypes.CDLL(path)
    names = list(libs)
    rng = np.random.default_rng(1)
    for label, sr, n_fft, hop, n_mels, precision in CASES:
        y = (0.1 * rng.standard_normal((CLIPS, 5 * sr))).astype(np.float32)
        frames = 1 + y.shape[1] // hop
        setup = {k: prepare(lib, sr, n_fft, n_mels) for k, lib in libs.items()}
        outs = {k: np.empty((CLIPS, n_mels, frames), np.float32) for k in libs}
        times = {k: [] for k in libs}

        def run(k):
            log_mel(libs[k], y, outs[k], *setup[k], n_fft, hop, precision)

        for k in names:
            run(k)  # warm-up: plans, caches
        for repeat in range(REPEATS):
            for k in (names if repeat % 2 == 0 else names[::-1]):
                start = time.perf_counter()
                run(k)
                times[k].append((time.perf_counter() - start) / CLIPS)
        same = all(np.array_equal(outs[names[0]], outs[k]) for k in names[1:])
        line = f"{label:11s}" + "".join(
            f"  {k} {statistics.median(times[k]) * 1e3:.3f} ms" for k in names)
        for k in names[1:]:
            ratio = statistics.median(a / b for a, b in zip(times[names[0]], times[k]))
            line += f"  {names[0]}/{k} {ratio:.2f}x"
        print(line + f"  bit-identical: {same}")


if __name__ == "__main__":
    main()
