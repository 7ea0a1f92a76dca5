# SPDX-License-Identifier: GPL-2.0-or-later
"""Throughput of a torch DataLoader that computes log-mel features in ``__getitem__``.

Workload: the corpus audio (``/work/shared/corpus``, else ``python/tests/data`` and the
bundled ``python/swiftspec/data``) decoded once to mono float32 at 16 kHz and cut into
fixed-length clips; each item is a log-mel spectrogram (n_fft 1024, hop 160, 64 mels,
top_db 80) computed by one of:

- ``swiftspec``: ``swiftspec.feature.melspectrogram`` + ``swiftspec.power_to_db``
  (librosa's conventions);
- ``swiftspec.compat``: ``swiftspec.compat.torchaudio.MelSpectrogram`` + ``AmplitudeToDB``
  (torchaudio's conventions, tensor in, tensor out);
- ``librosa``: ``librosa.feature.melspectrogram`` + ``librosa.power_to_db``;
- ``torchaudio``: ``torchaudio.transforms.MelSpectrogram`` + ``AmplitudeToDB``.

For each implementation and each ``num_workers`` (fork start method, persistent workers,
batch size 16) one warm-up epoch is run, then ``--epochs`` timed epochs; the table gives
clips per second (best of ``--repeats`` rounds, implementations interleaved).

Threads: one per process for every library, so ``workers=0`` is one core and
``workers=N`` is N worker processes of one thread each. That is what a forked DataLoader
worker gets by default from swiftspec (1 thread) and torch (which sets 1 in its workers);
numpy's BLAS (used by librosa's mel projection) is limited with OPENBLAS_NUM_THREADS /
OMP_NUM_THREADS / MKL_NUM_THREADS=1, set here unless already set: with its default pool of
one thread per core in each worker, librosa ran 3-6x slower here, and everything else next
to it too. In the main process swiftspec and torch are set to one thread as well
(``--threads`` changes that).

    PYTHONPATH=python python bench/bench_dataloader.py [--workers 0 1 2] [--epochs 3]

Needs torch; librosa and torchaudio rows are skipped when those are not importable.
"""

import argparse
import os
import platform
import sys
import time
import warnings
from pathlib import Path

# One BLAS/OpenMP thread per process (see above), set before numpy and torch load.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path("/work/shared/corpus")
FALLBACK = [ROOT / "python" / "tests" / "data", ROOT / "python" / "swiftspec" / "data"]
SR = 16000
N_FFT, HOP, N_MELS, TOP_DB = 1024, 160, 64, 80.0
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3")


def load_clips(paths, clip_seconds):
    """Mono float32 clips of ``clip_seconds`` at 16 kHz from every readable file."""
    import swiftspec

    clip_len = int(clip_seconds * SR)
    clips, used = [], []
    for path in paths:
        try:
            y, _ = swiftspec.load(path, sr=SR, mono=True)
        except Exception as error:  # noqa: BLE001 - unreadable formats are skipped
            print(f"  skipped {path}: {type(error).__name__}", file=sys.stderr)
            continue
        count = len(y) // clip_len
        if count == 0 or not np.any(y):
            continue
        clips.extend(np.ascontiguousarray(y[i * clip_len:(i + 1) * clip_len])
                     for i in range(count))
        used.append(path)
    return clips, used


def audio_files(roots):
    files = []
    for root in roots:
        if root.is_dir():
            files.extend(sorted(p for p in root.rglob("*") if p.suffix.lower() in
                                AUDIO_SUFFIXES))
    return files


# ---- feature extractors (built in the parent, inherited by forked workers) ------------

def make_swiftspec():
    import swiftspec

    def features(y):
        S = swiftspec.feature.melspectrogram(y=y, sr=SR, n_fft=N_FFT, hop_length=HOP,
                                             n_mels=N_MELS)
        return swiftspec.power_to_db(S, top_db=TOP_DB)
    return features


def make_swiftspec_compat():
    import torch
    from swiftspec.compat import torchaudio as T

    mel = T.MelSpectrogram(sample_rate=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)
    to_db = T.AmplitudeToDB(top_db=TOP_DB)
    return lambda y: to_db(mel(torch.from_numpy(y)))


def make_librosa():
    import librosa

    def features(y):
        S = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=N_FFT, hop_length=HOP,
                                           n_mels=N_MELS)
        return librosa.power_to_db(S, top_db=TOP_DB)
    return features


def make_torchaudio():
    import torch
    import torchaudio.transforms as TA

    mel = TA.MelSpectrogram(sample_rate=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)
    to_db = TA.AmplitudeToDB(top_db=TOP_DB)

    def features(y):
        with torch.inference_mode():
            return to_db(mel(torch.from_numpy(y)))
    return features


IMPLEMENTATIONS = {
    "swiftspec": make_swiftspec,
    "swiftspec.compat.torchaudio": make_swiftspec_compat,
    "librosa": make_librosa,
    "torchaudio": make_torchaudio,
}


def build(names):
    out = {}
    for name in names:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out[name] = IMPLEMENTATIONS[name]()
        except Exception as error:  # noqa: BLE001 - a missing peer is skipped, not fatal
            print(f"  {name}: skipped ({type(error).__name__}: {error})", file=sys.stderr)
    return out


def _default_threads(_worker_id):
    import swiftspec

    swiftspec.set_num_threads(None)


def make_loader(features, clips, workers, batch_size):
    import torch
    from torch.utils.data import DataLoader, Dataset

    class Features(Dataset):
        def __len__(self):
            return len(clips)

        def __getitem__(self, i):
            out = features(clips[i])
            return out if isinstance(out, torch.Tensor) else torch.from_numpy(out)

    kwargs = dict(batch_size=batch_size, shuffle=False, num_workers=workers)
    if workers:
        # worker_init_fn: back to swiftspec's default in a forked worker (1 thread), not
        # the main process's explicit setting.
        kwargs.update(multiprocessing_context="fork", persistent_workers=True, timeout=300,
                      worker_init_fn=_default_threads)
    return DataLoader(Features(), **kwargs)


def epoch(loader):
    items = 0
    for batch in loader:
        items += batch.shape[0]
    return items


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs per round")
    parser.add_argument("--repeats", type=int, default=3, help="rounds (best is reported)")
    parser.add_argument("--clip-seconds", type=float, default=5.0)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--only", nargs="+", choices=sorted(IMPLEMENTATIONS),
                        default=list(IMPLEMENTATIONS))
    parser.add_argument("--threads", type=int, default=1,
                        help="swiftspec and torch threads in the main process (workers=0)")
    args = parser.parse_args()

    import swiftspec
    import torch

    torch.set_num_threads(args.threads)
    swiftspec.set_num_threads(args.threads)  # workers reset it (worker_init_fn)

    roots = [CORPUS] if CORPUS.is_dir() else FALLBACK
    clips, used = load_clips(audio_files(roots), args.clip_seconds)
    if not clips:
        sys.exit(f"no audio found under {', '.join(map(str, roots))}")
    print(f"{len(clips)} clips of {args.clip_seconds:g} s at {SR} Hz from {len(used)} files "
          f"under {', '.join(map(str, roots))}", file=sys.stderr)

    impls = build(args.only)
    # Same features from each implementation on one clip (a sanity check, not a parity test).
    shapes = {name: tuple(np.asarray(f(clips[0])).shape) for name, f in impls.items()}
    assert len(set(shapes.values())) == 1, shapes

    best = {}  # (name, workers) -> clips/s
    loaders = {(name, w): make_loader(f, clips, w, args.batch_size)
               for name, f in impls.items() for w in args.workers}
    for key, loader in loaders.items():
        epoch(loader)  # warm-up: starts persistent workers, plans FFTs, fills caches
    for _ in range(args.repeats):
        for key, loader in loaders.items():  # interleaved, round by round
            start = time.perf_counter()
            items = sum(epoch(loader) for _ in range(args.epochs))
            rate = items / (time.perf_counter() - start)
            best[key] = max(best.get(key, 0.0), rate)
    del loaders

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = [f"swiftspec {swiftspec.__version__}", f"torch {torch.__version__}"]
    for module in ("torchaudio", "librosa"):
        if module in sys.modules:
            versions.append(f"{module} {sys.modules[module].__version__}")
    print(f"\nDataLoader throughput, clips/s (log-mel of {args.clip_seconds:g}-s clips at "
          f"{SR} Hz: n_fft {N_FFT}, hop {HOP}, {N_MELS} mels, top_db {TOP_DB:g}; batch "
          f"{args.batch_size}, fork, {args.threads} thread(s) in the main process, 1 per "
          f"worker; best of {args.repeats} x {args.epochs} epochs of {len(clips)} clips)\n")
    header = "| implementation | " + " | ".join(f"workers={w}" for w in args.workers) + " |"
    print(header)
    print("|---|" + "---:|" * len(args.workers))
    reference = "librosa" if "librosa" in impls else None
    for name in impls:
        cells = []
        for w in args.workers:
            rate = best[(name, w)]
            cell = f"{rate:,.0f}"
            if reference and name != reference:
                cell += f" ({rate / best[(reference, w)]:.1f}x)"
            cells.append(cell)
        print(f"| {name} | " + " | ".join(cells) + " |")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n{platform.machine()}, {cores} cores available, load average {load:.1f} at the "
          f"end; {', '.join(versions)}; Python {platform.python_version()}."
          + (" Ratios are against librosa." if reference else ""))


if __name__ == "__main__":
    main()
