# SPDX-License-Identifier: GPL-2.0-or-later
"""Windows and mel filter banks (librosa.filters)."""

from __future__ import annotations

import functools
import numbers
import warnings
from typing import Any, Optional, Tuple, Union

import numpy as np
import numpy.typing as npt

from . import _ffi
from ._typing import WindowSpec
from ._validate import check_array_size, fft_size, finite_positive, finite_real
from .exceptions import ParameterError

__all__ = ["get_window", "mel", "pad_center"]

# scipy.signal.get_window names of the windows computed natively (bit-identical).
_NATIVE_WINDOWS = {
    "hann": "hann",
    "han": "hann",
    "hamming": "hamming",
    "hamm": "hamming",
    "ham": "hamming",
    "blackman": "blackman",
    "black": "blackman",
    "blk": "blackman",
    "boxcar": "boxcar",
    "box": "boxcar",
    "ones": "boxcar",
    "rect": "boxcar",
    "rectangular": "boxcar",
    "bartlett": "bartlett",
    "bart": "bartlett",
    "brt": "bartlett",
    "triang": "triang",
    "triangle": "triang",
    "tri": "triang",
}

_EMPTY_FILTERS_WARNING = (
    "Empty filters detected in mel frequency basis. Some channels will produce empty "
    "responses. Try increasing your sampling rate (and fmax) or reducing n_mels."
)


@functools.lru_cache(maxsize=64)
def _native_window(name: str, n: int, fftbins: bool) -> np.ndarray:
    out = np.empty(n, dtype=np.float64)
    _ffi.call("swiftspec_get_window", _ffi.WINDOWS[name], n, int(fftbins), _ffi.f64_pointer(out), n)
    out.flags.writeable = False
    return out


def get_window(window: WindowSpec, Nx: int, *, fftbins: bool = True) -> np.ndarray:
    """Compute a window function, like ``librosa.filters.get_window``.

    Parameters
    ----------
    window : string, tuple, number, callable, or list-like
        - a name computed natively: hann, hamming, blackman, boxcar (rectangular),
          bartlett, triang (triangle), with scipy's aliases;
        - any other `scipy.signal.get_window` specification (needs scipy);
        - a callable, called as ``window(Nx)``;
        - an array or list of length ``Nx``, returned as is.
    Nx : int > 0
        The length of the window.
    fftbins : bool
        True for a periodic window (for use with FFTs), False for a symmetric one.

    Returns
    -------
    get_window : np.ndarray [shape=(Nx,)]

    Raises
    ------
    ParameterError
        An array of the wrong length, or an invalid specification.
    ImportError
        A window that needs scipy when scipy is not installed.
    """
    if callable(window):
        return window(Nx)
    if isinstance(window, str) and window in _NATIVE_WINDOWS:
        n = _window_length(Nx)
        if not isinstance(fftbins, bool):  # scipy.signal.get_window's check
            raise ParameterError(f"Parameter fftbins={fftbins!r} is not of type bool!")
        return _native_window(_NATIVE_WINDOWS[window], n, fftbins).copy()
    if isinstance(window, (str, tuple)) or np.isscalar(window):
        if isinstance(Nx, (int, np.integer)):
            check_array_size((int(Nx),), 8, f"Window length Nx={Nx}")  # scipy: float64
        try:
            import scipy.signal
        except ImportError as error:
            raise ImportError(
                f"window={window!r} needs scipy (pip install scipy); without it, use one "
                f"of {sorted(set(_NATIVE_WINDOWS.values()))} or an array"
            ) from error
        try:
            return scipy.signal.get_window(window, Nx, fftbins=fftbins)
        except (ValueError, TypeError) as error:  # older scipy raises TypeError for some
            raise ParameterError(f"{error} (window={window!r})") from error
    if isinstance(window, (np.ndarray, list)):
        if len(window) == Nx:
            return np.asarray(window)
        raise ParameterError(f"Window size mismatch: {len(window):d} != {Nx:d}")
    raise ParameterError(f"Invalid window specification: {window!r}")


def _window_length(Nx: object) -> int:
    # scipy.signal.get_window (hence librosa) rejects Nx <= 0 with a ValueError.
    if isinstance(Nx, bool) or not isinstance(Nx, (int, np.integer)) or Nx < 1:
        raise ParameterError(f"Window length Nx={Nx!r} must be a positive integer")
    check_array_size((int(Nx),), 8, f"Window length Nx={Nx}")
    return int(Nx)


def pad_center(data: np.ndarray, *, size: int, axis: int = -1, **kwargs: Any) -> np.ndarray:
    """Pad ``data`` to length ``size`` along ``axis``, centred (extra on the right)."""
    kwargs.setdefault("mode", "constant")
    if not isinstance(size, numbers.Real) or not np.isfinite(size):
        raise ParameterError(f"size={size!r} must be a finite number")
    n = data.shape[axis]
    lpad = int((size - n) // 2)
    if lpad < 0:
        raise ParameterError(f"Target size ({size}) must be at least input size ({n:d})")
    padded_shape = list(data.shape)
    padded_shape[axis] = size
    check_array_size(padded_shape, data.itemsize, f"size={size}")
    lengths = [(0, 0)] * data.ndim
    lengths[axis] = (lpad, int(size - n - lpad))
    return np.pad(data, lengths, **kwargs)


@functools.lru_cache(maxsize=64)
def _mel_basis(
    sr: float,
    n_fft: int,
    n_mels: int,
    fmin: float,
    fmax: float,
    htk: bool,
    slaney: bool,
    dtype: np.dtype,
) -> Tuple[np.ndarray, int]:
    """A read-only mel basis from the engine and its count of empty filters."""
    engine_dtype = np.dtype(dtype)
    if engine_dtype not in (np.float32, np.float64):
        engine_dtype = np.dtype(np.float64)
    weights = np.empty((n_mels, 1 + n_fft // 2), dtype=engine_dtype)
    n_empty = _ffi.ctypes.c_int64(0)
    _ffi.call(
        "swiftspec_mel_filter_bank",
        sr,
        n_fft,
        n_mels,
        fmin,
        fmax,
        int(htk),
        int(slaney),
        _ffi.dtype_code(engine_dtype),
        _ffi.pointer(weights),
        weights.size,
        _ffi.ctypes.byref(n_empty),
    )
    weights = weights.astype(dtype, copy=False)
    weights.flags.writeable = False
    return weights, n_empty.value


def mel_basis(
    *,
    sr: float,
    n_fft: int,
    n_mels: int = 128,
    fmin: float = 0.0,
    fmax: Optional[float] = None,
    htk: bool = False,
    norm: Union[None, str, float] = "slaney",
    dtype: npt.DTypeLike = np.float32,
) -> Tuple[np.ndarray, bool]:
    """`mel` without the copy: a cached, read-only basis (for internal use), and whether
    it has empty filters (warned about by the caller: see `warn_empty_filters`)."""
    sr = finite_positive(sr, "sr")
    n_fft = fft_size(n_fft, "n_fft")
    try:
        n_mels = int(n_mels)  # (librosa's conversion: 40.0 and "40" are 40)
    except (ValueError, OverflowError) as error:
        raise ParameterError(f"n_mels={n_mels!r} must be an integer") from error
    if n_mels < 0:
        raise ParameterError(f"n_mels={n_mels} must be non-negative")
    # (float64: the engine's basis, and librosa's mel_frequencies under it)
    check_array_size((n_mels, 1 + n_fft // 2), 8, f"n_mels={n_mels} (with n_fft={n_fft})")
    fmin = finite_real(fmin, "fmin")
    fmax = sr / 2 if fmax is None else finite_real(fmax, "fmax")
    if isinstance(norm, str) and norm != "slaney":
        raise ParameterError(f"Unsupported norm={norm}")
    dtype = np.dtype(dtype)
    weights, n_empty = _mel_basis(sr, n_fft, n_mels, fmin, fmax, bool(htk), norm == "slaney", dtype)
    if norm is None and not np.all(np.isfinite(weights)):
        # librosa passes the basis through util.normalize(norm=None), which refuses NaN
        # (0 / 0 where two band edges meet on a bin).
        raise ParameterError("Input must be finite")
    if norm is not None and not isinstance(norm, str):
        weights = _normalize_rows(weights, norm)
        weights.flags.writeable = False
    return weights, n_empty > 0


def warn_empty_filters(stacklevel: int) -> None:
    """librosa's warning for a basis with empty filters, attributed as
    ``warnings.warn(..., stacklevel=stacklevel)`` in the caller would attribute it."""
    warnings.warn(_EMPTY_FILTERS_WARNING, stacklevel=stacklevel + 1)


def mel(
    *,
    sr: float,
    n_fft: int,
    n_mels: int = 128,
    fmin: float = 0.0,
    fmax: Optional[float] = None,
    htk: bool = False,
    norm: Union[None, str, float] = "slaney",
    dtype: npt.DTypeLike = np.float32,
) -> np.ndarray:
    """Create a mel filter bank, exactly as ``librosa.filters.mel``.

    Parameters
    ----------
    sr : number > 0
        Sampling rate of the incoming signal.
    n_fft : int > 0
        Number of FFT components.
    n_mels : int >= 0
        Number of mel bands.
    fmin : float >= 0
        Lowest frequency (Hz).
    fmax : float >= 0 or None
        Highest frequency (Hz); ``sr / 2`` if None. Filters above Nyquist are empty.
    htk : bool
        HTK instead of Slaney mel scale.
    norm : {None, 'slaney', number}
        'slaney': divide each triangle by its width in Hz (area normalisation);
        a number: normalise each filter to unit l_p norm (see `librosa.util.normalize`);
        None: triangles peak at 1.
    dtype : np.dtype
        Output type (float32 by default).

    Returns
    -------
    M : np.ndarray [shape=(n_mels, 1 + n_fft/2)]

    Warns
    -----
    UserWarning
        If some filters are empty (all zero), as librosa does.

    Notes
    -----
    Bit-identical to librosa: triangles in float64, rounded to ``dtype``, then scaled by
    the float64 Slaney factor and rounded again. Bases are cached per argument set.
    """
    weights, has_empty_filters = mel_basis(
        sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm, dtype=dtype
    )
    if has_empty_filters:
        warn_empty_filters(stacklevel=2)
    return weights.copy()


def _normalize_rows(weights: np.ndarray, norm: float) -> np.ndarray:
    """librosa.util.normalize(weights, norm=norm, axis=-1) for a numeric norm."""
    if not np.all(np.isfinite(weights)):
        raise ParameterError("Input must be finite")
    magnitude = np.abs(weights).astype(float)
    if norm == np.inf:
        length = np.max(magnitude, axis=-1, keepdims=True)
    elif norm == -np.inf:
        length = np.min(magnitude, axis=-1, keepdims=True)
    elif norm == 0:
        length = np.sum(magnitude > 0, axis=-1, keepdims=True, dtype=magnitude.dtype)
    elif np.issubdtype(type(norm), np.number) and norm > 0:
        length = np.sum(magnitude**norm, axis=-1, keepdims=True) ** (1.0 / norm)
    else:
        raise ParameterError(f"Unsupported norm: {norm!r}")
    length[length < np.finfo(weights.dtype).tiny] = 1.0
    normalized = np.empty_like(weights)
    normalized[:] = weights / length
    return normalized
