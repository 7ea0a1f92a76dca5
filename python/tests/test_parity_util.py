# SPDX-License-Identifier: GPL-2.0-or-later
"""util.normalize against librosa.util.normalize over its parameter space (norms, axes,
thresholds, fills, types) and its errors; util.normalize_rms against its analytic
result (the RMS after scaling is the target level; silence is left as is)."""

import itertools

import numpy as np
import pytest

import swiftspec
from swiftspec.util import normalize, normalize_rms

librosa = pytest.importorskip("librosa")

NORMS = [np.inf, -np.inf, 0, 1, 2, 0.5, 3.7, np.float32(2), None]
AXES = [0, 1, -1, None]
THRESHOLDS = [None, 1e-3, 2.0]
FILLS = [None, False, True]


def sample(rng, dtype):
    """Columns and rows of every kind: a zero column, a small one, negatives, a row of
    zeros (min norm 0), values of several magnitudes."""
    S = rng.standard_normal((6, 5)) * np.array([1.0, 1e-3, 0.0, 10.0, 1.0])
    S[2] = 0.0
    S[4, 4] = -3.5
    if np.issubdtype(dtype, np.complexfloating):
        S = S + 1j * rng.standard_normal(S.shape) * (S != 0)
    return S.astype(dtype)


def assert_same(ours, ref):
    assert type(ours) is type(ref)
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    # The same arithmetic as librosa's: identical up to the last bit, signed zeros
    # included (fill=False divides by inf).
    np.testing.assert_array_equal(ours, ref)
    assert np.array_equal(np.signbit(np.real(ours)), np.signbit(np.real(ref)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.int32])
@pytest.mark.parametrize("norm", NORMS, ids=repr)
def test_normalize_sweep(parity, rng, norm, dtype):
    S = sample(rng, dtype)
    for axis, threshold, fill in itertools.product(AXES, THRESHOLDS, FILLS):
        kwargs = dict(norm=norm, axis=axis, threshold=threshold, fill=fill)
        outcome = parity.both(
            lambda: normalize(S, **kwargs), lambda: librosa.util.normalize(S, **kwargs)
        )
        if outcome is not None:
            assert_same(*outcome)


@pytest.mark.parametrize(
    "shape,axis", [((2, 3, 40), -1), ((2, 3, 40), 1), ((7,), 0), ((2, 0), 0), ((1, 1), None)]
)
def test_normalize_shapes(parity, rng, shape, axis):
    S = rng.standard_normal(shape).astype(np.float32)
    for norm, fill in itertools.product([np.inf, 2, 0], [None, False]):
        outcome = parity.both(
            lambda: normalize(S, norm=norm, axis=axis, fill=fill),
            lambda: librosa.util.normalize(S, norm=norm, axis=axis, fill=fill),
        )
        if outcome is not None:
            assert_same(*outcome)


def test_normalize_none_returns_the_input():
    S = np.ones((3, 3))
    assert normalize(S, norm=None) is S
    assert librosa.util.normalize(S, norm=None) is S


def test_normalize_peak_of_audio():
    """Peak normalisation of each channel, the waveform use."""
    y = np.array([[0.5, -0.25, 0.125], [0.0, 0.0, 0.0], [-0.02, 0.01, 0.0]])
    expected = np.array([[1.0, -0.5, 0.25], [0.0, 0.0, 0.0], [-1.0, 0.5, 0.0]])
    np.testing.assert_array_equal(normalize(y, axis=-1), expected)


@pytest.mark.parametrize(
    "S,kwargs",
    [
        (np.ones((2, 2)), dict(threshold=0)),
        (np.ones((2, 2)), dict(threshold=-1.0)),
        (np.ones((2, 2)), dict(fill="yes")),
        (np.ones((2, 2)), dict(fill=2)),
        (np.array([[1.0, np.nan]]), {}),
        (np.array([[1.0, np.inf]]), dict(norm=None)),
        (np.array([[1.0, -np.inf]], np.float32), {}),
        (np.ones((2, 2)), dict(norm=0, fill=True)),
        (np.ones((2, 2)), dict(norm=-1)),
        (np.ones((2, 2)), dict(norm="fro")),
        (np.ones((2, 2)), dict(norm=True)),
        (np.ones((2, 2)), dict(norm=1j)),
        (np.ones((2, 2)), dict(axis=2)),
        (np.ones((2, 2)), dict(axis=-3, norm=2)),
    ],
    ids=lambda value: repr(value) if isinstance(value, dict) else "",
)
def test_normalize_errors(parity, S, kwargs):
    assert (
        parity.both(lambda: normalize(S, **kwargs), lambda: librosa.util.normalize(S, **kwargs))
        is None
    )


def test_normalize_messages_name_the_value():
    with pytest.raises(swiftspec.ParameterError, match=r"threshold=-1\.0"):
        normalize(np.ones(2), threshold=-1.0)
    with pytest.raises(swiftspec.ParameterError, match=r"S\[0, 1\]=nan"):
        normalize(np.array([[1.0, np.nan]]))
    with pytest.raises(swiftspec.ParameterError, match=r"'fro'"):
        normalize(np.ones(2), norm="fro")


def test_signatures_match_librosa():
    import inspect

    ours = inspect.signature(normalize).parameters
    theirs = inspect.signature(librosa.util.normalize).parameters
    assert list(ours) == list(theirs)
    for name, param in theirs.items():
        assert ours[name].kind == param.kind and ours[name].default == param.default, name
    assert swiftspec.util.tiny(np.zeros(1)) == librosa.util.tiny(np.zeros(1))
    for value in (np.zeros(1, np.float32), np.zeros(1, np.complex128), 3, [1.0]):
        assert swiftspec.util.tiny(value) == librosa.util.tiny(value)
        assert type(swiftspec.util.tiny(value)) is type(librosa.util.tiny(value))


# ---- normalize_rms: analytic results ------------------------------------------------------


def rms(y, axis=-1):
    return np.sqrt(np.mean(np.asarray(y, np.float64) ** 2, axis=axis))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("target", [-20.0, -3.0103, 0.0, -60.0, 6])
def test_rms_reaches_the_target(rng, dtype, target):
    y = (0.3 * rng.standard_normal(8000)).astype(dtype)
    out = normalize_rms(y, target_dbfs=target)
    assert out.dtype == y.dtype and out.shape == y.shape
    expected = 10 ** (target / 20)
    assert abs(rms(out) - expected) <= (1e-6 if dtype == np.float32 else 1e-13) * expected
    # A gain, nothing else: the waveform's shape is kept.
    np.testing.assert_allclose(out, y * (expected / rms(y)), rtol=1e-6, atol=0)


def test_full_scale_sine_is_minus_3_dbfs():
    t = np.arange(48000) / 48000
    sine = np.sin(2 * np.pi * 1000 * t)
    out = normalize_rms(sine, target_dbfs=20 * np.log10(np.sqrt(0.5)))
    np.testing.assert_allclose(out, sine, rtol=0, atol=1e-12)


def test_silence_is_left_as_is(rng):
    y = np.zeros((3, 1000), np.float32)
    y[1] = 0.1 * rng.standard_normal(1000)
    y[2] = 1e-5 * rng.standard_normal(1000)  # -100 dBFS: silence above a -60 dBFS threshold
    out = normalize_rms(y, target_dbfs=-20, threshold=10 ** (-60 / 20))
    assert np.all(np.isfinite(out))
    np.testing.assert_array_equal(out[0], 0.0)
    np.testing.assert_array_equal(out[2], y[2])
    assert abs(rms(out[1]) - 0.1) <= 1e-6 * 0.1
    # The default threshold leaves only digital silence.
    out = normalize_rms(y, target_dbfs=-20)
    np.testing.assert_array_equal(out[0], 0.0)
    assert abs(rms(out[2]) - 0.1) <= 1e-6 * 0.1


def test_multichannel_axes(rng):
    y = rng.standard_normal((2, 3, 500)) * np.array([1.0, 0.01, 5.0])[:, None]
    target = 10 ** (-20 / 20)
    per_channel = normalize_rms(y)  # axis=-1: every channel on its own
    np.testing.assert_allclose(rms(per_channel), target, rtol=1e-12)
    joint = normalize_rms(y, axis=None)  # one gain: the balance between channels is kept
    assert abs(np.sqrt(np.mean(joint**2)) - target) <= 1e-12 * target
    np.testing.assert_allclose(joint / y, (joint / y).flat[0], rtol=1e-12)
    time_first = normalize_rms(np.moveaxis(y, -1, 0), axis=0)
    np.testing.assert_allclose(np.moveaxis(time_first, 0, -1), per_channel, rtol=1e-12)


def test_extreme_levels_stay_finite():
    """Quiet float64 audio (whose squares underflow) and loud audio (whose squares
    overflow) still reach the target; subnormal float32 audio is silence."""
    for scale in (1e-200, 1e200):
        y = scale * np.sin(np.arange(1000.0))
        out = normalize_rms(y, target_dbfs=-20)
        assert abs(rms(out) - 0.1) <= 1e-12
    y = np.full(100, 1e-40, np.float32)  # below float32's smallest normal
    np.testing.assert_array_equal(normalize_rms(y), y)


def test_input_is_not_modified(rng):
    y = rng.standard_normal(100)
    copy = y.copy()
    normalize_rms(y)
    assert np.array_equal(y, copy)
    empty = np.zeros((2, 0), np.float32)
    assert normalize_rms(empty).shape == (2, 0)


@pytest.mark.parametrize(
    "y,kwargs,match",
    [
        (np.array([0.1, np.nan]), {}, r"not finite"),
        (np.array([0.1, np.inf], np.float32), {}, r"not finite"),
        (np.arange(4), {}, r"floating-point"),
        ([0.1, 0.2], {}, r"numpy.ndarray"),
        (np.ones(4), dict(target_dbfs=np.inf), r"target_dbfs=inf"),
        (np.ones(4), dict(target_dbfs="loud"), r"target_dbfs='loud'"),
        (np.ones(4), dict(threshold=0), r"threshold=0"),
        (np.ones(4), dict(threshold=-1e-3), r"threshold=-0.001"),
        (np.ones(4, np.float16), dict(target_dbfs=120.0), r"beyond float16"),
    ],
)
def test_rms_errors(y, kwargs, match):
    with pytest.raises(swiftspec.ParameterError, match=match):
        normalize_rms(y, **kwargs)
