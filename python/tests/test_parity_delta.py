# SPDX-License-Identifier: GPL-2.0-or-later
"""feature.delta against librosa.feature.delta: every mode, widths 3-9, orders 1-3, any
axis, float32 and float64, batches, savgol's extra arguments, and every error librosa
(or scipy under it) raises."""

import itertools

import numpy as np
import pytest

librosa = pytest.importorskip("librosa")
from conftest import SCIPY_1_17  # noqa: E402

import swiftspec  # noqa: E402
from swiftspec.exceptions import ParameterError  # noqa: E402

MODES = ["interp", "nearest", "mirror", "constant", "wrap"]
# Axis lengths 11, 6 and 13: widths above 6 along axis -2 are interp errors, compared too.
SHAPE = (11, 6, 13)


def assert_delta(parity, ours, ref, name):
    parity.assert_same_meta(ours, ref)
    if ref.size == 0:
        return
    # Non-finite where librosa's is, NaN where it is NaN (the sign of an infinity can
    # differ: it is the sign of a rounding error in a zero weight times the infinity).
    finite = np.isfinite(ref)
    assert np.array_equal(np.isfinite(ours), finite)
    assert np.array_equal(np.isnan(ours), np.isnan(ref))
    err = np.abs(ours[finite].astype(np.float64) - ref[finite]).max(initial=0.0)
    scale = max(1.0, float(np.abs(ref[finite]).max(initial=0.0)))
    atol = parity.tol.delta_atol[ref.dtype]
    parity.record(f"delta {name} ({ref.dtype}): max abs error / max(1, max|ref|)", err / scale)
    assert err <= atol * scale, f"max error {err:.3g} (scale {scale:.3g})"


def compare(parity, data, name="sweep", **kwargs):
    outcome = parity.both(
        lambda: swiftspec.feature.delta(data, **kwargs),
        lambda: librosa.feature.delta(data, **kwargs),
    )
    if outcome is not None:
        assert_delta(parity, *outcome, name)
    return outcome


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("axis", [-1, -2, 0])
@pytest.mark.parametrize("mode", MODES)
def test_sweep(parity, rng, mode, axis, dtype):
    data = (10 * rng.standard_normal(SHAPE)).astype(dtype)
    for width, order in itertools.product([3, 5, 7, 9], [1, 2, 3]):
        compare(parity, data, width=width, order=order, axis=axis, mode=mode)


@pytest.mark.parametrize(
    "shape,axis",
    [
        ((2, 128, 200), -1),
        ((2, 128, 200), -2),
        ((2, 2, 16, 50), -1),
        ((2, 2, 16, 50), 1),
        ((300,), 0),
        ((4, 1, 9), -1),
        ((9, 1), 0),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batches(parity, rng, shape, axis, dtype):
    data = rng.standard_normal(shape).astype(dtype)
    for mode in MODES:
        compare(parity, data, axis=axis, mode=mode, name="batches")


@pytest.mark.parametrize("mode", MODES[1:])
@pytest.mark.parametrize("length", [1, 2, 3, 5])
def test_widths_beyond_the_axis(parity, rng, mode, length):
    """Padding modes allow any width; mirror and wrap then extend periodically."""
    data = rng.standard_normal((3, length))
    for width in (3, 9, 21):
        compare(parity, data, width=width, mode=mode, name="wide")


def test_log_mel_deltas(parity, rng):
    """The use in training pipelines: deltas and delta-deltas of a batch of log-mels."""
    y = rng.standard_normal((2, 22050)).astype(np.float32)
    S = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=22050))
    for order in (1, 2):
        compare(parity, S, order=order, name="log-mel")


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(polyorder=3),
        dict(order=2, polyorder=4, width=7),
        dict(order=2, polyorder=1),
        dict(delta=0.5),
        dict(order=2, delta=-2.0),
        dict(mode="constant", cval=3.5),
        dict(deriv=3),
        dict(mode="nearest", cval=3.5),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_savgol_arguments(parity, rng, kwargs, dtype):
    data = (10 * rng.standard_normal((3, 40))).astype(dtype)
    compare(parity, data, name="savgol arguments", **kwargs)


@pytest.mark.parametrize(
    "data",
    [
        np.arange(30, dtype=np.int16).reshape(3, 10) ** 2,
        np.linspace(0, 1, 30, dtype=np.float16).reshape(3, 10),
        [[1.0, 4.0, 9.0, 16.0, 25.0]],
        np.float64(3.0) * np.ones((2, 0)),
    ],
    ids=["int16", "float16", "list", "empty"],
)
def test_other_types(parity, data):
    """scipy filters float32 and float64 as they are, anything else as float64."""
    for mode in ("nearest", "interp"):
        compare(parity, data, width=3, mode=mode, name="other types")


def test_non_finite(parity, rng):
    """NaN and inf propagate, except that interp's fits of the ends (the first and last
    width values) refuse them, as scipy's least squares does (scipy >= 1.17; older scipy,
    the newest for Python 3.9 and 3.10, returns NaN there: swiftspec refuses regardless)."""
    data = rng.standard_normal((2, 30))
    data[0, 15] = np.nan
    data[1, 20] = -np.inf  # (positions 9 to 20: beyond interp's end fits)
    for mode in MODES:
        assert compare(parity, data, mode=mode, name="non-finite") is not None
    for position in (0, 8, 21, 29):
        edge = rng.standard_normal((3, 30)).astype(np.float32)
        edge[1, position] = np.nan
        for mode in MODES:
            if mode == "interp" and not SCIPY_1_17:
                with pytest.raises(ParameterError, match="must be finite"):
                    swiftspec.feature.delta(edge, mode=mode)
                continue
            assert (compare(parity, edge, mode=mode, name="non-finite") is None) == (
                mode == "interp"
            )


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(width=11),  # interp: width > data.shape[axis]
        dict(width=11, axis=-2, mode="interp"),
        dict(width=4),
        dict(width=2),
        dict(width=1),
        dict(width=-3),
        dict(width=0),
        dict(width=True),
        dict(width=5.5),
        dict(order=0),
        dict(order=-1),
        dict(order=1.5),
        dict(order=2.0),
        dict(width=3, order=3),  # scipy: polyorder must be less than width
        dict(width=5, polyorder=5),
        dict(width=5, polyorder=7, order=1),
        dict(mode="reflect"),
        dict(mode="bad"),
        dict(mode="Interp"),
        dict(window_length=3),
        dict(foo=1),  # TypeError from savgol_filter
        dict(axis=3, mode="nearest"),  # numpy AxisError
        dict(axis=-3),  # IndexError from data.shape[axis]
    ],
)
def test_errors(parity, rng, kwargs):
    data = rng.standard_normal((2, 10))
    result = parity.both(
        lambda: swiftspec.feature.delta(data, **kwargs),
        lambda: librosa.feature.delta(data, **kwargs),
    )
    assert result is None, "librosa accepted these arguments"


def test_error_messages_name_the_value():
    data = np.zeros((2, 10))
    with pytest.raises(swiftspec.ParameterError, match=r"width=11 cannot exceed .*=10"):
        swiftspec.feature.delta(data, width=11)
    with pytest.raises(swiftspec.ParameterError, match=r"width=4"):
        swiftspec.feature.delta(data, width=4)
    with pytest.raises(swiftspec.ParameterError, match=r"order=1\.5"):
        swiftspec.feature.delta(data, order=1.5)
    with pytest.raises(swiftspec.ParameterError, match=r"mode='bad'"):
        swiftspec.feature.delta(data, mode="bad")
    with pytest.raises(swiftspec.ParameterError, match=r"polyorder=5"):
        swiftspec.feature.delta(data, width=5, polyorder=5)
    with pytest.raises(swiftspec.ParameterError, match=r"width=2097153 is too large"):
        swiftspec.feature.delta(data, width=2**21 + 1, mode="nearest")


def test_integral_float_width(rng):
    """A documented difference: width=5.0 is 5 in every mode (scipy's interp raises
    TypeError for it)."""
    data = rng.standard_normal((2, 20))
    for mode in MODES:
        assert np.array_equal(
            swiftspec.feature.delta(data, width=5.0, mode=mode),
            swiftspec.feature.delta(data, width=5, mode=mode),
        )
    expected = librosa.feature.delta(data, width=5.0, mode="nearest")
    assert np.allclose(
        swiftspec.feature.delta(data, width=5.0, mode="nearest"), expected, rtol=0, atol=1e-12
    )


def test_layouts_and_threads(rng):
    """Non-contiguous, Fortran-ordered and read-only input give the same result as a
    C-contiguous copy, on one thread or several."""
    data = rng.standard_normal((4, 64, 3000)).astype(np.float32)
    expected = librosa.feature.delta(data, axis=-2)
    serial = swiftspec.feature.delta(data, axis=-2, n_threads=1)
    assert np.array_equal(swiftspec.feature.delta(data, axis=-2, n_threads=4), serial)
    assert np.allclose(serial, expected, rtol=0, atol=1e-5)
    fortran = np.asfortranarray(data)
    assert np.array_equal(swiftspec.feature.delta(fortran, axis=-2, n_threads=1), serial)
    view = np.swapaxes(np.ascontiguousarray(np.swapaxes(data, 0, 1)), 0, 1)
    assert np.array_equal(swiftspec.feature.delta(view, axis=-2, n_threads=1), serial)
    data.flags.writeable = False
    assert np.array_equal(swiftspec.feature.delta(data, axis=-2, n_threads=1), serial)


def test_does_not_modify_its_input(rng):
    data = rng.standard_normal((3, 30))
    copy = data.copy()
    swiftspec.feature.delta(data)
    assert np.array_equal(data, copy)
