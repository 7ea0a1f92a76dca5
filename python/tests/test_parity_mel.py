# SPDX-License-Identifier: GPL-2.0-or-later
"""Mel filter banks and frequency conversions against librosa.

float32 bases (librosa's default) are bit-identical. float64 results go through exp, log,
log10 and pow: swiftspec uses the C library's (glibc), while numpy on a CPU with AVX-512
uses its own SIMD versions, which differ from glibc by 1 ulp on a few percent of
arguments. In-process, float64 results are therefore compared within a few ulps;
``test_float64_bit_identical_with_libm_numpy`` then reruns librosa in a subprocess with
numpy's AVX-512 code paths disabled (NPY_DISABLE_CPU_FEATURES, numpy's own switch) and
requires bit-identity there.
"""

import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

librosa = pytest.importorskip("librosa")
import swiftspec  # noqa: E402
from swiftspec import filters  # noqa: E402

LIBROSA_1_0_1 = tuple(int(part) for part in librosa.__version__.split(".")[:3]) >= (1, 0, 1)
needs_librosa_1_0_1 = pytest.mark.skipif(not LIBROSA_1_0_1, reason="dtype= is new in librosa 1.0.1")

CONFIGS = [
    (22050, 2048, 128),
    (16000, 400, 80),
    (16000, 512, 64),
    (44100, 2048, 128),
    (32000, 1024, 64),
    (8000, 255, 40),
    (48000, 1023, 128),
]
EMPTY_WARNING = "Empty filters detected in mel frequency basis"


def both_mel(parity, **kwargs):
    pair = parity.both(lambda: filters.mel(**kwargs), lambda: librosa.filters.mel(**kwargs))
    assert pair is not None
    return pair


def assert_identical(ours, ref):
    assert ours.dtype == ref.dtype and ours.shape == ref.shape, (
        ours.dtype,
        ours.shape,
        ref.dtype,
        ref.shape,
    )
    assert np.array_equal(ours, ref, equal_nan=True), (
        f"{int(np.sum(ours != ref))} of {ref.size} entries differ, max "
        f"{np.nanmax(np.abs(ours - ref)):.3g}"
    )


def assert_rows_close(parity, ours, ref, name, rtol=1e-13):
    """float64 bases: |error| <= rtol * the row's max (numpy SIMD exp/log vs glibc)."""
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref))
    if ref.size == 0:
        return
    with np.errstate(invalid="ignore"):
        scale = np.maximum(np.nanmax(np.abs(ref), axis=-1, keepdims=True), np.finfo(float).tiny)
        err = np.nan_to_num(np.abs(ours - ref)) / scale
    parity.record(f"{name}: max abs error / row max", err.max())
    assert err.max() <= rtol, err.max()


def assert_f64_close(parity, ours, ref, name, ulps=4, atol=1e-12):
    """float64 conversions: within ``ulps`` of librosa (plus ``atol`` for cancellation)."""
    ours, ref = np.asarray(ours), np.asarray(ref)
    assert ours.dtype == ref.dtype == np.float64 and ours.shape == ref.shape
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref))
    finite = np.isfinite(ref)
    np.testing.assert_array_equal(ours[~finite], ref[~finite])
    err = np.abs(ours[finite] - ref[finite])
    if err.size:
        measured = np.max(err / np.spacing(np.abs(ref[finite])))
        parity.record(f"{name}: max error in ulps (before atol {atol:g})", measured)
        assert np.all(err <= ulps * np.spacing(np.abs(ref[finite])) + atol), measured


def assert_within_ulps(parity, ours, ref, ulps, name):
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    spacing = np.spacing(np.abs(ref).astype(ref.dtype))
    diff = np.abs(ours.astype(np.float64) - ref.astype(np.float64))
    measured = np.max(diff / spacing) if ref.size else 0.0
    parity.record(f"{name}: max error in ulps", measured)
    assert measured <= ulps, measured


@pytest.mark.parametrize("htk", [False, True], ids=["slaney_scale", "htk_scale"])
@pytest.mark.parametrize("sr,n_fft,n_mels", CONFIGS)
def test_mel_bit_identical(parity, sr, n_fft, n_mels, htk):
    for norm in ("slaney", None):
        ours, ref = both_mel(parity, sr=sr, n_fft=n_fft, n_mels=n_mels, htk=htk, norm=norm)
        assert ours.dtype == np.float32
        assert_identical(ours, ref)
        ours, ref = both_mel(
            parity, sr=sr, n_fft=n_fft, n_mels=n_mels, htk=htk, norm=norm, dtype=np.float64
        )
        assert_rows_close(parity, ours, ref, "filters.mel float64")


@pytest.mark.parametrize("norm", [1, 2, np.inf, 1.0, 3, 0.5, -np.inf, 0, np.float64(2.0)], ids=str)
@pytest.mark.parametrize("sr,n_fft,n_mels", CONFIGS)
def test_mel_numeric_norm(parity, sr, n_fft, n_mels, norm):
    # util.normalize divides in float64 and rounds once: identical or within 1 ulp.
    for htk in (False, True):
        ours, ref = both_mel(parity, sr=sr, n_fft=n_fft, n_mels=n_mels, norm=norm, htk=htk)
        assert_within_ulps(
            parity, ours, ref, parity.tol.mel_norm_ulp, "filters.mel numeric norm float32"
        )
    ours, ref = both_mel(parity, sr=sr, n_fft=n_fft, n_mels=n_mels, norm=norm, dtype=np.float64)
    assert_rows_close(parity, ours, ref, "filters.mel numeric norm float64")


@pytest.mark.parametrize(
    "fmin,fmax",
    [
        (0.0, None),
        (20.0, None),
        (0.0, 8000.0),
        (300.0, 3400.0),
        (133.33, 6855.4976),
        (50.0, 20000.0),  # beyond Nyquist for some rates: empty filters and the warning
        (0.0, 30000.0),
        (4000.0, 1000.0),  # fmin > fmax: all zero, warning
        (-100.0, 5000.0),  # negative fmin: linear mel below 0
        (1000.0, 1000.5),
    ],
)
@pytest.mark.parametrize("htk", [False, True], ids=["slaney_scale", "htk_scale"])
@pytest.mark.parametrize(
    "sr,n_fft,n_mels", [(22050, 2048, 128), (16000, 400, 80), (8000, 255, 40), (48000, 1023, 128)]
)
def test_mel_frequency_range(parity, sr, n_fft, n_mels, htk, fmin, fmax):
    # parity.both also checks the empty-filter UserWarning is raised exactly when
    # librosa raises it.
    for norm in ("slaney", None):
        ours, ref = both_mel(
            parity, sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm
        )
        assert_identical(ours, ref)


def test_fmax_beyond_nyquist_warns():
    with pytest.warns(UserWarning, match=EMPTY_WARNING):
        ref = librosa.filters.mel(sr=22050, n_fft=2048, fmax=22050.0)
    with pytest.warns(UserWarning, match=EMPTY_WARNING):
        ours = filters.mel(sr=22050, n_fft=2048, fmax=22050.0)
    assert_identical(ours, ref)
    assert int(np.sum(ours.max(axis=1) == 0)) == 20  # the spec's figure


def test_fmin_above_fmax_warns():
    with pytest.warns(UserWarning, match=EMPTY_WARNING):
        ref = librosa.filters.mel(sr=16000, n_fft=512, n_mels=40, fmin=5000.0, fmax=1000.0)
    with pytest.warns(UserWarning, match=EMPTY_WARNING):
        ours = filters.mel(sr=16000, n_fft=512, n_mels=40, fmin=5000.0, fmax=1000.0)
    assert_identical(ours, ref)


def test_too_many_mels_warns():
    with pytest.warns(UserWarning, match=EMPTY_WARNING):
        ref = librosa.filters.mel(sr=16000, n_fft=512, n_mels=256)
    with pytest.warns(UserWarning, match=EMPTY_WARNING):
        ours = filters.mel(sr=16000, n_fft=512, n_mels=256)
    assert_identical(ours, ref)
    empty = np.flatnonzero(ours.max(axis=1) == 0)
    np.testing.assert_array_equal(empty, np.flatnonzero(ref.max(axis=1) == 0))
    assert len(empty) == 24


def test_enough_mels_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        filters.mel(sr=16000, n_fft=400, n_mels=128)
        filters.mel(sr=22050, n_fft=2048)


@pytest.mark.parametrize("n_mels", [0, 1, 2, 10])
def test_few_mels(parity, n_mels):
    ours, ref = both_mel(parity, sr=22050, n_fft=2048, n_mels=n_mels)
    assert_identical(ours, ref)


def test_fmin_equals_fmax(parity):
    # slaney norm: 0 * inf = NaN everywhere in librosa (with numpy RuntimeWarnings).
    for norm in ("slaney", None):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = librosa.filters.mel(
                sr=22050, n_fft=512, n_mels=8, fmin=1000.0, fmax=1000.0, norm=norm
            )
            ours = filters.mel(sr=22050, n_fft=512, n_mels=8, fmin=1000.0, fmax=1000.0, norm=norm)
        assert_identical(ours, ref)


def test_band_edges_meeting_on_a_bin(parity):
    """fmin == fmax on a bin (1000 Hz at sr=8000, n_fft=16): the ramps there are 0 / 0,
    NaN as numpy's minimum and maximum propagate it (found by test_properties.py). With
    norm=None librosa's util.normalize then refuses the basis."""
    for norm in ("slaney", None):
        kwargs = dict(sr=8000, n_fft=16, n_mels=1, fmin=1000.0, fmax=1000.0, norm=norm)
        with np.errstate(all="ignore"):
            pair = parity.both(lambda: filters.mel(**kwargs), lambda: librosa.filters.mel(**kwargs))
        if pair is not None:
            assert_identical(*pair)


@pytest.mark.parametrize("norm", ["l2", "Slaney", "bogus"])
def test_bad_norm_string(norm):
    with pytest.raises(librosa.ParameterError) as ref:
        librosa.filters.mel(sr=22050, n_fft=2048, norm=norm)
    with pytest.raises(swiftspec.ParameterError) as ours:
        filters.mel(sr=22050, n_fft=2048, norm=norm)
    assert str(ref.value) in str(ours.value)


@pytest.mark.parametrize("norm", [-1, np.nan, True])
def test_bad_norm_number(norm):
    with pytest.raises(librosa.ParameterError) as ref:
        librosa.filters.mel(sr=22050, n_fft=2048, norm=norm)
    with pytest.raises(swiftspec.ParameterError) as ours:
        filters.mel(sr=22050, n_fft=2048, norm=norm)
    assert str(ref.value) in str(ours.value)


def test_mel_returns_a_fresh_writable_array():
    first = filters.mel(sr=22050, n_fft=2048)
    first[:] = 0
    second = filters.mel(sr=22050, n_fft=2048)
    assert_identical(second, librosa.filters.mel(sr=22050, n_fft=2048))
    assert second.flags.writeable


# ---- Frequency grids and conversions ----------------------------------------------------

FFT_GRIDS = [
    (22050, 2048),
    (16000, 400),
    (8000, 255),
    (48000, 1023),
    (44100, 511),
    (22050.5, 1000),
    (1, 1),
    (16000, 3),
    (8000, 401),
    (22050, 1023),
]


@pytest.mark.parametrize("sr,n_fft", FFT_GRIDS)
def test_fft_frequencies(sr, n_fft):
    """``k * (sr / n_fft)`` as librosa 1.0.1; older librosa's numpy.fft.rfftfreq computes
    ``k * (1 / (n_fft * (1 / sr)))``, an ulp away for some sizes (8000, 401 here)."""
    ours = swiftspec.fft_frequencies(sr=sr, n_fft=n_fft)
    ref = librosa.fft_frequencies(sr=sr, n_fft=n_fft)
    if LIBROSA_1_0_1:
        assert_identical(ours, ref)
    else:
        assert ours.dtype == ref.dtype and ours.shape == ref.shape
        np.testing.assert_allclose(ours, ref, rtol=4 * np.finfo(np.float64).eps, atol=0)


@needs_librosa_1_0_1
@pytest.mark.parametrize(
    "dtype", [np.float32, np.float16, np.longdouble, np.int64, "float32"], ids=repr
)
@pytest.mark.parametrize("sr,n_fft", FFT_GRIDS)
def test_fft_frequencies_dtype(sr, n_fft, dtype):
    assert_identical(
        swiftspec.fft_frequencies(sr=sr, n_fft=n_fft, dtype=dtype),
        librosa.fft_frequencies(sr=sr, n_fft=n_fft, dtype=dtype),
    )


def test_fft_frequencies_defaults():
    assert_identical(swiftspec.fft_frequencies(), librosa.fft_frequencies())


@pytest.mark.parametrize("htk", [False, True])
@pytest.mark.parametrize(
    "n_mels,fmin,fmax",
    [
        (128, 0.0, 11025.0),
        (130, 0.0, 8000.0),
        (42, 0.0, 4000.0),
        (66, 0.0, 8000.0),
        (82, 0.0, 24000.0),
        (1, 100.0, 8000.0),
        (2, 0.0, 11025.0),
        (0, 0.0, 11025.0),
        (40, 5000.0, 6000.0),
        (20, 8000.0, 100.0),
        (10, -200.0, 500.0),
        (300, 20.0, 22050.0),
    ],
)
def test_mel_frequencies(parity, n_mels, fmin, fmax, htk):
    ours = swiftspec.mel_frequencies(n_mels, fmin=fmin, fmax=fmax, htk=htk)
    ref = librosa.mel_frequencies(n_mels, fmin=fmin, fmax=fmax, htk=htk)
    assert_f64_close(parity, ours, ref, "mel_frequencies")


@needs_librosa_1_0_1
@pytest.mark.parametrize("htk", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, "float32"], ids=repr)
def test_mel_frequencies_dtype(parity, dtype, htk):
    """The mels are spaced in ``dtype`` and converted as `mel_to_hz` converts them (an
    integer type truncates the mels and gives float64), so float32 has mel_to_hz's
    float32 tolerances (test_hz_to_mel_and_back)."""
    for n_mels, fmin, fmax in [(128, 0.0, 11025.0), (40, 20.0, 8000.0), (0, 0.0, 8000.0)]:
        ours = swiftspec.mel_frequencies(n_mels, fmin=fmin, fmax=fmax, htk=htk, dtype=dtype)
        ref = librosa.mel_frequencies(n_mels, fmin=fmin, fmax=fmax, htk=htk, dtype=dtype)
        name = f"mel_frequencies htk={htk} {ref.dtype}"
        if ref.dtype == np.float64:
            assert_f64_close(parity, ours, ref, name)
        elif not htk:
            assert_within_ulps(parity, ours, ref, 1, name)
        else:  # librosa's float32 HTK arithmetic: see test_hz_to_mel_and_back
            assert ours.dtype == ref.dtype and ours.shape == ref.shape
            err = np.abs(ours.astype(np.float64) - ref)
            assert np.all(err <= 2e-6 * np.abs(ref) + 1e-4), err.max()


def test_mel_frequencies_defaults(parity):
    assert_f64_close(
        parity, swiftspec.mel_frequencies(), librosa.mel_frequencies(), "mel_frequencies"
    )
    assert_f64_close(
        parity, swiftspec.mel_frequencies(64), librosa.mel_frequencies(64), "mel_frequencies"
    )


def _frequency_inputs():
    grid = np.concatenate(
        [np.linspace(0, 24000, 1001), [999.9999999, 1000.0, 1000.0000001, -100.0, 1e-300, 5e5]]
    )
    return {
        "python_float": 440.0,
        "python_int": 1000,
        "zero": 0.0,
        "np_float64": np.float64(1234.5),
        "zero_dim": np.array(2000.0),
        "list": [0.0, 500.0, 1000.0, 4000.0],
        "grid": grid,
        "grid_2d": grid[:1000].reshape(10, 100),
        "int_array": np.arange(0, 20000, 7),
        "float32_array": grid.astype(np.float32),
        "nan_inf": np.array([np.nan, np.inf, 100.0, -np.inf]),
    }


@pytest.mark.parametrize("htk", [False, True])
@pytest.mark.parametrize("case", list(_frequency_inputs()))
def test_hz_to_mel_and_back(parity, case, htk):
    values = _frequency_inputs()[case]
    for ours_fn, ref_fn in (
        (swiftspec.hz_to_mel, librosa.hz_to_mel),
        (swiftspec.mel_to_hz, librosa.mel_to_hz),
    ):
        inputs = values
        if ours_fn is swiftspec.mel_to_hz:
            # Mel inputs of a comparable range (0..~45 slaney, 0..~4000 htk).
            inputs = (
                np.asarray(values) / (1.0 if htk else 500.0)
                if not np.isscalar(values)
                else values / (1.0 if htk else 100.0)
            )
            if isinstance(values, np.ndarray) and values.dtype == np.float32:
                inputs = inputs.astype(np.float32)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # inf/-inf in the log branch
            ours = ours_fn(inputs, htk=htk)
            ref = ref_fn(inputs, htk=htk)
        assert type(ours) is type(ref), (type(ours), type(ref))
        ours, ref = np.asarray(ours), np.asarray(ref)
        assert ours.shape == ref.shape and ours.dtype == ref.dtype
        name = f"{ours_fn.__name__} htk={htk} {ref.dtype}"
        if ref.dtype == np.float32 and not htk:
            assert_within_ulps(parity, ours, ref, 1, name)
        elif ref.dtype == np.float32:
            # librosa evaluates the HTK formula in float32 arithmetic (1 + f/700, its
            # log10; 10**(m/2595) - 1): its own rounding error, up to ~1e-4 mel or Hz near
            # 0 and ~1e-6 relative for large values. swiftspec rounds the float64 result.
            finite = np.isfinite(ref)
            np.testing.assert_array_equal(ours[~finite], ref[~finite])
            err = np.abs(ours[finite].astype(np.float64) - ref[finite])
            bound = 2e-6 * np.abs(ref[finite]) + 1e-4
            parity.record(f"{name}: max abs error / (2e-6 |ref| + 1e-4)", np.max(err / bound))
            assert np.all(err <= bound), np.max(err / bound)
        else:
            assert_f64_close(parity, ours, ref, name)


# ---- float64 bit-identity against librosa on numpy without its AVX-512 math ------------

_NUMPY_SIMD_OFF = "AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR X86_V4"
_FLOAT64_CASES = [
    (sr, n_fft, n_mels, htk, norm)
    for sr, n_fft, n_mels in CONFIGS
    for htk in (False, True)
    for norm in ("slaney", None, 2, "inf")
]
_MEL_FREQ_CASES = [
    (128, 0.0, 11025.0),
    (300, 20.0, 22050.0),
    (82, 0.0, 24000.0),
    (40, 5000.0, 6000.0),
]

_REFERENCE_SCRIPT = r"""
import json, math, sys
import numpy as np
import librosa

# Only meaningful when numpy's float64 transcendental functions now agree with libm's.
x = np.random.default_rng(1).uniform(-30, 30, 200000)
p = np.abs(x) + 1e-3
checks = {"exp": (np.exp(x), [math.exp(v) for v in x]),
          "log": (np.log(p), [math.log(v) for v in p]),
          "log10": (np.log10(p), [math.log10(v) for v in p]),
          "power": (np.power(10.0, x / 10), [math.pow(10.0, v / 10) for v in x])}
bad = [name for name, (a, b) in checks.items() if not np.array_equal(a, np.array(b))]
if bad:
    print("SKIP numpy float64 " + ",".join(bad) + " still differ from libm")
    sys.exit(0)

cases, freq_cases, grid_path, out_path = json.loads(sys.argv[1])
grid = np.load(grid_path)
out = {}
for sr, n_fft, n_mels, htk, norm in cases:
    norm = np.inf if norm == "inf" else norm
    out[f"mel-{sr}-{n_fft}-{n_mels}-{htk}-{norm}"] = librosa.filters.mel(
        sr=sr, n_fft=n_fft, n_mels=n_mels, htk=htk, norm=norm, dtype=np.float64)
for n, lo, hi in freq_cases:
    for htk in (False, True):
        out[f"freq-{n}-{lo}-{hi}-{htk}"] = librosa.mel_frequencies(n, fmin=lo, fmax=hi, htk=htk)
for htk in (False, True):
    out[f"hz_to_mel-{htk}"] = librosa.hz_to_mel(grid, htk=htk)
    out[f"mel_to_hz-{htk}"] = librosa.mel_to_hz(grid / (1.0 if htk else 500.0), htk=htk)
np.savez(out_path, **out)
print("OK")
"""


def test_float64_bit_identical_with_libm_numpy(tmp_path):
    grid = np.concatenate([np.linspace(0, 24000, 20001), [999.9999999, 1000.0, 15.0]])
    grid_path = tmp_path / "grid.npy"
    out_path = tmp_path / "reference.npz"
    np.save(grid_path, grid)
    env = dict(os.environ, NPY_DISABLE_CPU_FEATURES=_NUMPY_SIMD_OFF, PYTHONWARNINGS="ignore")
    argument = json.dumps([_FLOAT64_CASES, _MEL_FREQ_CASES, str(grid_path), str(out_path)])
    run = subprocess.run(
        [sys.executable, "-c", _REFERENCE_SCRIPT, argument],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if run.returncode != 0:
        pytest.skip(f"reference subprocess failed: {run.stderr[-500:]}")
    if run.stdout.startswith("SKIP"):
        pytest.skip(run.stdout.strip())
    reference = np.load(out_path)
    for sr, n_fft, n_mels, htk, norm in _FLOAT64_CASES:
        value = np.inf if norm == "inf" else norm
        ours = filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, htk=htk, norm=value, dtype=np.float64)
        ref = reference[f"mel-{sr}-{n_fft}-{n_mels}-{htk}-{value}"]
        if isinstance(value, str) or value is None:
            assert_identical(ours, ref)
        else:  # util.normalize: numpy's pairwise sum; identical in practice
            assert np.max(np.abs(ours - ref) / np.spacing(np.abs(ref))) <= 1
    for n, lo, hi in _MEL_FREQ_CASES:
        for htk in (False, True):
            assert_identical(
                swiftspec.mel_frequencies(n, fmin=lo, fmax=hi, htk=htk),
                reference[f"freq-{n}-{lo}-{hi}-{htk}"],
            )
    for htk in (False, True):
        assert_identical(swiftspec.hz_to_mel(grid, htk=htk), reference[f"hz_to_mel-{htk}"])
        assert_identical(
            swiftspec.mel_to_hz(grid / (1.0 if htk else 500.0), htk=htk),
            reference[f"mel_to_hz-{htk}"],
        )
