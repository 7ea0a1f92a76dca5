# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixed-length clips, log-mel spectrograms, normalisation and images.

The building blocks of the BirdCLEF-style pipeline that ``swiftspec images`` runs::

    from swiftspec import clips
    y, sr = swiftspec.load(path, sr=32000)
    parts = clips.split(y, sr=sr, duration=5.0)              # tail="pad" by default
    S_db = clips.log_mel(np.stack([c.y for c in parts]), sr=sr)   # (n_clips, 128, 313)
    image = clips.to_image(S_db[0], size=(512, 512))          # PIL, low bands at the bottom

Everything here needs only numpy, except `to_image` (Pillow) and colour maps other than the
built-in ones (matplotlib).
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any, List, NamedTuple, Optional, Sequence, Tuple, Union, cast

import numpy as np
import numpy.typing as npt

from ._typing import SizeSpec
from ._validate import check_array_size, check_sample_rate, is_positive_finite
from .exceptions import ParameterError
from .feature import melspectrogram
from .spectrum import _groups, power_to_db

if TYPE_CHECKING:  # pragma: no cover - typing only (Pillow is optional)
    from PIL.Image import Image as PILImage

__all__ = [
    "Clip",
    "split",
    "log_mel",
    "minmax_uint8",
    "standardize",
    "colormap_lut",
    "parse_size",
    "to_image",
    "TAILS",
    "BUILTIN_COLORMAPS",
    "RESIZE_FILTERS",
]

TAILS = ("pad", "drop", "keep")
BUILTIN_COLORMAPS = ("gray", "heat")
RESIZE_FILTERS = ("nearest", "box", "bilinear", "hamming", "bicubic", "lanczos")


class Clip(NamedTuple):
    """One clip of a signal (see `split`).

    index : int
        Position of the clip in the signal (0, 1, ...).
    start : int
        First sample of the clip in the signal.
    n_audio : int
        Samples of the signal the clip holds (less than the clip length for a padded or kept
        tail).
    y : np.ndarray [shape=(..., clip_length)]
        The samples; a view into the signal for full clips, a zero-padded copy for a padded
        tail, a shorter view for a kept tail.
    """

    index: int  # type: ignore[assignment]  # a field, as in the namedtuple: not tuple.index
    start: int
    n_audio: int
    y: np.ndarray


def _positive_seconds(value: Any, name: str) -> float:
    if not is_positive_finite(value):
        raise ParameterError(f"{name}={value!r} must be a positive, finite number of seconds")
    return float(value)


def split(
    y: np.ndarray,
    *,
    sr: float,
    duration: float = 5.0,
    hop: Optional[float] = None,
    tail: str = "pad",
    min_tail: float = 0.0,
) -> List[Clip]:
    """Cut a signal into fixed-length clips along its last axis.

    Clip ``k`` starts at ``k * hop`` seconds and lasts ``duration`` seconds (both rounded
    to whole samples). Every clip that fits entirely in the signal is returned; what
    happens to the audio after the last full clip depends on ``tail``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)]
        The signal (multichannel signals are cut along the last axis).
    sr : number > 0
        Its sampling rate.
    duration : float > 0
        Clip length in seconds (5 s, as in BirdCLEF).
    hop : float > 0 or None
        Seconds between clip starts; ``duration`` (no overlap) when None.
    tail : {'pad', 'drop', 'keep'}
        The partial clip after the last full one (and the only clip of a recording
        shorter than ``duration``):

        - ``'pad'`` (default): zero-padded to full length. No audio is lost, every clip
          (hence every image) has the same shape, and a recording shorter than one clip
          still gives one clip: the usual BirdCLEF training pipeline, which pads short
          recordings with silence, and what the soundscape grid (0-5 s, 5-10 s, ...)
          implies for an unfinished last window.
        - ``'drop'``: discarded (a recording shorter than one clip gives no clip).
        - ``'keep'``: returned as it is, shorter than the others.
    min_tail : float >= 0
        A partial clip holding less than ``min_tail`` seconds of audio is dropped even
        with ``tail='pad'`` or ``'keep'`` (for instance 1.0 to avoid nearly silent padded
        clips). The default, 0, keeps every partial clip.

    Returns
    -------
    clips : list of Clip
        ``(index, start, n_audio, y)`` for each clip, in order; empty for an empty
        signal.
    """
    if not isinstance(y, np.ndarray) or y.ndim < 1:
        raise ParameterError(
            f"y must be a numpy array with at least one axis, given "
            f"{type(y).__name__} {getattr(y, 'shape', '')}".rstrip()
        )
    check_sample_rate(sr)
    duration = _positive_seconds(duration, "duration")
    hop = duration if hop is None else _positive_seconds(hop, "hop")
    if tail not in TAILS:
        raise ParameterError(f"tail={tail!r} must be one of {', '.join(TAILS)}")
    if (
        isinstance(min_tail, bool)
        or not isinstance(min_tail, numbers.Real)
        or not (0 <= min_tail < np.inf)
    ):
        raise ParameterError(f"min_tail={min_tail!r} must be a finite number of seconds >= 0")
    length = int(round(duration * sr))
    step = int(round(hop * sr))
    if length < 1 or step < 1:
        raise ParameterError(
            f"duration={duration} s and hop={hop} s must each be at least one sample at sr={sr}"
        )

    n = y.shape[-1]
    n_full = 0 if n < length else (n - length) // step + 1
    clips = [Clip(k, k * step, length, y[..., k * step : k * step + length]) for k in range(n_full)]
    covered = (n_full - 1) * step + length if n_full else 0
    start = n_full * step
    if tail != "drop" and n > covered and start < n:
        n_audio = n - start
        if n_audio >= min_tail * sr:
            piece = y[..., start:]
            if tail == "pad":
                check_array_size(
                    y.shape[:-1] + (length,), y.itemsize, f"duration={duration} s at sr={sr}"
                )
                padded = np.zeros(y.shape[:-1] + (length,), dtype=y.dtype)
                padded[..., :n_audio] = piece
                piece = padded
            clips.append(Clip(n_full, start, n_audio, piece))
    return clips


def log_mel(
    y: np.ndarray,
    *,
    sr: float,
    n_fft: int = 2048,
    hop_length: int = 512,
    n_mels: int = 128,
    fmin: float = 0.0,
    fmax: Optional[float] = None,
    top_db: Optional[float] = 80.0,
    precision: str = "exact",
    n_threads: Optional[int] = None,
) -> np.ndarray:
    """Log-mel spectrogram in dB relative to its maximum, per clip.

    For each clip (each row of ``y``) this equals::

        librosa.power_to_db(librosa.feature.melspectrogram(y=clip, sr=sr, n_fft=n_fft,
            hop_length=hop_length, n_mels=n_mels, fmin=fmin, fmax=fmax),
            ref=np.max, top_db=top_db)

    so values lie in ``[-top_db, 0]``. A batch of clips is computed in one native call.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)], floating point
        One clip, or clips stacked along the leading axes.
    sr, n_fft, hop_length, n_mels, fmin, fmax
        As in `swiftspec.feature.melspectrogram` (``fmax=None`` is ``sr / 2``).
    top_db : float >= 0 or None
        Floor at the clip's maximum minus ``top_db``.
    precision, n_threads
        As in `swiftspec.feature.melspectrogram`.

    Returns
    -------
    S_db : np.ndarray [shape=(..., n_mels, t)]
    """
    S = melspectrogram(
        y=y,
        sr=sr,
        n_fft=n_fft,
        hop_length=hop_length,
        n_mels=n_mels,
        fmin=fmin,
        fmax=fmax,
        precision=precision,
        n_threads=n_threads,
    )
    return power_to_db(S, ref=np.max, top_db=top_db, axes="auto")


def _finite(S: npt.ArrayLike, name: str = "S") -> np.ndarray:
    S = np.asarray(S)
    if not np.issubdtype(S.dtype, np.number) or np.issubdtype(S.dtype, np.complexfloating):
        raise ParameterError(f"{name} must be a real numeric array, given dtype {S.dtype}")
    if S.ndim < 2:
        raise ParameterError(
            f"{name} must have at least two axes (bands, frames), given shape {S.shape}"
        )
    if not np.isfinite(S).all():
        raise ParameterError(f"{name} is not finite everywhere")
    return S


def _clip_axes(S: np.ndarray, axes: Union[int, Tuple[int, ...]]) -> Tuple[int, ...]:
    """The reduction axes, or ParameterError for an axis ``S`` lacks or an empty clip."""
    groups = _groups(S.ndim, axes)
    if any(S.shape[axis] == 0 for axis in groups):
        raise ParameterError(f"S of shape {S.shape} has empty clips along axes={axes!r}")
    return groups


def minmax_uint8(S: npt.ArrayLike, *, axes: Union[int, Tuple[int, ...]] = (-2, -1)) -> np.ndarray:
    """Min-max scale to 8 bits: ``round(255 * (S - min) / (max - min))``, per clip.

    Computed in float64; ``round`` is numpy's (half to even). The minimum and maximum
    are taken over ``axes`` (by default the last two: one clip of a batch); a constant
    clip (``max == min``, such as silence) becomes all zeros.

    Parameters
    ----------
    S : np.ndarray [shape=(..., bands, frames)], real, finite
    axes : tuple of int
        Axes over which the range is taken.

    Returns
    -------
    pixels : np.ndarray, uint8, same shape as ``S``
    """
    S = _finite(S).astype(np.float64)
    axes = _clip_axes(S, axes)
    lo = S.min(axis=axes, keepdims=True)
    hi = S.max(axis=axes, keepdims=True)
    span = hi - lo
    scaled = (S - lo) / np.where(span > 0, span, 1.0)
    return np.round(255.0 * scaled).astype(np.uint8)


def standardize(S: npt.ArrayLike, *, axes: Union[int, Tuple[int, ...]] = (-2, -1)) -> np.ndarray:
    """Per-clip standardisation to zero mean and unit variance: ``(S - mean) / std``.

    Mean and (population) standard deviation are taken over ``axes`` in float64; a
    constant clip becomes all zeros.

    Parameters
    ----------
    S : np.ndarray [shape=(..., bands, frames)], real, finite
    axes : tuple of int

    Returns
    -------
    Z : np.ndarray
        float32 for float32 (or narrower) input, float64 otherwise.
    """
    S = _finite(S)
    out_dtype = np.float64 if S.dtype == np.float64 or S.dtype.itemsize > 4 else np.float32
    S64 = S.astype(np.float64)
    axes = _clip_axes(S, axes)
    mean = S64.mean(axis=axes, keepdims=True)
    std = S64.std(axis=axes, keepdims=True)
    Z = (S64 - mean) / np.where(std > 0, std, 1.0)
    return Z.astype(out_dtype)


def _builtin_lut(name: str) -> np.ndarray:
    t = np.linspace(0.0, 1.0, 256)
    if name == "gray":
        rgb = np.stack([t, t, t], axis=1)
    else:  # "heat": black -> red -> yellow -> white, one third of the range each
        rgb = np.clip(np.stack([3 * t, 3 * t - 1, 3 * t - 2], axis=1), 0.0, 1.0)
    return np.round(255.0 * rgb).astype(np.uint8)


def colormap_lut(name: str) -> np.ndarray:
    """The 256-entry RGB look-up table of a colour map.

    Built in: ``'gray'`` and ``'heat'`` (black, red, yellow, white; defined here). Any
    other name is looked up in matplotlib's registry (``'viridis'``, ``'magma'``, ...)
    when matplotlib is installed, and sampled at 256 evenly spaced points.

    Parameters
    ----------
    name : str

    Returns
    -------
    lut : np.ndarray [shape=(256, 3)], uint8
    """
    if not isinstance(name, str):
        raise ParameterError(f"colormap={name!r} must be a colour map name")
    if name in BUILTIN_COLORMAPS:
        return _builtin_lut(name)
    try:
        import matplotlib
    except ImportError as error:
        raise ParameterError(
            f"colormap={name!r} is not built in ({', '.join(BUILTIN_COLORMAPS)}); other "
            "names come from matplotlib, which is not installed (pip install matplotlib)"
        ) from error
    try:
        cmap = matplotlib.colormaps[name]
    except KeyError as error:
        raise ParameterError(
            f"colormap={name!r} is neither built in "
            f"({', '.join(BUILTIN_COLORMAPS)}) nor a matplotlib colour "
            "map"
        ) from error
    return np.asarray(cmap(np.linspace(0.0, 1.0, 256), bytes=True)[:, :3], dtype=np.uint8)


def _resize_filter(image_module: Any, name: str) -> Any:
    if name not in RESIZE_FILTERS:
        raise ParameterError(f"resample={name!r} must be one of {', '.join(RESIZE_FILTERS)}")
    return getattr(image_module.Resampling, name.upper())


def parse_size(size: SizeSpec) -> Optional[Tuple[int, int]]:
    """``(width, height)`` from ``'512x512'``, ``'512'``, an int or a pair; None stays None."""
    if size is None:
        return None
    if isinstance(size, str):
        parts = size.lower().split("x")
        try:
            values = [int(p) for p in parts]
        except ValueError:
            values = []
        if len(values) == 1:
            values = values * 2
    elif isinstance(size, numbers.Integral) and not isinstance(size, bool):
        values = [int(size)] * 2
    else:  # a pair (isinstance(.., numbers.Integral) does not narrow int out for mypy)
        pair = cast(Sequence[Any], size)
        try:
            integral = all(
                isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in pair
            )
            values = [int(v) for v in pair] if integral else []
        except TypeError:
            values = []
    if len(values) != 2 or min(values) < 1:
        raise ParameterError(f"size={size!r} must be WIDTHxHEIGHT in pixels, e.g. '512x512'")
    # An RGB image of that size (3 bytes a pixel); Pillow takes sides as C ints.
    check_array_size((values[1], values[0], 3), 1, f"size={size!r}")
    if max(values) > 2**31 - 1:
        raise ParameterError(f"size={size!r}: Pillow takes sides of at most 2**31 - 1 pixels")
    return tuple(values)  # type: ignore[return-value]  # len(values) == 2: checked above


def to_image(
    S: npt.ArrayLike, *, size: SizeSpec = None, colormap: str = "gray", resample: str = "bicubic"
) -> PILImage:
    """Render a spectrogram as an image, low frequencies at the bottom.

    ``S`` is scaled with `minmax_uint8` (unless it already is uint8), flipped so that its
    first row (the lowest band) is the bottom row of the image, resized with Pillow if
    ``size`` is given, then coloured: ``'gray'`` gives a grayscale (``'L'``) image, any
    other colour map an RGB image, by looking up each resized gray level in
    `colormap_lut` (so every pixel is exactly a colour of the map).

    Parameters
    ----------
    S : np.ndarray [shape=(bands, frames)]
        A spectrogram (any real values) or 8-bit pixels.
    size : (width, height), 'WxH' or None
        Output size in pixels; None keeps ``frames x bands``.
    colormap : str
        ``'gray'`` (default), ``'heat'``, or a matplotlib colour map name.
    resample : str
        Pillow resize filter: nearest, box, bilinear, hamming, bicubic (default), lanczos.

    Returns
    -------
    image : PIL.Image.Image
        Mode ``'L'`` for gray, ``'RGB'`` otherwise.
    """
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError(
            "swiftspec.clips.to_image needs Pillow: pip install pillow (or "
            "pip install 'swiftspec[cli]')"
        ) from error
    S = np.asarray(S)
    if S.ndim != 2:
        raise ParameterError(f"S must be two-dimensional (bands, frames), given shape {S.shape}")
    size = parse_size(size)
    lut = None if colormap == "gray" else colormap_lut(colormap)
    filt = _resize_filter(Image, resample)
    pixels = S if S.dtype == np.uint8 else minmax_uint8(S)
    image = Image.fromarray(np.ascontiguousarray(pixels[::-1]))
    if size is not None and size != image.size:
        image = image.resize(size, resample=filt)
    if lut is not None:
        image = Image.fromarray(lut[np.asarray(image)])
    return image
