# SPDX-License-Identifier: GPL-2.0-or-later
"""Every ParameterError path of the public API, and librosa's warnings.

Each case asserts that swiftspec raises ``swiftspec.ParameterError`` (which is also a
``ValueError``) and that the message names the offending value. Where librosa rejects
the same input, the case also asserts that librosa raises (its ``ParameterError`` or a
``ValueError``); those cases skip themselves when librosa is not installed, and where
librosa's error comes from scipy's get_window, they check librosa only with scipy >= 1.17
(conftest.SCIPY_1_17). Cases where
swiftspec is deliberately stricter than librosa (e.g. ``power <= 0``, ``dct_type=4``,
``sr=NaN``) check swiftspec only.
"""

import warnings

import numpy as np
import pytest
from conftest import SCIPY_1_17

import swiftspec

SR = 16000


def _signal(n=4096, dtype=np.float32):
    t = np.arange(n) / SR
    return (0.5 * np.sin(2 * np.pi * 440.0 * t)).astype(dtype)


Y = _signal()


def _librosa():
    return pytest.importorskip("librosa")


def _librosa_major(librosa):
    return int(librosa.__version__.split(".")[0])


def assert_parameter_error(call, *fragments):
    """``call()`` raises swiftspec.ParameterError (a ValueError) whose message contains
    every fragment (the offending value)."""
    with pytest.raises(swiftspec.ParameterError) as info:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call()
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return info.value


def assert_librosa_raises(call):
    """librosa also rejects the input: its ParameterError or a ValueError."""
    librosa = _librosa()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises((librosa.ParameterError, ValueError)):
            call(librosa)


def run_case(call, fragments, librosa_too):
    assert_parameter_error(lambda: call(swiftspec), *fragments)
    if librosa_too:
        assert_librosa_raises(call)


# ---- valid_audio ------------------------------------------------------------------------

AUDIO_CASES = [
    # id, y, message fragments
    ("list", [0.0] * 1024, ["numpy.ndarray", "list"]),
    ("python_scalar", 1.0, ["numpy.ndarray", "float"]),
    ("numpy_scalar", np.float32(1.0), ["numpy.ndarray", "float32"]),
    ("zero_dim", np.array(1.0, dtype=np.float32), ["one-dimensional", "y.shape=()"]),
    ("int16", np.zeros(1024, dtype=np.int16), ["floating-point", "int16"]),
    ("bool", np.zeros(1024, dtype=bool), ["floating-point", "bool"]),
    ("complex", np.zeros(1024, dtype=np.complex64), ["floating-point", "complex64"]),
    ("nan", np.r_[Y[:100], np.float32(np.nan), Y[:100]], ["not finite", "y[100]=nan"]),
    ("inf", np.r_[Y[:7], np.float32(np.inf)], ["not finite", "y[7]=inf"]),
    (
        "neg_inf_2d",
        np.stack([Y[:64], np.r_[Y[:9], -np.inf, Y[:54]]]),
        ["not finite", "y[1, 9]=-inf"],
    ),
]


@pytest.mark.parametrize(
    "y,fragments", [c[1:] for c in AUDIO_CASES], ids=[c[0] for c in AUDIO_CASES]
)
def test_stft_rejects_invalid_audio(y, fragments):
    run_case(lambda m: m.stft(y, n_fft=64), fragments, librosa_too=True)


@pytest.mark.parametrize(
    "y,fragments", [c[1:] for c in AUDIO_CASES], ids=[c[0] for c in AUDIO_CASES]
)
def test_melspectrogram_and_mfcc_reject_invalid_audio(y, fragments):
    run_case(
        lambda m: m.feature.melspectrogram(y=y, sr=SR, n_fft=64, n_mels=8),
        fragments,
        librosa_too=True,
    )
    run_case(lambda m: m.feature.mfcc(y=y, sr=SR, n_fft=64, n_mels=8), fragments, librosa_too=True)


@pytest.mark.parametrize("n_threads", [1, 2, 8])
@pytest.mark.parametrize("position", [0, 1_234_567, -1])
def test_non_finite_audio_is_found_anywhere_in_a_threaded_batch(position, n_threads):
    # The engine's finiteness scan is split over threads: each piece must be looked at.
    y = np.zeros((8, 300_000), dtype=np.float32)
    y.reshape(-1)[position] = np.inf
    row, column = divmod(position % y.size, y.shape[1])
    for call in (
        lambda: swiftspec.stft(y, n_fft=512, n_threads=n_threads),
        lambda: swiftspec.feature.melspectrogram(
            y=y, sr=SR, n_fft=512, n_mels=16, n_threads=n_threads
        ),
    ):
        assert_parameter_error(call, "not finite", f"y[{row}, {column}]=inf")


# ---- n_fft / hop_length / win_length ------------------------------------------------------

SIZE_CASES = [
    # id, kwargs, fragments, librosa also raises
    ("n_fft_zero", dict(n_fft=0), ["n_fft=0"], SCIPY_1_17),
    ("n_fft_negative", dict(n_fft=-4), ["n_fft=-4"], True),
    ("n_fft_float", dict(n_fft=128.0), ["n_fft=128.0"], SCIPY_1_17),
    ("n_fft_str", dict(n_fft="512"), ["n_fft='512'"], False),  # librosa: TypeError
    ("n_fft_bool", dict(n_fft=True), ["n_fft=True"], False),
    # librosa: MemoryError (2**40) / "array is too big" (2**62) from the window
    ("n_fft_2e40", dict(n_fft=2**40), ["n_fft=1099511627776", "too large"], False),
    ("n_fft_2e62", dict(n_fft=2**62), ["n_fft=4611686018427387904", "too large"], False),
    ("n_fft_2e31", dict(n_fft=2**31), ["n_fft=2147483648", "too large"], False),
    ("hop_zero", dict(hop_length=0), ["hop_length=0"], True),
    ("hop_negative", dict(hop_length=-1), ["hop_length=-1"], True),
    ("hop_float", dict(hop_length=128.0), ["hop_length=128.0"], True),
    # ctypes would wrap 2**64 + 4 to 4 silently; librosa computes one frame
    ("hop_beyond_int64", dict(hop_length=2**64 + 4), ["hop_length=18446744073709551620"], False),
    ("default_hop_zero", dict(n_fft=3), ["hop_length=0", "win_length=3"], False),
    ("win_length_zero", dict(win_length=0), ["win_length=0"], SCIPY_1_17),
    ("win_length_negative", dict(win_length=-4), ["win_length=-4"], True),
    ("win_length_float", dict(win_length=128.0), ["win_length=128.0"], SCIPY_1_17),
    (
        "win_length_2e40",
        dict(n_fft=2048, win_length=2**40),
        ["Target size (2048)", "input size (1099511627776)"],
        False,
    ),
    (
        "win_length_2e62",
        dict(n_fft=2048, win_length=2**62),
        ["Target size (2048)", "input size (4611686018427387904)"],
        False,
    ),
    (
        "win_length_above_n_fft",
        dict(n_fft=512, win_length=600),
        ["Target size (512)", "input size (600)"],
        True,
    ),
]


@pytest.mark.parametrize(
    "kwargs,fragments,librosa_too", [c[1:] for c in SIZE_CASES], ids=[c[0] for c in SIZE_CASES]
)
def test_stft_rejects_bad_sizes(kwargs, fragments, librosa_too):
    run_case(lambda m: m.stft(Y, **kwargs), fragments, librosa_too)


@pytest.mark.parametrize(
    "kwargs,fragments,librosa_too", [c[1:] for c in SIZE_CASES], ids=[c[0] for c in SIZE_CASES]
)
def test_melspectrogram_rejects_bad_sizes(kwargs, fragments, librosa_too):
    if kwargs.get("n_fft") == 3:  # melspectrogram's hop default is 512, not win_length // 4
        kwargs = dict(kwargs, hop_length=None)
    run_case(
        lambda m: m.feature.melspectrogram(y=Y, sr=SR, n_mels=8, **kwargs), fragments, librosa_too
    )


@pytest.mark.parametrize("hop_length", [2**40, 2**62, 2**63 - 1])
def test_huge_hop_is_librosa_like(hop_length):
    """A hop beyond the signal gives librosa's single frame: no crash, no overflow."""
    ours = swiftspec.stft(Y, n_fft=512, hop_length=hop_length)
    assert ours.shape == (257, 1)
    for mode in ("constant", "reflect", "edge"):
        again = swiftspec.stft(Y, n_fft=512, hop_length=hop_length, pad_mode=mode)
        assert again.shape == (257, 1)
    mel = swiftspec.feature.melspectrogram(y=Y, sr=SR, n_fft=512, hop_length=hop_length, n_mels=16)
    assert mel.shape == (16, 1)
    librosa = _librosa()
    ref = librosa.stft(Y, n_fft=512, hop_length=hop_length)
    assert ref.shape == ours.shape
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-5 * np.abs(ref).max())


def test_mel_and_fft_frequencies_reject_huge_n_fft():
    assert_parameter_error(lambda: swiftspec.filters.mel(sr=SR, n_fft=2**40), "n_fft=1099511627776")
    assert_parameter_error(
        lambda: swiftspec.fft_frequencies(sr=SR, n_fft=2**62), "n_fft=4611686018427387904"
    )
    assert_parameter_error(
        lambda: swiftspec.istft(np.zeros((5, 3), np.complex64), n_fft=2**40), "n_fft=1099511627776"
    )


# ---- windows -------------------------------------------------------------------------------

WINDOW_CASES = [
    ("array_too_short", np.ones(500), ["Window size mismatch: 500 != 512"], True),
    ("array_too_long", np.ones(513), ["Window size mismatch: 513 != 512"], True),
    ("list_wrong_length", [1.0] * 3, ["Window size mismatch: 3 != 512"], True),
    ("none", None, ["Invalid window specification: None"], True),
    ("dict", {"hann": 1}, ["Invalid window specification: {'hann': 1}"], True),
    ("unknown_name", "no-such-window", ["no-such-window"], True),
    ("wrong_case", "Hann", ["Hann"], True),
    ("tuple_missing_parameter", ("kaiser",), ["kaiser"], SCIPY_1_17),
    ("tuple_not_str", (4.0, "hann"), ["4.0"], True),
]


@pytest.mark.parametrize(
    "window,fragments,librosa_too", [c[1:] for c in WINDOW_CASES], ids=[c[0] for c in WINDOW_CASES]
)
def test_invalid_window(window, fragments, librosa_too):
    run_case(lambda m: m.stft(Y, n_fft=512, window=window), fragments, librosa_too)
    run_case(lambda m: m.filters.get_window(window, 512), fragments, librosa_too)


def test_window_with_non_finite_samples():
    def nan_window(n):
        w = np.hanning(n)
        w[3] = np.nan
        return w

    assert_parameter_error(lambda: swiftspec.stft(Y, n_fft=64, window=nan_window), "nan_window")


# ---- pad modes and framing -----------------------------------------------------------------


@pytest.mark.parametrize("pad_mode", ["wrap", "mean", "maximum", "median", "minimum"])
def test_unsupported_pad_modes(pad_mode):
    run_case(
        lambda m: m.stft(Y, n_fft=512, pad_mode=pad_mode),
        [f"pad_mode='{pad_mode}'"],
        librosa_too=True,
    )
    run_case(
        lambda m: m.feature.melspectrogram(y=Y, sr=SR, n_fft=512, pad_mode=pad_mode),
        [f"pad_mode='{pad_mode}'"],
        librosa_too=True,
    )


@pytest.mark.parametrize("pad_mode", ["bogus", "Reflect", ""])
def test_unknown_pad_modes(pad_mode):
    run_case(
        lambda m: m.stft(Y, n_fft=512, pad_mode=pad_mode),
        [f"pad_mode={pad_mode!r}"],
        librosa_too=True,
    )


def test_uncentered_too_short():
    run_case(
        lambda m: m.stft(Y[:100], n_fft=512, center=False),
        ["n_fft=512", "uncentered", "length=100"],
        librosa_too=True,
    )
    run_case(
        lambda m: m.stft(Y[:0], n_fft=512, center=False),
        ["n_fft=512", "length=0"],
        librosa_too=True,
    )
    run_case(
        lambda m: m.feature.melspectrogram(y=Y[:100], sr=SR, n_fft=512, center=False),
        ["n_fft=512", "length=100"],
        librosa_too=True,
    )


def test_empty_signal_with_odd_n_fft():
    run_case(lambda m: m.stft(Y[:0], n_fft=511), ["n=510", "frame_length=511"], librosa_too=True)


@pytest.mark.parametrize("pad_mode", ["reflect", "edge", "symmetric", "linear_ramp"])
def test_empty_signal_with_non_constant_padding(pad_mode):
    run_case(
        lambda m: m.stft(Y[:0], n_fft=512, pad_mode=pad_mode),
        ["can't extend empty axis", f"pad_mode='{pad_mode}'"],
        librosa_too=True,
    )


# ---- out= -----------------------------------------------------------------------------------


def test_out_of_the_wrong_shape():
    # 4096 samples, hop 128, centred: 33 frames.
    bad = np.zeros((257, 32), dtype=np.complex64)
    run_case(
        lambda m: m.stft(Y, n_fft=512, hop_length=128, out=bad),
        ["out.shape=(257, 32)", "[257, 33]"],
        librosa_too=True,
    )
    bad_bins = np.zeros((256, 33), dtype=np.complex64)
    run_case(
        lambda m: m.stft(Y, n_fft=512, hop_length=128, out=bad_bins),
        ["out.shape=(256, 33)"],
        librosa_too=True,
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16])
def test_out_not_complex(dtype):
    bad = np.zeros((257, 33), dtype=dtype)
    run_case(
        lambda m: m.stft(Y, n_fft=512, hop_length=128, out=bad),
        [f"dtype={np.dtype(dtype)}", "not of complex type"],
        librosa_too=True,
    )


# ---- precision ------------------------------------------------------------------------------


@pytest.mark.parametrize("precision", ["bogus", "FAST", None, 1])
def test_invalid_precision(precision):
    assert_parameter_error(
        lambda: swiftspec.stft(Y, n_fft=512, precision=precision), f"precision={precision!r}"
    )
    assert_parameter_error(
        lambda: swiftspec.feature.melspectrogram(y=Y, sr=SR, precision=precision),
        f"precision={precision!r}",
    )


def test_fast_precision_needs_float32():
    y64 = Y.astype(np.float64)
    assert_parameter_error(
        lambda: swiftspec.stft(y64, n_fft=512, precision="fast"), "precision='fast'", "float64"
    )
    assert_parameter_error(
        lambda: swiftspec.stft(Y, n_fft=512, precision="fast", dtype=np.complex128),
        "precision='fast'",
        "complex128",
    )
    assert_parameter_error(
        lambda: swiftspec.feature.melspectrogram(y=y64, sr=SR, precision="fast"),
        "precision='fast'",
        "float64",
    )
    assert_parameter_error(
        lambda: swiftspec.feature.mfcc(y=y64, sr=SR, precision="fast"),
        "precision='fast'",
        "float64",
    )


# ---- melspectrogram / filters.mel -----------------------------------------------------------


def test_melspectrogram_without_y_or_s():
    run_case(lambda m: m.feature.melspectrogram(sr=SR), ["y=None"], librosa_too=True)
    run_case(lambda m: m.feature.mfcc(sr=SR), ["y=None"], librosa_too=True)


@pytest.mark.parametrize("power", [0, 0.0, -1.0, -2, float("nan"), float("inf")])
def test_melspectrogram_power_must_be_positive(power):
    # librosa computes |D| ** power for any power; swiftspec's engine needs power > 0.
    assert_parameter_error(
        lambda: swiftspec.feature.melspectrogram(y=Y, sr=SR, power=power), f"power={power!r}"
    )
    assert_parameter_error(
        lambda: swiftspec.feature.mfcc(y=Y, sr=SR, power=power), f"power={power!r}"
    )


@pytest.mark.parametrize("norm", ["l2", "Slaney", "bogus", ""])
def test_mel_unsupported_norm_string(norm):
    run_case(
        lambda m: m.filters.mel(sr=SR, n_fft=512, norm=norm), [f"norm={norm}"], librosa_too=True
    )
    run_case(
        lambda m: m.feature.melspectrogram(y=Y, sr=SR, n_fft=512, norm=norm),
        [f"norm={norm}"],
        librosa_too=True,
    )


@pytest.mark.parametrize("norm", [-1, float("nan"), True])
def test_mel_unsupported_norm_number(norm):
    run_case(
        lambda m: m.filters.mel(sr=SR, n_fft=512, norm=norm), [f"norm: {norm!r}"], librosa_too=True
    )


@pytest.mark.parametrize("sr", [0, 0.0, -1, -22050.0, float("nan"), float("inf")])
def test_mel_sample_rate_must_be_positive(sr):
    # librosa: ZeroDivisionError for 0, a degenerate basis for negative/NaN rates.
    assert_parameter_error(lambda: swiftspec.filters.mel(sr=sr, n_fft=512), f"sr={sr!r}")
    assert_parameter_error(
        lambda: swiftspec.feature.melspectrogram(y=Y, sr=sr, n_fft=512), f"sr={sr!r}"
    )
    assert_parameter_error(lambda: swiftspec.fft_frequencies(sr=sr, n_fft=512), f"sr={sr!r}")


@pytest.mark.parametrize("n_mels", [-1, -128])
def test_mel_negative_n_mels(n_mels):
    run_case(
        lambda m: m.filters.mel(sr=SR, n_fft=512, n_mels=n_mels),
        [f"n_mels={n_mels}"],
        librosa_too=True,
    )


@pytest.mark.parametrize(
    "kwargs,fragment",
    [
        (dict(fmin=float("nan")), "fmin=nan"),
        (dict(fmax=float("inf")), "fmax=inf"),
        (dict(n_fft=0), "n_fft=0"),
        (dict(n_fft=512.0), "n_fft=512.0"),
    ],
)
def test_mel_other_bad_arguments(kwargs, fragment):
    assert_parameter_error(
        lambda: swiftspec.filters.mel(**dict(dict(sr=SR, n_fft=512), **kwargs)), fragment
    )


# ---- decibels ---------------------------------------------------------------------------------


@pytest.mark.parametrize("amin", [0, 0.0, -1e-10])
def test_power_to_db_amin(amin):
    run_case(lambda m: m.power_to_db(np.ones(4), amin=amin), [f"amin={amin!r}"], librosa_too=True)
    run_case(lambda m: m.amplitude_to_db(np.ones(4), amin=0), ["amin=0"], librosa_too=True)


@pytest.mark.parametrize("top_db", [-1, -0.5, -80.0])
def test_power_to_db_top_db(top_db):
    run_case(
        lambda m: m.power_to_db(np.ones((3, 4)), top_db=top_db),
        [f"top_db={top_db!r}"],
        librosa_too=True,
    )
    run_case(
        lambda m: m.amplitude_to_db(np.ones((3, 4)), top_db=top_db),
        [f"top_db={top_db!r}"],
        librosa_too=True,
    )


def test_power_to_db_callable_ref_without_axis():
    def max_without_axis(x):
        return x.max()

    for call in (
        lambda m: m.power_to_db(np.ones((2, 4)), ref=max_without_axis),
        lambda m: m.amplitude_to_db(np.ones((2, 4)), ref=max_without_axis),
    ):
        error = assert_parameter_error(
            lambda: call(swiftspec), "'axis' and 'keepdims'", "max_without_axis"
        )
        assert isinstance(error.__cause__, TypeError)
        librosa = _librosa()
        if _librosa_major(librosa) >= 1:  # 0.11 calls ref(S) and accepts this function
            assert_librosa_raises(call)


# ---- mfcc --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lifter", [-1, -0.5, float("nan")])
def test_mfcc_negative_lifter(lifter):
    run_case(
        lambda m: m.feature.mfcc(y=Y, sr=SR, lifter=lifter), [f"lifter={lifter}"], librosa_too=True
    )


@pytest.mark.parametrize("dct_type", [0, 4, 5, "2"])
def test_mfcc_dct_type(dct_type):
    # scipy (hence librosa) also has DCT-IV; swiftspec supports types 1 to 3.
    assert_parameter_error(
        lambda: swiftspec.feature.mfcc(y=Y, sr=SR, dct_type=dct_type), f"dct_type={dct_type!r}"
    )
    if dct_type in (0, 5):
        assert_librosa_raises(lambda m: m.feature.mfcc(y=Y, sr=SR, dct_type=dct_type))


@pytest.mark.parametrize("norm", ["bogus", "Ortho", 2])
def test_mfcc_bad_dct_norm(norm):
    run_case(lambda m: m.feature.mfcc(y=Y, sr=SR, norm=norm), [f"norm={norm!r}"], librosa_too=True)


def test_mfcc_bad_mel_norm():
    run_case(lambda m: m.feature.mfcc(y=Y, sr=SR, mel_norm="l1"), ["norm=l1"], librosa_too=True)


# ---- istft ------------------------------------------------------------------------------------

D = np.zeros((33, 5), dtype=np.complex64)  # n_fft = 64 by default

ISTFT_CASES = [
    ("hop_zero", dict(hop_length=0), ["hop_length=0"], False),  # librosa: ZeroDivisionError
    ("hop_negative", dict(hop_length=-2), ["hop_length=-2"], True),
    ("hop_float", dict(hop_length=16.0), ["hop_length=16.0"], False),  # librosa: TypeError
    ("length_negative", dict(length=-1), ["length=-1"], True),
    ("length_float", dict(length=100.0), ["length=100.0"], False),  # librosa: TypeError
    ("n_fft_float", dict(n_fft=64.0), ["n_fft=64.0"], SCIPY_1_17),
    ("n_fft_zero", dict(n_fft=0), ["n_fft=0"], SCIPY_1_17),
    (
        "win_length_above_n_fft",
        dict(win_length=100),
        ["Target size (64)", "input size (100)"],
        True,
    ),
    ("window_wrong_length", dict(window=np.ones(10)), ["Window size mismatch: 10 != 64"], True),
    ("window_none", dict(window=None), ["Invalid window specification: None"], True),
    ("out_wrong_shape", dict(out=np.zeros(7, np.float32)), ["out.shape=(7,)", "[64]"], True),
    ("hop_overflow", dict(hop_length=2**62), ["hop_length=4611686018427387904"], False),
]


@pytest.mark.parametrize(
    "kwargs,fragments,librosa_too", [c[1:] for c in ISTFT_CASES], ids=[c[0] for c in ISTFT_CASES]
)
def test_istft_bad_arguments(kwargs, fragments, librosa_too):
    run_case(lambda m: m.istft(D, **kwargs), fragments, librosa_too)


def test_istft_without_frames():
    empty = np.zeros((33, 0), dtype=np.complex64)
    run_case(lambda m: m.istft(empty), ["n_frames=0"], librosa_too=True)
    run_case(
        lambda m: m.istft(empty, center=False, hop_length=100), ["n_frames=0"], librosa_too=True
    )
    # With an explicit length there is output (zeros), in librosa too.
    assert np.array_equal(swiftspec.istft(empty, length=50), np.zeros(50, np.float32))


def test_istft_one_dimensional_matrix():
    assert_parameter_error(
        lambda: swiftspec.istft(np.zeros(5, np.complex64)), "stft_matrix.shape=(5,)"
    )


# ---- threads ----------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, -1, 1.5, 2.0, True, "4", np.float64(2)])
def test_set_num_threads_bad_values(n):
    before = swiftspec.get_num_threads()
    assert_parameter_error(lambda: swiftspec.set_num_threads(n), f"n_threads={n!r}")
    assert swiftspec.get_num_threads() == before


@pytest.mark.parametrize("n", [0, -1, 1.5, True, "4"])
def test_n_threads_bad_values(n):
    assert_parameter_error(lambda: swiftspec.stft(Y, n_fft=512, n_threads=n), f"n_threads={n!r}")
    assert_parameter_error(
        lambda: swiftspec.feature.melspectrogram(y=Y, sr=SR, n_threads=n), f"n_threads={n!r}"
    )
    assert_parameter_error(lambda: swiftspec.istft(D, n_threads=n), f"n_threads={n!r}")


@pytest.mark.parametrize("n", [2**31 + 5, 2**40])
def test_huge_thread_counts_are_capped(n):
    """A huge default or per-call count must not wrap around int32 in the C call."""
    ref = swiftspec.stft(Y, n_fft=512, n_threads=1)
    assert np.array_equal(swiftspec.stft(Y, n_fft=512, n_threads=n), ref)
    try:
        swiftspec.set_num_threads(n)
        assert swiftspec.get_num_threads() == n
        assert np.array_equal(swiftspec.stft(Y, n_fft=512), ref)
    finally:
        swiftspec.set_num_threads(None)


# ---- warnings librosa emits ---------------------------------------------------------------------


def _user_warnings(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


def test_n_fft_too_large_warning():
    short = Y[:1000]
    expected = "n_fft=2048 is too large for input signal of length=1000"
    for call in (
        lambda m: m.stft(short, n_fft=2048),
        lambda m: m.feature.melspectrogram(y=short, sr=SR, n_fft=2048),
    ):
        with pytest.warns(UserWarning, match=expected):
            call(swiftspec)
        librosa = _librosa()
        assert expected in _user_warnings(lambda: call(librosa))
    assert not _user_warnings(lambda: swiftspec.stft(short, n_fft=1000))  # not strictly larger


def test_empty_mel_filters_warning():
    expected = "Empty filters detected in mel frequency basis"
    for call in (
        lambda m: m.filters.mel(sr=16000, n_fft=512, n_mels=256),
        lambda m: m.filters.mel(sr=16000, n_fft=512, n_mels=40, fmin=5000.0, fmax=1000.0),
        lambda m: m.feature.melspectrogram(y=Y, sr=16000, n_fft=512, n_mels=256),
    ):
        with pytest.warns(UserWarning, match=expected):
            call(swiftspec)
        librosa = _librosa()
        assert any(expected in text for text in _user_warnings(lambda: call(librosa)))
    assert not _user_warnings(lambda: swiftspec.filters.mel(sr=16000, n_fft=400, n_mels=128))


def test_complex_input_to_decibels_warns():
    S = np.ones((4, 5), dtype=np.complex64) * (1 + 1j)
    # The magnitude |1+1j| = sqrt(2) is used: 10 log10(sqrt 2) as power, 20 log10 as amplitude.
    for name, expected, db in (
        ("power_to_db", "power_to_db was called on complex input", 5 * np.log10(2.0)),
        ("amplitude_to_db", "amplitude_to_db was called on complex input", 10 * np.log10(2.0)),
    ):
        with pytest.warns(UserWarning, match=expected):
            ours = getattr(swiftspec, name)(S)
        librosa = _librosa()
        texts = _user_warnings(lambda: getattr(librosa, name)(S))
        assert any(expected in text for text in texts)
        np.testing.assert_allclose(ours, db, rtol=1e-6)
