# SPDX-License-Identifier: GPL-2.0-or-later
"""Spectral features (librosa.feature): mel spectrogram and MFCC, fused in the engine, and
delta features."""

from __future__ import annotations

import functools
import math
from typing import Any, Dict, NamedTuple, Optional, Tuple, Union

import numpy as np
import numpy.typing as npt

from . import _ffi, _threads
from ._analysis import Analysis
from ._parameter_cache import ParameterCache, typed
from ._typing import DbRef, WindowSpec
from ._validate import finite_positive
from .exceptions import ParameterError
from .filters import mel_basis, warn_empty_filters
from .spectrum import power_to_db

__all__ = ["melspectrogram", "mfcc", "delta"]

_AMIN = 1e-10  # power_to_db's default, which mfcc uses


class _MelProjection(NamedTuple):
    """The engine's mel basis and output type for one parameter set."""

    basis: np.ndarray  # C-contiguous, of out_dtype
    basis_pointer: int  # (valid while this tuple holds the basis)
    n_mels: int
    out_dtype: np.dtype
    out_dtype_code: int
    has_empty_filters: bool


_mel_projections: ParameterCache[_MelProjection] = ParameterCache()


def _mel_projection(analysis: Analysis, sr: float, mel_kwargs: Dict[str, Any]) -> _MelProjection:
    """The basis and output type for ``analysis`` (its n_fft and audio type) and these
    arguments, cached per argument set; raises for invalid mel arguments."""
    rows_dtype = analysis.framing.rows_dtype
    key = typed(analysis.n_fft, rows_dtype, sr, *mel_kwargs, *mel_kwargs.values())
    try:
        return _mel_projections[key]
    except (KeyError, TypeError):  # not cached, or an unhashable argument
        pass
    basis, has_empty_filters = mel_basis(sr=sr, n_fft=analysis.n_fft, **mel_kwargs)
    # librosa: |stft|**power has y's precision whatever the type of power (1.0.1 raises to
    # the power in place; 0.11 and 1.0.0 promoted it for a numpy float64 power), then the
    # product with the basis promotes to the wider of the two.
    spec_dtype = np.dtype(np.float32 if rows_dtype == np.float32 else np.float64)
    out_dtype = np.result_type(spec_dtype, basis.dtype)
    if out_dtype not in (np.float32, np.float64):
        out_dtype = np.dtype(np.float64)
    basis = np.ascontiguousarray(basis, dtype=out_dtype)
    projection = _MelProjection(
        basis,
        _ffi.pointer(basis),
        basis.shape[0],
        np.dtype(out_dtype),
        _ffi.dtype_code(out_dtype),
        has_empty_filters,
    )
    _mel_projections.put(key, projection)
    return projection


def _mel_setup(
    y: Optional[np.ndarray],
    sr: float,
    n_fft: Optional[int],
    hop_length: Optional[int],
    win_length: Optional[int],
    window: WindowSpec,
    center: bool,
    pad_mode: str,
    power: float,
    precision: str,
    n_threads: Optional[int],
    mel_kwargs: Dict[str, Any],
) -> Tuple[Analysis, _MelProjection]:
    """Validate a y-based call; return the analysis and the mel projection."""
    if y is None:
        raise ParameterError(
            "Input signal must be provided to compute a spectrogram (y=None and S=None)"
        )
    if n_fft is None:
        raise ParameterError(f"Unable to compute spectrogram with n_fft={n_fft}")
    finite_positive(power, "power")
    analysis = Analysis(
        y,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        pad_mode=pad_mode,
        precision=precision,
        n_threads=n_threads,
        caller="swiftspec.feature.melspectrogram",
        stacklevel=4,
    )
    projection = _mel_projection(analysis, sr, mel_kwargs)
    if projection.has_empty_filters:
        warn_empty_filters(stacklevel=3)  # librosa warns on every call
    analysis.check_fast(projection.out_dtype)
    return analysis, projection


def melspectrogram(
    *,
    y: Optional[np.ndarray] = None,
    sr: float = 22050,
    S: Optional[npt.ArrayLike] = None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: Optional[int] = None,
    window: WindowSpec = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    power: float = 2.0,
    precision: str = "exact",
    n_threads: Optional[int] = None,
    **kwargs: Any,
) -> np.ndarray:
    """Mel-scaled spectrogram, equal to ``librosa.feature.melspectrogram``.

    From audio ``y`` the whole pipeline (window, FFT, ``|X|**power``, mel projection)
    runs fused in the engine, one frame at a time, without storing the complex STFT.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
        Audio time series; multichannel input is supported.
    sr : number > 0
        Sampling rate of ``y``.
    S : np.ndarray [shape=(..., d, t)] or None
        A power spectrogram to project instead of ``y``.
    n_fft : int > 0
        FFT window length (inferred from ``S`` if its bins do not match).
    hop_length : int > 0
        Number of samples between frames (512, not ``n_fft // 4``, as in librosa).
    win_length, window, center, pad_mode
        As in `swiftspec.stft`.
    power : float > 0
        Exponent of the magnitude: 1 for energy, 2 for power.
    precision : {'exact', 'fast'}
        'exact': double-precision FFT as librosa (log-mel within a few float32 ulps,
        about 2e-5 dB, of librosa's); 'fast': single-precision FFT, float32 audio only
        (log-mel within about 1e-4 dB of librosa's in bands near their frame's peak; bands
        80-100 dB below it can differ by up to ~0.3 dB on real recordings, the float32
        FFT's rounding; see the README's parity table).
    n_threads : int > 0 or None
        Native threads for this call.
    **kwargs
        Passed to `swiftspec.filters.mel`: n_mels, fmin, fmax, htk, norm, dtype.

    Returns
    -------
    S : np.ndarray [shape=(..., n_mels, t)]
        float32 for float32 audio and the default float32 basis, whatever the type of
        ``power`` (a numpy float64 power promoted it to float64 before librosa 1.0.1).
    """
    if S is not None:
        S = _spectrogram_array(S)
        if n_fft is None or n_fft // 2 + 1 != S.shape[-2]:
            n_fft = 2 * (S.shape[-2] - 1)
        basis, has_empty_filters = mel_basis(sr=sr, n_fft=n_fft, **kwargs)
        if has_empty_filters:
            warn_empty_filters(stacklevel=2)
        return np.einsum("...ft,mf->...mt", S, basis, optimize=True)
    analysis, projection = _mel_setup(
        y,
        sr,
        n_fft,
        hop_length,
        win_length,
        window,
        center,
        pad_mode,
        power,
        precision,
        n_threads,
        kwargs,
    )
    return _run_melspectrogram(analysis, projection, power)


def _spectrogram_array(S: npt.ArrayLike) -> np.ndarray:
    """``S`` as an array with (bins, frames) axes (librosa fails with an IndexError)."""
    S = np.asarray(S)
    if S.ndim < 2:
        raise ParameterError(f"S.shape={S.shape} must have at least two dimensions (bins, frames)")
    return S


def _run_melspectrogram(analysis: Analysis, projection: _MelProjection, power: float) -> np.ndarray:
    analysis.check_result_size(projection.n_mels, projection.out_dtype.itemsize)
    out = np.empty(
        analysis.lead_shape + (projection.n_mels, analysis.n_frames), dtype=projection.out_dtype
    )
    analysis.run(
        "swiftspec_melspectrogram",
        float(power),
        projection.basis_pointer,
        projection.n_mels,
        _ffi.pointer(out),
        projection.out_dtype_code,
        out.size,
        analysis.n_threads,
    )
    return out


def mfcc(
    *,
    y: Optional[np.ndarray] = None,
    sr: float = 22050,
    S: Optional[npt.ArrayLike] = None,
    n_mfcc: int = 20,
    dct_type: int = 2,
    norm: Optional[str] = "ortho",
    lifter: float = 0,
    mel_norm: Union[None, str, float] = "slaney",
    ref: DbRef = 1.0,
    top_db: Optional[float] = 80.0,
    precision: str = "exact",
    n_threads: Optional[int] = None,
    **kwargs: Any,
) -> np.ndarray:
    """Mel-frequency cepstral coefficients, equal to ``librosa.feature.mfcc``.

    From audio, the engine computes ``dct(power_to_db(melspectrogram(y), ref=ref,
    top_db=top_db))`` fused, per channel (librosa 1.0's per-channel ``top_db``). A
    reference other than 1 is applied by `swiftspec.power_to_db` between the fused mel
    spectrogram and the DCT.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
        Audio time series.
    sr : number > 0
        Sampling rate of ``y``.
    S : np.ndarray [shape=(..., d, t)] or None
        A log-power mel spectrogram to use instead of ``y``.
    n_mfcc : int
        Number of coefficients to return (at most ``n_mels`` rows come back).
    dct_type : {1, 2, 3}
        Discrete cosine transform type (scipy.fft.dct).
    norm : None, 'ortho', 'backward' or 'forward'
        DCT normalisation.
    lifter : number >= 0
        If positive, apply cepstral liftering ``1 + (lifter/2) sin(pi (k+1) / lifter)``.
    mel_norm : {None, 'slaney', number}
        Mel filter normalisation (``norm`` of `swiftspec.filters.mel`).
    ref : scalar or callable
        Reference of the decibel conversion, as in `swiftspec.power_to_db` (a callable
        such as ``np.max`` reduces over each channel). Only used when computing from ``y``
        (librosa 1.0.1; before, mfcc always used 1.0).
    top_db : float >= 0 or None
        Threshold of the decibel conversion per channel, as in `swiftspec.power_to_db`;
        None disables it. Only used when computing from ``y`` (librosa 1.0.1; before,
        always 80).
    precision : {'exact', 'fast'}
        As in `melspectrogram`.
    n_threads : int > 0 or None
        Native threads for this call.
    **kwargs
        Passed to `melspectrogram` (stft and mel arguments).

    Returns
    -------
    M : np.ndarray [shape=(..., n_mfcc, t)]
    """
    if dct_type not in (1, 2, 3):
        raise ParameterError(f"dct_type={dct_type!r} is not supported: use 1, 2 or 3")
    if norm not in _ffi.DCT_NORMS:
        raise ParameterError(f"norm={norm!r} must be None, 'ortho', 'backward' or 'forward'")
    if (
        not isinstance(lifter, (int, float, np.number))
        or isinstance(lifter, bool)
        or not (lifter >= 0)
    ):
        raise ParameterError(f"MFCC lifter={lifter} must be a non-negative number")
    if S is None:
        stft_keys = ("n_fft", "hop_length", "win_length", "window", "center", "pad_mode", "power")
        stft_args = {key: kwargs.pop(key) for key in stft_keys if key in kwargs}
        stft_args.setdefault("n_fft", 2048)
        stft_args.setdefault("hop_length", 512)
        power = stft_args.get("power", 2.0)
        analysis, projection = _mel_setup(
            y,
            sr,
            stft_args["n_fft"],
            stft_args["hop_length"],
            stft_args.get("win_length"),
            stft_args.get("window", "hann"),
            stft_args.get("center", True),
            stft_args.get("pad_mode", "constant"),
            power,
            precision,
            n_threads,
            dict(kwargs, norm=mel_norm),
        )
        if top_db is not None and top_db < 0:  # (after the mel arguments, as librosa)
            raise ParameterError(f"top_db must be non-negative (top_db={top_db!r})")
        if not _is_unit_ref(ref):  # the fused engine's reference is 1
            S = power_to_db(
                _run_melspectrogram(analysis, projection, power),
                ref=ref,
                top_db=top_db,
                n_threads=n_threads,
            )
    if S is not None:
        S = _spectrogram_array(S)
        n_out = len(range(S.shape[-2])[:n_mfcc])
        matrix, _ = _dct_matrix(dct_type, norm, S.shape[-2], n_out)
        M = np.matmul(matrix, S.astype(np.float64)).astype(S.dtype, copy=False)
    else:
        n_mels = projection.n_mels
        analysis.check_result_size(n_mels, projection.out_dtype.itemsize)  # the log-mel buffer
        n_out = len(range(n_mels)[:n_mfcc])
        # (matrix stays referenced while the engine reads it through matrix_pointer)
        matrix, matrix_pointer = _dct_matrix(dct_type, norm, n_mels, n_out)
        M = np.empty(analysis.lead_shape + (n_out, analysis.n_frames), dtype=projection.out_dtype)
        analysis.run(
            "swiftspec_mfcc",
            float(power),
            projection.basis_pointer,
            n_mels,
            _AMIN,
            int(top_db is not None),
            0.0 if top_db is None else float(top_db),
            matrix_pointer,
            n_out,
            _ffi.pointer(M),
            projection.out_dtype_code,
            M.size,
            analysis.n_threads,
        )
    if lifter > 0:
        if n_mfcc > M.shape[-2]:
            raise ParameterError(f"MFCC lifter needs n_mfcc={n_mfcc} <= n_mels={M.shape[-2]}")
        weights = np.sin(np.pi * np.arange(1, 1 + n_mfcc, dtype=M.dtype) / lifter)
        M *= (1 + (lifter / 2) * weights)[:, np.newaxis]
    return M


def _is_unit_ref(ref: object) -> bool:
    """Whether the reference is the number +-1, whose 0 dB the fused engine subtracts."""
    return isinstance(ref, (int, float, np.number)) and not isinstance(ref, bool) and abs(ref) == 1


def _dct_matrix(dct_type: int, norm: Optional[str], n: int, n_out: int) -> Tuple[np.ndarray, int]:
    if n < 1 or (dct_type == 1 and n < 2):
        raise ParameterError(f"DCT type {dct_type} needs more than n={n} mel bands")
    return _cached_dct_matrix(dct_type, _ffi.DCT_NORMS[norm], n, n_out)


@functools.lru_cache(maxsize=32)
def _cached_dct_matrix(dct_type: int, norm_code: int, n: int, n_out: int) -> Tuple[np.ndarray, int]:
    """The read-only DCT matrix [n_out][n] from the engine, and its data pointer (a
    read-only array's pointer is the slow kind to get)."""
    matrix = np.empty((n_out, n), dtype=np.float64)
    _ffi.call(
        "swiftspec_dct_matrix", dct_type, norm_code, n, n_out, _ffi.f64_pointer(matrix), matrix.size
    )
    matrix.flags.writeable = False
    return matrix, _ffi.pointer(matrix)


# A window this wide is far beyond any use of delta features; wider ones are refused
# before their least-squares fit (width x (order + 1) doubles) is allocated.
MAX_DELTA_WIDTH = 2**20


def delta(
    data: npt.ArrayLike,
    *,
    width: int = 9,
    order: int = 1,
    axis: int = -1,
    mode: str = "interp",
    n_threads: Optional[int] = None,
    **kwargs: Any,
) -> np.ndarray:
    """Delta features: a local estimate of the derivative of ``data`` along ``axis``,
    equal to ``librosa.feature.delta``.

    A Savitzky-Golay filter (``scipy.signal.savgol_filter(data, width, deriv=order,
    polyorder=order, axis=axis, mode=mode)``) computed by the engine for a whole batch at
    once, in float64 arithmetic.

    Parameters
    ----------
    data : np.ndarray [shape=(..., t)]
        The input, e.g. a (batch of) log-mel spectrogram(s).
    width : int, odd, >= 3
        Number of frames in each local fit. With ``mode='interp'`` it cannot exceed
        ``data.shape[axis]``.
    order : int > 0
        Order of the derivative: 1 for deltas, 2 for delta-deltas, ...
    axis : int
        The axis along which to differentiate (-1: frames).
    mode : {'interp', 'nearest', 'mirror', 'constant', 'wrap'}
        How the ends are handled, as in `scipy.signal.savgol_filter`: 'interp' fits a
        polynomial to the first (last) ``width`` frames; the others pad as
        `scipy.ndimage.convolve1d` ('mirror' reflects about the end frame without
        repeating it).
    n_threads : int > 0 or None
        Native threads for this call.
    **kwargs
        Passed on as `scipy.signal.savgol_filter` would take them: ``polyorder`` (int,
        ``order`` <= it < ``width``; default ``order``), ``delta`` (the frame spacing,
        default 1.0) and ``cval`` (the padding value of ``mode='constant'``, default 0);
        ``deriv`` is ignored, as librosa does.

    Returns
    -------
    delta_data : np.ndarray [shape=data.shape]
        float32 for float32 data, else float64 (scipy's types).

    Raises
    ------
    ParameterError
        For ``width`` even, < 3, or beyond ``data.shape[axis]`` with 'interp'; ``order``
        not a positive integer (librosa's checks); an unknown ``mode``, ``polyorder >=
        width``, or NaN or infinity within ``width`` of an end with 'interp' (scipy's
        ``ValueError`` there: ParameterError is a ValueError too). Elsewhere NaN and
        infinity propagate, as in scipy.

    Notes
    -----
    An integral float ``width`` (5.0) is taken as that integer in every mode (librosa
    accepts it except with 'interp', where scipy raises TypeError). ``width`` is at most
    2**20.
    """
    data = np.atleast_1d(data)
    # librosa's checks, in its order, then scipy's.
    if mode == "interp" and width > data.shape[axis]:
        raise ParameterError(
            f"when mode='interp', width={width} cannot exceed data.shape[axis]={data.shape[axis]}"
        )
    if width < 3 or width % 2 != 1:
        raise ParameterError(f"width must be an odd integer >= 3 (width={width!r})")
    if order <= 0 or not isinstance(order, (int, np.integer)):
        raise ParameterError(f"order must be a positive integer (order={order!r})")
    if mode not in _ffi.SAVGOL_MODES:
        raise ParameterError(
            f"mode={mode!r} must be 'interp', 'nearest', 'mirror', 'constant' or 'wrap'"
        )
    if width > MAX_DELTA_WIDTH:
        raise ParameterError(f"width={width} is too large (at most {MAX_DELTA_WIDTH})")
    kwargs.pop("deriv", None)
    polyorder = kwargs.pop("polyorder", order)
    spacing = kwargs.pop("delta", 1.0)
    cval = kwargs.pop("cval", 0.0)
    if kwargs:
        raise TypeError(f"delta() got an unexpected keyword argument {next(iter(kwargs))!r}")
    width = int(width)
    if (
        isinstance(polyorder, bool)
        or not isinstance(polyorder, (int, np.integer))
        or not 0 <= polyorder < width
    ):
        raise ParameterError(
            f"polyorder={polyorder!r} must be an integer >= 0 and less than width={width}"
        )
    if (
        isinstance(spacing, bool)
        or not isinstance(spacing, (int, float, np.number))
        or not math.isfinite(spacing)
        or spacing == 0
    ):
        raise ParameterError(f"delta={spacing!r} must be a finite non-zero number")
    if isinstance(cval, bool) or not isinstance(cval, (int, float, np.number)):
        raise ParameterError(f"cval={cval!r} must be a number")
    axis = _normalize_axis(axis, data.ndim)
    # scipy filters float32 and float64 as they are and anything else as float64.
    x = np.ascontiguousarray(
        data if data.dtype in (np.float32, np.float64) else data.astype(np.float64)
    )
    if mode == "interp":  # scipy's least-squares fit of the ends refuses NaN and inf
        for ends in (slice(None, width), slice(-width, None)):
            edge = x[(slice(None),) * axis + (ends,)]
            if not np.isfinite(edge).all():
                raise ParameterError(
                    f"mode='interp' fits the first and last width={width} values along "
                    f"axis {axis}, which must be finite: found "
                    f"{edge[~np.isfinite(edge)][0]}"
                )
    out = np.empty(x.shape, dtype=x.dtype)
    fit = _savgol_fit(width, int(polyorder))
    _ffi.call(
        "swiftspec_savgol_filter",
        _ffi.pointer(x),
        _ffi.dtype_code(x.dtype),
        math.prod(x.shape[:axis]),
        x.shape[axis],
        math.prod(x.shape[axis + 1 :]),
        width,
        _ffi.f64_pointer(fit),
        int(polyorder),
        int(order),
        float(spacing),
        _ffi.SAVGOL_MODES[mode],
        float(cval),
        _ffi.pointer(out),
        out.size,
        _threads.resolve(n_threads),
    )
    return out


# numpy's error for a bad axis (an IndexError and a ValueError), in numpy.exceptions since
# numpy 1.25; older numpy (Python 3.9 may have it) has it at the top level.
_AxisError = getattr(np, "exceptions", np).AxisError


def _normalize_axis(axis: Any, ndim: int) -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ParameterError(f"axis={axis!r} must be an integer")
    if not -ndim <= axis < ndim:
        raise _AxisError(int(axis), ndim)
    return int(axis) % ndim


@functools.lru_cache(maxsize=32)
def _savgol_fit(width: int, polyorder: int) -> np.ndarray:
    """The least-squares polynomial fit over ``width`` samples at positions
    -width//2 .. width//2: row j maps the samples to the coefficient of s**j."""
    positions = np.arange(width, dtype=np.float64) - width // 2
    vandermonde = positions[:, np.newaxis] ** np.arange(polyorder + 1)
    fit = np.ascontiguousarray(np.linalg.pinv(vandermonde))
    fit.flags.writeable = False
    return fit
