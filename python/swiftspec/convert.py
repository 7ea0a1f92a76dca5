# SPDX-License-Identifier: GPL-2.0-or-later
"""Frequency grids and mel-scale conversions (librosa.core.convert)."""

from __future__ import annotations

import operator
from typing import Any, Union, overload

import numpy as np
import numpy.typing as npt

from . import _ffi
from ._typing import RealScalar
from ._validate import check_array_size, fft_size, finite_positive, finite_real
from .exceptions import ParameterError

__all__ = ["hz_to_mel", "mel_to_hz", "mel_frequencies", "fft_frequencies"]


def _convert(values: npt.ArrayLike, to_mel: bool, htk: bool) -> Any:
    values = np.asarray(values)
    if values.dtype.kind in "USVMm":  # (librosa's arithmetic has no loop for them)
        raise TypeError(f"frequencies must be numeric, given an array of dtype {values.dtype}")
    # ascontiguousarray makes 0-d input 1-d: keep the shape so scalars return scalars.
    source = np.ascontiguousarray(values, dtype=np.float64).reshape(values.shape)
    out = np.empty_like(source)
    _ffi.call(
        "swiftspec_convert_mel",
        _ffi.f64_pointer(source),
        source.size,
        int(to_mel),
        int(bool(htk)),
        _ffi.f64_pointer(out),
        out.size,
    )
    if values.dtype == np.float32:
        out = out.astype(np.float32)
    return out[()]


# A scalar gives a numpy scalar, anything else an array (a 0-d array also gives a scalar).
@overload
def hz_to_mel(frequencies: RealScalar, *, htk: bool = ...) -> np.floating: ...
@overload
def hz_to_mel(frequencies: npt.ArrayLike, *, htk: bool = ...) -> np.ndarray: ...


def hz_to_mel(frequencies: npt.ArrayLike, *, htk: bool = False) -> Union[np.floating, np.ndarray]:
    """Convert Hz to mels.

    Parameters
    ----------
    frequencies : number or np.ndarray [shape=(n,)], float
        Frequencies in Hz.
    htk : bool
        Use the HTK formula ``2595 log10(1 + f / 700)`` instead of Slaney's
        (linear below 1 kHz, logarithmic above).

    Returns
    -------
    mels : number or np.ndarray [shape=(n,)]
        A numpy scalar for scalar input, else an array of the input's shape.

    Notes
    -----
    Computed in float64 (float32 input is rounded back to float32). NaN passes through.
    """
    return _convert(frequencies, True, htk)


@overload
def mel_to_hz(mels: RealScalar, *, htk: bool = ...) -> np.floating: ...
@overload
def mel_to_hz(mels: npt.ArrayLike, *, htk: bool = ...) -> np.ndarray: ...


def mel_to_hz(mels: npt.ArrayLike, *, htk: bool = False) -> Union[np.floating, np.ndarray]:
    """Convert mel bin numbers to frequencies in Hz (the inverse of `hz_to_mel`).

    Parameters
    ----------
    mels : number or np.ndarray [shape=(n,)], float
    htk : bool
        Use the HTK formula instead of Slaney's.

    Returns
    -------
    frequencies : number or np.ndarray [shape=(n,)]
    """
    return _convert(mels, False, htk)


def mel_frequencies(
    n_mels: int = 128,
    *,
    fmin: float = 0.0,
    fmax: float = 11025.0,
    htk: bool = False,
    dtype: npt.DTypeLike = np.float64,
) -> np.ndarray:
    """Frequencies (Hz) of ``n_mels`` points evenly spaced on the mel scale.

    Parameters
    ----------
    n_mels : int >= 0
        The number of points (an integer, as numpy.linspace takes).
    fmin, fmax : float
        The first and last frequency in Hz.
    htk : bool
        HTK instead of Slaney mel scale.
    dtype : np.dtype
        The type of the evenly spaced mels and of the output (librosa 1.0.1). Other than
        float64, the mels are rounded to it and converted by `mel_to_hz` (in float64 for
        all but float32 input), then rounded to it.

    Returns
    -------
    bin_frequencies : np.ndarray [shape=(n_mels,)]
    """
    # As librosa (numpy.linspace): a non-integer is a TypeError, a negative count an error.
    n_mels = operator.index(n_mels)
    if n_mels < 0:
        raise ParameterError(f"n_mels={n_mels} must be non-negative")
    check_array_size((n_mels,), 8, f"n_mels={n_mels}")
    fmin = finite_real(fmin, "fmin")
    fmax = finite_real(fmax, "fmax")
    if np.dtype(dtype) != np.float64:
        mels = np.linspace(hz_to_mel(fmin, htk=htk), hz_to_mel(fmax, htk=htk), n_mels, dtype=dtype)
        # As numpy's arithmetic with Python floats: an integer type gives float64.
        return np.asarray(mel_to_hz(mels, htk=htk), dtype=np.result_type(mels.dtype, 1.0))
    out = np.empty(n_mels, dtype=np.float64)
    _ffi.call(
        "swiftspec_mel_frequencies",
        n_mels,
        fmin,
        fmax,
        int(bool(htk)),
        _ffi.f64_pointer(out),
        out.size,
    )
    return out


def fft_frequencies(
    *, sr: float = 22050, n_fft: int = 2048, dtype: npt.DTypeLike = np.float64
) -> np.ndarray:
    """Centre frequencies ``k * (sr / n_fft)`` of the ``1 + n_fft // 2`` rFFT bins.

    Parameters
    ----------
    sr : number > 0
        Sampling rate.
    n_fft : int > 0
        FFT window size.
    dtype : np.dtype
        The type of the bin numbers ``k`` and so of the product (librosa 1.0.1): float32
        multiplies in float32.

    Returns
    -------
    freqs : np.ndarray [shape=(1 + n_fft/2,)]

    Notes
    -----
    As librosa 1.0.1; 0.11 and 1.0.0 used ``numpy.fft.rfftfreq``, ``k * (1 / (n_fft *
    (1 / sr)))``, which is one ulp away for some sizes.
    """
    sr = finite_positive(sr, "sr")
    n_fft = fft_size(n_fft, "n_fft")
    if np.dtype(dtype) != np.float64:
        # numpy's arithmetic: the spacing is rounded to dtype (an integer type gives float64)
        return np.arange(1 + n_fft // 2, dtype=dtype) * (sr / n_fft)
    out = np.empty(1 + n_fft // 2, dtype=np.float64)
    _ffi.call("swiftspec_fft_frequencies", sr, n_fft, _ffi.f64_pointer(out), out.size)
    return out
