# SPDX-License-Identifier: GPL-2.0-or-later
"""Spectrogram plots (librosa.display.specshow) through matplotlib.

matplotlib is an optional dependency: it is imported when `specshow` is first called,
so ``import swiftspec.display`` works without it.

    import matplotlib.pyplot as plt
    S_db = swiftspec.power_to_db(swiftspec.feature.melspectrogram(y=y, sr=sr), ref=np.max)
    fig, ax = plt.subplots()
    mesh = swiftspec.display.specshow(S_db, sr=sr, x_axis="time", y_axis="mel", ax=ax)
    fig.colorbar(mesh, ax=ax, format="%+2.0f dB")

Coordinates follow librosa.display.specshow (0.11 and 1.0 agree on them): each row and
column is a cell *centred* on its coordinate, and cell edges lie half-way between
neighbouring centres (the first and last cells extend by half the neighbouring step):

- ``'time'``, ``'s'``, ``'ms'``: frame ``t`` is centred at ``t * hop_length / sr`` seconds
  (``int(t * hop_length)`` samples, as ``librosa.frames_to_time``). This is the centre of
  the analysis window for ``center=True`` spectrograms; for ``center=False`` (and for the
  frames of `swiftspec.stream`) pass ``x_coords`` to place frames elsewhere.
- ``'linear'``/``'hz'``/``'fft'`` and ``'log'``: bin ``k`` is centred at ``k * sr / n_fft``
  (`swiftspec.fft_frequencies`; ``n_fft = 2 * (n_bins - 1)`` unless given), so the axis
  runs from ``-sr / (2 n_fft)`` to ``sr / 2 + sr / (2 n_fft)``.
- ``'mel'``: band ``i`` is centred at ``mel_frequencies(n_mels, fmin, fmax, htk)[i]``,
  i.e. ``n_mels`` points evenly spaced in mels from ``fmin`` to ``fmax`` inclusive (librosa's
  display convention; a filter's peak is actually at ``mel_frequencies(n_mels + 2)[i + 1]``).
- ``'frames'``, ``None``, ``'off'``: cell ``i`` is centred at ``i``.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Dict, Optional, cast

import numpy as np
import numpy.typing as npt

from .convert import fft_frequencies, mel_frequencies
from .exceptions import ParameterError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.collections import QuadMesh

__all__ = ["specshow", "AXIS_TYPES"]

_TIME_UNITS = {"time": None, "s": "s", "ms": "ms"}
_TIME_LABELS = {"time": "Time", "s": "Time (seconds)", "ms": "Time (milliseconds)"}
_FFT_AXES = ("linear", "hz", "fft", "log")

#: The axis types `specshow` supports (a subset of librosa's).
AXIS_TYPES = (None, "off", "frames", "time", "s", "ms", "linear", "hz", "fft", "log", "mel")

# librosa's families of interchangeable axis types, for the square aspect of
# self-similarity plots (both axes of one family with equal limits).
_SAME_FAMILY = ({"linear", "hz", "fft"}, {"time", "s", "ms"}, {"mel"}, {"log"}, {"frames"})

# The symlog threshold of 'log' axes: C2 (MIDI 36) in Hz, as librosa.note_to_hz("C2").
_C2_HZ = 440.0 * (2.0 ** ((36 - 69.0) / 12.0))


def _matplotlib() -> Any:
    try:
        import matplotlib
        import matplotlib.axes
        import matplotlib.colors
        import matplotlib.ticker
    except ImportError as error:
        raise ImportError(
            "swiftspec.display needs matplotlib, an optional dependency: pip install matplotlib"
        ) from error
    return matplotlib


def specshow(
    data: npt.ArrayLike,
    *,
    x_coords: Optional[npt.ArrayLike] = None,
    y_coords: Optional[npt.ArrayLike] = None,
    x_axis: Optional[str] = None,
    y_axis: Optional[str] = None,
    sr: float = 22050,
    hop_length: int = 512,
    n_fft: Optional[int] = None,
    win_length: Optional[int] = None,
    fmin: Optional[float] = None,
    fmax: Optional[float] = None,
    htk: bool = False,
    auto_aspect: bool = True,
    ax: Optional["Axes"] = None,
    **kwargs: Any,
) -> "QuadMesh":
    """Display a spectrogram or feature matrix, like ``librosa.display.specshow``.

    Parameters
    ----------
    data : np.ndarray [shape=(d, n)]
        The matrix to display: rows along the y axis, columns along the x axis. Complex
        input is shown as its magnitude (with a warning, as librosa).
    x_coords, y_coords : np.ndarray [shape=(n,) or (n + 1,)] / [shape=(d,) or (d + 1,)] or None
        Explicit coordinates: ``n`` cell centres, or ``n + 1`` cell edges. If None, they
        come from ``x_axis`` / ``y_axis``.
    x_axis, y_axis : str or None
        The kind of each axis (either axis may take any kind):

        - None or 'off': cell indices, no ticks or label;
        - 'frames': cell indices, labelled 'Frames';
        - 'time': seconds, with adaptive labels (ms, s, m:ss or h:mm:ss as librosa's
          ``TimeFormatter``); 's' and 'ms' fix the unit;
        - 'linear' (or 'hz', 'fft'): FFT bin frequencies in Hz on a linear scale;
        - 'log': FFT bin frequencies on a symmetric-log scale (base 2, linear below C2,
          about 65.4 Hz), keeping the 0 Hz bin;
        - 'mel': mel band frequencies in Hz on a symmetric-log scale (base 2, linear
          below 1 kHz).
    sr : number > 0
        Sampling rate, for time and frequency axes.
    hop_length : int > 0
        Samples between frames, for time axes.
    n_fft : int > 0 or None
        FFT size, for 'linear'/'log' axes; ``2 * (d - 1)`` if None (give it for odd
        ``n_fft``).
    win_length : int > 0 or None
        Accepted for librosa compatibility; unused by the supported axis types.
    fmin, fmax : float or None
        Frequency range of a 'mel' axis: 0 and ``sr / 2`` if None.
    htk : bool
        HTK mel scale for a 'mel' axis.
    auto_aspect : bool
        Square the plot when both axes are of the same kind with equal limits.
    ax : matplotlib.axes.Axes or None
        Axes to draw on; the current axes (``plt.gca()``) if None, and the mesh then
        becomes pyplot's current image (for ``plt.colorbar()``).
    **kwargs
        Passed to ``matplotlib.axes.Axes.pcolormesh`` (``cmap``, ``vmin``, ``vmax``,
        ``norm``, ...). Defaults as librosa 1.0: ``rasterized=True``,
        ``edgecolors='None'``; ``cmap`` 'magma' for data of one sign (between the 2nd and
        98th percentiles), 'coolwarm' with a norm centred on 0 for data of both signs,
        'gray_r' for booleans. ``shading`` 'auto', 'flat' or 'nearest' draw the cells
        described above; 'gouraud' interpolates between centres.

    Returns
    -------
    mesh : matplotlib.collections.QuadMesh
        Its ``get_coordinates()`` is an array [shape=(d + 1, n + 1, 2)] of cell corners.

    Raises
    ------
    ImportError
        If matplotlib is not installed.
    ParameterError
        For data that is not 2-D, an unknown axis type, or coordinates of the wrong length.

    Notes
    -----
    The coordinates, axis scales, locators, tick labels and axis labels equal
    ``librosa.display.specshow``'s for the axis types above (tested against librosa
    0.11 and 1.0). Frequencies come from `swiftspec.fft_frequencies` and
    `swiftspec.mel_frequencies`.
    """
    mpl = _matplotlib()
    data = np.asarray(data)
    if np.iscomplexobj(data):
        warnings.warn(
            "Trying to display complex-valued input. Showing magnitude instead.", stacklevel=2
        )
        data = cast(np.ndarray, np.abs(data))  # (numpy's stubs: np.abs gives Any)
    if data.ndim != 2:
        raise ParameterError(
            f"data must be 2-dimensional (rows, columns) to display, given data.shape={data.shape}"
        )
    for name, kind in (("x_axis", x_axis), ("y_axis", y_axis)):
        if kind not in AXIS_TYPES:
            raise ParameterError(
                f"Unknown axis type: {name}={kind!r}; swiftspec.display "
                f"supports {list(AXIS_TYPES)} (use librosa.display for "
                f"others)"
            )

    params = dict(sr=sr, hop_length=hop_length, n_fft=n_fft, fmin=fmin, fmax=fmax, htk=htk)
    x_centres = _coords(x_axis, x_coords, data.shape[1], params)
    y_centres = _coords(y_axis, y_coords, data.shape[0], params)

    _default_colours(mpl, data, kwargs)
    kwargs.setdefault("rasterized", True)
    kwargs.setdefault("edgecolors", "None")
    shading = kwargs.pop("shading", "auto")
    if shading == "gouraud":
        for centres, n, name in ((x_centres, data.shape[1], "x"), (y_centres, data.shape[0], "y")):
            if len(centres) != n:
                raise ParameterError(
                    f"shading='gouraud' needs {n} {name} centres, not {len(centres)} edges"
                )
        x_mesh, y_mesh = x_centres, y_centres
    elif shading in ("auto", "flat", "nearest"):
        shading = "flat"
        x_mesh = _edges(x_centres, data.shape[1])
        y_mesh = _edges(y_centres, data.shape[0])
    else:
        raise ParameterError(f"shading={shading!r} must be 'auto', 'flat', 'nearest' or 'gouraud'")

    if ax is None:
        import matplotlib.pyplot as plt

        axes = plt.gca()
    elif isinstance(ax, mpl.axes.Axes):
        axes = ax
    else:
        raise ParameterError(f"ax must be a matplotlib.axes.Axes, given {type(ax).__name__}")

    mesh = axes.pcolormesh(x_mesh, y_mesh, data, shading=shading, **kwargs)
    if ax is None:
        plt.sci(mesh)

    _scale(axes, "x", x_axis)
    _scale(axes, "y", y_axis)
    _decorate(mpl, axes.xaxis, x_axis)
    _decorate(mpl, axes.yaxis, y_axis)
    if (
        auto_aspect
        and axes.get_xlim() == axes.get_ylim()
        and any(x_axis in family and y_axis in family for family in _SAME_FAMILY)
    ):
        axes.set_aspect("equal")
    return mesh


# ---- coordinates --------------------------------------------------------------------------


def _coords(
    kind: Optional[str], coords: Optional[npt.ArrayLike], n: int, params: Dict[str, Any]
) -> np.ndarray:
    """Cell centres (length n) or edges (n + 1) of one axis."""
    if coords is not None:
        coords = np.asarray(coords)
        if coords.ndim != 1 or len(coords) not in (n, n + 1):
            raise ParameterError(f"Coordinate shape mismatch: {len(coords)}!={n} or {n}+1")
        return coords
    if kind in _TIME_UNITS:
        samples = (np.arange(n) * params["hop_length"]).astype(int)  # frames_to_samples
        return np.asarray(samples / float(params["sr"]))
    if kind in _FFT_AXES:
        n_fft = params["n_fft"] if params["n_fft"] is not None else 2 * (n - 1)
        return np.asarray(fft_frequencies(sr=params["sr"], n_fft=n_fft))
    if kind == "mel":
        fmin = 0.0 if params["fmin"] is None else params["fmin"]
        fmax = 0.5 * params["sr"] if params["fmax"] is None else params["fmax"]
        return np.asarray(mel_frequencies(n, fmin=fmin, fmax=fmax, htk=params["htk"]))
    return np.arange(n)


def _edges(coords: np.ndarray, n: int) -> np.ndarray:
    """Cell edges (n + 1) from n centres: half-way between neighbours, the outer cells
    extended by half a step (matplotlib's ``shading='nearest'``, which librosa uses)."""
    if len(coords) == n + 1:
        return coords
    if n == 1:
        return np.concatenate([coords, coords])  # one cell: no step to guess from
    half = np.diff(coords) * 0.5
    return np.concatenate([coords[:1] - half[:1], coords[:-1] + half, coords[-1:] + half[-1:]])


# ---- colours, scales, ticks ---------------------------------------------------------------


def _default_colours(mpl: Any, data: np.ndarray, kwargs: Dict[str, Any]) -> None:
    if "cmap" in kwargs:
        return
    if data.dtype.kind == "b":
        kwargs["cmap"] = mpl.colormaps["gray_r"]
        kwargs.setdefault("norm", mpl.colors.BoundaryNorm([0, 0.5, 1], mpl.colormaps["gray_r"].N))
        return
    finite = data[np.isfinite(data)]
    low, high = np.percentile(finite, [2, 98]) if finite.size else (0.0, 0.0)
    if low >= 0 or high <= 0:
        kwargs["cmap"] = mpl.colormaps["magma"]
    else:
        kwargs["cmap"] = mpl.colormaps["coolwarm"]
        if "norm" not in kwargs:
            kwargs["norm"] = mpl.colors.TwoSlopeNorm(
                vcenter=0.0, vmin=kwargs.pop("vmin", None), vmax=kwargs.pop("vmax", None)
            )


def _scale(axes: "Axes", which: str, kind: Optional[str]) -> None:
    set_scale = axes.set_xscale if which == "x" else axes.set_yscale
    if kind == "mel":
        set_scale("symlog", linthresh=1000.0, base=2)
    elif kind == "log":
        set_scale("symlog", linthresh=_C2_HZ, base=2, linscale=0.5)


def _decorate(mpl: Any, axis: Any, kind: Optional[str]) -> None:
    ticker = mpl.ticker
    if kind in _TIME_UNITS:
        axis.set_major_formatter(_time_formatter(ticker, axis, _TIME_UNITS[kind]))
        axis.set_major_locator(ticker.MaxNLocator(prune=None, steps=[1, 1.5, 5, 6, 10]))
        axis.set_label_text(_TIME_LABELS[kind])
    elif kind in ("mel", "log"):
        axis.set_major_formatter(ticker.ScalarFormatter())
        axis.set_major_locator(ticker.SymmetricalLogLocator(axis.get_transform()))
        axis.set_label_text("Hz")
    elif kind in ("linear", "hz", "fft"):
        axis.set_major_formatter(ticker.ScalarFormatter())
        axis.set_label_text("Hz")
    elif kind == "frames":
        axis.set_label_text("Frames")
    else:  # None, 'off'
        axis.set_label_text("")
        axis.set_ticks([])


def _time_formatter(ticker: Any, axis: Any, unit: Optional[str]) -> Any:
    """Tick labels for seconds: h:mm:ss above an hour of view, m:ss above a minute,
    then 2 significant digits down to 1 s and milliseconds below (unit None), or fixed
    seconds ('s', 3 significant digits) / milliseconds ('ms')."""

    def label(x: float, pos: Optional[int] = None) -> str:
        vmin, vmax = axis.get_view_interval()
        span = vmax - vmin
        if unit is None and span > 3600:
            return f"{int(x / 3600.0):d}:{int(np.mod(x / 60.0, 60)):02d}:{int(np.mod(x, 60)):02d}"
        if unit is None and span > 60:
            return f"{int(x / 60.0):d}:{int(np.mod(x, 60)):02d}"
        if unit == "s":
            return f"{x:.3g}"
        if unit == "ms":
            return f"{x * 1000:.3g}"
        return f"{x:.2g}" if span >= 1 else f"{x:.3f}"

    return ticker.FuncFormatter(label)
