# SPDX-License-Identifier: GPL-2.0-or-later
"""The resolved options of `swiftspec images`: everything an output depends on."""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np

from .. import clips as _clips
from .._validate import check_array_size
from ..audio import RES_TYPES
from ..exceptions import ParameterError
from . import convert, writers


@dataclass(frozen=True)
class Settings:
    """How recordings become outputs (`swiftspec images`' options); see `run`.

    Every field changes the outputs, so an output folder records them
    (``.swiftspec/settings.json``) and refuses a run with other values.

    sr, clip, clip_hop, tail, min_tail
        Load at ``sr`` Hz in mono (resampling with ``res_type``); cut into ``clip``-second
        clips every ``clip_hop`` seconds (None: ``clip``), see `swiftspec.clips.split`.
    n_fft, hop_length, n_mels, fmin, fmax, top_db, precision
        The log-mel spectrogram of each clip, see `swiftspec.clips.log_mel`.
    spectrogram, power, ref, amin, pad_mode
        ``'mel'``: the mel spectrogram of ``|stft|**power``; ``'linear'``: ``|stft|**power``
        itself (``n_mels``, ``fmin`` and ``fmax`` unused). Then decibels: power_to_db
        (``power=2``) or amplitude_to_db (``power=1``) with ``ref`` (``'max'``: each
        clip's maximum, or a number), ``amin`` (None: librosa's, 1e-10 for power and
        1e-5 for magnitude) and ``top_db`` (None: no floor). ``pad_mode`` pads the
        centred STFT frames (as `swiftspec.stft`).
    normalize, rms_dbfs
        Each clip's audio (before zero-padding) is left as it is (``'none'``), scaled
        to a peak of 1 (``'peak'``, `swiftspec.util.normalize`) or to an RMS level of
        ``rms_dbfs`` dBFS (``'rms'``, `swiftspec.util.normalize_rms`); silence is left
        as it is.
    select, seed
        ``'all'``: every clip (`split_clips`); ``'center'``: the centre clip of each
        recording; ``'random'``: a clip at a random offset drawn from ``seed`` and the
        recording's relative path (see `convert.select_clip`).
    channels, stack
        1: one spectrogram; 3: ``stack='gray'`` repeats it three times, ``'deltas'``
        stacks it with its first and second deltas (`swiftspec.feature.delta`).
    format
        ``'png'``: an 8-bit image (`swiftspec.clips.to_image`: min-max per clip, low
        frequencies at the bottom), resized to ``size`` = (width, height) with
        ``resize_filter``, coloured with ``colormap``; with 3 channels an RGB image, each
        channel scaled on its own. ``'npy'``: the float32 log-mel array (n_mels, frames),
        rows in librosa's order (lowest band first); (3, n_mels, frames) with 3 channels.
        ``'shards'``: every clip as one row of a few large ``.npy`` arrays (see
        `swiftspec.images.shards`).
    shard_dtype, shard_size
        ``'shards'`` only: ``'uint8'`` rows are the PNG's pixels (``size``, ``colormap``
        and ``resize_filter`` apply), ``'float16'`` or ``'float32'`` rows the log-mel
        array as ``'npy'`` writes it. At most ``shard_size`` bytes of rows per shard.
    """

    sr: int = 32000
    clip: float = 5.0
    clip_hop: Optional[float] = None
    tail: str = "pad"
    min_tail: float = 0.0
    n_fft: int = 2048
    hop_length: int = 512
    n_mels: int = 128
    fmin: float = 0.0
    fmax: Optional[float] = None
    top_db: Optional[float] = 80.0
    format: str = "png"
    size: Optional[Tuple[int, int]] = None  # also 'WxH', N or [w, h] (see clips.parse_size)
    colormap: str = "gray"
    resize_filter: str = "bicubic"
    res_type: str = "soxr_hq"
    precision: str = "exact"
    # Added after the first release: a settings.json without them holds these defaults.
    shard_dtype: str = "uint8"
    shard_size: int = 256 * 2**20
    spectrogram: str = "mel"
    power: float = 2.0
    ref: Union[str, float] = "max"
    amin: Optional[float] = None
    pad_mode: str = "constant"
    normalize: str = "none"
    rms_dbfs: float = -20.0
    select: str = "all"
    seed: int = 0
    channels: int = 1
    stack: str = "gray"

    def __post_init__(self) -> None:
        # Accept 'WxH' strings and lists for size; store a (width, height) tuple.
        object.__setattr__(self, "size", _clips.parse_size(self.size))

    def as_json(self) -> Dict[str, Any]:
        data = asdict(self)
        data["size"] = list(self.size) if self.size else None
        return data

    @classmethod
    def completed(cls, recorded: Dict[str, Any]) -> Dict[str, Any]:
        """A recorded settings.json with the fields it predates at their defaults, so
        that output folders made before those fields existed stay resumable."""
        return {**cls().as_json(), **recorded}

    @property
    def extension(self) -> str:
        return "." + self.format

    def describe(self) -> str:
        what = f"{self.format}"
        if self.format == "png":
            what += f", {self.size[0]}x{self.size[1]}" if self.size else ", unresized"
            what += f", {self.colormap}"
        if self.format == "shards":
            what += f" of {self.shard_dtype}, {_byte_text(self.shard_size)} at most"
            if self.shard_dtype == "uint8":
                what += f", {self.size[0]}x{self.size[1]}" if self.size else ", unresized"
        if self.channels == 3:
            what += f", 3 channels ({self.stack})"
        clips = "clips" if self.select == "all" else f"{self.select} clip"
        bands = f"{self.n_mels} mels" if self.spectrogram == "mel" else "linear"
        return (
            f"{what}; {self.clip:g} s {clips} at {self.sr} Hz, tail={self.tail}, "
            f"{bands}, n_fft {self.n_fft}, hop {self.hop_length}"
        )

    @property
    def float_output(self) -> bool:
        """Outputs are log-mel arrays (True) or 8-bit images."""
        return self.format == "npy" or (self.format == "shards" and self.shard_dtype != "uint8")

    def output_shape(self, n_bands: int, n_frames: int) -> Tuple[int, ...]:
        """numpy shape of one output for a (n_bands, n_frames) spectrogram."""
        if self.float_output:
            return (n_bands, n_frames) if self.channels == 1 else (3, n_bands, n_frames)
        height, width = (self.size[1], self.size[0]) if self.size else (n_bands, n_frames)
        rgb = self.colormap != "gray" or self.channels == 3
        return (height, width, 3) if rgb else (height, width)


def _byte_text(count: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= scale:
            return f"{count / scale:.4g} {unit}"
    return f"{count} bytes"


def check_settings(settings: Settings) -> List[str]:
    """Validate ``settings`` by converting one second of silence; ParameterError if bad.

    Returns the warnings the conversion raised (e.g. empty mel filters).
    """
    if settings.format not in writers.FORMATS:
        raise ParameterError(
            f"format={settings.format!r} must be "
            + " or ".join(repr(name) for name in writers.FORMATS)
        )
    if settings.float_output and (settings.size is not None or settings.colormap != "gray"):
        raise ParameterError(
            "--size and --colormap apply to png output only (and to shards of uint8)"
        )
    _check_shard_settings(settings)
    if isinstance(settings.sr, bool) or not isinstance(settings.sr, int) or settings.sr < 1:
        raise ParameterError(f"sr={settings.sr!r} must be a positive integer (Hz)")
    if settings.res_type not in RES_TYPES:
        raise ParameterError(
            f"res_type={settings.res_type!r} must be one of {', '.join(RES_TYPES)}"
        )
    _check_choice("spectrogram", settings.spectrogram, convert.SPECTROGRAMS)
    _check_choice("power", settings.power, convert.POWERS)
    if settings.ref != "max" and not _positive(settings.ref):
        raise ParameterError(f"ref={settings.ref!r} must be 'max' or a positive number")
    if settings.amin is not None and not _positive(settings.amin):
        raise ParameterError(f"amin={settings.amin!r} must be None or a positive number")
    _check_choice("normalize", settings.normalize, convert.NORMALIZATIONS)
    if not _real(settings.rms_dbfs):
        raise ParameterError(f"rms_dbfs={settings.rms_dbfs!r} must be a finite number (dBFS)")
    _check_choice("select", settings.select, convert.SELECTIONS)
    if isinstance(settings.seed, bool) or not isinstance(settings.seed, int) or settings.seed < 0:
        raise ParameterError(f"seed={settings.seed!r} must be an integer >= 0")
    if settings.select != "all" and (settings.clip_hop is not None or settings.tail != "pad"):
        raise ParameterError(
            f"select={settings.select!r} takes one clip per recording: "
            "--clip-hop and --tail apply to select='all' only"
        )
    _check_choice("channels", settings.channels, (1, 3))
    _check_choice("stack", settings.stack, convert.STACKS)
    if settings.stack != "gray" and settings.channels != 3:
        raise ParameterError(f"stack={settings.stack!r} needs channels=3")
    if settings.channels == 3 and settings.colormap != "gray":
        raise ParameterError(
            f"channels=3 makes RGB images from the spectrogram: "
            f"colormap={settings.colormap!r} cannot apply"
        )
    check_array_size((settings.sr,), 4, f"sr={settings.sr}")  # (its second of silence)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = np.zeros(settings.sr, dtype=np.float32)
        parts = convert.split_clips(y, settings.sr, settings)
        S = convert.spectrogram(parts[0].y if parts else y, settings.sr, settings)
        writers.render(S, settings)
    return sorted({str(w.message) for w in caught})


def _check_shard_settings(settings: Settings) -> None:
    defaults = Settings()
    if settings.format != "shards":
        if (settings.shard_dtype, settings.shard_size) != (
            defaults.shard_dtype,
            defaults.shard_size,
        ):
            raise ParameterError("--shard-dtype and --shard-size apply to --format shards only")
        return
    if settings.shard_dtype not in writers.SHARD_DTYPES:
        raise ParameterError(
            f"shard_dtype={settings.shard_dtype!r} must be "
            + " or ".join(repr(name) for name in writers.SHARD_DTYPES)
        )
    if (
        isinstance(settings.shard_size, bool)
        or not isinstance(settings.shard_size, int)
        or settings.shard_size < 1
    ):
        raise ParameterError(
            f"shard_size={settings.shard_size!r} must be a positive integer (bytes)"
        )
    if settings.tail == "keep":
        # A kept tail is shorter than the other clips, and the rows of a shard share one
        # shape: pad it (the default) or drop it.
        raise ParameterError(
            "--format shards needs clips of one length: use --tail pad "
            "or --tail drop, not --tail keep"
        )


def _check_choice(name: str, value: Any, choices: Tuple[Any, ...]) -> None:
    if isinstance(value, bool) or value not in choices:
        raise ParameterError(
            f"{name}={value!r} must be " + " or ".join(repr(choice) for choice in choices)
        )


def _real(value: Any) -> bool:
    return (
        not isinstance(value, bool)
        and isinstance(value, (int, float, np.number))
        and bool(np.isfinite(value))
    )


def _positive(value: Any) -> bool:
    return _real(value) and value > 0
