# SPDX-License-Identifier: GPL-2.0-or-later
"""Short-time Fourier transforms and decibel conversions (librosa.core.spectrum)."""

from __future__ import annotations

import functools
import math
import warnings
from typing import Any, Callable, Optional, Sequence, Tuple, Union, overload

import numpy as np
import numpy.typing as npt

from . import _ffi, _threads
from ._analysis import Analysis, fft_window, frame_sizes
from ._typing import ComplexScalar, DbAxes, DbRef, RealScalar, WindowSpec
from ._validate import (
    INT64_MAX,
    check_array_size,
    compute_dtype,
    dtype_c2r,
    dtype_r2c,
    positive_int,
)
from .exceptions import ParameterError

__all__ = ["stft", "istft", "power_to_db", "amplitude_to_db", "db_to_power", "db_to_amplitude"]


def stft(
    y: np.ndarray,
    *,
    n_fft: int = 2048,
    hop_length: Optional[int] = None,
    win_length: Optional[int] = None,
    window: WindowSpec = "hann",
    center: bool = True,
    dtype: Optional[npt.DTypeLike] = None,
    pad_mode: str = "constant",
    out: Optional[np.ndarray] = None,
    precision: str = "exact",
    n_threads: Optional[int] = None,
) -> np.ndarray:
    """Short-time Fourier transform, equal to ``librosa.stft``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)], real-valued
        Input signal; multichannel input is transformed channel by channel.
    n_fft : int > 0
        Length of the windowed signal after zero-padding.
    hop_length : int > 0 or None
        Number of samples between frames; ``win_length // 4`` if None.
    win_length : int <= n_fft or None
        Window length; the window is centred in ``n_fft`` zeros. ``n_fft`` if None.
    window : string, tuple, number, callable, or np.ndarray [shape=(win_length,)]
        See `swiftspec.filters.get_window`.
    center : bool
        If True, pad ``y`` by ``n_fft // 2`` on both sides so frame ``t`` is centred at
        ``y[t * hop_length]``; otherwise frame ``t`` starts there.
    dtype : np.dtype or None
        Complex output type; complex64 for float32 input, complex128 for float64.
    pad_mode : str
        'constant' (zeros), 'edge', 'reflect', 'symmetric', 'linear_ramp' or 'empty'
        (numpy.pad semantics; 'empty' pads with zeros here).
    out : np.ndarray or None
        A complex array of shape ``(..., 1 + n_fft//2, m)`` with ``m >= n_frames`` to
        write into; ``out[..., :n_frames]`` is filled and returned.
    precision : {'exact', 'fast'}
        'exact' runs the FFT in double precision like librosa (components above 1e-6 of
        the frame peak agree to float32 rounding); 'fast' runs it in single precision
        (float32 audio only; about 2e-7 of the frame peak in absolute error).
    n_threads : int > 0 or None
        Native threads for this call; `get_num_threads()` if None.

    Returns
    -------
    D : np.ndarray [shape=(..., 1 + n_fft/2, n_frames), dtype=dtype]
        ``n_frames = 1 + len(y) // hop_length`` for centred analysis with even n_fft,
        ``1 + (len(y) - n_fft) // hop_length`` otherwise.

    Raises
    ------
    ParameterError
        For invalid audio or parameters, as librosa does (also a ``ValueError``).

    Warns
    -----
    UserWarning
        If ``n_fft`` exceeds the signal length in centred analysis.

    Notes
    -----
    Reproduces librosa's partial padding, including its reflect-tail quirk for
    ``pad_mode='reflect'`` with ``hop_length >= n_fft / 2``.
    """
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
        caller="swiftspec.stft",
    )
    out_dtype = dtype_r2c(y.dtype) if dtype is None else np.dtype(dtype)
    shape = list(analysis.lead_shape) + [analysis.n_bins, analysis.n_frames]
    if out is None:
        if out_dtype.kind != "c":
            raise ParameterError(f"dtype={out_dtype} is not of complex type")
        analysis.check_result_size(analysis.n_bins, out_dtype.itemsize)
        target = np.empty(
            tuple(shape[:-2]) + (analysis.n_frames, analysis.n_bins), dtype=out_dtype
        ).swapaxes(-1, -2)
    else:
        if out.shape[:-1] != tuple(shape[:-1]) or out.shape[-1] < shape[-1]:
            raise ParameterError(
                f"Shape mismatch for provided output array "
                f"out.shape={out.shape} and target shape={shape}"
            )
        if not np.iscomplexobj(out):
            raise ParameterError(f"output with dtype={out.dtype} is not of complex type")
        target = out if out.shape == tuple(shape) else out[..., : analysis.n_frames]
        out_dtype = out.dtype
    engine_dtype = np.dtype(np.complex128 if out_dtype.itemsize >= 16 else np.complex64)
    analysis.check_fast(engine_dtype)

    # The engine writes [row][frame][bin]; write straight into the caller's array when
    # its transposed layout is exactly that.
    direct = target.swapaxes(-1, -2)
    in_place = direct.flags.c_contiguous and direct.dtype == engine_dtype
    if not in_place:
        analysis.check_result_size(analysis.n_bins, engine_dtype.itemsize)
        direct = np.empty(direct.shape, dtype=engine_dtype)
    analysis.run(
        "swiftspec_stft",
        _ffi.pointer(direct),
        _ffi.dtype_code(engine_dtype),
        direct.size,
        analysis.n_threads,
    )
    if not in_place:
        target[...] = direct.swapaxes(-1, -2)
    return target


def istft(
    stft_matrix: npt.ArrayLike,
    *,
    hop_length: Optional[int] = None,
    win_length: Optional[int] = None,
    n_fft: Optional[int] = None,
    window: WindowSpec = "hann",
    center: bool = True,
    dtype: Optional[npt.DTypeLike] = None,
    length: Optional[int] = None,
    out: Optional[np.ndarray] = None,
    n_threads: Optional[int] = None,
) -> np.ndarray:
    """Inverse short-time Fourier transform, equal to ``librosa.istft``.

    Parameters
    ----------
    stft_matrix : np.ndarray [shape=(..., 1 + n_fft//2, t)], complex
        An STFT matrix (from `stft`).
    hop_length : int > 0 or None
        ``win_length // 4`` if None.
    win_length : int <= n_fft or None
        ``n_fft`` if None.
    n_fft : int > 0 or None
        ``2 * (stft_matrix.shape[-2] - 1)`` if None (give it for odd ``n_fft``).
    window : string, tuple, number, callable, or np.ndarray
        The window used by `stft`.
    center : bool
        Whether `stft` padded the signal (``center=True``).
    dtype : np.dtype or None
        Real output type; float32 for complex64 input, float64 for complex128.
    length : int > 0 or None
        Pad or trim the output to exactly this many samples.
    out : np.ndarray or None
        A real array of the output's shape to fill.
    n_threads : int > 0 or None
        Native threads for this call.

    Returns
    -------
    y : np.ndarray [shape=(..., n)]
        The overlap-added inverse transforms divided by the window's squared envelope
        (where it is above the smallest normal number).
    """
    stft_matrix = np.asarray(stft_matrix)
    if stft_matrix.ndim < 2:
        raise ParameterError(
            f"stft_matrix.shape={stft_matrix.shape} must have at least "
            "two dimensions (bins, frames)"
        )
    if n_fft is None:
        n_fft = 2 * (stft_matrix.shape[-2] - 1)
    n_fft, hop_length, win_length = frame_sizes(n_fft, hop_length, win_length, window)
    if length is not None and not length:
        length = None  # librosa treats length=0 as "not given"
    if length is not None:
        length = positive_int(length, "length")
    else:
        n_natural = (
            n_fft + hop_length * (stft_matrix.shape[-1] - 1) - (2 * (n_fft // 2) if center else 0)
        )
        if n_natural < 0:
            raise ParameterError(
                f"istft of n_frames={stft_matrix.shape[-1]} frames gives no "
                f"output (length {n_natural} for n_fft={n_fft}, "
                f"hop_length={hop_length}); pass length="
            )
        if n_natural > INT64_MAX:
            raise ParameterError(
                f"istft output length {n_natural} (hop_length={hop_length}, "
                f"n_frames={stft_matrix.shape[-1]}) is too large"
            )
    window_values = fft_window(window, win_length, n_fft)

    n_frames = stft_matrix.shape[-1]
    out_dtype = dtype_c2r(stft_matrix.dtype) if dtype is None else np.dtype(dtype)
    engine = np.dtype(np.complex128 if out_dtype == np.float64 else np.complex64)
    check_array_size(
        stft_matrix.shape[:-2] + (n_natural if length is None else length,),
        engine.itemsize // 2,
        f"length={length}"
        if length is not None
        else f"hop_length={hop_length} (n_fft={n_fft}, n_frames={n_frames})",
    )
    n_out = _ffi.ctypes.c_int64(0)
    _ffi.call(
        "swiftspec_istft_length",
        n_frames,
        n_fft,
        hop_length,
        int(bool(center)),
        -1 if length is None else length,
        _ffi.ctypes.byref(n_out),
    )
    lead = stft_matrix.shape[:-2]
    shape = lead + (n_out.value,)
    if out is not None and out.shape != shape:
        raise ParameterError(
            f"Shape mismatch for provided output array out.shape={out.shape} != {list(shape)}"
        )
    rows = np.ascontiguousarray(np.swapaxes(stft_matrix, -1, -2), dtype=engine)
    # An explicit row count: -1 is ambiguous for an empty matrix (no frames).
    rows = rows.reshape((int(np.prod(lead, dtype=np.int64)),) + rows.shape[-2:])
    result = np.empty(shape, dtype=engine.type(0).real.dtype)  # type: ignore[union-attr]
    _ffi.call(
        "swiftspec_istft",
        _ffi.pointer(rows),
        _ffi.dtype_code(engine),
        rows.shape[0],
        n_frames,
        stft_matrix.shape[-2],
        n_fft,
        hop_length,
        _ffi.pointer(window_values),
        int(bool(center)),
        -1 if length is None else length,
        _ffi.pointer(result),
        result.size,
        _threads.resolve(n_threads),
    )
    if out is not None:
        out[...] = result
        return out
    return result.astype(out_dtype, copy=False)


# ---- Decibels ---------------------------------------------------------------------------


def _db_axes(axes: DbAxes, ndim: int) -> Union[int, Sequence[int], None]:
    """librosa 1.0's axes: 'auto' is the last two (or one) axes; None means all."""
    if isinstance(axes, str):
        if axes != "auto":
            raise ParameterError(f"axes={axes!r} must be 'auto', None, an int or a tuple of ints")
        return (-2, -1) if ndim >= 2 else ((-1,) if ndim == 1 else None)
    return axes


def _groups(ndim: int, axes: Union[int, Sequence[int], None]) -> Tuple[int, ...]:
    """Normalised, sorted reduction axes (all axes for None)."""
    if axes is None:
        return tuple(range(ndim))
    axes = (axes,) if isinstance(axes, (int, np.integer)) else tuple(axes)
    for axis in axes:
        if not isinstance(axis, (int, np.integer)) or not -ndim <= axis < ndim:
            raise ParameterError(f"axes={axes!r} out of range for {ndim}-dimensional input")
    return tuple(sorted({int(axis) % ndim for axis in axes}))


def _is_max(ref: object) -> bool:
    return ref is np.max or ref is np.amax


def _call_ref(
    ref: Callable[..., Any], values: np.ndarray, axes: Union[int, Sequence[int], None]
) -> Any:
    """``ref(values, axis=axes, keepdims=True)`` with librosa's error for bad callables."""
    try:
        return ref(values, axis=axes, keepdims=True)
    except TypeError as error:
        raise ParameterError(
            "The provided reference function must support 'axis' and 'keepdims' "
            f"arguments for proper multichannel processing. (ref={ref!r})"
        ) from error


def _decibels(
    power: np.ndarray,
    *,
    ref: DbRef,
    amin: float,
    top_db: Optional[float],
    axes: Union[int, Sequence[int], None],
    threads: int,
) -> np.ndarray:
    """power_to_db of a real array with normalised ``axes``.

    The engine computes ``10 log10(max(amin, S))``, the reference and ``top_db`` per
    reduction group. A reference that is neither a number nor ``np.max`` (another
    callable, or an array) is subtracted by numpy, as librosa does.
    """
    if amin <= 0:
        raise ParameterError(f"amin must be strictly positive (amin={amin!r})")
    if top_db is not None and top_db < 0:
        raise ParameterError(f"top_db must be non-negative (top_db={top_db!r})")
    if power.dtype.kind in "USVMm":  # (numpy's maximum, in librosa, has no loop for them)
        raise TypeError(f"S must be numeric, given an array of dtype {power.dtype}")
    if power.dtype.kind in "biu":
        power = power.astype(np.float64)
    elif power.dtype not in (np.float32, np.float64):
        # float16 / longdouble: computed in float32 / float64, returned in the input's
        # type as librosa (numpy) returns it.
        result_dtype = power.dtype
        power = power.astype(compute_dtype(power.dtype))
        return _decibels(
            power, ref=ref, amin=amin, top_db=top_db, axes=axes, threads=threads
        ).astype(result_dtype)
    group_axes = _groups(power.ndim, axes)
    if _is_max(ref):
        return _kernel(power, group_axes, _ffi.REF_MAX, 0.0, amin, top_db, threads)
    if callable(ref):
        ref_db = _ref_db(_call_ref(ref, power, axes), amin)
    elif isinstance(ref, _NUMBERS) and isinstance(amin, _NUMBERS):
        ref_db = _scalar_ref_db(ref, amin)
    else:
        ref_db = _ref_db(np.abs(ref), amin)
    if np.ndim(ref_db) == 0 and np.asarray(ref_db).dtype == np.float64:
        # A scalar input keeps its float32 type like an array does (librosa >= 1.0.1
        # subtracts the reference in place; 1.0.0 and 0.11 promoted a float32 scalar).
        return _kernel(power, group_axes, _ffi.REF_SCALAR, float(ref_db), amin, top_db, threads)
    log_spec = _kernel(power, group_axes, _ffi.REF_SCALAR, 0.0, amin, None, threads)
    log_spec -= ref_db
    if top_db is not None:
        log_spec = np.maximum(log_spec, log_spec.max(axis=axes, keepdims=True) - top_db)
    return log_spec


def _ref_db(ref_value: Any, amin: Union[float, np.number]) -> Any:
    """The reference in decibels, in numpy's arithmetic for the types given."""
    return 10.0 * np.log10(np.maximum(amin, ref_value))


_NUMBERS = (int, float, np.number)


@functools.lru_cache(maxsize=64, typed=True)  # typed: np.float32(1) and 1.0 differ
def _scalar_ref_db(ref: Union[int, float, np.number], amin: Union[float, np.number]) -> Any:
    """`_ref_db` of ``abs(ref)`` for a number (a numpy scalar: immutable, so shared)."""
    return _ref_db(np.abs(ref), amin)


def _kernel(
    power: np.ndarray,
    group_axes: Tuple[int, ...],
    ref_mode: int,
    ref_db: float,
    amin: float,
    top_db: Optional[float],
    threads: int,
) -> np.ndarray:
    """Run swiftspec_power_to_db with each reduction group made contiguous."""
    trailing = tuple(range(power.ndim - len(group_axes), power.ndim))
    moves = group_axes != trailing  # (the usual axes are already the trailing ones)
    moved = np.moveaxis(power, group_axes, trailing) if moves else power
    # (ascontiguousarray makes 0-d input 1-d: keep the shape so scalars give scalars)
    source = np.ascontiguousarray(moved, dtype=power.dtype.newbyteorder("=")).reshape(moved.shape)
    group_len = math.prod(source.shape[source.ndim - len(group_axes) :])
    n_groups = source.size // group_len if group_len else 0
    if group_len == 0 and source.size == 0 and (ref_mode == _ffi.REF_MAX or top_db is not None):
        raise ParameterError("zero-size array to reduction operation maximum which has no identity")
    result = np.empty_like(source)
    _ffi.call(
        "swiftspec_power_to_db",
        _ffi.pointer(source),
        _ffi.dtype_code(source.dtype),
        n_groups,
        group_len,
        ref_mode,
        ref_db,
        float(amin),
        int(top_db is not None),
        0.0 if top_db is None else float(top_db),
        _ffi.pointer(result),
        result.size,
        threads,
    )
    return np.moveaxis(result, trailing, group_axes) if moves else result


# A scalar gives a numpy scalar, anything else an array. (A 0-d array or a scalar typed
# as ArrayLike also gives a numpy scalar: the price of not returning a Union for arrays.)
@overload
def power_to_db(  # type: ignore[overload-overlap]
    S: ComplexScalar,
    *,
    ref: DbRef = ...,
    amin: float = ...,
    top_db: Optional[float] = ...,
    axes: DbAxes = ...,
    n_threads: Optional[int] = ...,
) -> np.floating: ...
@overload
def power_to_db(
    S: npt.ArrayLike,
    *,
    ref: DbRef = ...,
    amin: float = ...,
    top_db: Optional[float] = ...,
    axes: DbAxes = ...,
    n_threads: Optional[int] = ...,
) -> np.ndarray: ...


def power_to_db(
    S: npt.ArrayLike,
    *,
    ref: DbRef = 1.0,
    amin: float = 1e-10,
    top_db: Optional[float] = 80.0,
    axes: DbAxes = "auto",
    n_threads: Optional[int] = None,
) -> Union[np.floating, np.ndarray]:
    """Convert a power spectrogram to decibels, equal to ``librosa.power_to_db`` (1.0).

    ``10 * log10(max(amin, S)) - 10 * log10(max(amin, ref))``, then values below the
    maximum minus ``top_db`` are raised to it.

    Parameters
    ----------
    S : np.ndarray
        Input power (complex input is reduced to its magnitude, with a warning).
    ref : scalar or callable
        Reference value, or a function of the input such as ``np.max``, called with
        ``axis=axes, keepdims=True``.
    amin : float > 0
        Minimum threshold for ``S`` and ``ref``.
    top_db : float >= 0 or None
        Threshold the output at ``max - top_db`` (per reduction group).
    axes : 'auto', None, int or tuple of ints
        Axes over which ``ref`` and ``top_db`` reduce: 'auto' is the last two axes (per
        channel, librosa 1.0); None is the whole array (librosa 0.11's behaviour).
    n_threads : int > 0 or None
        Native threads for this call (reduction groups are spread over them).

    Returns
    -------
    S_db : np.ndarray or numpy scalar
        Same shape (and float dtype) as ``S``; a numpy scalar for scalar input, of the
        same type as for an array (librosa 1.0.1; 1.0.0 gave float64 for a float32 scalar).

    Notes
    -----
    Arithmetic follows numpy's for the input's dtype (``log10`` in float32 for float32
    input), so results match librosa to within one float32 ulp.
    """
    S = np.asarray(S)
    if amin <= 0:
        raise ParameterError(f"amin must be strictly positive (amin={amin!r})")
    if issubclass(S.dtype.type, np.complexfloating):  # (np.issubdtype, minus its overhead)
        warnings.warn(
            "power_to_db was called on complex input so phase information will be "
            "discarded. To suppress this warning, call power_to_db(np.abs(D)**2) "
            "instead.",
            stacklevel=2,
        )
        magnitude = np.abs(S)
    else:
        magnitude = S
    axes = _db_axes(axes, magnitude.ndim)
    return _decibels(
        magnitude, ref=ref, amin=amin, top_db=top_db, axes=axes, threads=_threads.resolve(n_threads)
    )[()]


@overload
def amplitude_to_db(  # type: ignore[overload-overlap]
    S: ComplexScalar,
    *,
    ref: DbRef = ...,
    amin: float = ...,
    top_db: Optional[float] = ...,
    axes: DbAxes = ...,
    n_threads: Optional[int] = ...,
) -> np.floating: ...
@overload
def amplitude_to_db(
    S: npt.ArrayLike,
    *,
    ref: DbRef = ...,
    amin: float = ...,
    top_db: Optional[float] = ...,
    axes: DbAxes = ...,
    n_threads: Optional[int] = ...,
) -> np.ndarray: ...


def amplitude_to_db(
    S: npt.ArrayLike,
    *,
    ref: DbRef = 1.0,
    amin: float = 1e-5,
    top_db: Optional[float] = 80.0,
    axes: DbAxes = "auto",
    n_threads: Optional[int] = None,
) -> Union[np.floating, np.ndarray]:
    """Convert an amplitude spectrogram to decibels, equal to ``librosa.amplitude_to_db``.

    Equivalent to ``power_to_db(S**2, ref=ref**2, amin=amin**2, top_db=top_db)``.

    Parameters
    ----------
    S : np.ndarray
        Input amplitude (complex input is reduced to its magnitude, with a warning).
    ref : scalar or callable
        Reference amplitude, or a function such as ``np.max`` (see `power_to_db`).
    amin : float > 0
        Minimum amplitude.
    top_db : float >= 0 or None
        Threshold the output at ``max - top_db``.
    axes : 'auto', None, int or tuple of ints
        As in `power_to_db`.
    n_threads : int > 0 or None
        Native threads for this call.

    Returns
    -------
    S_db : np.ndarray or numpy scalar
    """
    S = np.asarray(S)
    if issubclass(S.dtype.type, np.complexfloating):
        warnings.warn(
            "amplitude_to_db was called on complex input so phase information will "
            "be discarded. To suppress this warning, call amplitude_to_db(np.abs(S)) "
            "instead.",
            stacklevel=2,
        )
    magnitude = np.abs(S)
    axes = _db_axes(axes, magnitude.ndim)
    if _is_max(ref):
        power_ref = ref  # max(|S|)**2 == max(|S|**2): the engine takes it from the power
    elif callable(ref):
        power_ref = _call_ref(ref, magnitude, axes) ** 2
    else:
        power_ref = np.abs(ref) ** 2
    try:
        power_amin = amin**2
    except OverflowError as error:  # (librosa lets Python's OverflowError through)
        raise ParameterError(f"amin={amin!r} is too large: amin**2 overflows") from error
    return _decibels(
        np.square(magnitude),
        ref=power_ref,
        amin=power_amin,
        top_db=top_db,
        axes=axes,
        threads=_threads.resolve(n_threads),
    )[()]


@overload
def db_to_power(S_db: RealScalar, *, ref: float = ...) -> np.floating: ...
@overload
def db_to_power(S_db: np.ndarray, *, ref: float = ...) -> np.ndarray: ...


def db_to_power(
    S_db: Union[RealScalar, np.ndarray], *, ref: float = 1.0
) -> Union[np.floating, np.ndarray]:
    """Convert decibels to power: ``ref * 10**(S_db / 10)`` (librosa.db_to_power)."""
    return ref * np.power(10.0, S_db * 0.1)


@overload
def db_to_amplitude(S_db: RealScalar, *, ref: float = ...) -> np.floating: ...
@overload
def db_to_amplitude(S_db: np.ndarray, *, ref: float = ...) -> np.ndarray: ...


def db_to_amplitude(
    S_db: Union[RealScalar, np.ndarray], *, ref: float = 1.0
) -> Union[np.floating, np.ndarray]:
    """Convert decibels to amplitude: ``db_to_power(S_db, ref=ref**2) ** 0.5``."""
    return db_to_power(S_db, ref=ref**2) ** 0.5
