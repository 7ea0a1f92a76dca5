# SPDX-License-Identifier: GPL-2.0-or-later
"""``swiftspec images``' command line: its arguments, and the command itself."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable, Optional, Tuple, Union

import numpy as np

from .. import clips as _clips
from .._threads import available_cores
from ..audio import RES_TYPES
from ..exceptions import ParameterError
from .convert import NORMALIZATIONS, PAD_MODES, SELECTIONS, SPECTROGRAMS, STACKS
from .job import ENGINES, run
from .settings import Settings
from .writers import FORMATS, SHARD_DTYPES

DEMO_OUTPUT = "swiftspec-images"


def sample_path() -> Path:
    """The bundled recording that ``swiftspec images`` converts without arguments."""
    return Path(__file__).resolve().parent.parent / "data" / "oss_birds_10s.wav"


def _parsed(text: str, parse: Callable[[str], Any], what: str) -> Any:
    try:
        return parse(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None


def _positive_int(text: str) -> int:
    value: int = _parsed(text, int, "an integer")
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _number(text: str) -> float:
    value: float = _parsed(text, float, "a number")
    if not np.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not finite")
    return value


def _non_negative_int(text: str) -> int:
    value: int = _parsed(text, int, "an integer")
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 0")
    return value


def _positive_number(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be positive")
    return value


def _number_or_none(text: str) -> Optional[float]:
    return None if text.lower() == "none" else _number(text)


def _reference(text: str) -> Union[str, float]:
    return "max" if text.lower() == "max" else _positive_number(text)


def _bytes(text: str) -> int:
    """A byte count: an integer, or one with a binary suffix K, M or G (256M: 256 MiB)."""
    scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1:].upper(), 1)
    value: int = _parsed(text[:-1] if scale > 1 else text, int, "a byte count (e.g. 256M)")
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1 byte")
    return value * scale


def _size(text: str) -> Optional[Tuple[int, int]]:
    try:
        return _clips.parse_size(text)
    except ParameterError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_images_command(commands: Any) -> argparse.ArgumentParser:
    """Add ``images`` to the ``swiftspec`` subcommands (``add_subparsers()``'s result)."""
    images: argparse.ArgumentParser = commands.add_parser(
        "images",
        help="a folder of recordings to spectrogram images or arrays",
        description="Convert every audio file under IN into spectrogram images (or "
        "arrays; log-mel by default) of fixed-length clips under OUT, mirroring "
        "IN's folders, "
        "with a manifest (OUT/manifest.csv). Resumable: re-running skips what "
        "is done. Without IN and OUT, converts the bundled bird recording into "
        f"./{DEMO_OUTPUT}.",
        epilog="Exit status: 0 when every file converted (or was empty), 1 when some "
        "failed or the run stopped on a full or read-only disk (see the summary and "
        "the manifest; run again to resume), 2 for bad arguments.",
    )
    images.add_argument("input", nargs="?", metavar="IN", help="an audio file or a folder")
    images.add_argument("output", nargs="?", metavar="OUT", help="the output folder")
    d = Settings()
    group = images.add_argument_group("audio and clips")
    group.add_argument(
        "--sr",
        type=_positive_int,
        default=d.sr,
        help="sample rate to load at, Hz (default %(default)s)",
    )
    group.add_argument(
        "--clip", type=_number, default=d.clip, help="clip length, seconds (default %(default)s)"
    )
    group.add_argument(
        "--clip-hop",
        type=_number,
        default=None,
        metavar="SECONDS",
        help="seconds between clip starts (default: the clip length)",
    )
    group.add_argument(
        "--tail",
        choices=_clips.TAILS,
        default=d.tail,
        help="the partial last clip: zero-pad it, drop it or keep it short (default %(default)s)",
    )
    group.add_argument(
        "--min-tail",
        type=_number,
        default=d.min_tail,
        metavar="SECONDS",
        help="drop a partial clip with less audio than this (default 0)",
    )
    group.add_argument(
        "--res-type",
        choices=RES_TYPES,
        default=d.res_type,
        help="resampling method (default %(default)s)",
    )
    group.add_argument(
        "--select",
        choices=SELECTIONS,
        default=d.select,
        help="every clip, or one per recording: the centre clip (a short "
        "recording repeated to fill it) or one at a random offset; "
        "center and random decode only that clip (default %(default)s)",
    )
    group.add_argument(
        "--seed",
        type=_non_negative_int,
        default=d.seed,
        help="seed of --select random's offsets, drawn per recording from "
        "the seed and its path: the same whatever --workers "
        "(default %(default)s)",
    )
    group.add_argument(
        "--normalize",
        choices=NORMALIZATIONS,
        default=d.normalize,
        help="scale each clip's audio before the spectrogram: peak to 1, or "
        "RMS to --rms-dbfs; silence is left as it is (default "
        "%(default)s)",
    )
    group.add_argument(
        "--rms-dbfs",
        type=_number,
        default=d.rms_dbfs,
        metavar="DB",
        help="RMS level of --normalize rms, dBFS (default %(default)s)",
    )
    group = images.add_argument_group("spectrogram")
    group.add_argument(
        "--spectrogram",
        choices=SPECTROGRAMS,
        default=d.spectrogram,
        help="mel bands, or the linear-frequency STFT bins (default %(default)s)",
    )
    group.add_argument(
        "--power",
        type=int,
        choices=(1, 2),
        default=int(d.power),
        help="exponent of abs(STFT): 1 magnitude (amplitude_to_db), 2 power "
        "(power_to_db) (default %(default)s)",
    )
    group.add_argument(
        "--n-fft", type=_positive_int, default=d.n_fft, help="FFT size (default %(default)s)"
    )
    group.add_argument(
        "--hop",
        type=_positive_int,
        default=d.hop_length,
        dest="hop_length",
        help="hop length, samples (default %(default)s)",
    )
    group.add_argument(
        "--n-mels", type=_positive_int, default=d.n_mels, help="mel bands (default %(default)s)"
    )
    group.add_argument(
        "--fmin", type=_number, default=d.fmin, help="lowest frequency, Hz (default %(default)s)"
    )
    group.add_argument(
        "--fmax", type=_number, default=None, help="highest frequency, Hz (default: sr / 2)"
    )
    group.add_argument(
        "--top-db",
        type=_number_or_none,
        default=d.top_db,
        help="dynamic range below each clip's maximum, dB, or none (default %(default)s)",
    )
    group.add_argument(
        "--ref",
        type=_reference,
        default=d.ref,
        help="dB reference: max (each clip's maximum) or a positive number, "
        "e.g. 1 as torchaudio's AmplitudeToDB (default %(default)s)",
    )
    group.add_argument(
        "--amin",
        type=_positive_number,
        default=None,
        help="smallest value before the log (default: 1e-10 for --power 2, "
        "1e-5 for --power 1, as librosa)",
    )
    group.add_argument(
        "--pad-mode",
        choices=PAD_MODES,
        default=d.pad_mode,
        help="padding of the centred STFT frames; reflect as torchaudio "
        "(default %(default)s, as librosa)",
    )
    group.add_argument(
        "--precision",
        choices=("exact", "fast"),
        default=d.precision,
        help="FFT precision (default %(default)s)",
    )
    group = images.add_argument_group("output")
    group.add_argument(
        "--format",
        choices=FORMATS,
        default=d.format,
        help="8-bit PNG image, float32 log-mel array, or every clip as a row "
        "of a few large .npy arrays (default %(default)s)",
    )
    group.add_argument(
        "--size",
        type=_size,
        default=None,
        metavar="WxH",
        help="resize images to WIDTHxHEIGHT pixels, e.g. 512x512 (default: frames x mels)",
    )
    group.add_argument(
        "--colormap",
        default=d.colormap,
        help="gray (default), heat, or a matplotlib colour map name "
        "(e.g. viridis, magma; needs matplotlib)",
    )
    group.add_argument(
        "--channels",
        type=int,
        choices=(1, 3),
        default=d.channels,
        help="3: RGB images or (3, bands, frames) arrays for networks "
        "pretrained on RGB (default %(default)s)",
    )
    group.add_argument(
        "--stack",
        choices=STACKS,
        default=d.stack,
        help="the 3 channels: the spectrogram three times, or with its "
        "first and second deltas (default %(default)s)",
    )
    group.add_argument(
        "--resize-filter",
        choices=_clips.RESIZE_FILTERS,
        default=d.resize_filter,
        help="Pillow filter for --size (default %(default)s)",
    )
    group.add_argument(
        "--shard-dtype",
        choices=SHARD_DTYPES,
        default=d.shard_dtype,
        help="shards: uint8 image pixels (as png) or a float log-mel array "
        "(as npy) per row (default %(default)s)",
    )
    group.add_argument(
        "--shard-size",
        type=_bytes,
        default=d.shard_size,
        metavar="BYTES",
        help="shards: bytes of rows per shard at most, e.g. 64M or 1G (default 256M)",
    )
    group.add_argument(
        "--overwrite",
        action="store_true",
        help="redo every file and replace existing outputs (needed to "
        "change the settings of an existing OUT)",
    )
    group = images.add_argument_group("execution")
    group.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        help=f"worker processes (default: the available cores, {available_cores()} here)",
    )
    group.add_argument(
        "--engine",
        choices=ENGINES,
        default="local",
        help="local processes, or a dask.distributed cluster (default %(default)s)",
    )
    group.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="dask scheduler address, e.g. tcp://10.0.0.1:8786 (with "
        "--engine dask; without it a LocalCluster of --workers "
        "processes is started)",
    )
    group.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    return images


def settings_from(args: argparse.Namespace) -> Settings:
    """The Settings that parsed ``images`` arguments ask for (ParameterError if bad)."""
    return Settings(
        sr=args.sr,
        clip=args.clip,
        clip_hop=args.clip_hop,
        tail=args.tail,
        min_tail=args.min_tail,
        n_fft=args.n_fft,
        hop_length=args.hop_length,
        n_mels=args.n_mels,
        fmin=args.fmin,
        fmax=args.fmax,
        top_db=args.top_db,
        format=args.format,
        size=args.size,
        colormap=args.colormap,
        resize_filter=args.resize_filter,
        res_type=args.res_type,
        precision=args.precision,
        shard_dtype=args.shard_dtype,
        shard_size=args.shard_size,
        spectrogram=args.spectrogram,
        power=float(args.power),
        ref=args.ref,
        amin=args.amin,
        pad_mode=args.pad_mode,
        normalize=args.normalize,
        rms_dbfs=args.rms_dbfs,
        select=args.select,
        seed=args.seed,
        channels=args.channels,
        stack=args.stack,
    )


def images_command(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Run ``swiftspec images`` with parsed ``args``; the exit status (``parser`` reports
    argument errors)."""
    if args.input is None:
        in_path, out_dir = sample_path(), Path(DEMO_OUTPUT)
    elif args.output is None:
        parser.error("OUT is required when IN is given (images IN OUT)")
    else:
        in_path, out_dir = Path(args.input), Path(args.output)
    if args.scheduler and args.engine != "dask":
        parser.error("--scheduler needs --engine dask")
    try:
        summary = run(
            in_path,
            out_dir,
            settings_from(args),
            workers=args.workers or available_cores(),
            engine=args.engine,
            scheduler=args.scheduler,
            overwrite=args.overwrite,
            progress=not args.no_progress,
        )
    except (ParameterError, ImportError) as error:
        print(f"swiftspec images: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # OUT's state cannot be written (full or read-only disk...)
        print(f"swiftspec images: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "swiftspec images: interrupted; run the same command again to resume", file=sys.stderr
        )
        return 130
    print(summary.report())
    return summary.exit_status
