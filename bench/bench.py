# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark swiftspec against its peers, side by side in one process.

Workload (the BirdCLEF pipeline): log-mel spectrograms of 5-second clips at 32 kHz,
n_fft 2048, hop 512, 128 mels (Slaney), power_to_db with top_db 80. Every implementation
computes the same array. Each peer runs in its best mode: a loop over clips and one batched
call are both timed, and the faster counts. Timings interleave the implementations repeat
by repeat and report medians and ratios; memory and cold start are measured in fresh
subprocesses. A plain C + FFTW pipeline (bench/c_pipeline.c, compiled here with gcc) is the
floor. A sweep over FFT sizes compares librosa with swiftspec's two precisions. Every target
is printed with its measured ratio.

    python bench/bench.py [--repeats N] [--seed S] [--sweep-only | --no-sweep]
                          [--sweep-clips N] [--sweep-repeats N] [--output bench/RESULTS.md]
    make bench BENCH_ARGS="--no-sweep"      # the same through the Makefile

The C floors are compiled into .build/bench/ on every run (a second of gcc).

Downloads nothing: peers that are not importable are skipped (their targets say so).
"""

import argparse
import ctypes
import datetime
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
import warnings

# OpenBLAS tuning variables that some machines of this kind set globally: they make numpy's
# BLAS (librosa's mel projection) slower. Removed before numpy loads, and hence for every
# subprocess too; the report says what was set.
OPENBLAS_TUNING_FOUND = {name: os.environ.pop(name)
                         for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
                         if name in os.environ}

# One thread everywhere unless a case asks for more (set before numpy/torch load).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

import swiftspec  # noqa: E402

# Small FFT sizes with many mel bands leave some filters empty, in librosa as in swiftspec.
warnings.filterwarnings("ignore", message="Empty filters detected")

SR = 32000
CLIP = 5 * SR
N_FFT, HOP, N_MELS, TOP_DB, AMIN = 2048, 512, 128, 80.0, 1e-10
BATCH = 256
LONG = 10 * 60 * SR

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
C_BUILD_DIR = os.path.join(REPO, ".build", "bench")
SIMD_FFTW_DIR = os.environ.get("SWIFTSPEC_FFTW_DIR") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
    "swiftspec", "fftw-3.3.10-simd")
FFTW_MEASURE = 0

# Powers of two, smooth sizes, primes (127, 1031, 4099, 8191), 2 x prime (514, 2062),
# odd sizes (1125 = 3^2 5^3, 2047 = 23 x 89) and sizes with a large prime factor
# (1022 = 2 x 7 x 73, 2046 = 2 x 3 x 11 x 31): FFT libraries differ most on the latter.
SWEEP_SIZES = (64, 100, 127, 128, 256, 400, 500, 512, 514, 1000, 1022, 1024, 1031, 1125, 1500,
               2000, 2046, 2047, 2048, 2062, 3000, 4096, 4099, 5000, 6000, 8191, 8192)
SWEEP_RANDOM_SIZES = 4
SWEEP_RANGE = (64, 8192)
SWEEP_FIXED_HOP = 64


def sweep_n_mels(n_fft):
    """128 mel bands, but no more than a quarter of the FFT size: a 64-point FFT has 33 bins,
    and 128 triangles over them would be mostly empty."""
    return min(N_MELS, n_fft // 4)


# ---- implementations: each factory returns run(y), the log-mel of (n,) or (B, n) ---------

def swiftspec_logmel(precision, n_fft=N_FFT, hop=HOP, n_mels=N_MELS, n_threads=1):
    def run(y):
        S = swiftspec.feature.melspectrogram(y=y, sr=SR, n_fft=n_fft, hop_length=hop,
                                             n_mels=n_mels, precision=precision,
                                             n_threads=n_threads)
        return swiftspec.power_to_db(S, top_db=TOP_DB, n_threads=n_threads)
    return run


def librosa_logmel(n_fft=N_FFT, hop=HOP, n_mels=N_MELS):
    import librosa

    def run(y):
        S = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=n_fft, hop_length=hop,
                                           n_mels=n_mels)
        return librosa.power_to_db(S, top_db=TOP_DB)
    return run


def torchaudio_logmel():
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


def numpy_scipy_logmel():
    """A careful float32 numpy + scipy.fft pipeline; batched input is framed as a whole."""
    import scipy.fft
    import scipy.signal

    window = scipy.signal.get_window("hann", N_FFT, fftbins=True).astype(np.float32)
    basis = swiftspec.filters.mel(sr=SR, n_fft=N_FFT, n_mels=N_MELS)  # the same filter bank

    def run(y):
        pad = [(0, 0)] * (y.ndim - 1) + [(N_FFT // 2, N_FFT // 2)]
        frames = np.lib.stride_tricks.sliding_window_view(np.pad(y, pad), N_FFT,
                                                          axis=-1)[..., ::HOP, :]
        spectrum = scipy.fft.rfft(frames * window, axis=-1, workers=1)
        power = spectrum.real**2 + spectrum.imag**2
        S = np.swapaxes(power @ basis.T, -1, -2)
        log = 10.0 * np.log10(np.maximum(np.float32(AMIN), S))
        peak = log.max(axis=(-2, -1), keepdims=True)
        return np.maximum(log, peak - np.float32(TOP_DB))
    return run


def torchaudio_defaults():
    """torchaudio's Spectrogram() then AmplitudeToDB(), all defaults (n_fft 400, hop 200,
    reflect padding, power 2, no top_db)."""
    import torch
    import torchaudio.transforms as T

    torch.set_num_threads(1)
    spectrogram, to_db = T.Spectrogram(), T.AmplitudeToDB()

    def run(y):
        with torch.inference_mode():
            return to_db(spectrogram(torch.from_numpy(y))).numpy()
    return run


def swiftspec_compat_defaults(precision):
    """The same through swiftspec.compat.torchaudio (numpy in, numpy out)."""
    from swiftspec.compat import torchaudio as T

    spectrogram = T.Spectrogram(precision=precision, n_threads=1)
    to_db = T.AmplitudeToDB()

    def run(y):
        return to_db(spectrogram(y))
    return run


def optional(name, factory):
    """factory(), or None (and a note on stderr) when the peer is not installed."""
    try:
        return factory()
    except ImportError as error:
        print(f"skipping {name}: {error}", file=sys.stderr)
        return None


# ---- the C + FFTW floor -------------------------------------------------------------------

def build_c_pipeline(label, fftw_dir):
    """Compile bench/c_pipeline.c into a shared library linked statically with the FFTW in
    fftw_dir (None: Debian's libfftw3-dev). -O3 without -march=native: portable, like
    swiftspec's own build. Returns the library's path, or None with the reason on stderr."""
    compiler = shutil.which("gcc")
    if compiler is None:
        print("C floor skipped: gcc is not on PATH", file=sys.stderr)
        return None
    os.makedirs(C_BUILD_DIR, exist_ok=True)
    output = os.path.join(C_BUILD_DIR, f"c_pipeline_{label}.so")
    if fftw_dir:
        headers = ["-I", os.path.join(fftw_dir, "include")]
        library = [os.path.join(fftw_dir, "lib", "libfftw3f.a")]
    else:
        headers, library = [], ["-l:libfftw3f.a"]
    command = [compiler, "-O3", "-std=c11", "-Wall", "-Wextra", "-Werror", "-fPIC", "-shared",
               "-fvisibility=hidden", *headers, os.path.join(REPO, "bench", "c_pipeline.c"),
               # Keep this copy of FFTW private to the library (swiftspec has its own).
               "-Wl,--exclude-libs,ALL", "-Wl,-z,defs", *library, "-lm", "-o", output]
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"C floor ({label}) failed to build: {proc.stderr.strip()[-500:]}",
              file=sys.stderr)
        return None
    return output


class CPipeline:
    """The C floor for one configuration, called with a (B, n) float32 batch."""

    def __init__(self, library_path, n_fft=N_FFT, hop=HOP, n_mels=N_MELS):
        self.lib = lib = ctypes.CDLL(library_path)
        lib.c_pipeline_create.restype = ctypes.c_void_p
        lib.c_pipeline_create.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_void_p,
                                          ctypes.c_void_p, ctypes.c_int, ctypes.c_uint]
        lib.c_pipeline_run.restype = None
        lib.c_pipeline_run.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_long,
                                       ctypes.c_long, ctypes.c_float, ctypes.c_float,
                                       ctypes.c_void_p]
        lib.c_pipeline_destroy.argtypes = [ctypes.c_void_p]
        lib.c_pipeline_fftw_version.restype = ctypes.c_char_p
        self.fftw_version = lib.c_pipeline_fftw_version().decode()
        window = np.ascontiguousarray(swiftspec.filters.get_window("hann", n_fft), np.float32)
        basis = np.ascontiguousarray(swiftspec.filters.mel(sr=SR, n_fft=n_fft, n_mels=n_mels),
                                     np.float32)
        self.hop, self.n_mels = hop, n_mels
        # FFTW_MEASURE: the floor gets a measured plan (planned here, outside the timing).
        self.handle = lib.c_pipeline_create(n_fft, hop, window.ctypes.data, basis.ctypes.data,
                                            n_mels, FFTW_MEASURE)
        if not self.handle:
            raise MemoryError("c_pipeline_create failed")

    def __call__(self, batch):
        batch = np.ascontiguousarray(batch, np.float32)
        out = np.empty((batch.shape[0], self.n_mels, 1 + batch.shape[1] // self.hop), np.float32)
        self.lib.c_pipeline_run(self.handle, batch.ctypes.data, batch.shape[0], batch.shape[1],
                                AMIN, TOP_DB, out.ctypes.data)
        return out


def c_floors():
    """{label: CPipeline} for Debian's FFTW and, when built, the SIMD FFTW."""
    floors = {}
    sources = [("Debian FFTW", "debian", None)]
    if os.path.exists(os.path.join(SIMD_FFTW_DIR, ".complete")):
        sources.append(("SIMD FFTW", "simd", SIMD_FFTW_DIR))
    else:
        print(f"no SIMD FFTW build at {SIMD_FFTW_DIR}: its C floor is skipped", file=sys.stderr)
    for name, label, fftw_dir in sources:
        path = build_c_pipeline(label, fftw_dir)
        if path:
            floors[f"C + {name}"] = CPipeline(path)
    return floors


# ---- measurement ----------------------------------------------------------------------

def interleaved(cases, repeats, warm_up=None):
    """Median seconds per case, timing the cases in turn on every repeat. warm_up: the
    calls that warm the cases up (plans, caches, lazy imports), cheaper than the cases;
    by default each case once."""
    times = {name: [] for name in cases}
    for fn in (cases if warm_up is None else warm_up).values():
        fn()
    for _ in range(repeats):
        for name, fn in cases.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def clips(rng, count):
    return (0.1 * rng.standard_normal((count, CLIP))).astype(np.float32)


def loop_and_batched(name, run, batch):
    """The two modes of an implementation on a batch: one call per clip, one call."""
    return {(name, "loop"): lambda: np.stack([run(clip) for clip in batch]),
            (name, "batched"): lambda: run(batch)}


def one_clip_warm_ups(name, run, batch):
    """Warm-ups for loop_and_batched's cases on a single clip: plans, filter banks and lazy
    imports are then ready, at a fraction of a full call's cost."""
    return {(name, "loop"): lambda: run(batch[0]), (name, "batched"): lambda: run(batch[:1])}


def best_modes(times):
    """{name: (loop, batched, best)} from interleaved() times keyed by (name, mode)."""
    modes = {}
    for (name, mode), seconds in times.items():
        modes.setdefault(name, {})[mode] = seconds
    return {name: (m.get("loop"), m.get("batched"), min(m.values())) for name, m in modes.items()}


def bench_canonical(impls, floors, repeats):
    """The batch of 256 clips, every implementation in both modes, C floors once each."""
    batch = clips(np.random.default_rng(0), BATCH)
    cases, warm_up = {}, {}
    for name, run in impls.items():
        cases.update(loop_and_batched(name, run, batch))
        warm_up.update(one_clip_warm_ups(name, run, batch))
    for name, floor in floors.items():
        cases[(name, "batched")] = lambda floor=floor: floor(batch)
        warm_up[(name, "batched")] = lambda floor=floor: floor(batch[:1])
    return best_modes(interleaved(cases, repeats, warm_up))


def c_floor_agreement(floors):
    """Max |dB| difference between each C floor and swiftspec (fast and exact) on 4 clips:
    the floor must compute the same thing."""
    batch = clips(np.random.default_rng(3), 4)
    references = {p: swiftspec_logmel(p)(batch) for p in ("fast", "exact")}
    return {name: {p: float(np.max(np.abs(floor(batch) - ref))) for p, ref in references.items()}
            for name, floor in floors.items()}


def bench_one_clip(impls, floors, repeats):
    clip = clips(np.random.default_rng(0), 1)[0]
    cases = {name: (lambda run=run: run(clip)) for name, run in impls.items()}
    cases.update({name: (lambda floor=floor: floor(clip[None])) for name, floor in floors.items()})
    return interleaved(cases, repeats)


DEFAULTS_CLIPS = 64


def bench_torchaudio_defaults(repeats, count=DEFAULTS_CLIPS):
    """Spectrogram() + AmplitudeToDB() defaults per 5 s clip, torchaudio against
    swiftspec.compat.torchaudio, both modes each; seconds per clip."""
    impls = {"swiftspec.compat fast": swiftspec_compat_defaults("fast"),
             "swiftspec.compat exact": swiftspec_compat_defaults("exact")}
    torchaudio_run = optional("torchaudio", torchaudio_defaults)
    if torchaudio_run is None:
        return None
    impls["torchaudio"] = torchaudio_run
    batch = clips(np.random.default_rng(4), count)
    cases, warm_up = {}, {}
    for name, run in impls.items():
        cases.update(loop_and_batched(name, run, batch))
        warm_up.update(one_clip_warm_ups(name, run, batch))
    return {name: tuple(t / count for t in times)
            for name, times in best_modes(interleaved(cases, repeats, warm_up)).items()}


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


SCIPY_THREADS = "scipy.fft rfft float32 (reference)"


def bench_threads(repeats):
    """One against two threads: swiftspec's log-mel of the batch, and, as the machine's
    ceiling at that moment, scipy.fft's rfft of the same kind of frames (workers=1/2)."""
    import scipy.fft

    batch = clips(np.random.default_rng(0), BATCH)
    results = {}
    for precision in ("fast", "exact"):
        results[f"swiftspec {precision}"] = paired_speedup(
            lambda f=swiftspec_logmel(precision, n_threads=1): f(batch),
            lambda f=swiftspec_logmel(precision, n_threads=2): f(batch), repeats)
    frames = np.lib.stride_tricks.sliding_window_view(batch[:32], N_FFT, axis=-1)[:, ::HOP]
    frames = np.ascontiguousarray(frames, dtype=np.float32)
    results[SCIPY_THREADS] = paired_speedup(
        lambda: scipy.fft.rfft(frames, axis=-1, workers=1),
        lambda: scipy.fft.rfft(frames, axis=-1, workers=2), repeats)
    return results


def bench_stft(repeats):
    """swiftspec.stft against scipy.fft.rfft on the same windowed frames."""
    import scipy.fft
    import scipy.signal

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
    return result["full"] - result["bare"]


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


# ---- the FFT-size sweep ------------------------------------------------------------------

FAST_SWEEP_TARGET, EXACT_SWEEP_TARGET = 3.0, 2.0
SWEEP_CASE_SECONDS, SWEEP_MAX_REPEAT_FACTOR = 0.4, 5


def sweep_cases(seed):
    rng = random.Random(seed)
    sizes = sorted(set(SWEEP_SIZES) | {rng.randint(*SWEEP_RANGE)
                                       for _ in range(SWEEP_RANDOM_SIZES)})
    return [(n_fft, hop) for n_fft in sizes
            for hop in sorted({n_fft // 4, SWEEP_FIXED_HOP})]


def sweep_repeats(librosa_batch_seconds, minimum):
    """Repeats for one sweep case: more for quick cases, whose medians are noisier on a
    shared machine and cost little (up to about SWEEP_CASE_SECONDS of librosa calls)."""
    wanted = int(SWEEP_CASE_SECONDS / max(librosa_batch_seconds, 1e-6))
    return max(minimum, min(SWEEP_MAX_REPEAT_FACTOR * minimum, wanted))


def bench_sweep(seed, count, repeats, progress):
    """Per (n_fft, hop): librosa's best mode, swiftspec fast and exact (one batched call
    each, one thread) on `count` clips. Warm-up on one clip (plans, filter banks); then
    the time of one more librosa clip sets the number of repeats."""
    batch = clips(np.random.default_rng(5), count)
    rows = []
    for n_fft, hop in sweep_cases(seed):
        n_mels = sweep_n_mels(n_fft)
        librosa_run = librosa_logmel(n_fft, hop, n_mels)
        cases = loop_and_batched("librosa", librosa_run, batch)
        warm_up = one_clip_warm_ups("librosa", librosa_run, batch)
        for precision in ("fast", "exact"):
            run = swiftspec_logmel(precision, n_fft, hop, n_mels)
            cases[(precision, "batched")] = lambda run=run: run(batch)
            warm_up[(precision, "batched")] = lambda run=run: run(batch[:1])
        for fn in warm_up.values():
            fn()
        start = time.perf_counter()
        librosa_run(batch[0])
        case_repeats = sweep_repeats(count * (time.perf_counter() - start), repeats)
        modes = best_modes(interleaved(cases, case_repeats, warm_up={}))
        row = {"n_fft": n_fft, "hop": hop, "n_mels": n_mels, "librosa": modes["librosa"],
               "fast": modes["fast"][2], "exact": modes["exact"][2], "repeats": case_repeats}
        rows.append(row)
        progress(sweep_row(row))
    return rows


def sweep_misses(row):
    fast = row["librosa"][2] / row["fast"]
    exact = row["librosa"][2] / row["exact"]
    misses = []
    if fast < FAST_SWEEP_TARGET:
        misses.append(f"fast < {FAST_SWEEP_TARGET:g}x")
    if exact < EXACT_SWEEP_TARGET:
        misses.append(f"exact < {EXACT_SWEEP_TARGET:g}x")
    if min(fast, exact) < 1.0:
        misses.append("slower than librosa")
    return fast, exact, misses


def sweep_row(row):
    loop, batched, best = row["librosa"]
    fast, exact, misses = sweep_misses(row)
    mode = "loop" if best == loop else "batched"
    return (f"| {row['n_fft']} | {row['hop']} | {row['n_mels']} | {row['repeats']} | "
            f"{best * 1e3:.1f} ({mode}) | "
            f"{row['fast'] * 1e3:.1f} | {row['exact'] * 1e3:.1f} | {fast:.2f}x | {exact:.2f}x | "
            f"{'MISS: ' + ', '.join(misses) if misses else ''} |")


SWEEP_HEADER = ["| n_fft | hop | n_mels | repeats | librosa ms (best mode) | fast ms | exact ms | "
                "fast x librosa | exact x librosa | target |",
                "|---|---|---|---|---|---|---|---|---|---|"]


def sweep_summary(rows):
    scored = [(row, *sweep_misses(row)) for row in rows]
    worst_fast = min(scored, key=lambda s: s[1])
    worst_exact = min(scored, key=lambda s: s[2])
    missed = [s for s in scored if s[3]]
    return worst_fast, worst_exact, missed


# ---- targets -----------------------------------------------------------------------------

class Targets:
    """Each target with its measured ratio and PASS / MISS, or why it was not measured."""

    def __init__(self):
        self.lines = []

    def at_least(self, label, ratio, goal, detail="", why_missing=""):
        self._add(label, ratio, ratio is not None and ratio >= goal, f">= {goal:g}x", detail,
                  why_missing)

    def at_most(self, label, ratio, goal, detail="", why_missing=""):
        self._add(label, ratio, ratio is not None and ratio <= goal, f"<= {goal:g}x", detail,
                  why_missing)

    def _add(self, label, ratio, passed, goal, detail, why_missing):
        if ratio is None:
            self.lines.append(f"- n/a  {label}: not measured ({why_missing})")
            return
        verdict = "PASS" if passed else "MISS"
        self.lines.append(f"- {verdict} {label}: {ratio:.2f}x (target {goal})"
                          + (f"; {detail}" if detail else ""))


def ratio(numerator, denominator):
    return None if numerator is None or denominator is None else numerator / denominator


# ---- report -----------------------------------------------------------------------------

def cpu_description():
    model, flags = "unknown CPU", set()
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            key, _, value = line.partition(":")
            if key.strip() == "model name" and model == "unknown CPU":
                model = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = set(value.split())
    simd = ", ".join(f"{flag} {'yes' if flag in flags else 'no'}" for flag in ("avx2", "avx512f"))
    return f"{model} ({simd}), {os.cpu_count()} logical CPUs"


def load_average():
    """The 1-minute load average: on a shared machine, how much other work ran meanwhile."""
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def versions():
    found = {"python": platform.python_version(), "numpy": np.__version__,
             "swiftspec": swiftspec.__version__}
    for module in ("librosa", "scipy", "torch", "torchaudio"):
        try:
            found[module] = __import__(module).__version__
        except ImportError:
            pass
    return found


def environment_lines(floors):
    blas = (", ".join(f"{k}={v!r}" for k, v in OPENBLAS_TUNING_FOUND.items()) + " were set: "
            "unset for this run and its subprocesses" if OPENBLAS_TUNING_FOUND else
            "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE were not set")
    fftw = [f"swiftspec {swiftspec.__fftw_version__}"]
    fftw += [f"{name} {floor.fftw_version}" for name, floor in floors.items()]
    return [f"Measured {datetime.datetime.now().isoformat(timespec='minutes')} on "
            f"{platform.machine()}, {cpu_description()}; {platform.platform()}.",
            "Versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()) + ".",
            "FFTW: " + "; ".join(fftw) + ". C floors: bench/c_pipeline.c, gcc -O3 (no "
            "-march), FFTW_MEASURE plans made before timing.",
            f"Environment: {blas}."]


def mode_rows(results, reference):
    """Rows of (loop, batched, best) results with the ratio best / reference's best."""
    base = results[reference][2]
    fmt = lambda seconds: "-" if seconds is None else f"{seconds * 1e3:.1f} ms"  # noqa: E731
    return [f"| {name} | {fmt(loop)} | {fmt(batched)} | {fmt(best)} | {best / base:.2f}x |"
            for name, (loop, batched, best) in sorted(results.items(), key=lambda kv: kv[1][2])]


def ratio_rows(results, reference):
    base = results[reference]
    return [f"| {name} | {seconds * 1e3:.2f} ms | {seconds / base:.2f}x |"
            for name, seconds in sorted(results.items(), key=lambda kv: kv[1])]


def sweep_lines(rows, seed, count, repeats):
    (worst_fast_row, worst_fast, _, _), (worst_exact_row, _, worst_exact, _), missed = \
        sweep_summary(rows)
    return [
        f"**FFT-size sweep** (seed {seed}: `--seed {seed}` repeats the random sizes): log-mel "
        f"of {count} clips of 5 s at 32 kHz, n_mels = min(128, n_fft // 4), top_db 80, one "
        f"thread, median of {repeats} to {SWEEP_MAX_REPEAT_FACTOR * repeats} interleaved repeats "
        "(more for quick cases); librosa in its best mode (per-clip loop or one "
        "batched call, whichever was faster), swiftspec one batched call. Targets: fast >= "
        f"{FAST_SWEEP_TARGET:g}x and exact >= {EXACT_SWEEP_TARGET:g}x librosa, neither slower.",
        "", *SWEEP_HEADER, *[sweep_row(row) for row in rows], "",
        f"Sweep summary: worst fast {worst_fast:.2f}x (n_fft {worst_fast_row['n_fft']}, hop "
        f"{worst_fast_row['hop']}); worst exact {worst_exact:.2f}x (n_fft "
        f"{worst_exact_row['n_fft']}, hop {worst_exact_row['hop']}); {len(missed)} of "
        f"{len(rows)} cases miss a target.",
    ]


SWEEP_TARGET_LABELS = ("sweep: fast vs librosa at every n_fft and hop",
                       "sweep: exact vs librosa at every n_fft and hop",
                       "sweep: no size slower than librosa (worst of fast and exact)")


def sweep_targets(targets, rows, why_missing):
    fast_label, exact_label, slower_label = SWEEP_TARGET_LABELS
    if not rows:
        for label, goal in ((fast_label, FAST_SWEEP_TARGET), (exact_label, EXACT_SWEEP_TARGET),
                            (slower_label, 1.0)):
            targets.at_least(label, None, goal, why_missing=why_missing)
        return
    (fast_row, worst_fast, _, _), (exact_row, _, worst_exact, _), missed = sweep_summary(rows)
    where = lambda row: f"worst at n_fft {row['n_fft']}, hop {row['hop']}"  # noqa: E731
    targets.at_least(fast_label, worst_fast, FAST_SWEEP_TARGET,
                     f"{where(fast_row)}; {len(missed)} of {len(rows)} cases miss a target")
    targets.at_least(exact_label, worst_exact, EXACT_SWEEP_TARGET, where(exact_row))
    slowest_row, slowest = ((fast_row, worst_fast) if worst_fast <= worst_exact
                            else (exact_row, worst_exact))
    targets.at_least(slower_label, slowest, 1.0, where(slowest_row))


def peer_targets(targets, canonical, defaults, one_clip, cold, scaling):
    """The targets outside the sweep, from the sections' results."""
    missing = lambda name: f"{name} not available"  # noqa: E731
    best = {name: modes[2] for name, modes in canonical.items()}
    fast, exact = best["swiftspec fast"], best["swiftspec exact"]
    targets.at_least("batch of 256: fast vs librosa (best mode)",
                     ratio(best.get("librosa"), fast), 6, why_missing=missing("librosa"))
    targets.at_least("batch of 256: fast vs torchaudio (best mode)",
                     ratio(best.get("torchaudio"), fast), 3.5, why_missing=missing("torchaudio"))
    simd_floor = best.get("C + SIMD FFTW")
    targets.at_most("batch of 256: fast time / C + Debian FFTW time",
                    ratio(fast, best.get("C + Debian FFTW")), 0.8,
                    "" if simd_floor is None else
                    f"for information, / C + SIMD FFTW time: {fast / simd_floor:.2f}x",
                    why_missing=missing("C floor"))
    targets.at_least("batch of 256: exact vs librosa (best mode)",
                     ratio(best.get("librosa"), exact), 4.5, why_missing=missing("librosa"))
    label = ("torchaudio defaults (Spectrogram + AmplitudeToDB): swiftspec.compat fast vs "
             "torchaudio (best modes)")
    if defaults:
        torchaudio_best = defaults["torchaudio"][2]
        targets.at_least(label, torchaudio_best / defaults["swiftspec.compat fast"][2], 3,
                         "swiftspec.compat exact (its default precision): "
                         f"{torchaudio_best / defaults['swiftspec.compat exact'][2]:.2f}x")
    else:
        targets.at_least(label, None, 3, why_missing=missing("torchaudio"))
    targets.at_least("one clip per call: fast vs librosa",
                     ratio(one_clip.get("librosa"), one_clip["swiftspec fast"]), 4,
                     why_missing=missing("librosa"))
    targets.at_least("cold start (import + first log-mel): swiftspec vs librosa",
                     ratio(cold.get("librosa"), cold["swiftspec"]), 10,
                     why_missing=missing("librosa"))
    scipy_speedup = scaling[SCIPY_THREADS][2]
    for precision in ("fast", "exact"):
        gained = scaling[f"swiftspec {precision}"][2]
        targets.at_least(f"two threads: swiftspec {precision} speed-up / scipy.fft's speed-up",
                         gained / scipy_speedup, 0.9,
                         f"{gained:.2f}x against {scipy_speedup:.2f}x")


def peer_sections(repeats, canonical, agreement, one_clip, defaults, scaling, stft, overhead,
                  memory, cold):
    """The report's tables outside the sweep."""
    lines = [
        "One thread unless stated; medians of interleaved repeats. Peers in their best "
        "mode: a per-clip loop and one batched call are both timed, and the faster is "
        "the peer's figure. Ratio: best time / swiftspec fast's best time.",
        "", f"**Batch of {BATCH} clips** (log-mel of 5 s clips at 32 kHz, n_fft 2048, hop "
        f"512, 128 mels, top_db 80; median of {repeats})",
        "", "| implementation | per-clip loop | one batched call | best | ratio |",
        "|---|---|---|---|---|", *mode_rows(canonical, "swiftspec fast")]
    if agreement:
        lines += ["", "The C floors compute the same log-mel: max |dB difference| on 4 clips, "
                  + "; ".join(f"{name} {d['fast']:.2g} dB against swiftspec fast, "
                              f"{d['exact']:.2g} dB against exact"
                              for name, d in agreement.items()) + "."]
    lines += ["", f"**One clip per call** (median of {repeats * 10})",
              "", "| implementation | time | ratio |", "|---|---|---|",
              *ratio_rows(one_clip, "swiftspec fast")]
    if defaults:
        lines += ["", "**torchaudio's defaults**: `Spectrogram()` then `AmplitudeToDB()` "
                  f"(n_fft 400, hop 200, reflect padding, power 2) of {DEFAULTS_CLIPS} clips of "
                  "5 s, torchaudio against `swiftspec.compat.torchaudio` (numpy in and out); "
                  "time per clip",
                  "", "| implementation | per-clip loop | one batched call | best | ratio |",
                  "|---|---|---|---|---|", *mode_rows(defaults, "swiftspec.compat fast")]
    lines += ["", f"**Threads** (batch of 256; speed-up: median over {4 * repeats} "
              "back-to-back pairs of one-thread time / two-thread time; the scipy.fft row "
              "shows what two threads of this machine gave a plain FFT meanwhile)", "",
              "| configuration | 1 thread | 2 threads | speed-up |", "|---|---|---|---|"]
    for name, (one, two, speedup) in scaling.items():
        lines.append(f"| {name} | {one * 1e3:.1f} ms | {two * 1e3:.1f} ms | {speedup:.2f}x |")
    lines += ["", "**STFT alone** (one clip; scipy.fft on the same windowed frames)", "",
              "| implementation | time | ratio |", "|---|---|---|",
              *ratio_rows(stft, "swiftspec.stft fast"),
              "", f"**Python overhead per call**: {overhead * 1e6:.1f} us "
              "(full `melspectrogram` call minus the bare C call, 4096 samples)",
              "", "**Ten-minute recording**: peak memory beyond input and output of "
              "`melspectrogram` (power; and swiftspec's `mfcc`)", "",
              "| implementation | extra memory | output | extra / output |",
              "|---|---|---|---|"]
    for name, (extra, output) in memory.items():
        lines.append(f"| {name} | {extra / 2**20:.1f} MiB | {output / 2**20:.1f} MiB | "
                     f"{extra / output:.0%} |")
    lines += ["", "**Cold start**: fresh `python -c` importing the library and computing "
              "one log-mel of a 5 s clip", "", "| implementation | time | ratio |",
              "|---|---|---|", *ratio_rows(cold, "swiftspec"), ""]
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5,
                        help="repeats of the batch of 256 (other sections scale from it)")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the sweep's random FFT sizes (default: a new one)")
    parser.add_argument("--sweep-clips", type=int, default=4)
    parser.add_argument("--sweep-repeats", type=int, default=3)
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--sweep-only", action="store_true")
    only.add_argument("--no-sweep", action="store_true")
    parser.add_argument("--output", default=os.path.join(os.path.dirname(__file__), "RESULTS.md"))
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)

    def progress(message):
        print(message, file=sys.stderr, flush=True)

    load_at_start = load_average()
    floors = {} if args.sweep_only else c_floors()
    lines = environment_lines(floors)
    progress("\n".join(lines))
    targets = Targets()
    librosa_ok = optional("librosa", librosa_logmel) is not None
    sections = []

    if not args.sweep_only:
        impls = {"swiftspec fast": swiftspec_logmel("fast"),
                 "swiftspec exact": swiftspec_logmel("exact")}
        for name, factory in (("librosa", librosa_logmel), ("torchaudio", torchaudio_logmel),
                              ("numpy+scipy.fft", numpy_scipy_logmel)):
            run = optional(name, factory)
            if run is not None:
                impls[name] = run
        agreement = c_floor_agreement(floors)
        progress("batch of 256 ...")
        canonical = bench_canonical(impls, floors, args.repeats)
        progress("one clip ...")
        one_clip = bench_one_clip(impls, floors, args.repeats * 10)
        progress("torchaudio defaults ...")
        defaults = bench_torchaudio_defaults(args.repeats * 2)
        progress("threads ...")
        scaling = bench_threads(4 * args.repeats)
        progress("STFT, overhead, memory, cold start ...")
        stft = bench_stft(args.repeats)
        overhead = bench_overhead(args.repeats)
        memory = bench_memory(["swiftspec melspectrogram", "swiftspec mfcc"]
                              + [n for n in ("librosa", "torchaudio") if n in impls])
        cold = bench_cold_start(["swiftspec"] + (["librosa"] if librosa_ok else []),
                                max(3, args.repeats))
        peer_targets(targets, canonical, defaults, one_clip, cold, scaling)
        sections = peer_sections(args.repeats, canonical, agreement, one_clip, defaults,
                                 scaling, stft, overhead, memory, cold)

    sweep_rows = []
    if not args.no_sweep and librosa_ok:
        progress(f"sweep (seed {seed}) ...")
        progress("\n".join(SWEEP_HEADER))
        sweep_rows = bench_sweep(seed, args.sweep_clips, args.sweep_repeats, progress)
        sections += sweep_lines(sweep_rows, seed, args.sweep_clips, args.sweep_repeats)
    sweep_targets(targets, sweep_rows, "--no-sweep" if librosa_ok else "librosa not available")

    lines.append(f"Load average (1 min) at start {load_at_start:.1f}, at end {load_average():.1f}"
                 f", on {os.cpu_count()} CPUs.")
    report = "\n".join(lines + ["", "## Targets", "", *targets.lines, "", *sections]) + "\n"
    print(report)
    with open(args.output, "w") as f:
        f.write(report)


if __name__ == "__main__":
    main()
