# SPDX-License-Identifier: GPL-2.0-or-later
"""ctypes bindings of libswiftspec: the one place that knows the C ABI.

Every prototype of ``swiftspec.h`` is declared here with its argtypes and restype, the
library's ABI version is checked at import, and status codes become exceptions in
``check``. ctypes releases the GIL during each call, so Python threads run in parallel.
"""

from __future__ import annotations

import ctypes
import os
import warnings
from ctypes import POINTER, c_char_p, c_double, c_int32, c_int64, c_void_p
from pathlib import Path
from typing import Any, Iterator, Tuple

import numpy as np
import numpy.typing as npt

from .exceptions import LibraryError, ParameterError

ABI_VERSION = 3

# Status codes (swiftspec.h), pinned.
OK = 0
ERR_INVALID_ARGUMENT = 1
ERR_NULL_POINTER = 2
ERR_BUFFER_TOO_SMALL = 3
ERR_INPUT_TOO_SHORT = 4
ERR_NON_FINITE_INPUT = 5
ERR_OUT_OF_MEMORY = 6
ERR_FFT_PLAN_FAILED = 7
ERR_SIZE_OVERFLOW = 8
ERR_INTERNAL = 99

FLOAT32 = 1
FLOAT64 = 2
PAD_MODES = {"constant": 0, "edge": 1, "reflect": 2, "symmetric": 3, "linear_ramp": 4, "empty": 5}
PRECISIONS = {"exact": 0, "fast": 1}
WINDOWS = {"hann": 0, "hamming": 1, "blackman": 2, "boxcar": 3, "bartlett": 4, "triang": 5}
SAVGOL_MODES = {"interp": 0, "nearest": 1, "mirror": 2, "constant": 3, "wrap": 4}
REF_SCALAR = 0
REF_MAX = 1
DCT_NORMS = {None: 0, "backward": 0, "ortho": 1, "forward": 2}

_LIBRARY_NAME = "libswiftspec.so"


def _candidates() -> Iterator[Path]:
    override = os.environ.get("SWIFTSPEC_LIBRARY")
    if override:
        yield Path(override)
    here = Path(__file__).resolve().parent
    yield here / "_lib" / _LIBRARY_NAME
    # A source checkout: the library built by `make build`.
    yield here.parent.parent / ".build" / "release" / _LIBRARY_NAME


def _load() -> Tuple[ctypes.CDLL, Path]:
    tried = []
    for path in _candidates():
        tried.append(str(path))
        if path.is_file():
            # An explicit path: no search through LD_LIBRARY_PATH or the system.
            return ctypes.CDLL(str(path)), path
    raise ImportError(
        "swiftspec: the native library libswiftspec.so was not found; tried "
        + ", ".join(tried)
        + ". Build it with `make build` (needs swift and libfftw3-dev) or reinstall "
        "with `pip install .`."
    )


lib, library_path = _load()

_f32p = POINTER(ctypes.c_float)
_f64p = POINTER(c_double)
_i64p = POINTER(c_int64)

# Argument runs that several prototypes share, in the header's order.
# Samples in: in, dtype, n_rows (or n_outer / n_groups), n_samples (or n_frames / ...).
_SAMPLES_IN = [c_void_p, c_int32, c_int64, c_int64]
# The framing of an analysis: n_fft, hop_length, window, center, pad_mode, precision.
_FRAMING = [c_int64, c_int64, c_void_p, c_int32, c_int32, c_int32]
# power, mel_basis, n_mels.
_MEL = [c_double, c_void_p, c_int64]
# Decibels: ref_mode, ref_db, amin, has_top_db, top_db.
_DECIBELS = [c_int32, c_double, c_double, c_int32, c_double]
# Samples out of the input's type: out, out_cap, n_threads.
_SAMPLES_OUT = [c_void_p, c_int64, c_int32]
# Samples out of a chosen type: out, out_dtype, out_cap, n_threads.
_TYPED_OUT = [c_void_p, c_int32, c_int64, c_int32]

_PROTOTYPES = {
    "swiftspec_abi_version": (c_int32, []),
    "swiftspec_strerror": (c_char_p, [c_int32]),
    "swiftspec_fftw_version": (c_char_p, []),
    "swiftspec_simd_level": (c_char_p, []),
    "swiftspec_get_window": (c_int32, [c_int32, c_int64, c_int32, _f64p, c_int64]),
    "swiftspec_fft_frequencies": (c_int32, [c_double, c_int64, _f64p, c_int64]),
    "swiftspec_convert_mel": (c_int32, [_f64p, c_int64, c_int32, c_int32, _f64p, c_int64]),
    "swiftspec_mel_frequencies": (c_int32, [c_int64, c_double, c_double, c_int32, _f64p, c_int64]),
    # sr, n_fft, n_mels, fmin, fmax, htk, slaney_norm; dtype, out, out_cap, n_empty.
    "swiftspec_mel_filter_bank": (
        c_int32,
        [c_double, c_int64, c_int64, c_double, c_double, c_int32, c_int32]
        + [c_int32, c_void_p, c_int64, _i64p],
    ),
    "swiftspec_dct_matrix": (c_int32, [c_int32, c_int32, c_int64, c_int64, _f64p, c_int64]),
    "swiftspec_stft_n_frames": (c_int32, [c_int64, c_int64, c_int64, c_int32, _i64p]),
    "swiftspec_stft": (c_int32, _SAMPLES_IN + _FRAMING + _TYPED_OUT),
    "swiftspec_istft_length": (c_int32, [c_int64, c_int64, c_int64, c_int32, c_int64, _i64p]),
    # ... n_bins, n_fft, hop_length, window, center, length ...
    "swiftspec_istft": (
        c_int32,
        _SAMPLES_IN + [c_int64, c_int64, c_int64, c_void_p, c_int32, c_int64] + _SAMPLES_OUT,
    ),
    "swiftspec_melspectrogram": (c_int32, _SAMPLES_IN + _FRAMING + _MEL + _TYPED_OUT),
    "swiftspec_spectrogram": (c_int32, _SAMPLES_IN + _FRAMING + [c_double] + _TYPED_OUT),
    "swiftspec_power_to_db": (c_int32, _SAMPLES_IN + _DECIBELS + _SAMPLES_OUT),
    "swiftspec_log_melspectrogram": (
        c_int32,
        _SAMPLES_IN + _FRAMING + _MEL + _DECIBELS + _TYPED_OUT,
    ),
    # ... amin, has_top_db, top_db, dct_matrix, n_mfcc ...
    "swiftspec_mfcc": (
        c_int32,
        _SAMPLES_IN
        + _FRAMING
        + _MEL
        + [c_double, c_int32, c_double, c_void_p, c_int64]
        + _TYPED_OUT,
    ),
    # ... n_inner, width, fit, polyorder, deriv, delta, mode, cval ...
    "swiftspec_savgol_filter": (
        c_int32,
        _SAMPLES_IN
        + [c_int64, c_int64, _f64p, c_int64, c_int64, c_double, c_int32, c_double]
        + _SAMPLES_OUT,
    ),
}

# Checked before the prototypes are looked up: a library older than this package lacks
# its newer functions, and should fail with this advice rather than a missing symbol.
lib.swiftspec_abi_version.restype = c_int32
abi_version = lib.swiftspec_abi_version()
if abi_version != ABI_VERSION:
    raise ImportError(
        f"swiftspec: {library_path} has ABI version {abi_version}, but this Python package "
        f"expects {ABI_VERSION}; rebuild the library (`make build` or `pip install .`)."
    )

for _name, (_restype, _argtypes) in _PROTOTYPES.items():
    _function = getattr(lib, _name)
    _function.restype = _restype
    _function.argtypes = _argtypes

fftw_version = lib.swiftspec_fftw_version().decode()

# The kernels' SIMD level, chosen when the library loaded (SWIFTSPEC_SIMD may ask for a
# lower one). The library ignores a value it cannot honour; say so here.
simd_level = lib.swiftspec_simd_level().decode()
_simd_request = os.environ.get("SWIFTSPEC_SIMD", "auto")
if _simd_request not in ("auto", simd_level):
    warnings.warn(
        f"swiftspec: SWIFTSPEC_SIMD={_simd_request!r} is not a level this CPU supports "
        f"(baseline, avx2, avx512 or auto); using {simd_level!r}",
        RuntimeWarning,
        stacklevel=2,
    )


def strerror(status: int) -> str:
    """The library's description of a status code."""
    return lib.swiftspec_strerror(status).decode()


class NonFiniteInputError(ParameterError):
    """The engine found NaN or infinity in the audio (status ERR_NON_FINITE_INPUT)."""


def call(name: str, *args: Any) -> None:
    """Calls C function ``name`` and raises on a non-OK status.

    Python validates arguments first, so a failure here means a C-level check caught
    something the wrapper let through: it still becomes a ParameterError (codes 1-5, 8),
    MemoryError (6) or LibraryError, never a crash.
    """
    status = getattr(lib, name)(*args)
    if status == OK:
        return
    message = f"{name}: {strerror(status)}"
    if status == ERR_NON_FINITE_INPUT:
        raise NonFiniteInputError(message)
    if status in (
        ERR_INVALID_ARGUMENT,
        ERR_NULL_POINTER,
        ERR_BUFFER_TOO_SMALL,
        ERR_INPUT_TOO_SHORT,
        ERR_SIZE_OVERFLOW,
    ):
        raise ParameterError(message)
    if status == ERR_OUT_OF_MEMORY:
        raise MemoryError(message)
    raise LibraryError(name, status, strerror(status))


def dtype_code(dtype: npt.DTypeLike) -> int:
    """FLOAT32 or FLOAT64 for a real or complex numpy dtype."""
    return FLOAT64 if np.dtype(dtype) in (np.float64, np.complex128) else FLOAT32


def pointer(array: np.ndarray) -> int:
    """The data pointer of a C-contiguous array, for c_void_p arguments.

    A writable, non-empty array lends its buffer to ctypes, several times cheaper than
    building its ``__array_interface__`` (and ``array.ctypes.data``); read-only and empty
    arrays take that slower path.
    """
    try:
        # (ignore: numpy's stubs do not declare the buffer protocol ndarrays export)
        return ctypes.addressof(ctypes.c_char.from_buffer(array))  # type: ignore[arg-type]
    except (TypeError, ValueError):  # read-only, empty or not C-contiguous
        return array.__array_interface__["data"][0]


def f64_pointer(array: np.ndarray) -> Any:  # a POINTER(c_double) (not subscriptable on 3.9)
    return array.ctypes.data_as(_f64p)
