# SPDX-License-Identifier: GPL-2.0-or-later
"""Throughput of ``swiftspec images`` against a librosa + Pillow loop doing the same job.

The job (the BirdCLEF pipeline): every audio file under IN loaded at 32 kHz mono, cut
into 5 s clips (the last one zero-padded), log-mel (n_fft 2048, hop 512, 128 mels,
power_to_db ref=max, top_db 80), min-max to 8 bits, low frequencies at the bottom,
resized to 512x512 (bicubic), saved as PNG (zlib level 1, run-length strategy, for both),
mirroring the tree.

- swiftspec: `swiftspec.images.run` (what `swiftspec images` runs) with 1 and 2 worker
  processes, into a fresh output folder each time (nothing skipped), manifest,
  journal and atomic writes included.
- librosa + PIL: a plain loop over the files (1 process), and the same loop over a
  multiprocessing pool (2 processes, forked from a parent that has already run librosa
  once, so that no worker pays librosa's first-call cost).

Each configuration runs --repeats times, interleaved; the table gives the median.

    PYTHONPATH=python python3 bench/bench_images.py [--input ../shared/corpus] [--repeats 3]
                                                    [--workers 1 2] [--format png|npy]
"""

import argparse
import multiprocessing
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

SR, CLIP, N_FFT, HOP, N_MELS, TOP_DB, SIZE = 32000, 5.0, 2048, 512, 128, 80.0, (512, 512)
DEFAULT_INPUT = Path(__file__).resolve().parents[2] / "shared" / "corpus"


# ---- librosa + PIL: the loop a user would write -----------------------------------------

def librosa_file(job):
    """Convert one file with librosa and Pillow; return the number of clips written."""
    import librosa
    from PIL import Image

    source, out_stem, fmt = job
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y, _ = librosa.load(source, sr=SR, mono=True)
    except Exception:  # noqa: BLE001 - a broken file: skip it, as swiftspec reports it
        return 0
    length = int(CLIP * SR)
    written = 0
    for k, start in enumerate(range(0, len(y), length)):
        clip = np.zeros(length, dtype=np.float32)
        piece = y[start:start + length]
        clip[:len(piece)] = piece
        S = librosa.feature.melspectrogram(y=clip, sr=SR, n_fft=N_FFT, hop_length=HOP,
                                           n_mels=N_MELS)
        S_db = librosa.power_to_db(S, ref=np.max, top_db=TOP_DB)
        if fmt == "npy":
            path = Path(f"{out_stem}_{k:04d}.npy")
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, S_db)
            written += 1
            continue
        lo, hi = S_db.min(), S_db.max()
        scaled = (S_db - lo) / (hi - lo) if hi > lo else np.zeros_like(S_db)
        pixels = np.round(255 * scaled.astype(np.float64)).astype(np.uint8)[::-1]
        image = Image.fromarray(np.ascontiguousarray(pixels)).resize(
            SIZE, Image.Resampling.BICUBIC)
        path = Path(f"{out_stem}_{k:04d}.png")
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path, compress_level=1, compress_type=3)  # as swiftspec's
        written += 1
    return written


def librosa_run(sources, out_dir, workers, fmt):
    from swiftspec.images import output_stems  # the same names (x.flac and x.ogg both kept)

    stems = output_stems([rel for _, rel in sources])
    jobs = [(path, str(Path(out_dir) / stems[rel]), fmt) for path, rel in sources]
    if workers == 1:
        return sum(librosa_file(job) for job in jobs)
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return sum(pool.imap_unordered(librosa_file, jobs))


# ---- swiftspec ----------------------------------------------------------------------------

def swiftspec_run(in_dir, out_dir, workers, fmt):
    from swiftspec import images

    settings = images.Settings(sr=SR, clip=CLIP, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS,
                               top_db=TOP_DB, format=fmt, size=SIZE if fmt == "png" else None)
    summary = images.run(in_dir, out_dir, settings, workers=workers)
    return summary.clips_written


# ---- where the time goes ------------------------------------------------------------------

def stage_times(sources, repeats):
    """Median per-clip milliseconds of each stage, one process, over all the files."""
    import io

    import librosa

    import swiftspec
    from swiftspec import clips as _clips

    stages = {"decode + resample (soundfile, soxr)": [], "log-mel, swiftspec": [],
              "log-mel, librosa": [], "8-bit + resize (Pillow)": [], "PNG encode (Pillow)": []}
    for _ in range(repeats):
        totals = dict.fromkeys(stages, 0.0)
        n_clips = 0
        for path, _ in sources:
            t0 = time.perf_counter()
            try:
                y, sr = swiftspec.load(path, sr=SR)
            except Exception:  # noqa: BLE001
                continue
            parts = _clips.split(y, sr=sr, duration=CLIP)
            if not parts:
                continue
            batch = np.stack([p.y for p in parts])
            t1 = time.perf_counter()
            S = _clips.log_mel(batch, sr=sr, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS,
                               top_db=TOP_DB)
            t2 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for clip in batch:
                    librosa.power_to_db(librosa.feature.melspectrogram(
                        y=clip, sr=sr, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS),
                        ref=np.max, top_db=TOP_DB)
            t3 = time.perf_counter()
            images = [_clips.to_image(s, size=SIZE) for s in S]
            t4 = time.perf_counter()
            for image in images:
                image.save(io.BytesIO(), format="PNG", compress_level=1, compress_type=3)
            t5 = time.perf_counter()
            marks = (t0, t1, t2, t3, t4, t5)
            for k, key in enumerate(stages):
                totals[key] += marks[k + 1] - marks[k]
            n_clips += len(parts)
        for key in stages:
            stages[key].append(1000 * totals[key] / n_clips)
    return {key: statistics.median(values) for key, values in stages.items()}


# ---- driver -------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", type=Path, default=DEFAULT_INPUT)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--format", choices=("png", "npy"), default="png",
                        help="png: the whole job; npy: float32 log-mel arrays, no image")
    args = parser.parse_args()

    import librosa
    import PIL

    import swiftspec
    from swiftspec import images

    if not args.input.is_dir():
        sys.exit(f"no input folder {args.input}")
    sources = images.find_sources(args.input)
    # Warm-up outside the timings: librosa's lazy imports and first-call compilation.
    with tempfile.TemporaryDirectory() as tmp:
        librosa_file((str(images.sample_path()), str(Path(tmp) / "warm"), args.format))
        swiftspec_run(images.sample_path(), Path(tmp) / "warm-swiftspec", 1, args.format)

    configs = [(name, w) for w in args.workers for name in ("swiftspec", "librosa + PIL")]
    times = {c: [] for c in configs}
    cpu = {c: [] for c in configs}
    clips = {}
    for _ in range(args.repeats):
        for name, workers in configs:
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "out"
                start, cpu_start = time.perf_counter(), time.process_time()
                if name == "swiftspec":
                    n = swiftspec_run(args.input, out, workers, args.format)
                else:
                    n = librosa_run(sources, out, workers, args.format)
                times[(name, workers)].append(time.perf_counter() - start)
                cpu[(name, workers)].append(time.process_time() - cpu_start)
                n_files = sum(1 for _ in out.rglob(f"*.{args.format}"))
                assert n == n_files, (name, n, n_files)
                clips[(name, workers)] = n
                shutil.rmtree(out, ignore_errors=True)

    audio_s = 0.0
    import soundfile
    for path, _ in sources:
        try:
            audio_s += soundfile.info(path).duration
        except Exception:  # noqa: BLE001
            pass
    what = "512x512 PNG" if args.format == "png" else "float32 .npy log-mel arrays"
    print(f"Input: {args.input} ({len(sources)} files, {audio_s / 60:.1f} min of audio); "
          f"5 s clips at 32 kHz, 128 mels, n_fft 2048, hop 512, {what}.")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, numpy {np.__version__}, librosa "
          f"{librosa.__version__}, Pillow {PIL.__version__}, swiftspec "
          f"{swiftspec.__version__}; median of {args.repeats} runs.\n")
    print("| pipeline | workers | files | clips | seconds | files/s | clips/s | speed-up "
          "| CPU ms/clip |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, workers in configs:
        seconds = statistics.median(times[(name, workers)])
        baseline = statistics.median(times[("librosa + PIL", workers)])
        # CPU time of this process: all of the work with 1 worker (less sensitive to
        # other load on the machine than wall time); not measurable for worker pools.
        n_clips = clips[(name, workers)]
        cpu_ms = (f"{1000 * statistics.median(cpu[(name, workers)]) / n_clips:.1f}"
                  if workers == 1 else "-")
        print(f"| {name} | {workers} | {len(sources)} | {clips[(name, workers)]} | "
              f"{seconds:.2f} | {len(sources) / seconds:.1f} | "
              f"{clips[(name, workers)] / seconds:.1f} | {baseline / seconds:.2f}x | "
              f"{cpu_ms} |")
    print(f"\nLoad average after the runs: {os.getloadavg()[0]:.2f} (other processes on the "
          "machine slow every figure alike).")
    if args.format == "png":
        print("\nWhere the time goes (one process, milliseconds per clip, median):\n")
        print("| stage | ms/clip |")
        print("|---|---:|")
        for stage, ms in stage_times(sources, args.repeats).items():
            print(f"| {stage} | {ms:.2f} |")


if __name__ == "__main__":
    main()
