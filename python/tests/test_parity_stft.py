# SPDX-License-Identifier: GPL-2.0-or-later
"""swiftspec.stft against librosa.stft (values, shapes, dtypes, warnings and errors)."""

import numpy as np
import pytest
from conftest import needs_scipy_1_17

librosa = pytest.importorskip("librosa")
import swiftspec  # noqa: E402

N_FFTS = [255, 256, 400, 511, 512, 1023, 2048]
PAD_MODES = ["constant", "edge", "reflect", "symmetric", "linear_ramp"]


def noise(rng, *shape, dtype=np.float32):
    return (0.5 * rng.standard_normal(shape)).astype(dtype)


def compare(parity, y, precision="exact", **kwargs):
    """swiftspec.stft(y, **kwargs) vs librosa.stft(y, **kwargs); checks the values."""
    pair = parity.both(
        lambda: swiftspec.stft(y, precision=precision, **kwargs), lambda: librosa.stft(y, **kwargs)
    )
    if pair is None:
        return None
    ours, ref = pair
    if precision == "fast":
        parity.assert_stft_fast(ours, ref)
    else:
        parity.assert_stft(ours, ref)
    return ours, ref


# ---- Parameter grids --------------------------------------------------------------------


def _hops(n_fft):
    return {
        "None": None,
        "1": 1,
        "quarter": n_fft // 4,
        "over_half": n_fft // 2 + 1,
        "over_n_fft": n_fft + 37,
    }


@pytest.mark.parametrize("center", [True, False], ids=["center", "uncentered"])
@pytest.mark.parametrize("hop_name", list(_hops(512)))
@pytest.mark.parametrize("n_fft", N_FFTS)
def test_hop_grid(parity, rng, n_fft, hop_name, center):
    hop = _hops(n_fft)[hop_name]
    # hop=1 makes one frame per sample: keep that signal short.
    length = n_fft + 300 if hop == 1 else 5 * n_fft + 123
    y = noise(rng, length)
    ours, _ = compare(parity, y, n_fft=n_fft, hop_length=hop, center=center)
    assert ours.shape[-2] == 1 + n_fft // 2


def _lengths(n_fft):
    return {
        "0": 0,
        "1": 1,
        "2": 2,
        "short": n_fft // 3,
        "n_fft-1": n_fft - 1,
        "n_fft": n_fft,
        "n_fft+1": n_fft + 1,
        "long": 4 * n_fft + 33,
    }


@pytest.mark.parametrize("length_name", list(_lengths(512)))
@pytest.mark.parametrize("pad_mode", PAD_MODES)
@pytest.mark.parametrize("n_fft", N_FFTS)
def test_lengths_and_pad_modes(parity, rng, n_fft, pad_mode, length_name):
    # Short signals (< n_fft) warn; empty ones fail as in librosa (odd n_fft: too short;
    # modes other than constant: numpy's "can't extend empty axis" ValueError).
    length = _lengths(n_fft)[length_name]
    y = noise(rng, length)
    compare(parity, y, n_fft=n_fft, hop_length=max(1, n_fft // 4), pad_mode=pad_mode)


@pytest.mark.parametrize("length_name", ["short", "n_fft-1", "n_fft", "n_fft+1", "long"])
@pytest.mark.parametrize("n_fft", N_FFTS)
def test_uncentered_lengths(parity, rng, n_fft, length_name):
    # Below n_fft: ParameterError in both; n_fft exactly: one frame.
    length = _lengths(n_fft)[length_name]
    y = noise(rng, length)
    result = compare(parity, y, n_fft=n_fft, hop_length=n_fft // 4, center=False)
    if length >= n_fft:
        assert result is not None and result[0].shape[-1] == 1 + (length - n_fft) // (n_fft // 4)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # librosa's uninitialised padding
@pytest.mark.parametrize("hop", [None, 100, 256])
@pytest.mark.parametrize("n_fft", N_FFTS)
def test_empty_pad_mode_interior_frames(parity, rng, n_fft, hop):
    """'empty' leaves the padding uninitialised in librosa: compare frames inside y."""
    y = noise(rng, 6 * n_fft + 5)
    ours = swiftspec.stft(y, n_fft=n_fft, hop_length=hop, pad_mode="empty")
    ref = librosa.stft(y, n_fft=n_fft, hop_length=hop, pad_mode="empty")
    assert ours.shape == ref.shape and ours.dtype == ref.dtype
    hop = n_fft // 4 if hop is None else hop
    starts = np.arange(ref.shape[-1]) * hop - n_fft // 2
    inside = (starts >= 0) & (starts + n_fft <= len(y))
    assert inside.sum() >= 3
    parity.assert_stft(ours[:, inside], ref[:, inside])


@pytest.mark.parametrize("center", [True, False], ids=["center", "uncentered"])
@pytest.mark.parametrize(
    "win_length,n_fft",
    [
        (None, 256),
        (128, 256),
        (None, 255),
        (127, 255),
        (101, 255),
        (200, 400),
        (401, 512),
        (256, 512),
        (255, 511),
        (301, 511),
        (511, 1023),
        (1000, 1023),
        (1024, 2048),
        (401, 2048),
        (2047, 2048),
    ],
)
def test_win_length(parity, rng, n_fft, win_length, center):
    # Default hop is win_length // 4 (100 for 401); odd differences pad the extra zero
    # on the right.
    y = noise(rng, 3 * n_fft + 11)
    compare(parity, y, n_fft=n_fft, win_length=win_length, center=center)
    compare(
        parity,
        y,
        n_fft=n_fft,
        win_length=win_length,
        center=center,
        hop_length=n_fft // 3,
        pad_mode="reflect",
    )


@pytest.mark.parametrize(
    "window",
    ["hamming", "blackman", "boxcar", "bartlett", "triang", ("kaiser", 8.0), "ones", "rect"],
)
def test_windows(parity, rng, window):
    y = noise(rng, 4000)
    compare(parity, y, n_fft=512, window=window)
    compare(parity, y, n_fft=511, win_length=401, window=window, pad_mode="reflect")


def test_window_array_and_callable(parity, rng):
    import scipy.signal

    y = noise(rng, 3000)
    array = scipy.signal.get_window("hann", 400) ** 2
    compare(parity, y, n_fft=512, win_length=400, window=array)
    compare(parity, y, n_fft=512, window=scipy.signal.windows.hamming)
    compare(parity, y, n_fft=512, window=list(np.hanning(512)))


@pytest.mark.parametrize("window", ["hann", "hamming", "boxcar"])
@pytest.mark.parametrize(
    "n_fft,hop,length", [(512, 256, 16384), (400, 200, 16000), (512, 300, 16200), (256, 1000, 5000)]
)
def test_reflect_tail_quirk(parity, rng, n_fft, hop, length, window):
    """librosa reflects the tail segment on its own when hop >= n_fft/2 (§4.2)."""
    y = noise(rng, length)
    ours, ref = compare(parity, y, n_fft=n_fft, hop_length=hop, pad_mode="reflect", window=window)
    # The last frame follows librosa's quirk, not a true full-signal reflection.
    p = n_fft // 2
    full = librosa.stft(
        np.pad(y, (p, p), mode="reflect"), n_fft=n_fft, hop_length=hop, window=window, center=False
    )
    assert full.shape == ref.shape
    quirk = np.max(np.abs(ref[:, -1].astype(np.complex128) - full[:, -1]))
    ours_vs_ref = np.max(np.abs(ours[:, -1].astype(np.complex128) - ref[:, -1]))
    if window != "hann":  # a window not zero at its edges shows the quirk plainly
        assert quirk > 1e-4 * np.max(np.abs(ref[:, -1])), quirk
    if quirk > 0:
        assert ours_vs_ref < quirk / 4, (ours_vs_ref, quirk)


# ---- Fast precision ---------------------------------------------------------------------


@pytest.mark.parametrize("pad_mode", ["constant", "reflect"])
@pytest.mark.parametrize("hop", [None, "over_half"])
@pytest.mark.parametrize("n_fft", N_FFTS)
def test_fast_precision(parity, rng, n_fft, hop, pad_mode):
    # Measured: max |error| about 2.5e-7 of the frame peak (float32 FFTW vs librosa's
    # float64 FFT); the bound is TOL.stft_fast_atol = 2e-6.
    hop = n_fft // 2 + 1 if hop == "over_half" else hop
    y = noise(rng, 6 * n_fft + 7)
    compare(parity, y, precision="fast", n_fft=n_fft, hop_length=hop, pad_mode=pad_mode)


def test_fast_precision_options(parity, rng):
    y = noise(rng, 2, 7000)
    compare(parity, y, precision="fast", n_fft=1023, win_length=401, center=False)
    compare(parity, y, precision="fast", n_fft=512, window="blackman", pad_mode="edge")
    compare(parity, y[:, :100], precision="fast", n_fft=512)  # shorter than n_fft
    y3 = noise(rng, 2, 3, 3000)
    compare(parity, y3, precision="fast", n_fft=256, hop_length=64)


def test_fast_precision_rejects_float64(rng):
    # A documented extension: fast mode computes in float32 only.
    with pytest.raises(swiftspec.ParameterError):
        swiftspec.stft(noise(rng, 3000, dtype=np.float64), precision="fast")
    with pytest.raises(swiftspec.ParameterError):
        swiftspec.stft(noise(rng, 3000), precision="fast", dtype=np.complex128)


# ---- Channels, dtypes, layouts, out= ----------------------------------------------------


@pytest.mark.parametrize("shape", [(2, 5000), (2, 3, 3001), (1, 4000), (3, 1, 2000)])
def test_multichannel(parity, rng, shape):
    y = noise(rng, *shape)
    ours, ref = compare(parity, y, n_fft=512, hop_length=160)
    assert ours.shape == shape[:-1] + (257, 1 + shape[-1] // 160)
    # Channel by channel, identical to the mono transform.
    flat = y.reshape(-1, shape[-1])
    ours_flat = ours.reshape((-1,) + ours.shape[-2:])
    for channel in range(flat.shape[0]):
        np.testing.assert_array_equal(
            ours_flat[channel], swiftspec.stft(flat[channel], n_fft=512, hop_length=160)
        )
    compare(parity, y, n_fft=400, hop_length=300, pad_mode="reflect", win_length=301)


def test_float64_input(parity, rng):
    y = noise(rng, 6000, dtype=np.float64)
    ours, ref = compare(parity, y, n_fft=1023)
    assert ours.dtype == np.complex128
    compare(parity, y, n_fft=400, hop_length=160, pad_mode="reflect")
    compare(parity, noise(rng, 2, 3000, dtype=np.float64), n_fft=256)


def test_complex128_from_float32(parity, rng):
    y = noise(rng, 6000)
    ours, ref = compare(parity, y, n_fft=512, dtype=np.complex128)
    assert ours.dtype == np.complex128
    # librosa's unrounded double result: much closer than complex64 rounding.
    parity.assert_stft(ours, ref, name="stft exact complex128", rtol=1e-12, floor=1e-9)
    compare(parity, y, n_fft=2048, dtype=np.complex64)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_out_exact_shape_returns_out(parity, rng, dtype, order):
    y = noise(rng, 2, 4000)
    shape = (2, 257, 1 + 4000 // 128)
    out = np.zeros(shape, dtype=dtype, order=order)
    ref_out = np.zeros(shape, dtype=dtype, order=order)
    result = swiftspec.stft(y, n_fft=512, out=out)
    ref = librosa.stft(y, n_fft=512, out=ref_out)
    assert result is out
    assert ref is ref_out
    parity.assert_stft(result, ref)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_out_wider_returns_view(parity, rng, dtype):
    y = noise(rng, 4000)
    n_frames = 1 + 4000 // 128
    sentinel = np.complex64(7 - 3j)
    out = np.full((257, n_frames + 5), sentinel, dtype=dtype)
    ref_out = np.full((257, n_frames + 5), sentinel, dtype=dtype)
    result = swiftspec.stft(y, n_fft=512, out=out)
    ref = librosa.stft(y, n_fft=512, out=ref_out)
    assert result.shape == ref.shape == (257, n_frames)
    assert result.base is out or np.shares_memory(result, out)
    assert np.shares_memory(result, out[:, :n_frames])
    np.testing.assert_array_equal(out[:, n_frames:], sentinel)  # untouched
    parity.assert_stft(result, ref)
    parity.assert_stft(out[:, :n_frames], ref)


def test_out_wins_over_dtype(parity, rng):
    y = noise(rng, 3000)
    out = np.zeros((257, 1 + 3000 // 128), dtype=np.complex64)
    result = swiftspec.stft(y, n_fft=512, out=out, dtype=np.complex128)
    ref = librosa.stft(y, n_fft=512, out=np.zeros_like(out), dtype=np.complex128)
    assert result.dtype == ref.dtype == np.complex64
    parity.assert_stft(result, ref)


@pytest.mark.parametrize(
    "layout",
    ["strided", "reversed", "fortran", "big_endian", "big_endian_f64", "float16", "readonly"],
)
def test_input_layouts(parity, rng, layout):
    base = noise(rng, 2, 9000)
    y = {
        "strided": base[0, ::2],
        "reversed": base[0, ::-1],
        "fortran": np.asfortranarray(base),
        "big_endian": base.astype(">f4"),
        "big_endian_f64": base.astype(">f8"),
        "float16": base[0].astype(np.float16),
        "readonly": base.copy(),
    }[layout]
    if layout == "readonly":
        y.flags.writeable = False
    ours, ref = compare(parity, y, n_fft=512, hop_length=128)
    # Identical to the transform of a contiguous native copy. (librosa maps only native
    # float64 to complex128: big-endian float64 gives complex64, as compare() checked.)
    np.testing.assert_array_equal(
        ours,
        swiftspec.stft(
            np.array(y, dtype=y.dtype.newbyteorder("="), order="C"),
            n_fft=512,
            hop_length=128,
            dtype=ref.dtype,
        ),
    )


# ---- Warnings and errors ----------------------------------------------------------------


@pytest.mark.parametrize("length", [0, 1, 100, 2047])
def test_warns_when_n_fft_exceeds_length(parity, rng, length):
    y = noise(rng, length)
    with pytest.warns(
        UserWarning, match=f"n_fft=2048 is too large for input signal of length={length}"
    ):
        ours = swiftspec.stft(y)
    with pytest.warns(UserWarning, match="n_fft=2048 is too large"):
        ref = librosa.stft(y)
    parity.assert_stft(ours, ref)
    assert ours.shape == (1025, 1 + length // 512)


def test_no_warning_at_exact_length(rng):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        swiftspec.stft(noise(rng, 2048))
        swiftspec.stft(noise(rng, 2048), precision="fast")


def _error_cases():
    y = np.linspace(-1, 1, 3000, dtype=np.float32)
    return {
        "uncentered_too_long_n_fft": (y[:1000], dict(n_fft=2048, center=False), "2048"),
        "hop_zero": (y, dict(hop_length=0), "hop_length=0"),
        "hop_float": (y, dict(hop_length=128.0), "128.0"),
        "hop_negative": (y, dict(hop_length=-5), "-5"),
        "win_length_too_long": (y, dict(n_fft=512, win_length=600), "600"),
        "pad_mode_wrap": (y, dict(pad_mode="wrap"), "wrap"),
        "pad_mode_mean": (y, dict(pad_mode="mean"), "mean"),
        "pad_mode_maximum": (y, dict(pad_mode="maximum"), "maximum"),
        "empty_odd_n_fft": (y[:0], dict(n_fft=511), "511"),
        "empty_reflect": (y[:0], dict(n_fft=512, pad_mode="reflect"), None),
        "empty_edge": (y[:0], dict(n_fft=512, pad_mode="edge"), None),
        "empty_uncentered": (y[:0], dict(n_fft=512, center=False), "512"),
        "window_size_mismatch": (y, dict(n_fft=512, window=np.ones(500)), "500"),
        "window_invalid_name": (y, dict(window="no-such-window"), "no-such-window"),
        "window_none": (y, dict(window=None), "None"),
        "int_audio": ((y * 1000).astype(np.int16), {}, None),
        "complex_audio": (y.astype(np.complex64), {}, None),
        "nan_audio": (np.where(np.arange(3000) == 7, np.nan, y).astype(np.float32), {}, None),
        "inf_audio": (np.where(np.arange(3000) == 7, np.inf, y).astype(np.float32), {}, None),
        "scalar_audio": (np.float32(1.0), {}, None),
        "zero_dim_audio": (np.array(1.0, dtype=np.float32), {}, "()"),
        "list_audio": ([0.0] * 3000, {}, None),
        "n_fft_zero": (y, dict(n_fft=0), "0"),
        "n_fft_float": (y, dict(n_fft=512.0), "512.0"),
        "win_length_zero": (y, dict(win_length=0), "0"),
        "out_shape": (y, dict(n_fft=512, out=np.zeros((257, 3), np.complex64)), "(257, 3)"),
        "out_leading_shape": (
            y,
            dict(n_fft=512, out=np.zeros((2, 257, 30), np.complex64)),
            "(2, 257, 30)",
        ),
        "out_real": (y, dict(n_fft=512, out=np.zeros((257, 24), np.float32)), "float32"),
        "dtype_bogus": (y, dict(dtype="bogus"), None),
    }


# librosa's errors for these come from scipy's get_window.
SCIPY_ERROR_CASES = ("n_fft_zero", "n_fft_float", "win_length_zero")


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(case, marks=needs_scipy_1_17) if case in SCIPY_ERROR_CASES else case
        for case in _error_cases()
    ],
)
def test_errors_match_librosa(parity, case):
    y, kwargs, needle = _error_cases()[case]
    ref, ref_error, _ = parity.outcome(librosa.stft, y, **kwargs)
    ours, our_error, _ = parity.outcome(swiftspec.stft, y, **kwargs)
    assert ref_error is not None, f"librosa accepted {case}"
    assert our_error is not None, f"swiftspec accepted {case}: librosa raised {ref_error!r}"
    parity.assert_same_error(our_error, ref_error)
    if needle is not None:
        assert needle in str(our_error), (str(our_error), needle)
