# SPDX-License-Identifier: GPL-2.0-or-later
"""The validated framing of audio for the engine's framed calls.

`Analysis` checks the audio and the frame parameters (n_fft, hop, window, padding,
precision) once, and then calls the engine's framed functions (STFT, power and mel
spectrograms, MFCC) on the audio. `swiftspec.stft`, `swiftspec.feature` and
`swiftspec.compat.torchaudio` share it.
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import Any, NamedTuple, Optional, Tuple

import numpy as np

from . import _ffi, _threads
from ._parameter_cache import ParameterCache, typed
from ._typing import WindowSpec
from ._validate import (
    check_array_size,
    compute_dtype,
    dtype_c2r,
    dtype_r2c,
    fft_size,
    is_positive_int,
    positive_int,
    valid_audio,
)
from .exceptions import ParameterError
from .filters import get_window, pad_center

_UNSUPPORTED_PAD_MODES = ("wrap", "maximum", "mean", "median", "minimum")


def _check_window_fits(window: WindowSpec, win_length: int, n_fft: int) -> None:
    """librosa's pad_center error for win_length > n_fft, raised before a named window of
    win_length samples is computed (so a huge win_length is not a MemoryError). Arrays and
    callables are left to get_window and pad_center, which report them in librosa's order."""
    if win_length > n_fft and not callable(window) and not isinstance(window, (np.ndarray, list)):
        raise ParameterError(
            f"Target size ({n_fft:d}) must be at least input size ({win_length:d})"
        )


def fft_window(window: WindowSpec, win_length: int, n_fft: int) -> np.ndarray:
    """The analysis window centred in n_fft: float64, C-contiguous, validated.

    Cached (read-only) for names, tuples and numbers (not for arrays or callables, which
    may change): building and padding a window costs more than analysing a short clip.
    """
    if isinstance(window, (str, tuple)) or np.isscalar(window):
        return _cached_fft_window(window, win_length, n_fft)
    return _make_fft_window(window, win_length, n_fft)


def _make_fft_window(window: WindowSpec, win_length: int, n_fft: int) -> np.ndarray:
    padded = pad_center(np.asarray(get_window(window, win_length, fftbins=True)), size=n_fft)
    if padded.shape != (n_fft,) or not np.all(np.isfinite(padded)):
        raise ParameterError(f"window={window!r} must give {win_length} finite samples")
    return np.ascontiguousarray(padded, dtype=np.float64)


@functools.lru_cache(maxsize=64)
def _cached_fft_window(window: WindowSpec, win_length: int, n_fft: int) -> np.ndarray:
    padded = _make_fft_window(window, win_length, n_fft)
    padded.flags.writeable = False
    return padded


def default_hop_length(win_length: int) -> int:
    """librosa's default hop length, ``win_length // 4``, which must be positive."""
    hop_length = int(win_length // 4)
    if hop_length < 1:
        raise ParameterError(
            f"hop_length={hop_length} must be a positive integer "
            f"(the default win_length // 4 for win_length={win_length})"
        )
    return hop_length


def frame_sizes(
    n_fft: int, hop_length: Optional[int], win_length: Optional[int], window: WindowSpec
) -> Tuple[int, int, int]:
    """Validated (n_fft, hop_length, win_length) with librosa's defaults: win_length =
    n_fft, hop_length = win_length // 4."""
    n_fft = fft_size(n_fft, "n_fft")
    if win_length is None:
        win_length = n_fft
    win_length = positive_int(win_length, "win_length")
    _check_window_fits(window, win_length, n_fft)
    if hop_length is None:
        hop_length = default_hop_length(win_length)
    elif not is_positive_int(hop_length):
        raise ParameterError(f"hop_length={hop_length} must be a positive integer")
    return n_fft, positive_int(hop_length, "hop_length"), win_length  # hop <= 2**63 - 1


class Framing(NamedTuple):
    """An analysis's validated parameters, for audio of one dtype (cached: see _framing)."""

    n_fft: int
    hop_length: int
    window: np.ndarray  # float64, C-contiguous, n_fft samples (kept for window_pointer)
    window_pointer: int
    center: bool
    pad_mode_code: int
    precision: str
    rows_dtype: np.dtype  # the float type the engine reads the audio in
    rows_dtype_code: int


_framings: ParameterCache[Framing] = ParameterCache()

_FLOAT32 = np.dtype(np.float32)
_FAST_RESULT_DTYPES = (_FLOAT32, np.dtype(np.complex64))


def _framing(
    y: np.ndarray,
    n_fft: int,
    hop_length: Optional[int],
    win_length: Optional[int],
    window: WindowSpec,
    center: bool,
    pad_mode: str,
    precision: str,
    caller: str,
) -> Framing:
    """The validated framing parameters; ``y`` is checked where librosa checks it (after
    the frame sizes, before the window).

    Cached per parameter set and audio dtype, except for callable windows (which may
    change) and arrays (which cannot be keys).
    """
    key = (
        None
        if callable(window)
        else typed(
            n_fft,
            hop_length,
            win_length,
            window,
            center,
            pad_mode,
            precision,
            getattr(y, "dtype", None),
        )
    )
    try:
        framing = _framings[key]
    except (KeyError, TypeError):  # not cached, or an unhashable parameter
        pass
    else:
        valid_audio(y, finite=False)
        return framing
    n_fft, hop_length, win_length = frame_sizes(n_fft, hop_length, win_length, window)
    if precision not in _ffi.PRECISIONS:
        raise ParameterError(f"precision={precision!r} must be 'exact' or 'fast'")
    valid_audio(y, finite=False)  # the engine scans for NaN/inf: see Analysis.run()

    window_values = fft_window(window, win_length, n_fft)
    if center:
        if pad_mode in _UNSUPPORTED_PAD_MODES:
            raise ParameterError(f"pad_mode='{pad_mode}' is not supported by {caller}")
        if pad_mode not in _ffi.PAD_MODES:
            raise ParameterError(
                f"pad_mode={pad_mode!r} is not supported: use one of {sorted(_ffi.PAD_MODES)}"
            )
    rows_dtype = compute_dtype(y.dtype)
    framing = Framing(
        n_fft,
        hop_length,
        window_values,
        _ffi.pointer(window_values),
        bool(center),
        _ffi.PAD_MODES.get(pad_mode, 0),
        precision,
        rows_dtype,
        _ffi.dtype_code(rows_dtype),
    )
    _framings.put(key, framing)
    return framing


class Analysis:
    """The validated framing of ``y`` shared by `stft` and the fused features."""

    def __init__(
        self,
        y: np.ndarray,
        *,
        n_fft: int,
        hop_length: Optional[int],
        win_length: Optional[int],
        window: WindowSpec,
        center: bool,
        pad_mode: str,
        precision: str,
        n_threads: Optional[int],
        caller: str,
        stacklevel: int = 3,
    ) -> None:
        framing = _framing(
            y, n_fft, hop_length, win_length, window, center, pad_mode, precision, caller
        )
        n_fft = framing.n_fft
        length = y.shape[-1]
        if framing.center:
            if n_fft > length:
                warnings.warn(
                    f"n_fft={n_fft} is too large for input signal of length={length}",
                    stacklevel=stacklevel,
                )
            if length == 0 and pad_mode not in ("constant", "empty"):
                raise ParameterError(
                    f"can't extend empty axis {y.ndim - 1} using modes other "
                    f"than 'constant' or 'empty' (pad_mode={pad_mode!r})"
                )
            padded = length + 2 * (n_fft // 2)
        else:
            if n_fft > length:
                raise ParameterError(
                    f"n_fft={n_fft} is too large for uncentered analysis of "
                    f"input signal of length={length}"
                )
            padded = length
        if padded < n_fft:
            raise ParameterError(f"Input is too short (n={padded:d}) for frame_length={n_fft:d}")

        self.framing = framing
        self.n_fft = n_fft
        self.n_threads = _threads.resolve(n_threads)
        self.lead_shape = y.shape[:-1]
        self.n_frames = 1 + (padded - n_fft) // framing.hop_length
        self.n_bins = 1 + n_fft // 2
        self.audio = y
        # C-contiguous and native-endian: the engine reads it as (n_rows, length).
        self.rows = np.ascontiguousarray(y, dtype=framing.rows_dtype)
        self.n_rows = math.prod(self.lead_shape)  # exact: numpy caps the product of dimensions

    def check_result_size(self, depth: int, itemsize: int) -> None:
        """ParameterError naming the framing if a result of ``depth`` values a frame,
        ``itemsize`` bytes each, would be over the size limit (see check_array_size)."""
        check_array_size(
            self.lead_shape + (depth, self.n_frames),
            itemsize,
            f"hop_length={self.framing.hop_length} (n_fft={self.n_fft}: "
            f"{self.n_frames} frames of {self.audio.shape[-1]} samples)",
        )

    def check_fast(self, out_dtype: np.dtype) -> None:
        if self.framing.precision == "fast" and (
            self.rows.dtype != _FLOAT32 or out_dtype not in _FAST_RESULT_DTYPES
        ):
            raise ParameterError(
                "precision='fast' computes in float32: it needs float32 audio and a "
                f"float32/complex64 result (got {self.audio.dtype} audio, {out_dtype} "
                "result); convert with y.astype(np.float32) or use precision='exact'"
            )

    def run(self, name: str, *args: Any) -> None:
        """Call framed C function ``name`` on the audio, followed by ``args``.

        The engine checks the audio for NaN and infinity as it reads it; when it finds
        some, ``valid_audio`` reports them with librosa's message.
        """
        framing = self.framing
        try:
            _ffi.call(
                name,
                _ffi.pointer(self.rows),
                framing.rows_dtype_code,
                self.n_rows,
                self.rows.shape[-1],
                framing.n_fft,
                framing.hop_length,
                framing.window_pointer,
                framing.center,
                framing.pad_mode_code,
                _ffi.PRECISIONS[framing.precision],
                *args,
            )
        except _ffi.NonFiniteInputError:
            valid_audio(self.audio)
            raise

    def power_spectrogram(self, power: float) -> np.ndarray:
        """``np.abs(stft(...)) ** power``, fused in the engine: no complex STFT is stored.
        Real, of the STFT's precision (float32 for float32 audio), shape
        ``(..., 1 + n_fft // 2, n_frames)``."""
        out_dtype = dtype_c2r(dtype_r2c(self.audio.dtype))
        self.check_fast(out_dtype)
        self.check_result_size(self.n_bins, out_dtype.itemsize)
        out = np.empty(self.lead_shape + (self.n_bins, self.n_frames), dtype=out_dtype)
        self.run(
            "swiftspec_spectrogram",
            float(power),
            _ffi.pointer(out),
            _ffi.dtype_code(out_dtype),
            out.size,
            self.n_threads,
        )
        return out
