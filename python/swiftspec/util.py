# SPDX-License-Identifier: GPL-2.0-or-later
"""Array utilities (librosa.util): normalisation by a norm, and of waveforms to an RMS
level in dBFS.

Both are short numpy reductions; the engine would not make them faster.
"""

from __future__ import annotations

import numbers
from typing import Any, Optional

import numpy as np
import numpy.typing as npt

from ._validate import valid_audio
from .exceptions import ParameterError

__all__ = ["normalize", "normalize_rms", "tiny"]


def tiny(x: Any) -> np.floating[Any]:
    """The smallest positive normal number of ``x``'s float type (float32 for anything
    that is not floating point or complex), as ``librosa.util.tiny``."""
    dtype = np.asarray(x).dtype
    if not np.issubdtype(dtype, np.inexact):
        dtype = np.dtype(np.float32)
    smallest: np.floating[Any] = np.finfo(dtype).tiny
    return smallest


def normalize(
    S: npt.ArrayLike,
    *,
    norm: Optional[float] = np.inf,
    axis: Optional[int] = 0,
    threshold: Optional[float] = None,
    fill: Optional[bool] = None,
) -> np.ndarray:
    """Scale an array so that its slices along ``axis`` have unit norm, equal to
    ``librosa.util.normalize``.

    Parameters
    ----------
    S : np.ndarray
        The array to normalise (real or complex; the norms use magnitudes).
    norm : {np.inf, -np.inf, 0, float > 0, None}
        ``np.inf``: the largest magnitude (peak normalisation); ``-np.inf``: the
        smallest; ``0``: the number of non-zeros; ``p > 0``: the l_p norm; ``None``: no
        normalisation (``S`` itself is returned, after the checks).
    axis : int or None
        The axis along which norms are taken (0: each column of a 2-d array; -1: each
        channel of (..., n) audio); None: the whole array.
    threshold : number > 0 or None
        Slices whose norm is below it are "small" (see ``fill``). Default: the smallest
        normal number of ``S``'s type (`tiny`), so only all-zero slices are small.
    fill : None or bool
        Small slices are left as they are (None), set to zero (False), or filled with the
        uniform value whose norm is 1 (True; impossible with ``norm=0``).

    Returns
    -------
    S_norm : np.ndarray [shape=S.shape, dtype=S.dtype]
        The norms are computed in float64, the result stored in ``S``'s type (an integer
        array thus gets truncated values, as in librosa).

    Raises
    ------
    ParameterError
        ``threshold <= 0``; ``fill`` not None or a boolean; ``S`` not finite; an
        unsupported ``norm``; ``norm=0`` with ``fill=True``.

    Examples
    --------
    Peak normalisation of each channel of a stereo signal:

    >>> y = np.array([[0.5, -0.25], [0.1, 0.05]])
    >>> swiftspec.util.normalize(y, axis=-1)
    array([[ 1. , -0.5],
           [ 1. ,  0.5]])
    """
    # librosa's checks, in its order.
    if threshold is None:
        limit: Any = tiny(S)
    elif threshold <= 0:
        raise ParameterError(f"threshold={threshold} must be strictly positive")
    else:
        limit = threshold
    if fill not in (None, False, True):
        raise ParameterError(f"fill={fill} must be None or boolean")
    finite = np.isfinite(S)
    if not np.all(finite):
        where = tuple(int(i) for i in np.argwhere(~np.asarray(finite))[0])
        raise ParameterError(
            f"Input must be finite: S[{', '.join(map(str, where))}]={np.asarray(S)[where]}"
        )
    if norm is None:
        return S  # type: ignore[return-value]  # (librosa returns S itself)

    magnitude = np.abs(S).astype(np.float64)
    fill_value = 1.0  # has unit max and min norms
    if norm == np.inf:
        length = np.max(magnitude, axis=axis, keepdims=True)
    elif norm == -np.inf:
        length = np.min(magnitude, axis=axis, keepdims=True)
    elif norm == 0:
        if fill is True:
            raise ParameterError("Cannot normalize with norm=0 and fill=True")
        length = np.sum(magnitude > 0, axis=axis, keepdims=True, dtype=np.float64)
    elif np.issubdtype(type(norm), np.number) and norm > 0:
        length = np.sum(magnitude**norm, axis=axis, keepdims=True) ** (1.0 / norm)
        count = magnitude.size if axis is None else magnitude.shape[axis]
        fill_value = count ** (-1.0 / norm)
    else:
        raise ParameterError(f"Unsupported norm: {norm!r}")

    # Small slices are divided by 1 (unchanged), by inf (zeros that keep their sign) or
    # by NaN (then replaced by the fill value).
    small = length < limit
    length[small] = {None: 1.0, False: np.inf, True: np.nan}[fill]
    result = np.empty_like(S)
    result[...] = S / length
    if fill:
        result[np.isnan(result)] = fill_value
    return result


def normalize_rms(
    y: np.ndarray,
    *,
    target_dbfs: float = -20.0,
    axis: Optional[int] = -1,
    threshold: Optional[float] = None,
) -> np.ndarray:
    """Scale a waveform to a root-mean-square level in dBFS; silence is left as is.

    After scaling, ``sqrt(mean(y**2, axis=axis)) == 10**(target_dbfs / 20)`` for every
    slice whose RMS was at least ``threshold``; the other slices (silence) are returned
    unchanged, never as NaN or infinity. 0 dBFS is the RMS of a constant +-1 signal (a
    full-scale sine has an RMS of -3.01 dBFS).

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)], floating point
        Audio time series, finite.
    target_dbfs : finite number
        The RMS level wanted, in dB relative to full scale (1.0).
    axis : int or None
        The axis of time: -1 scales each channel of (..., n) audio to the level on its
        own; None scales the whole array by one gain (keeping the channels' balance).
    threshold : number > 0 or None
        Slices whose RMS is below it are silence and left unchanged, e.g.
        ``10**(-60 / 20)`` to leave slices quieter than -60 dBFS alone. Default: the
        smallest normal number of ``y``'s type, so only digital silence is left.

    Returns
    -------
    y_norm : np.ndarray [shape=y.shape, dtype=y.dtype]
        A new array. The gain is computed in float64.

    Raises
    ------
    ParameterError
        ``y`` not a finite floating-point array; ``target_dbfs`` not finite;
        ``threshold <= 0``; a gain that would take the peak beyond the largest value of
        ``y``'s type.

    See Also
    --------
    normalize : peak normalisation (``norm=np.inf``) and other norms.

    Examples
    --------
    >>> y = 0.5 * np.sin(np.linspace(0, 200 * np.pi, 16000))
    >>> y_norm = swiftspec.util.normalize_rms(y, target_dbfs=-20.0)
    >>> float(np.sqrt(np.mean(y_norm**2)))  # doctest: +ELLIPSIS
    0.1000...
    """
    valid_audio(y)
    if (
        isinstance(target_dbfs, bool)
        or not isinstance(target_dbfs, numbers.Real)
        or not np.isfinite(target_dbfs)
    ):
        raise ParameterError(f"target_dbfs={target_dbfs!r} must be a finite number")
    if threshold is None:
        limit: Any = tiny(y)
    elif (
        isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) or not threshold > 0
    ):
        raise ParameterError(f"threshold={threshold!r} must be strictly positive")
    else:
        limit = threshold
    if y.size == 0:
        return y.copy()
    # The RMS of y / peak, times the peak: y**2 neither underflows for quiet float64
    # audio nor overflows for loud audio.
    magnitude = np.abs(y).astype(np.float64)
    peak = np.max(magnitude, axis=axis, keepdims=True)
    scale = np.where(peak > 0, peak, 1.0)
    rms = peak * np.sqrt(np.mean((magnitude / scale) ** 2, axis=axis, keepdims=True))
    silent = rms < limit
    gain = np.where(silent, 1.0, 10.0 ** (target_dbfs / 20.0) / np.where(silent, 1.0, rms))
    largest = float(np.max(peak * gain))
    if largest > float(np.finfo(y.dtype).max):
        raise ParameterError(
            f"target_dbfs={target_dbfs} would scale the peak to "
            f"{largest:.3g}, beyond {y.dtype}'s range"
        )
    return (y * gain).astype(y.dtype, copy=False)
