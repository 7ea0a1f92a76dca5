# SPDX-License-Identifier: GPL-2.0-or-later
"""torchaudio's spectrogram transforms, computed by the swiftspec engine.

``Spectrogram``, ``MelSpectrogram``, ``AmplitudeToDB`` and ``MFCC`` take the constructor
arguments of ``torchaudio.transforms`` (torchaudio 2.x) with the same defaults, and are
called on a waveform of shape ``(..., time)``::

    from swiftspec.compat import torchaudio as T

    mel = T.MelSpectrogram(sample_rate=16000, n_fft=1024, hop_length=256, n_mels=80)
    S = mel(waveform)                      # (..., 80, frames)
    S_db = T.AmplitudeToDB(top_db=80)(S)

A numpy array in gives a numpy array out; a ``torch.Tensor`` in gives a tensor out (same
dtype and device). torch is imported only by the caller: this module never imports it,
and works without it. The transforms are plain callables (not ``torch.nn.Module``
objects) and are not differentiable: an input that requires grad raises a ParameterError.

The guide docs/guide/torchaudio.md compares torchaudio's defaults with librosa's, says how
this module reproduces torch.stft's framing and torchaudio's float32 constructions, and
gives the deviations from torchaudio measured by python/tests/test_compat_torchaudio.py.
"""

from __future__ import annotations

import math
import sys
import warnings
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple, Union, cast, overload

import numpy as np
import numpy.typing as npt

from .. import _ffi
from .._analysis import Analysis
from .._validate import (
    check_array_size,
    check_sample_rate,
    fft_size,
    finite_positive,
    is_positive_int,
    positive_int,
)
from ..exceptions import ParameterError
from ..spectrum import power_to_db, stft

if TYPE_CHECKING:  # annotations only: torch is never imported at run time
    from torch import Tensor  # type: ignore[import-not-found, unused-ignore]

WindowFunction = Callable[..., Any]  # window_fn(win_length, **wkwargs) -> array or tensor

__all__ = [
    "MFCC",
    "AmplitudeToDB",
    "MelSpectrogram",
    "Spectrogram",
    "amplitude_to_DB",
    "create_dct",
    "hann_window",
    "melscale_fbanks",
]

_PAD_MODES = ("constant", "reflect", "replicate", "circular")  # torch.nn.functional.pad
_ENGINE_PAD = {"constant": "constant", "reflect": "reflect", "replicate": "edge"}
_NUMPY_PAD = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}
_EMPTY_FILTER_WARNING = (
    "At least one mel filterbank has all zero values. The value for `n_mels` ({n_mels}) may "
    "be set too high. Or, the value for `n_freqs` ({n_freqs}) may be set too low."
)


# ---- numpy / torch ---------------------------------------------------------------------


def _is_tensor(x: Any) -> bool:
    torch = sys.modules.get("torch")  # a tensor exists only if its caller imported torch
    return torch is not None and isinstance(x, torch.Tensor)


def _identity(out: np.ndarray) -> np.ndarray:
    return out


def _to_numpy(x: Any, name: str = "waveform") -> Tuple[np.ndarray, Callable[[np.ndarray], Any]]:
    """``(array, restore)``: the data as numpy, and a function that gives a result back in
    the kind of ``x`` (the same dtype family and device for a tensor)."""
    if not _is_tensor(x):
        return np.asarray(x), _identity
    torch = sys.modules["torch"]
    if x.requires_grad:
        raise ParameterError(
            f"{name} requires grad, but swiftspec.compat.torchaudio is not differentiable: "
            "call it on waveform.detach(), or use torchaudio.transforms inside the model"
        )
    device = x.device
    data = x.detach()
    if data.dtype in (torch.float16, torch.bfloat16):
        data = data.float()
    if data.is_complex():
        data = data.resolve_conj()
    array = data.cpu().numpy()

    def restore(out: np.ndarray) -> Any:
        out = np.asarray(out)
        if any(stride < 0 for stride in out.strides):
            out = np.ascontiguousarray(out)
        tensor = torch.from_numpy(out)
        return tensor if device.type == "cpu" else tensor.to(device)

    return array, restore


def _window_array(window: Any, win_length: int) -> np.ndarray:
    """A window from ``window_fn`` (numpy array or tensor) as a 1-D numpy array."""
    if _is_tensor(window):
        window = window.detach().cpu().numpy()
    array: np.ndarray = np.asarray(window)
    if array.shape != (win_length,):
        raise ParameterError(
            f"window_fn gave a window of shape {array.shape}; expected ({win_length},)"
        )
    if not np.issubdtype(array.dtype, np.floating) or not np.all(np.isfinite(array)):
        raise ParameterError("window_fn must give finite floating-point values")
    return array


# ---- torchaudio's float32 constructions ------------------------------------------------


def hann_window(
    window_length: int, periodic: bool = True, *, dtype: npt.DTypeLike = np.float32
) -> np.ndarray:
    """torch.hann_window as a numpy array: ``0.5 - 0.5 cos(2 pi n / N)`` in float32.

    Parameters
    ----------
    window_length : int >= 0
    periodic : bool
        True (torch's default): ``N = window_length``, for spectral analysis; False: the
        symmetric window, ``N = window_length - 1``.
    dtype : np.dtype
        float32 (torch's default dtype) or float64.

    Returns
    -------
    window : np.ndarray [shape=(window_length,)]

    Notes
    -----
    The phase ``n * (2 pi / N)`` is rounded to float32 as torch computes it; the cosine is
    evaluated in float64 and rounded, so about one sample in ten differs from torch's
    vectorised float32 cosine by one ulp (at most 6e-8).
    """
    if (
        isinstance(window_length, bool)
        or not isinstance(window_length, (int, np.integer))
        or window_length < 0
    ):
        raise ParameterError(f"window_length={window_length!r} must be a non-negative integer")
    out_dtype = np.dtype(dtype)
    if out_dtype not in (np.float32, np.float64):
        raise ParameterError(f"dtype={out_dtype} must be float32 or float64")
    check_array_size((window_length,), 8, f"window_length={window_length}")  # float64 cosine
    if window_length == 0:
        return np.empty(0, dtype=out_dtype)
    if window_length == 1:
        return np.ones(1, dtype=out_dtype)
    denominator = window_length if periodic else window_length - 1
    n = np.arange(window_length, dtype=out_dtype)
    phase = n * np.asarray(2.0 * math.pi / denominator, dtype=out_dtype)  # rounded as torch
    cosine = np.cos(phase.astype(np.float64)).astype(out_dtype)
    half = np.asarray(0.5, dtype=out_dtype)
    return np.asarray(half - half * cosine, dtype=out_dtype)


def _linspace32(start: float, end: float, steps: int) -> np.ndarray:
    """torch.linspace(start, end, steps) in float32 (torch's CPU kernel: the first half
    counts up from ``start``, the second down from ``end``, each a fused multiply-add)."""
    start32 = np.float32(start)
    end32 = np.float32(end)
    if steps == 1:
        return np.array([start32], dtype=np.float32)
    if steps < 1:
        return np.empty(0, dtype=np.float32)
    step = np.float64(np.float32((end32 - start32) / np.float32(steps - 1)))
    index = np.arange(steps, dtype=np.float64)
    half = steps // 2
    out = np.empty(steps, dtype=np.float32)
    # float32 * small integer is exact in float64, so one rounding to float32 is the fma.
    out[:half] = np.float64(start32) + step * index[:half]
    out[half:] = np.float64(end32) - step * (steps - 1 - index[half:])
    return out


def _hz_to_mel(freq: float, mel_scale: str) -> float:
    """torchaudio's scalar Hz -> mel (Python floats)."""
    if mel_scale == "htk":
        return 2595.0 * math.log10(1.0 + (freq / 700.0))
    f_sp = 200.0 / 3
    mels = freq / f_sp
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = math.log(6.4) / 27.0
    if freq >= min_log_hz:
        mels = min_log_mel + math.log(freq / min_log_hz) / logstep
    return mels


def _mel_to_hz32(mels: np.ndarray, mel_scale: str) -> np.ndarray:
    """torchaudio's tensor mel -> Hz, in float32 (transcendentals rounded from float64)."""
    f32 = np.float32
    if mel_scale == "htk":
        power = np.power(10.0, (mels / f32(2595.0)).astype(np.float64)).astype(f32)
        return f32(700.0) * (power - f32(1.0))
    f_sp = 200.0 / 3
    freqs = f32(f_sp) * mels
    min_log_mel = f32(1000.0 / f_sp)
    log_t = mels >= min_log_mel
    exponent = f32(math.log(6.4) / 27.0) * (mels[log_t] - min_log_mel)
    freqs[log_t] = f32(1000.0) * np.exp(exponent.astype(np.float64)).astype(f32)
    return freqs


def melscale_fbanks(
    n_freqs: int,
    f_min: float,
    f_max: float,
    n_mels: int,
    sample_rate: float,
    norm: Optional[str] = None,
    mel_scale: str = "htk",
) -> np.ndarray:
    """torchaudio.functional.melscale_fbanks as a numpy array.

    Parameters
    ----------
    n_freqs : int > 0
        Number of STFT bins (``n_fft // 2 + 1``).
    f_min, f_max : float
        Lowest and highest frequency (Hz) of the mel range.
    n_mels : int >= 0
        Number of mel filters.
    sample_rate : int
        Sampling rate; the bins are ``linspace(0, sample_rate // 2, n_freqs)``.
    norm : None or 'slaney'
        'slaney' divides each triangle by its width (area normalisation).
    mel_scale : {'htk', 'slaney'}

    Returns
    -------
    fb : np.ndarray [shape=(n_freqs, n_mels), dtype=float32]
        ``specgram.T @ fb`` projects a ``(freq, time)`` spectrogram.

    Warns
    -----
    UserWarning
        torchaudio's warning when a filter is all zero.
    """
    if norm is not None and norm != "slaney":
        raise ParameterError('norm must be one of None or "slaney"')
    if mel_scale not in ("slaney", "htk"):
        raise ParameterError('mel_scale should be one of "htk" or "slaney".')
    _check_count(n_freqs, "n_freqs")
    _check_count(n_mels, "n_mels")
    check_array_size((n_freqs, n_mels + 2), 8, f"n_freqs={n_freqs} with n_mels={n_mels}")
    all_freqs = _linspace32(0, sample_rate // 2, n_freqs)
    m_min = _hz_to_mel(f_min, mel_scale)
    m_max = _hz_to_mel(f_max, mel_scale)
    f_pts = _mel_to_hz32(_linspace32(m_min, m_max, n_mels + 2), mel_scale)
    # Triangles from the differences, as torchaudio (and librosa) build them.
    f_diff = f_pts[1:] - f_pts[:-1]
    slopes = f_pts[np.newaxis, :] - all_freqs[:, np.newaxis]
    with np.errstate(divide="ignore", invalid="ignore"):
        down_slopes = -slopes[:, :-2] / f_diff[:-1]
        up_slopes = slopes[:, 2:] / f_diff[1:]
        fb = np.maximum(np.float32(0.0), np.minimum(down_slopes, up_slopes))
        if norm == "slaney":
            fb *= (np.float32(2.0) / (f_pts[2 : n_mels + 2] - f_pts[:n_mels]))[np.newaxis, :]
    if fb.size and (fb.max(axis=0) == 0.0).any():
        warnings.warn(_EMPTY_FILTER_WARNING.format(n_mels=n_mels, n_freqs=n_freqs), stacklevel=2)
    return np.asarray(fb, dtype=np.float32)


def _check_count(value: Any, name: str, minimum: int = 0) -> None:
    """A size torch takes: an integer >= ``minimum`` (torch raises a TypeError,
    RuntimeError, IndexError or ZeroDivisionError for the others)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(f"{name}={value!r} must be an integer >= {minimum}")


def create_dct(n_mfcc: int, n_mels: int, norm: Optional[str]) -> np.ndarray:
    """torchaudio.functional.create_dct as a numpy array: the DCT-II matrix in float32.

    Parameters
    ----------
    n_mfcc : int
        Number of coefficients to keep.
    n_mels : int
        Number of mel bands.
    norm : None or 'ortho'

    Returns
    -------
    dct : np.ndarray [shape=(n_mels, n_mfcc), dtype=float32]
        Right-multiplied to ``(time, n_mels)`` rows, as torchaudio uses it.
    """
    if norm is not None and norm != "ortho":
        raise ParameterError('norm must be either "ortho" or None')
    _check_count(n_mfcc, "n_mfcc", minimum=0 if norm is None else 1)  # (ortho scales row 0)
    _check_count(n_mels, "n_mels", minimum=1)
    check_array_size((n_mfcc, n_mels), 8, f"n_mfcc={n_mfcc} with n_mels={n_mels}")
    f32 = np.float32
    n = np.arange(n_mels, dtype=f32)
    k = np.arange(n_mfcc, dtype=f32)[:, np.newaxis]
    phase = f32(math.pi / float(n_mels)) * (n + f32(0.5)) * k
    dct = np.cos(phase.astype(np.float64)).astype(f32)
    if norm is None:
        dct *= f32(2.0)
    else:
        dct[0] *= f32(1.0 / math.sqrt(2.0))
        dct *= f32(math.sqrt(2.0 / float(n_mels)))
    return np.ascontiguousarray(dct.T)


# ---- framing ---------------------------------------------------------------------------


def _reflect_pad(y: np.ndarray, p: int) -> np.ndarray:
    """``np.pad(y, (p, p), mode="reflect")`` on the last axis, for ``p < y.shape[-1]``."""
    length = y.shape[-1]
    out = np.empty(y.shape[:-1] + (length + 2 * p,), dtype=y.dtype)
    out[..., p : p + length] = y
    out[..., :p] = y[..., p:0:-1]
    out[..., p + length :] = y[..., length - 1 - p : length - 1][..., ::-1]
    return out


def _torch_framing(
    y: np.ndarray, n_fft: int, center: bool, pad_mode: str
) -> Tuple[np.ndarray, bool, str]:
    """``(signal, center, engine_pad_mode)`` that make the engine frame ``y`` as torch.stft.

    torch.stft pads the whole signal by ``n_fft // 2`` with ``pad_mode``. The engine pads
    as librosa does: for constant and edge padding that is the same, bit for bit; for
    reflect padding librosa reflects its tail segment on its own, which differs in the
    last frames when ``hop >= n_fft / 2`` (torchaudio's default). So reflect and circular
    padding, and signals shorter than a frame, are padded here (one copy of the signal)
    and analysed with ``center=False``.
    """
    length = y.shape[-1]
    if length == 0:
        raise ParameterError(
            f"cannot compute a spectrogram of an empty signal (waveform.shape={y.shape})"
        )
    if not center:
        if n_fft > length:
            raise ParameterError(
                f"n_fft={n_fft} is larger than the signal (length {length}) and center=False"
            )
        return y, False, "constant"
    p = n_fft // 2
    check_array_size(
        y.shape[:-1] + (length + 2 * p,),
        y.itemsize,
        f"n_fft={n_fft} (padding {y.shape[:-1]} rows by {p} samples a side)",
    )
    if pad_mode == "reflect":
        if p >= length:
            raise ParameterError(
                f"pad_mode='reflect' needs n_fft // 2 = {p} < the signal length {length} "
                "(torch.stft raises for this input); use a longer signal or "
                "pad_mode='constant'"
            )
        return _reflect_pad(y, p), False, "constant"
    if pad_mode == "circular" and p > length:
        raise ParameterError(
            f"pad_mode='circular' needs n_fft // 2 = {p} <= the signal length {length} "
            "(torch.stft raises for this input)"
        )
    if pad_mode == "circular" or n_fft > length:
        widths = [(0, 0)] * (y.ndim - 1) + [(p, p)]
        padded = np.pad(y, widths, mode=cast(Any, _NUMPY_PAD[pad_mode]))
        return padded, False, "constant"
    return y, True, _ENGINE_PAD[pad_mode]


def _norm_scale(normalized: Union[bool, str], window: np.ndarray, n_fft: int) -> Optional[float]:
    """The factor torchaudio multiplies the complex STFT by, or None."""
    if normalized == "window" or (not isinstance(normalized, str) and bool(normalized)):
        energy = np.sum(np.square(window.astype(np.float64)))
        return 1.0 / float(np.float32(math.sqrt(energy)))
    if normalized == "frame_length":
        return 1.0 / math.sqrt(n_fft)
    return None


def _check_normalized(normalized: Any) -> None:
    if isinstance(normalized, str):
        if normalized not in ("frame_length", "window"):
            raise ParameterError(
                f"Invalid normalized parameter: {normalized!r} (use False, "
                "True, 'window' or 'frame_length')"
            )
    elif not isinstance(normalized, (bool, np.bool_)):
        raise ParameterError(f"normalized={normalized!r} must be a bool or a string")


class _StftSettings:
    """torch.stft's validated settings (sizes, window, padding, normalisation) of a
    Spectrogram or MelSpectrogram, and the engine analysis that frames audio as it does."""

    def __init__(
        self,
        n_fft: int,
        win_length: Optional[int],
        hop_length: Optional[int],
        pad: int,
        window_fn: WindowFunction,
        wkwargs: Optional[Dict[str, Any]],
        center: bool,
        pad_mode: str,
        normalized: Union[bool, str],
        precision: str,
        n_threads: Optional[int],
    ) -> None:
        self.n_fft = fft_size(n_fft, "n_fft")
        self.win_length = self.n_fft if win_length is None else win_length
        if not is_positive_int(self.win_length) or self.win_length > self.n_fft:
            raise ParameterError(
                f"win_length={self.win_length!r} must be a positive integer <= n_fft={self.n_fft}"
            )
        self.hop_length = self.win_length // 2 if hop_length is None else hop_length
        if not is_positive_int(self.hop_length):
            raise ParameterError(
                f"hop_length={self.hop_length!r} must be a positive integer"
                + (" (the default is win_length // 2)" if hop_length is None else "")
            )
        if isinstance(pad, bool) or not isinstance(pad, (int, np.integer)) or pad < 0:
            raise ParameterError(f"pad={pad!r} must be a non-negative integer")
        if pad_mode not in _PAD_MODES:
            raise ParameterError(
                f"pad_mode={pad_mode!r} is not supported: use one of {', '.join(_PAD_MODES)}"
            )
        _check_normalized(normalized)
        if precision not in _ffi.PRECISIONS:
            raise ParameterError(f"precision={precision!r} must be 'exact' or 'fast'")
        window = (
            window_fn(self.win_length) if wkwargs is None else window_fn(self.win_length, **wkwargs)
        )
        self.window = _window_array(window, self.win_length)
        # The window centred in n_fft (as torch.stft and librosa's pad_center place it).
        left = (self.n_fft - self.win_length) // 2
        padded = np.zeros(self.n_fft, dtype=np.float64)
        padded[left : left + self.win_length] = self.window
        padded.flags.writeable = False
        self.fft_window = padded
        self.pad = int(pad)
        self.center = bool(center)
        self.pad_mode = pad_mode
        self.normalized = normalized
        self.scale = _norm_scale(normalized, self.window, self.n_fft)
        self.precision = precision
        self.n_threads = n_threads

    def audio(self, waveform: np.ndarray) -> np.ndarray:
        """The float audio, zero-padded by ``pad`` on both sides."""
        y = np.asarray(waveform)
        if y.ndim == 0:
            raise ParameterError("waveform must have a time axis: shape (..., time)")
        if not np.issubdtype(y.dtype, np.floating):
            raise ParameterError(f"waveform must be floating-point, not {y.dtype}")
        if y.dtype not in (np.float32, np.float64):
            y = y.astype(np.float32 if y.itemsize < 4 else np.float64)
        if self.pad:
            check_array_size(
                y.shape[:-1] + (y.shape[-1] + 2 * self.pad,), y.itemsize, f"pad={self.pad}"
            )
            y = np.pad(y, [(0, 0)] * (y.ndim - 1) + [(self.pad, self.pad)])
        return y

    def framing(self, waveform: np.ndarray) -> Tuple[np.ndarray, Dict[str, Any]]:
        """The signal to analyse and the keyword arguments of `stft` (and `Analysis`) that
        frame it as torch.stft does."""
        signal, center, pad_mode = _torch_framing(
            self.audio(waveform), self.n_fft, self.center, self.pad_mode
        )
        return signal, dict(
            n_fft=self.n_fft,
            hop_length=self.hop_length,
            win_length=self.n_fft,
            window=self.fft_window,
            center=center,
            pad_mode=pad_mode,
            precision=self.precision,
            n_threads=self.n_threads,
        )

    def analysis(self, waveform: np.ndarray, caller: str) -> Analysis:
        """The engine's validated analysis of ``waveform`` with torch.stft's framing."""
        signal, framing = self.framing(waveform)
        return Analysis(signal, **framing, caller=caller)

    def describe(self) -> str:
        return (
            f"n_fft={self.n_fft}, win_length={self.win_length}, "
            f"hop_length={self.hop_length}, pad={self.pad}, center={self.center}, "
            f"pad_mode={self.pad_mode!r}, normalized={self.normalized!r}"
        )


# ---- transforms ------------------------------------------------------------------------


class _Transform:
    """The calling convention of the transforms: a numpy array in gives a numpy array out,
    a torch.Tensor a tensor (see `_to_numpy`); ``forward`` is the same call, as on a torch
    module. Each transform computes its result from numpy in ``_compute``."""

    @overload
    def __call__(self, waveform: Tensor) -> Tensor:  # type: ignore[overload-overlap,unused-ignore]
        ...

    @overload
    def __call__(  # type: ignore[overload-cannot-match,unused-ignore]  # no torch
        self, waveform: npt.ArrayLike
    ) -> np.ndarray: ...

    def __call__(self, waveform: Any) -> Any:
        """The transform of ``waveform`` (its shape and type: see the class).

        Parameters
        ----------
        waveform : np.ndarray or torch.Tensor [shape=(..., time)]
            Real audio, float32 or float64 (a tensor must not require grad).
        """
        return self._apply(waveform, "waveform")

    forward = __call__

    def _apply(self, value: Any, name: str) -> Any:
        array, restore = _to_numpy(value, name)
        return restore(self._compute(array))

    def _compute(self, array: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class _StftTransform(_Transform):
    """A transform that frames its input as torch.stft does (Spectrogram, MelSpectrogram)."""

    _stft: _StftSettings

    def _use_stft(self, settings: _StftSettings) -> None:
        """Keep ``settings``, and expose them as torchaudio's attributes of the same names."""
        self._stft = settings
        for name in (
            "n_fft",
            "win_length",
            "hop_length",
            "pad",
            "window",
            "normalized",
            "center",
            "pad_mode",
        ):
            setattr(self, name, getattr(settings, name))


class Spectrogram(_StftTransform):
    """torchaudio.transforms.Spectrogram: ``|STFT|**power`` of a waveform.

    Parameters
    ----------
    n_fft : int > 0
        Size of the FFT; ``n_fft // 2 + 1`` bins.
    win_length : int <= n_fft or None
        Window size (``n_fft`` if None), centred in the FFT frame.
    hop_length : int > 0 or None
        Samples between frames (``win_length // 2`` if None).
    pad : int >= 0
        Zeros added to both ends of the signal before the analysis.
    window_fn : callable
        ``window_fn(win_length, **wkwargs)`` gives the window (a numpy array or a torch
        tensor); `hann_window` (torch.hann_window's float32 periodic Hann) by default.
    power : float > 0 or None
        Exponent of the magnitude (2 for power, 1 for magnitude); None returns the complex
        STFT.
    normalized : bool or {'window', 'frame_length'}
        True or 'window': divide the STFT by ``sqrt(sum(window**2))``; 'frame_length':
        by ``sqrt(n_fft)``.
    wkwargs : dict or None
        Keyword arguments of ``window_fn``.
    center : bool
        Pad the signal by ``n_fft // 2`` on both sides so that frame ``t`` is centred at
        ``t * hop_length``.
    pad_mode : {'reflect', 'constant', 'replicate', 'circular'}
        Padding for ``center=True`` (torch.nn.functional.pad's modes). 'reflect' needs
        ``n_fft // 2 < length``, as in torch.
    onesided : bool
        True: ``n_fft // 2 + 1`` bins; False: all ``n_fft`` (the conjugate-symmetric rest).
    return_complex : None
        Deprecated in torchaudio and ignored (with a warning), as there.
    precision : {'exact', 'fast'}
        swiftspec's FFT precision (double, or single for float32 audio).
    n_threads : int > 0 or None
        Native threads per call (`swiftspec.get_num_threads()` if None).

    Calling the transform on a waveform ``(..., time)`` returns its spectrogram, of
    shape ``(..., n_fft // 2 + 1, n_frames)`` (``n_fft`` rows when ``onesided=False``) and
    of the input's kind (a tensor on the input's device): float32 for float32 audio,
    complex64 when ``power=None``.
    """

    def __init__(
        self,
        n_fft: int = 400,
        win_length: Optional[int] = None,
        hop_length: Optional[int] = None,
        pad: int = 0,
        window_fn: WindowFunction = hann_window,
        power: Optional[float] = 2.0,
        normalized: Union[bool, str] = False,
        wkwargs: Optional[Dict[str, Any]] = None,
        center: bool = True,
        pad_mode: str = "reflect",
        onesided: bool = True,
        return_complex: Optional[bool] = None,
        *,
        precision: str = "exact",
        n_threads: Optional[int] = None,
    ) -> None:
        if return_complex is not None:
            warnings.warn(
                "`return_complex` argument is now deprecated and is not effective."
                " `Spectrogram(power=None)` always returns a complex array.",
                stacklevel=2,
            )
        self._use_stft(
            _StftSettings(
                n_fft,
                win_length,
                hop_length,
                pad,
                window_fn,
                wkwargs,
                center,
                pad_mode,
                normalized,
                precision,
                n_threads,
            )
        )
        self.power = None if power is None else finite_positive(power, "power")
        self.onesided = bool(onesided)

    def __repr__(self) -> str:
        return (
            f"Spectrogram({self._stft.describe()}, power={self.power!r}, onesided={self.onesided})"
        )

    def _compute(self, y: np.ndarray) -> np.ndarray:
        f = self._stft
        if self.power is not None and f.scale is None and self.onesided:
            analysis = f.analysis(y, "swiftspec.compat.torchaudio.Spectrogram")
            return analysis.power_spectrogram(self.power)
        signal, framing = f.framing(y)
        D = stft(signal, **framing)
        if f.scale is not None:
            D *= D.real.dtype.type(f.scale)
        if self.power is not None:
            D = np.abs(D)
            if self.power != 1.0:
                D = D ** D.dtype.type(self.power)
        if not self.onesided:
            mirror = D[..., f.n_fft - f.n_fft // 2 - 1 : 0 : -1, :]
            D = np.concatenate([D, np.conj(mirror) if self.power is None else mirror], axis=-2)
        return np.asarray(D)


class MelSpectrogram(_StftTransform):
    """torchaudio.transforms.MelSpectrogram: a Spectrogram projected on mel filters.

    Parameters
    ----------
    sample_rate : int
        Sampling rate of the audio.
    n_fft, win_length, hop_length, pad, window_fn, wkwargs, center, pad_mode, normalized
        As in `Spectrogram`.
    f_min : float
        Lowest frequency (Hz).
    f_max : float or None
        Highest frequency (Hz); ``float(sample_rate // 2)`` if None.
    n_mels : int
        Number of mel filters.
    power : float > 0
        Exponent of the magnitude before the projection.
    onesided : None
        Deprecated in torchaudio and ignored (with a warning), as there.
    norm : None or 'slaney'
        Mel filter normalisation (None: triangles peak at 1).
    mel_scale : {'htk', 'slaney'}
    precision, n_threads
        As in `Spectrogram`.

    Calling the transform on a waveform ``(..., time)`` returns its mel spectrogram, of
    shape ``(..., n_mels, n_frames)``, of the input's kind and floating-point type.

    Notes
    -----
    The filter bank (attribute ``fb``, shape ``(n_fft // 2 + 1, n_mels)``) is torchaudio's
    float32 ``melscale_fbanks``; the projection runs in the engine, fused with the STFT.
    """

    def __init__(
        self,
        sample_rate: float = 16000,
        n_fft: int = 400,
        win_length: Optional[int] = None,
        hop_length: Optional[int] = None,
        f_min: float = 0.0,
        f_max: Optional[float] = None,
        pad: int = 0,
        n_mels: int = 128,
        window_fn: WindowFunction = hann_window,
        power: float = 2.0,
        normalized: Union[bool, str] = False,
        wkwargs: Optional[Dict[str, Any]] = None,
        center: bool = True,
        pad_mode: str = "reflect",
        onesided: Optional[bool] = None,
        norm: Optional[str] = None,
        mel_scale: str = "htk",
        *,
        precision: str = "exact",
        n_threads: Optional[int] = None,
    ) -> None:
        if onesided is not None:
            warnings.warn(
                "Argument 'onesided' has been deprecated and has no influence on "
                "the behavior of this module.",
                stacklevel=2,
            )
        self._use_stft(
            _StftSettings(
                n_fft,
                win_length,
                hop_length,
                pad,
                window_fn,
                wkwargs,
                center,
                pad_mode,
                normalized,
                precision,
                n_threads,
            )
        )
        if power is None:
            raise ParameterError(
                "power=None (a complex spectrogram) cannot be mel-scaled; "
                "use Spectrogram(power=None)"
            )
        self.power = finite_positive(power, "power")
        self.n_mels = positive_int(n_mels, "n_mels")
        check_sample_rate(sample_rate, "sample_rate")
        self.sample_rate = sample_rate
        self.f_min = f_min
        self.f_max = f_max
        f_max = float(sample_rate // 2) if f_max is None else f_max
        if f_min > f_max:
            raise ParameterError(f"Require f_min: {f_min} <= f_max: {f_max}")
        self.norm = norm
        self.mel_scale = mel_scale
        self.fb = melscale_fbanks(
            self._stft.n_fft // 2 + 1, f_min, f_max, self.n_mels, sample_rate, norm, mel_scale
        )
        self.fb.flags.writeable = False
        # dtype -> the (n_mels, n_bins) C-contiguous copy of fb the engine reads
        self._basis: Dict[np.dtype, np.ndarray] = {}

    def __repr__(self) -> str:
        return (
            f"MelSpectrogram(sample_rate={self.sample_rate}, {self._stft.describe()}, "
            f"f_min={self.f_min}, f_max={self.f_max}, n_mels={self.n_mels}, "
            f"power={self.power}, norm={self.norm!r}, mel_scale={self.mel_scale!r})"
        )

    def _engine_basis(self, dtype: np.dtype) -> np.ndarray:
        basis = self._basis.get(dtype)
        if basis is None:
            basis = np.ascontiguousarray(self.fb.T, dtype=dtype)
            self._basis[dtype] = basis
        return basis

    def _compute(
        self, y: np.ndarray, dct: Optional[np.ndarray] = None, top_db: Optional[float] = None
    ) -> np.ndarray:
        """The mel spectrogram of ``y``; with ``dct`` (a float64 ``(n_mfcc, n_mels)``
        matrix), the fused MFCC ``dct @ (10 log10(max(mel, 1e-10)))`` instead, ``top_db``
        applied per row."""
        f = self._stft
        analysis = f.analysis(y, "swiftspec.compat.torchaudio.MelSpectrogram")
        out_dtype = np.dtype(analysis.rows.dtype)
        analysis.check_fast(out_dtype)
        basis = self._engine_basis(out_dtype)
        n_mels = basis.shape[0]
        analysis.check_result_size(n_mels, out_dtype.itemsize)  # (mfcc: its log-mel buffer)
        # swiftspec.feature.melspectrogram's (and mfcc's) engine calls, with torchaudio's
        # filter bank and DCT matrix.
        if dct is None:
            out = np.empty(analysis.lead_shape + (n_mels, analysis.n_frames), dtype=out_dtype)
            analysis.run(
                "swiftspec_melspectrogram",
                self.power,
                _ffi.pointer(basis),
                n_mels,
                _ffi.pointer(out),
                _ffi.dtype_code(out_dtype),
                out.size,
                analysis.n_threads,
            )
            if f.scale is not None:
                out *= out_dtype.type(f.scale**self.power)
            return out
        n_out = dct.shape[0]
        out = np.empty(analysis.lead_shape + (n_out, analysis.n_frames), dtype=out_dtype)
        analysis.run(
            "swiftspec_mfcc",
            self.power,
            _ffi.pointer(basis),
            n_mels,
            1e-10,
            int(top_db is not None),
            0.0 if top_db is None else float(top_db),
            _ffi.pointer(dct),
            n_out,
            _ffi.pointer(out),
            _ffi.dtype_code(out_dtype),
            out.size,
            analysis.n_threads,
        )
        return out


def _db_axes(ndim: int) -> Tuple[int, ...]:
    """torchaudio's top_db scope: the last three axes (channel, freq, time), or the last two
    for 2-D input."""
    return (-3, -2, -1) if ndim >= 3 else (-2, -1)


def amplitude_to_DB(
    x: npt.ArrayLike,
    multiplier: float,
    amin: float,
    db_multiplier: float,
    top_db: Optional[float] = None,
) -> np.ndarray:
    """torchaudio.functional.amplitude_to_DB on numpy arrays.

    ``multiplier * log10(max(x, amin)) - multiplier * db_multiplier``, then values below
    ``max - top_db`` raised to it, the maximum taken over (channel, freq, time): one cut-off
    for 2-D and 3-D input, one per item of the leading axes for 4-D and more.

    Parameters
    ----------
    x : np.ndarray
        Power (``multiplier=10``) or magnitude (``multiplier=20``) spectrogram(s).
    multiplier : float
    amin : float > 0
    db_multiplier : float
        ``log10(max(ref, amin))``.
    top_db : float >= 0 or None

    Returns
    -------
    x_db : np.ndarray
    """
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        raise ParameterError(f"amplitude_to_DB needs a real floating-point input, not {x.dtype}")
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float32 if x.itemsize < 4 else np.float64)
    if top_db is not None:
        if top_db < 0:
            raise ParameterError("top_db must be positive value")
        if x.ndim < 2:
            raise ParameterError(
                f"top_db needs input of shape (..., freq, time); got x.shape={x.shape}"
            )
    if amin <= 0:
        raise ParameterError(f"amin must be strictly positive (amin={amin!r})")
    factor = multiplier / 10.0  # 10 log10 from the engine; 2 (magnitude) scales exactly
    axes = _db_axes(x.ndim) if x.ndim >= 2 else None
    if db_multiplier == 0.0:
        db = power_to_db(
            x, ref=1.0, amin=amin, top_db=None if top_db is None else top_db / factor, axes=axes
        )
        db = np.asarray(db)
        if factor != 1.0:
            db = db * x.dtype.type(factor)
        return np.asarray(db)
    db = np.asarray(power_to_db(x, ref=1.0, amin=amin, top_db=None, axes=axes))
    if factor != 1.0:
        db = db * x.dtype.type(factor)
    db -= x.dtype.type(multiplier * db_multiplier)
    if top_db is not None:
        db = np.maximum(db, db.max(axis=axes, keepdims=True) - x.dtype.type(top_db))
    return np.asarray(db)


class AmplitudeToDB(_Transform):
    """torchaudio.transforms.AmplitudeToDB: power or magnitude to decibels.

    Parameters
    ----------
    stype : {'power', 'magnitude'}
        Scale of the input: ``10 log10`` for power, ``20 log10`` for magnitude
        ('amplitude' is accepted as a synonym of 'magnitude', as in torchaudio's example).
    top_db : float >= 0 or None
        Cut-off below the maximum, in dB (None: no cut-off; librosa's default is 80). The
        maximum is taken over (channel, freq, time): one for 2-D and 3-D input, one per
        item for 4-D ``(batch, channel, freq, time)`` and larger input.

    Notes
    -----
    ``amin = 1e-10`` and ``ref = 1.0`` for both scales, as in torchaudio (a magnitude of
    zero gives -200 dB; librosa's amplitude_to_db floors at -100 dB).

    Calling the transform on ``x`` (power or magnitude values, shape ``(..., freq, time)``,
    any shape when ``top_db`` is None) returns ``x`` in decibels, of the same shape and of
    the input's kind and floating-point type.
    """

    def __init__(self, stype: str = "power", top_db: Optional[float] = None) -> None:
        if stype not in ("power", "magnitude", "amplitude"):
            raise ParameterError(f"stype={stype!r} must be 'power' or 'magnitude'")
        if top_db is not None and top_db < 0:
            raise ParameterError("top_db must be positive value")
        self.stype = stype
        self.top_db = top_db
        self.multiplier = 10.0 if stype == "power" else 20.0
        self.amin = 1e-10
        self.ref_value = 1.0
        self.db_multiplier = math.log10(max(self.amin, self.ref_value))

    def __repr__(self) -> str:
        return f"AmplitudeToDB(stype={self.stype!r}, top_db={self.top_db!r})"

    @overload
    def __call__(self, x: Tensor) -> Tensor:  # type: ignore[overload-overlap,unused-ignore]
        ...

    @overload
    def __call__(  # type: ignore[overload-cannot-match,unused-ignore]  # no torch
        self, x: npt.ArrayLike
    ) -> np.ndarray: ...

    def __call__(self, x: Any) -> Any:  # (torchaudio names this input x, not waveform)
        """``x`` in decibels.

        Parameters
        ----------
        x : np.ndarray or torch.Tensor [shape=(..., freq, time)]
            Power or magnitude values.
        """
        return self._apply(x, "x")

    forward = __call__  # type: ignore[assignment]  # (the input's name differs from the base's)

    def _compute(self, x: np.ndarray) -> np.ndarray:
        return amplitude_to_DB(x, self.multiplier, self.amin, self.db_multiplier, self.top_db)


class MFCC(_Transform):
    """torchaudio.transforms.MFCC: DCT-II of the dB-scaled mel spectrogram.

    Parameters
    ----------
    sample_rate : int
        Sampling rate of the audio.
    n_mfcc : int
        Number of coefficients (at most ``n_mels``).
    dct_type : 2
        Only type 2, as in torchaudio.
    norm : 'ortho' or None
        DCT normalisation.
    log_mels : bool
        False: ``AmplitudeToDB("power", top_db=80)`` of the mel spectrogram (torchaudio's
        top_db scope: one cut-off for 2-D and 3-D mel input, so a ``(batch, time)``
        waveform shares one cut-off); True: ``log(mel + 1e-6)``.
    melkwargs : dict or None
        Arguments of `MelSpectrogram` (``sample_rate`` comes from this class).
    precision, n_threads
        As in `Spectrogram`; they override the same keys of ``melkwargs`` when given.

    Calling the transform on a waveform ``(..., time)`` returns its MFCCs, of shape
    ``(..., n_mfcc, n_frames)``, of the input's kind and floating-point type.
    """

    def __init__(
        self,
        sample_rate: float = 16000,
        n_mfcc: int = 40,
        dct_type: int = 2,
        norm: Optional[str] = "ortho",
        log_mels: bool = False,
        melkwargs: Optional[Dict[str, Any]] = None,
        *,
        precision: Optional[str] = None,
        n_threads: Optional[int] = None,
    ) -> None:
        if dct_type != 2:
            raise ParameterError(f"DCT type not supported: {dct_type}")
        melkwargs = dict(melkwargs or {})
        if precision is not None:
            melkwargs["precision"] = precision
        if n_threads is not None:
            melkwargs["n_threads"] = n_threads
        self.sample_rate = sample_rate
        self.n_mfcc = n_mfcc
        self.dct_type = dct_type
        self.norm = norm
        self.top_db = 80.0
        self.log_mels = bool(log_mels)
        self.amplitude_to_DB = AmplitudeToDB("power", self.top_db)
        self.MelSpectrogram = MelSpectrogram(sample_rate=sample_rate, **melkwargs)
        positive_int(n_mfcc, "n_mfcc")
        if n_mfcc > self.MelSpectrogram.n_mels:
            raise ParameterError("Cannot select more MFCC coefficients than # mel bins")
        self.dct_mat = create_dct(n_mfcc, self.MelSpectrogram.n_mels, norm)
        self.dct_mat.flags.writeable = False
        # (n_mfcc, n_mels), widened: the products are summed in float64 and rounded once.
        self._dct64 = np.ascontiguousarray(self.dct_mat.T, dtype=np.float64)

    def __repr__(self) -> str:
        return (
            f"MFCC(sample_rate={self.sample_rate}, n_mfcc={self.n_mfcc}, "
            f"norm={self.norm!r}, log_mels={self.log_mels}, {self.MelSpectrogram!r})"
        )

    def _compute(self, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y)
        mel_transform = self.MelSpectrogram
        # torchaudio's top_db takes one maximum over (channel, freq, time) of the mel
        # spectrogram; the engine's fused MFCC takes one per signal row. They agree when
        # each of torchaudio's groups holds one row: 1-D audio, or a channel axis of 1.
        one_row_per_group = y.ndim == 1 or (y.ndim >= 2 and y.shape[-2] == 1)
        if not self.log_mels and one_row_per_group and mel_transform._stft.scale is None:
            return mel_transform._compute(y, dct=self._dct64, top_db=self.top_db)
        mel = mel_transform._compute(y)
        if self.log_mels:
            mel = np.log(mel + mel.dtype.type(1e-6))
        else:
            mel = self.amplitude_to_DB._compute(mel)
        mfcc = np.matmul(self._dct64, mel.astype(np.float64))
        return np.asarray(mfcc.astype(mel.dtype))
