# SPDX-License-Identifier: GPL-2.0-or-later
"""power_to_db, amplitude_to_db, db_to_power and db_to_amplitude against librosa.

librosa 1.0 reduces ``ref`` callables and ``top_db`` per channel (``axes='auto'``, the
last two axes); 0.11 has no ``axes`` and reduces over the whole array. swiftspec follows
1.0; against 0.11, multichannel input is compared with ``axes=None`` (the global
behaviour). Mono (ndim <= 2) input behaves the same in both versions.
"""

import warnings

import numpy as np
import pytest

librosa = pytest.importorskip("librosa")
import swiftspec  # noqa: E402

LIBROSA_1 = int(librosa.__version__.split(".")[0]) >= 1
LIBROSA_1_0_1 = tuple(int(part) for part in librosa.__version__.split(".")[:3]) >= (1, 0, 1)
needs_librosa_1 = pytest.mark.skipif(not LIBROSA_1, reason="axes= is new in librosa 1.0")


def power_spectrogram(rng, *lead, n=6000, dtype=np.float32):
    y = (0.3 * rng.standard_normal(lead + (n,))).astype(np.float32)
    # A silent stretch so that the floors (amin, top_db) matter.
    y[..., 1000:2500] *= 1e-4
    y[..., 3000:3600] = 0.0
    S = np.abs(librosa.stft(y, n_fft=512, hop_length=256)) ** 2
    if lead:  # channels at different levels: per-channel and global floors differ
        S *= np.logspace(0, -6, int(np.prod(lead))).reshape(lead + (1, 1)).astype(S.dtype)
    return S.astype(dtype)


def ours_kwargs(S, kwargs):
    """Against librosa 0.11, multichannel input is compared with axes=None."""
    if not LIBROSA_1 and np.ndim(S) > 2 and "axes" not in kwargs:
        return dict(kwargs, axes=None)
    return kwargs


def compare(parity, fn_name, S, name=None, expected_type=None, **kwargs):
    """Values and type against librosa's (its value in ``expected_type`` if given)."""
    ours_fn = getattr(swiftspec, fn_name)
    ref_fn = getattr(librosa, fn_name)
    pair = parity.both(lambda: ours_fn(S, **ours_kwargs(S, kwargs)), lambda: ref_fn(S, **kwargs))
    assert pair is not None, "librosa raised"
    ours, ref = pair
    if expected_type is not None:  # librosa's value, rounded to the expected type
        ref = expected_type(ref)
    assert type(ours) is type(ref), (type(ours), type(ref))
    parity.assert_db(ours, ref, parity.tol.db_atol, name or f"{fn_name} {np.asarray(ref).dtype}")
    return ours, ref


REFS = {
    "one": 1.0,
    "scalar": 2.5,
    "tiny": 1e-12,
    "np_float32": np.float32(0.5),
    "negative": -3.0,
    "max": np.max,
    "amax": np.amax,
    "median": np.median,
    "mean": np.mean,
}


@pytest.mark.parametrize("top_db", [80.0, None, 40.0, 0.0, 120])
@pytest.mark.parametrize("ref", list(REFS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_power_to_db(parity, rng, dtype, ref, top_db):
    S = power_spectrogram(rng, dtype=dtype)
    ours, _ = compare(parity, "power_to_db", S, ref=REFS[ref], top_db=top_db)
    assert ours.dtype == dtype


@pytest.mark.parametrize("amin", [1e-10, 1e-5, 1e-3, 1e-20, 1.0])
@pytest.mark.parametrize("fn_name", ["power_to_db", "amplitude_to_db"])
def test_amin(parity, rng, fn_name, amin):
    S = power_spectrogram(rng)
    if fn_name == "amplitude_to_db":
        S = np.sqrt(S)
    for ref in (1.0, np.max):
        for top_db in (80.0, None):
            compare(parity, fn_name, S, amin=amin, ref=ref, top_db=top_db)


@pytest.mark.parametrize("top_db", [80.0, None, 30.0])
@pytest.mark.parametrize("ref", list(REFS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_amplitude_to_db(parity, rng, dtype, ref, top_db):
    S = np.sqrt(power_spectrogram(rng, dtype=dtype))
    ours, _ = compare(parity, "amplitude_to_db", S, ref=REFS[ref], top_db=top_db)
    assert ours.dtype == dtype


@pytest.mark.parametrize("shape", [(2,), (2, 3), (1,), (3, 1)])
@pytest.mark.parametrize("fn_name", ["power_to_db", "amplitude_to_db"])
def test_multichannel(parity, rng, fn_name, shape):
    S = power_spectrogram(rng, *shape)
    if fn_name == "amplitude_to_db":
        S = np.sqrt(S)
    for ref in (1.0, np.max, np.median):
        for top_db in (80.0, None, 20.0):
            compare(parity, fn_name, S, ref=ref, top_db=top_db)


@needs_librosa_1
@pytest.mark.parametrize("axes", [None, -1, (0,), (-2, -1), (0, 2), ()])
@pytest.mark.parametrize("fn_name", ["power_to_db", "amplitude_to_db"])
def test_explicit_axes(parity, rng, fn_name, axes):
    S = power_spectrogram(rng, 2)
    if fn_name == "amplitude_to_db":
        S = np.sqrt(S)
    for ref in (1.0, np.max, np.median):
        for top_db in (80.0, None, 20.0):
            compare(parity, fn_name, S, ref=ref, top_db=top_db, axes=axes)


@pytest.mark.parametrize("fn_name", ["power_to_db", "amplitude_to_db"])
def test_one_dimensional(parity, rng, fn_name):
    S = power_spectrogram(rng)[:, 10]
    for ref in (1.0, np.max, np.median):
        for top_db in (80.0, None, 10.0):
            compare(parity, fn_name, S, ref=ref, top_db=top_db)


@pytest.mark.parametrize(
    "value",
    [
        5.0,
        0.0,
        1e-12,
        3,
        np.float32(2.0),
        np.float64(0.25),
        np.array(7.0),
        np.array(7.0, dtype=np.float32),
    ],
    ids=repr,
)
@pytest.mark.parametrize("fn_name", ["power_to_db", "amplitude_to_db"])
def test_scalar_input_returns_numpy_scalar(parity, fn_name, value):
    """A numpy scalar of the type an array gets (librosa 1.0.1 subtracts the reference in
    place). 0.11 and 1.0.0 returned float64 for a float32 scalar; swiftspec follows 1.0.1,
    so against them the type is librosa's for the value as a one-element array."""
    for ref in (1.0, 0.5, np.max):
        expected_type = None
        if not LIBROSA_1_0_1:
            expected_type = type(getattr(librosa, fn_name)(np.reshape(value, 1), ref=ref)[0])
        ours, ref_value = compare(parity, fn_name, value, expected_type=expected_type, ref=ref)
        assert np.ndim(ours) == 0 and not isinstance(ours, np.ndarray), type(ours)


@pytest.mark.parametrize("fn_name", ["power_to_db", "amplitude_to_db"])
def test_complex_input_warns(parity, rng, fn_name):
    S = librosa.stft((0.1 * rng.standard_normal(4000)).astype(np.float32), n_fft=256)
    with pytest.warns(UserWarning, match="complex input so phase information will be discarded"):
        ref = getattr(librosa, fn_name)(S)
    with pytest.warns(UserWarning, match="complex input so phase information will be discarded"):
        ours = getattr(swiftspec, fn_name)(S)
    parity.assert_db(ours, ref, parity.tol.db_atol, f"{fn_name} complex input")
    for ref in (1.0, np.max):  # parity.both checks the warning texts match
        compare(parity, fn_name, S, ref=ref)
        compare(parity, fn_name, S.astype(np.complex128), ref=ref)


@pytest.mark.parametrize("fn_name", ["power_to_db", "amplitude_to_db"])
@pytest.mark.parametrize("special", ["nan", "inf", "neg_inf", "negative", "zeros"])
def test_non_finite_and_special_values(parity, rng, fn_name, special):
    """§15: NaN with top_db makes the channel NaN; +inf makes it +inf; negatives clamp."""
    S = power_spectrogram(rng, 2)
    if special == "zeros":
        S[:] = 0.0
    else:
        S[0, 10, 5] = {"nan": np.nan, "inf": np.inf, "neg_inf": -np.inf, "negative": -1.0}[special]
    if fn_name == "amplitude_to_db":
        S = np.where(np.isnan(S), S, np.sign(S) * np.sqrt(np.abs(S))).astype(S.dtype)
    for ref in (1.0, np.max):
        for top_db in (80.0, None):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # numpy on inf - inf
                compare(parity, fn_name, S, ref=ref, top_db=top_db)
    mono = S[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        compare(parity, fn_name, S[0], ref=1.0)
        compare(parity, fn_name, mono, ref=np.max)


def test_all_zeros_floor_values(parity):
    # librosa's floor is 10 * log10(float32(1e-10)) = -100.00001 with numpy's AVX-512
    # float32 log10 (1 ulp below the correctly rounded -100.0 of glibc's log10f).
    S = np.zeros((4, 5), dtype=np.float32)
    ours, ref = compare(parity, "power_to_db", S)
    assert np.all(ours == ours.flat[0])
    assert abs(float(ours.flat[0]) + 100.0) <= 2 * np.spacing(np.float32(100.0))
    ours, ref = compare(parity, "power_to_db", S, ref=np.max)
    assert np.all(ours == 0.0)


@pytest.mark.parametrize("dtype", [np.int16, np.int64, np.float16, np.longdouble, np.bool_])
def test_other_input_dtypes(parity, rng, dtype):
    S = (rng.uniform(0, 30, (20, 30))).astype(dtype)
    # librosa's amplitude_to_db fails on bool input (numpy can't square into bool).
    names = ("power_to_db",) if dtype == np.bool_ else ("power_to_db", "amplitude_to_db")
    for fn_name in names:
        for ref in (1.0, np.max):
            if dtype == np.float16:
                # librosa computes every step in float16 (swiftspec in float32, rounded
                # once): within 1 float16 ulp of the intermediate dB values (< 64 dB here).
                ours, ref_db = parity.both(
                    lambda: getattr(swiftspec, fn_name)(S, ref=ref),
                    lambda: getattr(librosa, fn_name)(S, ref=ref),
                )
                assert ours.dtype == ref_db.dtype == np.float16
                err = np.abs(ours.astype(np.float64) - ref_db)
                parity.record(f"{fn_name} float16: max abs error (dB)", err.max())
                assert err.max() <= np.spacing(np.float16(32.0)), err.max()
            else:
                compare(parity, fn_name, S, ref=ref)


def test_list_input(parity):
    compare(parity, "power_to_db", [[1.0, 0.1], [1e-3, 1e-12]])
    compare(parity, "amplitude_to_db", [[1.0, 0.1], [1e-3, 1e-12]], ref=np.max)


def test_errors(parity):
    S = np.ones((4, 4), dtype=np.float32)
    for kwargs in (dict(amin=0.0), dict(amin=-1e-10), dict(top_db=-1.0)):
        with pytest.raises(librosa.ParameterError):
            librosa.power_to_db(S, **kwargs)
        with pytest.raises(swiftspec.ParameterError):
            swiftspec.power_to_db(S, **kwargs)
    with pytest.raises(librosa.ParameterError):
        librosa.amplitude_to_db(S, amin=0.0)
    with pytest.raises(swiftspec.ParameterError):
        swiftspec.amplitude_to_db(S, amin=0.0)


@needs_librosa_1
def test_ref_callable_without_axis_keyword(parity):
    S = np.ones((4, 4), dtype=np.float32)
    for fn_name in ("power_to_db", "amplitude_to_db"):
        with pytest.raises(librosa.ParameterError) as ref:
            getattr(librosa, fn_name)(S, ref=lambda x: x.max())
        with pytest.raises(swiftspec.ParameterError) as ours:
            getattr(swiftspec, fn_name)(S, ref=lambda x: x.max())
        assert str(ref.value) in str(ours.value)


def test_inputs_not_modified(rng):
    S = power_spectrogram(rng, 2)
    copy = S.copy()
    swiftspec.power_to_db(S, ref=np.max)
    swiftspec.amplitude_to_db(S, ref=np.median)
    np.testing.assert_array_equal(S, copy)


# ---- Back from decibels -----------------------------------------------------------------


@pytest.mark.parametrize("ref", [1.0, 2.5, np.float64(0.5), np.float32(3.0), 1])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_db_to_power_and_amplitude(parity, rng, dtype, ref):
    S_db = rng.uniform(-120, 40, (2, 64, 50)).astype(dtype)
    for ours_fn, ref_fn in (
        (swiftspec.db_to_power, librosa.db_to_power),
        (swiftspec.db_to_amplitude, librosa.db_to_amplitude),
    ):
        ours, expected = ours_fn(S_db, ref=ref), ref_fn(S_db, ref=ref)
        assert ours.dtype == expected.dtype and ours.shape == expected.shape
        rel = np.max(np.abs(ours - expected) / np.abs(expected))
        parity.record(f"{ours_fn.__name__} {np.dtype(dtype).name}: max rel error", rel)
        np.testing.assert_array_equal(ours, expected)


@pytest.mark.parametrize(
    "value", [0.0, -100.0, 3, np.float32(-6.0), np.array(20.0), [0.0, -10.0]], ids=repr
)
def test_db_to_power_scalars_and_lists(value):
    for ours_fn, ref_fn in (
        (swiftspec.db_to_power, librosa.db_to_power),
        (swiftspec.db_to_amplitude, librosa.db_to_amplitude),
    ):
        if isinstance(value, list):  # librosa: list * 0.1 raises TypeError
            with pytest.raises(TypeError):
                ref_fn(value)
            with pytest.raises(TypeError):
                ours_fn(value)
            continue
        ours, expected = ours_fn(value), ref_fn(value)
        assert type(ours) is type(expected)
        assert np.array_equal(ours, expected)


def test_round_trip(rng):
    S = power_spectrogram(rng)
    db = swiftspec.power_to_db(S, top_db=None)
    np.testing.assert_allclose(swiftspec.db_to_power(db), np.maximum(S, 1e-10), rtol=2e-5)
