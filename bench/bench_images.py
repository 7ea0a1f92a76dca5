# SPDX-License-Identifier: GPL-2.0-or-later
"""Throughput of ``swiftspec images`` against a librosa + Pillow loop doing the same job.

The job (the BirdCLEF pipeline): every audio file under IN loaded at 32 kHz mono, cut
into 5 s clips (the last one zero-padded), log-mel (n_fft 2048, hop 512, 128 mels,
power_to_db ref=max per clip, top_db 80), then one of three outputs (--format, several
at once, default all three):

- png: min-max to 8 bits, low frequencies at the bottom, resized to 512x512 (bicubic),
  saved as PNG (zlib level 1, run-length strategy, for both), mirroring the tree;
- npy: the float32 log-mel array of each clip, one .npy file per clip;
- shards: the 512x512 uint8 pixels of each clip's PNG as one row of a few large .npy
  arrays (swiftspec's default 256 MiB per shard: one shard for the shared corpus).

- swiftspec: `swiftspec.images.run` (what `swiftspec images` runs) with 1 and 2 worker
  processes, into a fresh output folder each time (nothing skipped), manifest,
  journal and atomic writes included (for shards, the staging arrays and the packing).
- librosa + PIL: a plain loop over the files (1 process), and the same loop over a
  multiprocessing pool (2 processes, forked from a parent that has already run librosa
  once, so that no worker pays librosa's first-call cost). png and npy write each clip
  as it comes; shards do what public pipelines do: collect every clip's pixels (with 2
  processes, the pool returns each file's rows to the parent, in source order) and save
  them as one stacked uint8 array with np.save at the end.

The peers run in their best mode (bench/bench.py's rule: the faster of a per-clip loop
and a batched call). librosa computes `melspectrogram` once per file over the stack of
its clips, then `power_to_db` per clip (a batched `power_to_db` would take the maximum
and the top_db floor over the whole file, not per clip). On the shared corpus (112 clips,
most files one to three of them) the two modes are equally fast within the noise of a
shared machine: the batched call used 6% less CPU than a `melspectrogram` loop per clip
(median of 10 interleaved passes), while the "where the time goes" table, which times
both on every png run, has had either ahead by up to 10%. librosa's STFT does the same
per-frame work either way, so batching only saves per-call overhead.
Pillow has no batched resize or PNG encoder: one call per clip is its only mode. The
pool hands out one file per task (clip counts differ between files: larger chunks
leave a worker idle at the end).

Each configuration runs --repeats times, interleaved over every format, worker count
and pipeline, so that load on the machine hits all of them alike; the table gives the
median.

    PYTHONPATH=python python3 bench/bench_images.py [--input ../shared/corpus] [--repeats 3]
                                                    [--workers 1 2] [--format png npy shards]
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
FORMATS = {"png": "512x512 PNG images", "npy": "float32 .npy log-mel arrays",
           "shards": "512x512 uint8 pixels as rows of .npy shards"}
PEER_SHARD = "spectrograms.npy"  # the peer's one stacked array


# ---- librosa + PIL: the loop a user would write -----------------------------------------

def librosa_log_mels(source):
    """librosa's log-mel of each clip of one file; [] for a file it cannot read."""
    import librosa

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y, _ = librosa.load(source, sr=SR, mono=True)
    except Exception:  # noqa: BLE001 - a broken file: skip it, as swiftspec reports it
        return []
    length = int(CLIP * SR)
    n_clips = -(-len(y) // length)
    if n_clips == 0:
        return []
    clips = np.zeros((n_clips, length), dtype=np.float32)  # the last one zero-padded
    clips.reshape(-1)[:len(y)] = y
    S = librosa.feature.melspectrogram(y=clips, sr=SR, n_fft=N_FFT, hop_length=HOP,
                                       n_mels=N_MELS)
    return [librosa.power_to_db(s, ref=np.max, top_db=TOP_DB) for s in S]


def librosa_image(S_db):
    """The 8-bit 512x512 image of one clip, as swiftspec's (low frequencies at the bottom)."""
    from PIL import Image

    lo, hi = S_db.min(), S_db.max()
    scaled = (S_db - lo) / (hi - lo) if hi > lo else np.zeros_like(S_db)
    pixels = np.round(255 * scaled.astype(np.float64)).astype(np.uint8)[::-1]
    return Image.fromarray(np.ascontiguousarray(pixels)).resize(SIZE,
                                                                Image.Resampling.BICUBIC)


def librosa_file(job):
    """Convert one file to png or npy files; return the number of clips written."""
    source, out_stem, fmt = job
    log_mels = librosa_log_mels(source)
    if log_mels:
        Path(out_stem).parent.mkdir(parents=True, exist_ok=True)
    for k, S_db in enumerate(log_mels):
        if fmt == "npy":
            np.save(f"{out_stem}_{k:04d}.npy", S_db)
        else:
            librosa_image(S_db).save(f"{out_stem}_{k:04d}.png", compress_level=1,
                                     compress_type=3)  # as swiftspec's
    return len(log_mels)


def librosa_rows(source):
    """The pixels of one file's clip images, stacked: (clips, 512, 512) uint8."""
    rows = [np.asarray(librosa_image(S_db)) for S_db in librosa_log_mels(source)]
    return np.stack(rows) if rows else np.zeros((0, SIZE[1], SIZE[0]), dtype=np.uint8)


def librosa_run(sources, out_dir, workers, fmt):
    from swiftspec.images import output_stems  # the same names (x.flac and x.ogg both kept)

    if fmt == "shards":
        paths = [path for path, _ in sources]
        if workers == 1:
            per_file = [librosa_rows(path) for path in paths]
        else:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                per_file = list(pool.imap(librosa_rows, paths))
        rows = np.concatenate(per_file)
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        np.save(Path(out_dir) / PEER_SHARD, rows)
        return len(rows)
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
                               top_db=TOP_DB, format=fmt,
                               size=None if fmt == "npy" else SIZE)  # shards: uint8 rows
    summary = images.run(in_dir, out_dir, settings, workers=workers)
    return summary.clips_written


def outputs_on_disk(out, fmt):
    """Clips found in an output folder: files, or rows of the shards (and of the peer's
    array; swiftspec's staging arrays sit in the hidden .swiftspec folder, not counted)."""
    if fmt == "shards":
        return sum(np.load(path, mmap_mode="r").shape[0] for path in out.glob("*.npy"))
    return sum(1 for _ in out.rglob(f"*.{fmt}"))


# ---- where the time goes ------------------------------------------------------------------

def stage_times(sources, repeats):
    """Median per-clip milliseconds of each stage, one process, over all the files."""
    import io

    import librosa

    import swiftspec
    from swiftspec import clips as _clips

    stages = {"decode + resample (soundfile, soxr)": [], "log-mel, swiftspec": [],
              "log-mel, librosa per clip": [], "log-mel, librosa batched per file": [],
              "8-bit + resize (Pillow)": [], "PNG encode (Pillow)": []}
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
                for mel in librosa.feature.melspectrogram(y=batch, sr=sr, n_fft=N_FFT,
                                                          hop_length=HOP, n_mels=N_MELS):
                    librosa.power_to_db(mel, ref=np.max, top_db=TOP_DB)
            t4 = time.perf_counter()
            images = [_clips.to_image(s, size=SIZE) for s in S]
            t5 = time.perf_counter()
            for image in images:
                image.save(io.BytesIO(), format="PNG", compress_level=1, compress_type=3)
            t6 = time.perf_counter()
            marks = (t0, t1, t2, t3, t4, t5, t6)
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
    parser.add_argument("--format", nargs="+", choices=tuple(FORMATS),
                        default=list(FORMATS), dest="formats",
                        help="png: the whole job; npy: float32 log-mel arrays, no image; "
                             "shards: the images' pixels as rows of a few .npy arrays "
                             "[all three]")
    args = parser.parse_args()
    formats = list(dict.fromkeys(args.formats))

    import librosa
    import PIL

    import swiftspec
    from swiftspec import images

    if not args.input.is_dir():
        sys.exit(f"no input folder {args.input}")
    sources = images.find_sources(args.input)
    load_start = os.getloadavg()[0]
    # Warm-up outside the timings: librosa's lazy imports and first-call compilation.
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in formats:
            if fmt == "shards":
                librosa_rows(str(images.sample_path()))
            else:
                librosa_file((str(images.sample_path()), str(Path(tmp) / "warm"), fmt))
            swiftspec_run(images.sample_path(), Path(tmp) / f"warm-swiftspec-{fmt}", 1, fmt)

    configs = [(fmt, name, w) for fmt in formats for w in args.workers
               for name in ("swiftspec", "librosa + PIL")]
    times = {c: [] for c in configs}
    cpu = {c: [] for c in configs}
    clips = {}
    for _ in range(args.repeats):
        for fmt, name, workers in configs:
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "out"
                start, cpu_start = time.perf_counter(), time.process_time()
                if name == "swiftspec":
                    n = swiftspec_run(args.input, out, workers, fmt)
                else:
                    n = librosa_run(sources, out, workers, fmt)
                times[(fmt, name, workers)].append(time.perf_counter() - start)
                cpu[(fmt, name, workers)].append(time.process_time() - cpu_start)
                n_outputs = outputs_on_disk(out, fmt)
                assert n == n_outputs, (fmt, name, n, n_outputs)
                clips[(fmt, name, workers)] = n
                shutil.rmtree(out, ignore_errors=True)
    load_end = os.getloadavg()[0]

    audio_s = 0.0
    import soundfile
    for path, _ in sources:
        try:
            audio_s += soundfile.info(path).duration
        except Exception:  # noqa: BLE001
            pass
    what = "; ".join(f"{fmt}: {FORMATS[fmt]}" for fmt in formats)
    print(f"Input: {args.input} ({len(sources)} files, {audio_s / 60:.1f} min of audio); "
          f"5 s clips at 32 kHz, 128 mels, n_fft 2048, hop 512; {what}.")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, numpy {np.__version__}, librosa "
          f"{librosa.__version__}, Pillow {PIL.__version__}, swiftspec "
          f"{swiftspec.__version__}; median of {args.repeats} runs.\n")
    print("| format | pipeline | workers | files | clips | seconds | files/s | clips/s "
          "| speed-up | CPU ms/clip |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for fmt, name, workers in configs:
        seconds = statistics.median(times[(fmt, name, workers)])
        baseline = statistics.median(times[(fmt, "librosa + PIL", workers)])
        # CPU time of this process: all of the work with 1 worker (less sensitive to
        # other load on the machine than wall time); not measurable for worker pools.
        n_clips = clips[(fmt, name, workers)]
        cpu_ms = (f"{1000 * statistics.median(cpu[(fmt, name, workers)]) / n_clips:.1f}"
                  if workers == 1 else "-")
        print(f"| {fmt} | {name} | {workers} | {len(sources)} | {n_clips} | "
              f"{seconds:.2f} | {len(sources) / seconds:.1f} | {n_clips / seconds:.1f} | "
              f"{baseline / seconds:.2f}x | {cpu_ms} |")
    print(f"\nLoad average (1 min) {load_start:.2f} before the runs, {load_end:.2f} after "
          "(other processes on the machine slow every figure alike).")
    if "png" in formats:
        print("\nWhere the time goes (one process, milliseconds per clip, median):\n")
        print("| stage | ms/clip |")
        print("|---|---:|")
        for stage, ms in stage_times(sources, args.repeats).items():
            print(f"| {stage} | {ms:.2f} |")


if __name__ == "__main__":
    main()
