# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark swiftspec against its peers, side by side in one process.

Workload (the BirdCLEF pipeline): log-mel spectrograms of 5-second clips at 32 kHz,
n_fft 2048, hop 512, 128 mels (Slaney), power_to_db with top_db 80. Every peer computes
the same array. Timings interleave the implementations repeat by repeat and report
medians and ratios; memory and cold start are measured in fresh subprocesses.

    python bench/bench.py [--repeats N] [--output bench/RESULTS.md]

Builds nothing and downloads nothing: peers that are not importable are skipped.
"""

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import textwrap
import time

# One thread everywhere unless a case asks for more (set before numpy/torch load).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

SR = 32000
CLIP = 5 * SR
N_FFT, HOP, N_MELS, TOP_DB = 2048, 512, 128, 80.0
BATCH = 256
LONG = 10 * 60 * SR


# ---- implementations: each returns a callable computing log-mel of (n,) or (B, n) ----

def swiftspec_impl(precision, n_threads=1):
    import swiftspec

    def run(y):
        S = swiftspec.feature.melspectrogram(y=y, sr=SR, n_fft=N_FFT, hop_length=HOP,
                                             n_mels=N_MELS, precision=precision,
                                             n_threads=n_threads)
        return swiftspec.power_to_db(S, top_db=TOP_DB, n_threads=n_threads)
    return run


def librosa_impl():
    import librosa

    def run(y):
        S = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=N_FFT, hop_length=HOP,
                                           n_mels=N_MELS)
        return librosa.power_to_db(S, top_db=TOP_DB)
    return run


def torchaudio_impl():
    import torch
    import torchaudio.transforms as T

    torch.set_num_threads(1)
    mel = T.MelSpectrogram(sample_rate=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS,
                           f_max=SR / 2, mel_scale="slaney", norm="slaney",
                           pad_mode="constant", power=2.0)
    to_db = T.AmplitudeToDB(stype="power", top_db=TOP_DB)

    def run(y):
        with torch.inference_mode():
            x = torch.from_numpy(y)
            if x.ndim == 1:
                return to_db(mel(x)).numpy()
            # torchaudio's top_db is global over a 3-D input: apply it per clip.
            return np.stack([to_db(m).numpy() for m in mel(x)])
    return run


def numpy_scipy_impl():
    """A careful float32 numpy + scipy.fft pipeline, clip by clip."""
    import scipy.fft
    import scipy.signal

    window = scipy.signal.get_window("hann", N_FFT, fftbins=True).astype(np.float32)
    import swiftspec  # only for the identical filter bank

    basis = swiftspec.filters.mel(sr=SR, n_fft=N_FFT, n_mels=N_MELS)

    def one(y):
        padded = np.pad(y, N_FFT // 2)
        frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP]
        spectrum = scipy.fft.rfft(frames * window, axis=-1, workers=1)
        power = spectrum.real**2 + spectrum.imag**2
        S = basis @ power.T
        log = 10.0 * np.log10(np.maximum(np.float32(1e-10), S))
        return np.maximum(log, log.max() - np.float32(TOP_DB))

    def run(y):
        return one(y) if y.ndim == 1 else np.stack([one(row) for row in y])
    return run


def peers():
    impls = {"swiftspec fast": swiftspec_impl("fast"),
             "swiftspec exact": swiftspec_impl("exact")}
    for name, factory in (("librosa", librosa_impl), ("torchaudio", torchaudio_impl),
                          ("numpy+scipy.fft", numpy_scipy_impl)):
        try:
            impls[name] = factory()
        except ImportError as error:
            print(f"skipping {name}: {error}", file=sys.stderr)
    return impls


# ---- measurement ----------------------------------------------------------------------

def interleaved(cases, repeats):
    """Median seconds per case, timing the cases in turn on every repeat."""
    times = {name: [] for name in cases}
    for name, fn in cases.items():
        fn()  # warm-up: plans, caches, lazy imports
    for _ in range(repeats):
        for name, fn in cases.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def clips(rng, count):
    return (0.1 * rng.standard_normal((count, CLIP))).astype(np.float32)


def bench_throughput(impls, repeats):
    rng = np.random.default_rng(0)
    clip = clips(rng, 1)[0]
    batch = clips(rng, BATCH)
    one_clip = interleaved({n: (lambda f=f: f(clip)) for n, f in impls.items()}, repeats * 5)
    batched = interleaved({n: (lambda f=f: f(batch)) for n, f in impls.items()}, repeats)
    return one_clip, batched


def paired_speedup(one, two, repeats):
    """(median time of ``one``, of ``two``, median of the ratios one/two of back-to-back
    pairs). A shared VM's speed drifts over seconds; timing each pair together, in
    alternating order, cancels most of that drift from the ratio."""
    one(), two()  # warm-up
    times_one, times_two, ratios = [], [], []
    for repeat in range(repeats):
        pair = {}
        for name, fn in ((("1", one), ("2", two)) if repeat % 2 == 0 else
                         (("2", two), ("1", one))):
            start = time.perf_counter()
            fn()
            pair[name] = time.perf_counter() - start
        times_one.append(pair["1"])
        times_two.append(pair["2"])
        ratios.append(pair["1"] / pair["2"])
    return (statistics.median(times_one), statistics.median(times_two),
            statistics.median(ratios))


def bench_threads(repeats):
    """One against two threads: swiftspec's log-mel of the batch, and, as the machine's
    ceiling at that moment, scipy.fft's rfft of the same kind of frames (workers=1/2)."""
    import scipy.fft

    batch = clips(np.random.default_rng(0), BATCH)
    results = {}
    for precision in ("fast", "exact"):
        results[f"swiftspec {precision}"] = paired_speedup(
            lambda f=swiftspec_impl(precision, 1): f(batch),
            lambda f=swiftspec_impl(precision, 2): f(batch), repeats)
    frames = np.lib.stride_tricks.sliding_window_view(batch[:32], N_FFT, axis=-1)[:, ::HOP]
    frames = np.ascontiguousarray(frames, dtype=np.float32)
    results["scipy.fft rfft float32 (reference)"] = paired_speedup(
        lambda: scipy.fft.rfft(frames, axis=-1, workers=1),
        lambda: scipy.fft.rfft(frames, axis=-1, workers=2), repeats)
    return results


def bench_stft(repeats):
    """swiftspec.stft against scipy.fft.rfft on the same windowed frames."""
    import scipy.fft
    import scipy.signal

    import swiftspec

    y = clips(np.random.default_rng(1), 1)[0]
    window64 = scipy.signal.get_window("hann", N_FFT)
    padded = np.pad(y, N_FFT // 2)
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP]

    cases = {
        "swiftspec.stft fast": lambda: swiftspec.stft(y, n_fft=N_FFT, hop_length=HOP,
                                                      precision="fast", n_threads=1),
        "scipy.fft float32": lambda: scipy.fft.rfft(frames * window64.astype(np.float32),
                                                    axis=-1),
        "swiftspec.stft exact": lambda: swiftspec.stft(y, n_fft=N_FFT, hop_length=HOP,
                                                       n_threads=1),
        "scipy.fft float64": lambda: scipy.fft.rfft(frames * window64, axis=-1).astype(
            np.complex64),
    }
    return interleaved(cases, repeats * 5)


def bench_overhead(repeats):
    """Python-side cost of one call: the full call minus the bare C call it makes."""
    import swiftspec
    from swiftspec import _ffi

    y = clips(np.random.default_rng(2), 1)[0][:4096]
    basis = swiftspec.filters.mel(sr=SR, n_fft=N_FFT, n_mels=N_MELS)
    window = swiftspec.filters.pad_center(swiftspec.filters.get_window("hann", N_FFT),
                                          size=N_FFT)
    out = np.empty((N_MELS, 1 + len(y) // HOP), np.float32)

    def bare():
        _ffi.call("swiftspec_melspectrogram", _ffi.pointer(y), _ffi.FLOAT32, 1, len(y), N_FFT,
                  HOP, _ffi.pointer(window), 1, 0, 1, 2.0, _ffi.pointer(basis), N_MELS,
                  _ffi.pointer(out), _ffi.FLOAT32, out.size, 1)

    def full():
        swiftspec.feature.melspectrogram(y=y, sr=SR, n_fft=N_FFT, hop_length=HOP,
                                         n_mels=N_MELS, precision="fast", n_threads=1)
    result = interleaved({"full": full, "bare": bare}, repeats * 200)
    return result["full"] - result["bare"], result


MEMORY_SNIPPET = textwrap.dedent("""
    import sys, numpy as np
    def status(key):
        for line in open('/proc/self/status'):
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    name = sys.argv[1]
    kw = dict(sr={sr}, n_fft={n_fft}, hop_length={hop}, n_mels={n_mels})
    if name.startswith('swiftspec'):
        import swiftspec
        feature = swiftspec.feature.mfcc if name.endswith('mfcc') else swiftspec.feature.melspectrogram
        fn = lambda y: feature(y=y, n_threads=1, **kw)
    elif name == 'librosa':
        import librosa
        fn = lambda y: librosa.feature.melspectrogram(y=y, **kw)
    else:
        import torch, torchaudio.transforms as T
        torch.set_num_threads(1)
        mel = T.MelSpectrogram(sample_rate={sr}, n_fft={n_fft}, hop_length={hop}, n_mels={n_mels},
                               mel_scale='slaney', norm='slaney', pad_mode='constant')
        fn = lambda y: mel(torch.from_numpy(y)).numpy()
    y = (0.1 * np.random.default_rng(0).standard_normal({n})).astype(np.float32)
    fn(y[:{sr}])  # load and warm up everything first
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')  # reset the peak RSS
    before = status('VmRSS:')
    out = fn(y)
    print(status('VmHWM:') - before - out.nbytes, out.nbytes)
""")


def bench_memory(names):
    """Peak memory of melspectrogram (and swiftspec's mfcc) on a ten-minute recording."""
    results = {}
    code = MEMORY_SNIPPET.format(n=LONG, sr=SR, n_fft=N_FFT, hop=HOP, n_mels=N_MELS)
    for name in names:
        proc = subprocess.run([sys.executable, "-c", code, name], capture_output=True, text=True)
        if proc.returncode == 0:
            extra, output = map(int, proc.stdout.split()[-2:])
            results[name] = (extra, output)
        else:
            print(f"memory: {name} failed: {proc.stderr.strip()[-300:]}", file=sys.stderr)
    return results


COLD_SNIPPET = {
    "swiftspec": "import numpy as np, swiftspec as s; y=np.zeros({n}, np.float32); "
                 "s.power_to_db(s.feature.melspectrogram(y=y, sr={sr}, precision='fast'))",
    "librosa": "import numpy as np, librosa as s; y=np.zeros({n}, np.float32); "
               "s.power_to_db(s.feature.melspectrogram(y=y, sr={sr}))",
}


def bench_cold_start(names, repeats):
    times = {name: [] for name in names}
    for _ in range(repeats):
        for name in names:
            code = COLD_SNIPPET[name].format(n=CLIP, sr=SR)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


# ---- report -----------------------------------------------------------------------------

def versions():
    found = {"python": platform.python_version(), "numpy": np.__version__}
    for module in ("swiftspec", "librosa", "torch", "torchaudio", "scipy"):
        try:
            found[module] = __import__(module).__version__
        except ImportError:
            pass
    import swiftspec
    found["fftw"] = swiftspec.__fftw_version__
    return found


def ratio_rows(results, reference):
    base = results[reference]
    return [f"| {name} | {seconds * 1e3:.2f} ms | {seconds / base:.2f}x |"
            for name, seconds in sorted(results.items(), key=lambda kv: kv[1])]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--output", default=os.path.join(os.path.dirname(__file__), "RESULTS.md"))
    args = parser.parse_args()

    impls = peers()
    one_clip, batched = bench_throughput(impls, args.repeats)
    scaling = bench_threads(3 * args.repeats)
    stft = bench_stft(args.repeats)
    overhead, _ = bench_overhead(args.repeats)
    memory = bench_memory(["swiftspec melspectrogram", "swiftspec mfcc"]
                          + [n for n in ("librosa", "torchaudio") if n in impls])
    cold = bench_cold_start([n for n in ("swiftspec", "librosa")
                             if n == "swiftspec" or n in impls], max(3, args.repeats // 2))

    lines = [
        f"Measured {datetime.date.today()} on {platform.machine()} with {os.cpu_count()} cores "
        f"({platform.processor() or platform.platform()}).",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()) + ".",
        "Log-mel of 5 s clips at 32 kHz (n_fft 2048, hop 512, 128 mels, top_db 80), one thread"
        " unless stated; medians of interleaved repeats. Ratio: time / swiftspec fast time.",
        "",
        f"**One clip per call** (median of {args.repeats * 5})",
        "", "| implementation | time | ratio |", "|---|---|---|",
        *ratio_rows(one_clip, "swiftspec fast"),
        "", f"**Batch of {BATCH} clips** (one call where the library takes a batch)",
        "", "| implementation | time | ratio |", "|---|---|---|",
        *ratio_rows(batched, "swiftspec fast"),
        "", f"**Threads** (batch of 256; speed-up: median over {3 * args.repeats} back-to-back "
        "pairs of one-thread time / two-thread time; the scipy.fft row shows what two "
        "threads of this machine gave a plain FFT meanwhile)", "",
        "| configuration | 1 thread | 2 threads | speed-up |", "|---|---|---|---|",
    ]
    for name, (one, two, speedup) in scaling.items():
        lines.append(f"| {name} | {one * 1e3:.1f} ms | {two * 1e3:.1f} ms | {speedup:.2f}x |")
    lines += ["", "**STFT alone** (one clip; scipy.fft on the same windowed frames)", "",
              "| implementation | time | ratio |", "|---|---|---|",
              *ratio_rows(stft, "swiftspec.stft fast"),
              "", f"**Python overhead per call**: {overhead * 1e6:.1f} us "
              "(full `melspectrogram` call minus the bare C call, 4096 samples)",
              "", "**Ten-minute recording**: peak memory beyond input and output of `melspectrogram` "
              "(power; and swiftspec's `mfcc`)", "",
              "| implementation | extra memory | output | extra / output |", "|---|---|---|---|"]
    for name, (extra, output) in memory.items():
        lines.append(f"| {name} | {extra / 2**20:.1f} MiB | {output / 2**20:.1f} MiB | "
                     f"{extra / output:.0%} |")
    lines += ["", "**Cold start**: fresh `python -c` importing the library and computing one "
              "log-mel", "", "| implementation | time | ratio |", "|---|---|---|",
              *ratio_rows(cold, "swiftspec")]
    report = "\n".join(lines) + "\n"
    print(report)
    with open(args.output, "w") as f:
        f.write(report)


if __name__ == "__main__":
    main()
