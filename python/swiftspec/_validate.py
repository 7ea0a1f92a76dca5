# SPDX-License-Identifier: GPL-2.0-or-later
"""Argument checks shared by the public functions (librosa's util validators)."""

from __future__ import annotations

import math
import numbers
from typing import Any, Sequence, Union

import numpy as np
import numpy.typing as npt

from .exceptions import ParameterError


def valid_audio(y: object, *, finite: bool = True) -> bool:
    """Raise ParameterError unless ``y`` is a finite floating-point ndarray, ndim >= 1.

    ``finite=False`` skips the scan for NaN and infinity, for callers whose native call
    checks it anyway (see ``_analysis.Analysis.run``).
    """
    # librosa's messages, followed by what was given.
    if not isinstance(y, np.ndarray):
        raise ParameterError(f"Audio data must be of type numpy.ndarray, given {type(y).__name__}")
    if not issubclass(y.dtype.type, np.floating):  # np.issubdtype, without its overhead
        raise ParameterError(f"Audio data must be floating-point, given y.dtype={y.dtype}")
    if y.ndim == 0:
        raise ParameterError(
            f"Audio data must be at least one-dimensional, given y.shape={y.shape}"
        )
    if finite and not np.isfinite(y).all():
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(y))[0])
        raise ParameterError(
            f"Audio buffer is not finite everywhere: y[{', '.join(map(str, index))}]={y[index]}"
        )
    return True


def is_positive_int(x: object) -> Union[bool, np.bool_]:
    """True for a Python or numpy integer > 0 (not bool, not 128.0)."""
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool) and x > 0


# Sizes cross the C ABI as int64_t (ctypes would wrap larger ones silently).
INT64_MAX = 2**63 - 1

# The one size limit of the public API: no array that swiftspec allocates for a caller
# (a result, or a working buffer of the engine, numpy, scipy, soxr or Pillow) may exceed
# MAX_ARRAY_BYTES (8 GiB). A request beyond it is refused before anything is allocated,
# with a ParameterError naming the parameter, instead of ending part-way in a
# MemoryError, a C++ std::bad_alloc or the kernel's out-of-memory killer (librosa,
# scipy and Pillow fail those ways). Below the limit, behaviour is librosa's.
MAX_ARRAY_BYTES = 2**33
# An FFT of n_fft samples runs in float64 buffers of n_fft real and n_fft // 2 + 1
# complex values (16 bytes a sample); FFTW's int sizes allow far more.
MAX_FFT_SIZE = MAX_ARRAY_BYTES // 16
# soxr's filter design takes longer the further it downsamples (measured: 0.5 s for
# target_sr / orig_sr = 1e-4, 3 s for 1e-5, over 10 s for 1e-6, no end for 1e-10):
# resampling with soxr to a lower ratio is refused.
MIN_RESAMPLE_RATIO = 1e-5


def check_array_size(shape: Sequence[int], itemsize: int, culprit: str) -> None:
    """Raise ParameterError naming ``culprit`` (e.g. ``"n_mels=1099511627776"``) if an
    array of ``shape``, ``itemsize`` bytes an element, would exceed MAX_ARRAY_BYTES."""
    n_bytes = math.prod(int(n) for n in shape) * itemsize  # Python ints: exact
    if n_bytes > MAX_ARRAY_BYTES:
        raise ParameterError(
            f"{culprit} asks for too much memory: an array of shape "
            f"{tuple(int(n) for n in shape)} ({n_bytes / 2**30:.3g} GiB) is over swiftspec's "
            f"limit of {MAX_ARRAY_BYTES // 2**30} GiB per array"
        )


def positive_int(value: Any, name: str) -> int:
    """``value`` as an int, or ParameterError naming it."""
    if not is_positive_int(value):
        raise ParameterError(f"{name}={value!r} must be a positive integer")
    if value > INT64_MAX:
        raise ParameterError(f"{name}={value!r} is too large (at most 2**63 - 1)")
    return int(value)


def fft_size(value: Any, name: str = "n_fft") -> int:
    """``value`` as an FFT length (1 .. MAX_FFT_SIZE), or ParameterError naming it.

    Checked before any window or basis of that length is allocated, so a huge value is
    a clear error rather than a MemoryError.
    """
    value = positive_int(value, name)
    if value > MAX_FFT_SIZE:
        raise ParameterError(
            f"{name}={value} is too large: FFT sizes are at most "
            f"{MAX_FFT_SIZE} (its float64 working buffers would exceed "
            f"swiftspec's limit of {MAX_ARRAY_BYTES // 2**30} GiB per array)"
        )
    return value


def is_positive_finite(value: Any) -> bool:
    """Whether ``value`` is a real number (not a bool) above 0 and finite."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    return bool(0 < value < np.inf)  # type: ignore[operator]  # (typeshed: numbers.Real is not float)


def finite_positive(value: object, name: str) -> float:
    """``value`` as a float > 0 and finite, or ParameterError naming it."""
    if not is_positive_finite(value):
        raise ParameterError(f"{name}={value!r} must be a positive finite number")
    return float(value)  # type: ignore[arg-type]  # (a numbers.Real: see is_positive_finite)


def check_sample_rate(value: Any, name: str = "sr") -> None:
    """ParameterError naming ``value`` unless it is a positive, finite sampling rate."""
    if not is_positive_finite(value):
        raise ParameterError(f"{name}={value!r} must be a positive, finite number (Hz)")


def finite_real(value: Any, name: str) -> float:
    # (ignore: numpy's stubs do not take numbers.Real; any real number works at run time)
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):  # type: ignore[call-overload]  # noqa: E501
        raise ParameterError(f"{name}={value!r} must be a finite number")
    return float(value)


def dtype_r2c(dtype: npt.DTypeLike) -> np.dtype:
    """The complex dtype librosa gives the STFT of real ``dtype`` (complex64 by default)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "c":
        return dtype
    return np.dtype(np.complex128 if dtype == np.float64 else np.complex64)


def dtype_c2r(dtype: npt.DTypeLike) -> np.dtype:
    """The real dtype of complex ``dtype`` (float32 by default)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return dtype
    return np.dtype(np.float64 if dtype == np.complex128 else np.float32)


def compute_dtype(y_dtype: npt.DTypeLike) -> np.dtype:
    """The float type the engine reads for audio of ``y_dtype``.

    float16 widens to float32 exactly; longdouble narrows to float64 (librosa would
    compute in long double; the difference is below float64 precision).
    """
    return np.dtype(np.float64 if np.dtype(y_dtype).itemsize >= 8 else np.float32)
