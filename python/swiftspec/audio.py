# SPDX-License-Identifier: GPL-2.0-or-later
"""Audio loading and resampling with librosa 1.0's semantics (librosa.core.audio).

Decoding is done by soundfile (libsndfile) and resampling by soxr, as in librosa 1.0.
Both are optional dependencies (``pip install swiftspec[audio]``): they are imported when
`load` or `resample` is first called, never when ``swiftspec`` is imported. scipy is
needed only for ``res_type='polyphase'`` and ``'fft'``.
"""

from __future__ import annotations

import importlib
import math
import numbers
import os
from types import ModuleType
from typing import TYPE_CHECKING, Any, BinaryIO, Optional, Tuple, Union

import numpy as np
import numpy.typing as npt

from ._validate import MIN_RESAMPLE_RATIO, check_array_size, check_sample_rate, valid_audio
from .exceptions import ParameterError

if TYPE_CHECKING:  # pragma: no cover - typing only (soundfile is optional)
    import soundfile

__all__ = ["load", "resample"]

SOXR_TYPES = ("soxr_vhq", "soxr_hq", "soxr_mq", "soxr_lq", "soxr_qq")
SCIPY_TYPES = ("polyphase", "fft", "scipy")
RES_TYPES = SOXR_TYPES + SCIPY_TYPES
# librosa's other methods need resampy or samplerate, which swiftspec does not wrap.
_UNWRAPPED_TYPES = (
    "kaiser_best",
    "kaiser_fast",
    "linear",
    "zero_order_hold",
    "sinc_best",
    "sinc_medium",
    "sinc_fastest",
)
# The sample types libsndfile reads into.
_READ_DTYPES = ("float32", "float64", "int16", "int32")


def _require(module: str, feature: str, extra: str) -> ModuleType:
    """Import an optional dependency, or raise an ImportError that says how to get it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{feature} needs the optional package {module!r}: pip install {module} "
            f"(or pip install 'swiftspec[{extra}]')"
        ) from error


def _is_real(value: object) -> bool:
    return isinstance(value, (numbers.Real, np.floating, np.integer)) and not isinstance(
        value, (bool, np.bool_)
    )


def _check_res_type(res_type: str) -> None:
    if res_type in RES_TYPES:
        return
    if res_type in _UNWRAPPED_TYPES:
        raise ParameterError(
            f"res_type={res_type!r} (resampy/samplerate) is not supported by swiftspec: "
            f"use one of {', '.join(RES_TYPES)}"
        )
    raise ParameterError(
        f"res_type={res_type!r} is not a resampling method: use one of {', '.join(RES_TYPES)}"
    )


def _resampled_length(
    shape: Tuple[int, ...],
    axis: int,
    itemsize: int,
    orig_sr: float,
    target_sr: float,
    res_type: str,
    name: str,
) -> int:
    """``ceil(n * target_sr / orig_sr)`` for ``n = shape[axis]``, or ParameterError naming
    the target rate ``name`` when the result, or the method's work, is over the limits of
    swiftspec._validate (which librosa would meet with a MemoryError or a hang)."""
    ratio = float(target_sr) / orig_sr
    culprit = f"{name}={target_sr!r} (orig_sr={orig_sr!r})"
    if res_type in SOXR_TYPES and ratio < MIN_RESAMPLE_RATIO:
        raise ParameterError(
            f"{culprit} is too low: soxr's filter design for a ratio "
            f"target_sr / orig_sr below {MIN_RESAMPLE_RATIO:g} takes very "
            "long or never ends"
        )
    if not np.isfinite(ratio):
        raise ParameterError(f"{culprit} is too high: the ratio {ratio} is not finite")
    n_samples = int(np.ceil(shape[axis] * ratio))
    check_array_size(shape[:axis] + (n_samples,) + shape[axis + 1 :], itemsize, culprit)
    if res_type == "polyphase" and int(orig_sr) == orig_sr and int(target_sr) == target_sr:
        # scipy.signal.resample_poly designs a filter of 20 * max(up, down) + 1 taps,
        # holding a few float64 arrays of that length at once.
        gcd = math.gcd(int(orig_sr), int(target_sr))
        n_taps = 20 * max(int(orig_sr), int(target_sr)) // gcd + 1
        check_array_size(
            (4, n_taps), 8, f"{culprit} with res_type='polyphase' (a filter of {n_taps} taps)"
        )
    return n_samples


def _describe(path: Any) -> str:
    """A short name of ``path`` for messages."""
    name = getattr(path, "name", path)
    return repr(str(name)) if not isinstance(name, int) else f"file descriptor {name}"


def load(
    path: Union[str, os.PathLike[Any], int, BinaryIO, soundfile.SoundFile],
    *,
    sr: Optional[float] = 22050,
    mono: bool = True,
    offset: float = 0.0,
    duration: Optional[float] = None,
    dtype: npt.DTypeLike = np.float32,
    res_type: str = "soxr_hq",
) -> Tuple[np.ndarray, float]:
    """Load an audio file as a floating-point time series, as ``librosa.load`` (1.0).

    The file is decoded by soundfile (any format libsndfile reads: WAV, FLAC, Ogg
    Vorbis/Opus, MP3, AIFF, ...), optionally mixed down to mono (the mean of the
    channels) and resampled to ``sr`` with `resample`.

    Parameters
    ----------
    path : str, os.PathLike, int, file-like object or soundfile.SoundFile
        The file to read. An open ``soundfile.SoundFile`` is used (and closed) as is.
    sr : number > 0 or None
        Target sampling rate; None keeps the file's native rate.
    mono : bool
        Convert the signal to mono by averaging its channels.
    offset : float
        Start reading this many seconds into the file (``int(offset * native_sr)``
        frames). A negative offset counts from the end of the file (librosa 1.0).
    duration : float >= 0 or None
        Read at most this many seconds (``int(duration * native_sr)`` frames); None
        reads to the end.
    dtype : numpy dtype
        Sample type: float32 or float64. int16/int32 (raw PCM) are accepted only with
        ``mono=False`` and ``sr=None``, since mixing and resampling need floats.
    res_type : str
        Resampling method (see `resample`); the default is soxr's high quality mode.

    Returns
    -------
    y : np.ndarray [shape=(n,) or (channels, n)]
        The audio; ``(channels, n)`` when ``mono=False`` (even for one channel's file,
        soundfile returns ``(n,)`` for a mono file, as librosa does).
    sr : number > 0
        The sampling rate of ``y``: ``sr`` as given, or the native rate for ``sr=None``.

    Raises
    ------
    ParameterError
        For a bad argument (the message names it), an ``offset`` outside the file, or
        non-finite samples when mixing or resampling.
    soundfile.LibsndfileError
        When the file is missing or cannot be decoded (as in librosa 1.0).
    ImportError
        When soundfile (or soxr, for resampling) is not installed.

    Notes
    -----
    Deliberate differences from librosa 1.0: an offset beyond either end of the file
    and a negative ``duration`` raise ParameterError (librosa reports a libsndfile seek
    error, or ignores the negative duration); ``sr <= 0`` raises ParameterError instead
    of soxr's ValueError (ParameterError is a ValueError too); the resampy and
    samplerate methods are not available.
    """
    if sr is not None:
        check_sample_rate(sr, "sr")
        _check_res_type(res_type)
    if not _is_real(offset) or not np.isfinite(offset):
        raise ParameterError(f"offset={offset!r} must be a finite number of seconds")
    if duration is not None and (not _is_real(duration) or not (0 <= duration < np.inf)):
        raise ParameterError(
            f"duration={duration!r} must be None or a finite number of seconds >= 0"
        )
    try:
        dtype = np.dtype(dtype)
    except TypeError as error:
        raise ParameterError(f"dtype={dtype!r} is not a numpy dtype") from error
    if dtype.name not in _READ_DTYPES:
        raise ParameterError(
            f"dtype={dtype} is not supported: use float32 or float64 "
            "(or int16/int32 with mono=False, sr=None)"
        )
    if dtype.kind != "f" and (mono or sr is not None):
        raise ParameterError(
            f"dtype={dtype} needs mono=False and sr=None: mixing and "
            "resampling need floating-point audio"
        )

    soundfile = _require("soundfile", "swiftspec.load", "audio")
    context = path if isinstance(path, soundfile.SoundFile) else soundfile.SoundFile(path)
    with context as source:
        native_sr = source.samplerate
        if offset != 0:
            if offset > 0:
                start, whence = int(offset * native_sr), soundfile.SEEK_SET
                outside = source.seekable() and start > source.frames
            else:
                start, whence = -int(abs(offset) * native_sr), soundfile.SEEK_END
                outside = source.seekable() and -start > source.frames
            if outside:
                raise ParameterError(
                    f"offset={offset} s is outside {_describe(path)}, which holds "
                    f"{source.frames / native_sr:.6g} s ({source.frames} frames at "
                    f"{native_sr} Hz)"
                )
            source.seek(start, whence)
        frames = -1 if duration is None else int(duration * native_sr)
        if frames > 0 and not source.seekable():  # (soundfile allocates all of them)
            check_array_size((frames, source.channels), dtype.itemsize, f"duration={duration!r}")
        y = source.read(frames=frames, dtype=dtype.name, always_2d=False).T

    if mono:
        valid_audio(y)
        if y.ndim > 1:
            y = np.mean(y, axis=tuple(range(y.ndim - 1)))
    if sr is None:
        return y, native_sr
    _resampled_length(y.shape, y.ndim - 1, y.itemsize, native_sr, sr, res_type, "sr")
    return resample(y, orig_sr=native_sr, target_sr=sr, res_type=res_type), sr


def _fix_length(y: np.ndarray, size: int, axis: int) -> np.ndarray:
    """Trim or zero-pad ``y`` to ``size`` samples along ``axis``."""
    n = y.shape[axis]
    if n > size:
        index = [slice(None)] * y.ndim
        index[axis] = slice(0, size)
        return y[tuple(index)]
    if n < size:
        widths = [(0, 0)] * y.ndim
        widths[axis] = (0, size - n)
        return np.pad(y, widths, mode="constant")
    return y


def resample(
    y: np.ndarray,
    *,
    orig_sr: float,
    target_sr: float,
    res_type: str = "soxr_hq",
    fix: bool = True,
    scale: bool = False,
    axis: int = -1,
) -> np.ndarray:
    """Resample a time series from ``orig_sr`` to ``target_sr``, as ``librosa.resample``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n, ...)], floating point
        Audio with ``n`` samples along ``axis``.
    orig_sr, target_sr : number > 0
        Original and target sampling rates.
    res_type : str
        ``'soxr_vhq'``, ``'soxr_hq'`` (default), ``'soxr_mq'``, ``'soxr_lq'``: soxr's
        band-limited resampler at very high to low quality; ``'soxr_qq'``: soxr's quick
        cubic interpolation (not band-limited); ``'polyphase'``
        (`scipy.signal.resample_poly`, integer rates only) and ``'fft'`` or ``'scipy'``
        (`scipy.signal.resample`) need scipy.
    fix : bool
        Trim or zero-pad the result to exactly ``ceil(n * target_sr / orig_sr)`` samples.
    scale : bool
        Divide the result by ``sqrt(target_sr / orig_sr)`` so that its total energy
        approximately equals the input's.
    axis : int
        The time axis.

    Returns
    -------
    y_hat : np.ndarray [shape=(..., ceil(n * target_sr / orig_sr), ...)]
        Same dtype as ``y``. When the rates are equal, ``y`` itself is returned.

    Raises
    ------
    ParameterError
        For non-finite or non-float audio, a bad rate, method or axis, or non-integer
        rates with ``'polyphase'``.
    ImportError
        When soxr (or scipy, for the scipy methods) is not installed.
    """
    valid_audio(y)
    check_sample_rate(orig_sr, "orig_sr")
    check_sample_rate(target_sr, "target_sr")
    _check_res_type(res_type)
    if (
        isinstance(axis, bool)
        or not isinstance(axis, (int, np.integer))
        or not (-y.ndim <= axis < y.ndim)
    ):
        raise ParameterError(f"axis={axis!r} is not an axis of audio with shape {y.shape}")
    axis = int(axis) % y.ndim
    if orig_sr == target_sr:
        return y

    ratio = float(target_sr) / orig_sr
    n_samples = _resampled_length(
        y.shape, axis, max(y.itemsize, 4), orig_sr, target_sr, res_type, "target_sr"
    )

    if res_type in SOXR_TYPES:
        soxr = _require("soxr", f"resampling with res_type={res_type!r}", "audio")
        # soxr takes float32/float64; float16 and long double go through float32/64.
        work = (
            y.dtype
            if y.dtype in (np.float32, np.float64)
            else (np.float32 if y.dtype.itemsize < 4 else np.float64)
        )
        moved = np.moveaxis(y, axis, -1)
        rows = moved.reshape(int(np.prod(moved.shape[:-1])), moved.shape[-1])
        # One channel at a time, as librosa does (np.apply_along_axis over soxr.resample).
        out = [
            soxr.resample(
                np.ascontiguousarray(row, dtype=work), orig_sr, target_sr, quality=res_type
            )
            for row in rows
        ]
        length = out[0].shape[0] if out else n_samples
        y_hat = np.stack(out) if out else np.empty((0, length), dtype=work)
        y_hat = np.moveaxis(y_hat.reshape(moved.shape[:-1] + (length,)), -1, axis)
    else:
        signal = _require("scipy.signal", f"resampling with res_type={res_type!r}", "scipy")
        if res_type == "polyphase":
            if int(orig_sr) != orig_sr or int(target_sr) != target_sr:
                raise ParameterError(
                    "res_type='polyphase' needs integer-valued sampling rates, given "
                    f"orig_sr={orig_sr!r}, target_sr={target_sr!r}"
                )
            orig, target = int(orig_sr), int(target_sr)
            gcd = np.gcd(orig, target)
            y_hat = signal.resample_poly(y, target // gcd, orig // gcd, axis=axis)
        else:
            y_hat = signal.resample(y, n_samples, axis=axis)

    if fix:
        y_hat = _fix_length(y_hat, n_samples, axis)
    if scale:
        y_hat /= np.sqrt(ratio)  # in place (y_hat is never a view of y), as librosa
    return np.asarray(y_hat, dtype=y.dtype)
