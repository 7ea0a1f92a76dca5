# SPDX-License-Identifier: GPL-2.0-or-later
"""Property-based tests (hypothesis) over the public API.

Valid arguments, drawn at random, give librosa's result within the parity tolerances of
conftest.TOL. Invalid ones (sizes, rates, dtypes, shapes, NaN/inf, huge values) give a
ParameterError or a TypeError: never another exception, a crash, a hang or a huge
allocation. Those calls run in a child process with a capped address space (the
`guarded` fixture of conftest), so a regression fails rather than eating the machine.

The examples are fixed (the "swiftspec" hypothesis profile of conftest: derandomized,
a fixed budget per test), so every run checks the same cases.
"""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

# A budgeted search (about 30 s) that spawns a child process: part of `make test`, not of
# the quick suite.
pytestmark = pytest.mark.slow

librosa = pytest.importorskip("librosa")
from test_parity_istft import compare as compare_istft  # noqa: E402
from test_parity_mel import assert_f64_close, assert_identical  # noqa: E402

import swiftspec  # noqa: E402

WAV = str(Path(__file__).resolve().parent / "data" / "gcompris_helicopter.wav")
WINDOWS = ["hann", "hamming", "blackman", "boxcar", "triang", ("kaiser", 6.0)]
RATES = [8000, 11025, 16000, 22050, 32000, 44100, 48000]


def signal(seed, n, dtype=np.float32, channels=()):
    """Reproducible noise: hypothesis draws the seed and shape, numpy the samples."""
    return (0.5 * np.random.default_rng(seed).standard_normal(channels + (n,))).astype(dtype)


seeds = st.integers(0, 2**32 - 1)
audio_dtypes = st.sampled_from([np.float32, np.float64])


# ---- valid arguments: librosa's results ------------------------------------------------


@st.composite
def framings(draw, max_n_fft=1024):
    """n_fft, hop_length, win_length and window as librosa takes them."""
    n_fft = draw(st.integers(8, max_n_fft))
    win_length = draw(st.none() | st.integers(4, n_fft))
    hop_length = draw(st.none() | st.integers(max(1, n_fft // 16), n_fft))
    return dict(
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=draw(st.sampled_from(WINDOWS)),
    )


@given(
    seed=seeds,
    n=st.integers(1, 4000),
    dtype=audio_dtypes,
    channels=st.sampled_from([(), (2,)]),
    framing=framings(),
    center=st.booleans(),
    pad_mode=st.sampled_from(["constant", "edge", "reflect"]),
)
def test_stft_is_librosas(parity, seed, n, dtype, channels, framing, center, pad_mode):
    y = signal(seed, n, dtype, channels)
    kwargs = dict(framing, center=center, pad_mode=pad_mode)
    pair = parity.both(lambda: swiftspec.stft(y, **kwargs), lambda: librosa.stft(y, **kwargs))
    if pair is not None:
        parity.assert_stft(*pair, name="stft (properties)")


@given(
    seed=seeds,
    n=st.integers(2048, 6000),
    n_fft=st.sampled_from([256, 512, 1024, 2048]),
    hop_divisor=st.sampled_from([4, 8]),
    center=st.booleans(),
    # At least n_fft samples: a shorter output lies wholly in center=False's uncovered edge,
    # where the tolerance's reference peak is itself a rounding residue (test_parity_istft
    # compares lengths 0, 1 and n_fft // 3 on fixed signals).
    length=st.none() | st.integers(2048, 6000),
    dtype=st.sampled_from([np.complex64, np.complex128]),
)
def test_istft_is_librosas(parity, seed, n, n_fft, hop_divisor, center, length, dtype):
    y = signal(seed, n, np.float64)
    hop_length = n_fft // hop_divisor
    D = librosa.stft(y, n_fft=n_fft, hop_length=hop_length, center=center).astype(dtype)
    compare_istft(parity, D, n_fft=n_fft, hop_length=hop_length, center=center, length=length)


mel_ranges = st.tuples(st.floats(0, 4000), st.none() | st.floats(1000, 30000))


@given(
    sr=st.sampled_from(RATES) | st.floats(1000, 96000),
    n_fft=st.integers(16, 4096),
    n_mels=st.integers(0, 160),
    fmin_fmax=mel_ranges,
    htk=st.booleans(),
    norm=st.sampled_from(["slaney", None]),
)
def test_mel_basis_is_librosas(parity, sr, n_fft, n_mels, fmin_fmax, htk, norm):
    """Identical with the same warnings, but for bins on a band edge (TOL.mel_edge_atol)."""
    fmin, fmax = fmin_fmax
    kwargs = dict(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm)
    with np.errstate(all="ignore"):  # (librosa's divisions by zero for fmin == fmax)
        ref, ref_error, ref_warnings = parity.outcome(librosa.filters.mel, **kwargs)
        ours, our_error, our_warnings = parity.outcome(swiftspec.filters.mel, **kwargs)
    if ref_error is not None:
        assert isinstance(our_error, swiftspec.ParameterError), (our_error, ref_error)
        return
    assert our_error is None, our_error
    if np.array_equal(ours, ref, equal_nan=True):
        assert_identical(ours, ref)
        assert len(our_warnings) == len(ref_warnings), (our_warnings, ref_warnings)
        return
    assert ours.shape == ref.shape and ours.dtype == ref.dtype
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref))
    error = float(np.nanmax(np.abs(ours.astype(np.float64) - ref)))
    parity.record("filters.mel (properties): max abs error where not identical", error)
    assert error <= parity.tol.mel_edge_atol, error


@given(
    n_mels=st.integers(0, 400),
    fmin=st.floats(-500, 8000),
    fmax=st.floats(0, 30000),
    htk=st.booleans(),
)
def test_mel_frequencies_are_librosas(parity, n_mels, fmin, fmax, htk):
    assert_f64_close(
        parity,
        swiftspec.mel_frequencies(n_mels, fmin=fmin, fmax=fmax, htk=htk),
        librosa.mel_frequencies(n_mels, fmin=fmin, fmax=fmax, htk=htk),
        "mel_frequencies (properties)",
        ulps=parity.tol.mel_frequencies_ulps,
    )


@given(
    seed=seeds,
    n=st.integers(1, 6000),
    dtype=audio_dtypes,
    sr=st.sampled_from(RATES),
    framing=framings(max_n_fft=2048),
    n_mels=st.integers(1, 128),
    power=st.sampled_from([1.0, 2.0]),
    htk=st.booleans(),
)
def test_melspectrogram_is_librosas(parity, seed, n, dtype, sr, framing, n_mels, power, htk):
    y = signal(seed, n, dtype)
    kwargs = dict(framing, sr=sr, n_mels=n_mels, power=power, htk=htk)
    pair = parity.both(
        lambda: swiftspec.feature.melspectrogram(y=y, **kwargs),
        lambda: librosa.feature.melspectrogram(y=y, **kwargs),
    )
    if pair is not None:
        parity.assert_channels(*pair, parity.tol.mel_rtol, "melspectrogram (properties)")


@given(
    seed=seeds,
    n=st.integers(512, 6000),
    sr=st.sampled_from(RATES),
    n_mels=st.integers(2, 128),
    n_mfcc=st.integers(1, 40),
    dct_type=st.sampled_from([1, 2, 3]),
    norm=st.sampled_from(["ortho", None]),
)
def test_mfcc_is_librosas(parity, seed, n, sr, n_mels, n_mfcc, dct_type, norm):
    y = signal(seed, n)
    kwargs = dict(
        sr=sr, n_mels=n_mels, n_mfcc=n_mfcc, dct_type=dct_type, norm=norm, n_fft=512, hop_length=128
    )
    pair = parity.both(
        lambda: swiftspec.feature.mfcc(y=y, **kwargs), lambda: librosa.feature.mfcc(y=y, **kwargs)
    )
    if pair is not None:
        parity.assert_mfcc(*pair, name="mfcc (properties)")


@given(
    seed=seeds,
    shape=st.tuples(st.integers(1, 40), st.integers(1, 40)),
    dtype=audio_dtypes,
    ref=st.sampled_from([1.0, 0.5, np.max]),
    amin=st.sampled_from([1e-10, 1e-5, 1e-3]),
    top_db=st.none() | st.floats(0, 120),
    amplitude=st.booleans(),
)
def test_decibels_are_librosas(parity, seed, shape, dtype, ref, amin, top_db, amplitude):
    # Two-dimensional input: librosa 0.11 (whole array) and 1.0 (last two axes) agree.
    S = np.abs(signal(seed, shape[1], dtype, (shape[0],))) ** 2
    name = "amplitude_to_db" if amplitude else "power_to_db"
    kwargs = dict(ref=ref, amin=amin, top_db=top_db)
    pair = parity.both(
        lambda: getattr(swiftspec, name)(S, **kwargs), lambda: getattr(librosa, name)(S, **kwargs)
    )
    if pair is not None:
        parity.assert_db(*pair, parity.tol.db_atol, f"{name} (properties)")


@given(
    seed=seeds,
    n=st.integers(1, 3000),
    dtype=audio_dtypes,
    orig_sr=st.sampled_from(RATES),
    target_sr=st.sampled_from(RATES),
    res_type=st.sampled_from(["soxr_hq", "soxr_qq", "polyphase", "fft"]),
    fix=st.booleans(),
    scale=st.booleans(),
)
def test_resample_is_librosas(seed, n, dtype, orig_sr, target_sr, res_type, fix, scale):
    # (test_audio.py: resampling is bit-identical to librosa's, same soxr and scipy)
    y = signal(seed, n, dtype)
    kwargs = dict(orig_sr=orig_sr, target_sr=target_sr, res_type=res_type, fix=fix, scale=scale)
    np.testing.assert_array_equal(swiftspec.resample(y, **kwargs), librosa.resample(y, **kwargs))


@given(sr=st.floats(1, 200000), n_fft=st.integers(1, 8192))
def test_fft_frequencies_are_librosas(sr, n_fft):
    ours = swiftspec.fft_frequencies(sr=sr, n_fft=n_fft)
    ref = librosa.fft_frequencies(sr=sr, n_fft=n_fft)
    assert ours.shape == ref.shape and ours.dtype == ref.dtype
    np.testing.assert_allclose(ours, ref, rtol=4 * np.finfo(np.float64).eps, atol=0)


# ---- invalid arguments: ParameterError or TypeError, in a capped child ------------------

Y = signal(1, 1000)
S2 = np.abs(signal(2, 20, np.float32, (16,)))
D = librosa.stft(signal(3, 2048), n_fft=256)
NAN_AUDIO = Y.copy()
NAN_AUDIO[17] = np.nan

# A size is huge when no array it sizes could be within swiftspec's limit.
huge_ints = st.integers(2**34, 2**63 - 1) | st.sampled_from([2**63, 2**64, 10**30])
# A rate is huge when resampling Y (1000 samples) to it, or from it, asks for more than
# the limit: 2**34 Hz would still give a valid 3 GB result, which swiftspec computes.
huge_rates = st.integers(2**44, 2**63 - 1) | st.sampled_from([2**63, 2**64, 10**30])
bad_sizes = (
    st.sampled_from(
        [0, -1, -(2**40), 2.5, 512.0, float("nan"), float("inf"), "512", b"8", [8], True]
    )
    | huge_ints
)
bad_numbers = (
    st.sampled_from(
        [
            0,
            0.0,
            -1,
            -1e300,
            1e-300,
            1e300,
            float("nan"),
            float("inf"),
            -float("inf"),
            "22050",
            [1.0],
            2**64,
            True,
        ]
    )
    | huge_rates
)
bad_names = st.sampled_from(["", "nonsense", 3, None, ("kaiser",), ("nonsense", 1.0), b"hann"])
bad_dtypes = st.sampled_from([np.int16, "int32", "complex", "nonsense", object, bool])
bad_flags = st.sampled_from(["yes", 2, None, float("nan")])
bad_arrays = st.sampled_from(
    [
        np.zeros(0, np.float32),
        np.float32(1.0),
        np.arange(100),
        np.arange(100, dtype=np.int16),
        Y.astype(np.complex64),
        NAN_AUDIO,
        np.full(100, np.inf, np.float32),
        "audio",
        None,
        [0.0, 1.0],
        np.zeros((3, 0, 5), np.float32),
        np.zeros((0, 100), np.float32),
        np.ones((2, 3, 4, 100), np.float16),
    ]
)

KINDS = {
    "size": bad_sizes,
    "number": bad_numbers,
    "name": bad_names,
    "dtype": bad_dtypes,
    "flag": bad_flags,
    "array": bad_arrays,
}
TA = "swiftspec.compat.torchaudio."

# target, positional arguments, keyword arguments, {parameter: kind}, method calls after.
# An int parameter name is a positional argument's index.
SURFACE = [
    (
        "swiftspec.stft",
        (Y,),
        {},
        dict(
            n_fft="size",
            hop_length="size",
            win_length="size",
            window="name",
            center="flag",
            dtype="dtype",
            pad_mode="name",
            precision="name",
            n_threads="size",
        ),
        (),
    ),
    ("swiftspec.stft", (Y,), {}, {0: "array"}, ()),
    (
        "swiftspec.istft",
        (D,),
        {},
        dict(
            hop_length="size",
            win_length="size",
            n_fft="size",
            window="name",
            dtype="dtype",
            length="size",
            n_threads="size",
        ),
        (),
    ),
    ("swiftspec.istft", (D,), {}, {0: "array"}, ()),
    (
        "swiftspec.power_to_db",
        (S2,),
        {},
        dict(amin="number", top_db="number", axes="size", n_threads="size"),
        (),
    ),
    ("swiftspec.amplitude_to_db", (S2,), {}, dict(amin="number", top_db="number", axes="size"), ()),
    ("swiftspec.power_to_db", (S2,), {}, {0: "array"}, ()),
    (
        "swiftspec.mel_frequencies",
        (),
        {},
        dict(n_mels="size", fmin="number", fmax="number", dtype="dtype"),
        (),
    ),
    ("swiftspec.fft_frequencies", (), {}, dict(sr="number", n_fft="size"), ()),
    ("swiftspec.hz_to_mel", (440.0,), {}, {0: "array"}, ()),
    (
        "swiftspec.resample",
        (Y,),
        dict(orig_sr=22050, target_sr=16000),
        dict(orig_sr="number", target_sr="number", res_type="name", axis="size"),
        (),
    ),
    ("swiftspec.resample", (Y,), dict(orig_sr=22050, target_sr=16000), {0: "array"}, ()),
    (
        "swiftspec.load",
        (WAV,),
        {},
        dict(sr="number", offset="number", duration="number", dtype="dtype", res_type="name"),
        (),
    ),
    (
        "swiftspec.filters.get_window",
        ("hann", 64),
        {},
        {0: "name", 1: "size", "fftbins": "flag"},
        (),
    ),
    (
        "swiftspec.filters.mel",
        (),
        dict(sr=22050, n_fft=512),
        dict(
            sr="number",
            n_fft="size",
            n_mels="size",
            fmin="number",
            fmax="number",
            norm="name",
            dtype="dtype",
        ),
        (),
    ),
    ("swiftspec.filters.pad_center", (np.ones(4),), dict(size=8), dict(size="size"), ()),
    (
        "swiftspec.feature.melspectrogram",
        (),
        dict(y=Y),
        dict(
            sr="number",
            n_fft="size",
            hop_length="size",
            win_length="size",
            window="name",
            pad_mode="name",
            power="number",
            n_mels="size",
            fmin="number",
            fmax="number",
            norm="name",
            precision="name",
            y="array",
        ),
        (),
    ),
    ("swiftspec.feature.melspectrogram", (), dict(S=S2), dict(S="array", n_mels="size"), ()),
    (
        "swiftspec.feature.mfcc",
        (),
        dict(y=Y),
        dict(
            sr="number",
            n_mfcc="size",
            dct_type="size",
            norm="name",
            lifter="number",
            n_mels="size",
            top_db="number",
            n_fft="size",
            hop_length="size",
            y="array",
        ),
        (),
    ),
    (
        "swiftspec.stream.STFT",
        (),
        {},
        dict(n_fft="size", hop_length="size", win_length="size", window="name"),
        (("process", (Y,)), ("flush", ())),
    ),
    (
        "swiftspec.stream.MelSpectrogram",
        (),
        {},
        dict(
            sr="number",
            n_fft="size",
            hop_length="size",
            n_mels="size",
            fmin="number",
            fmax="number",
            power="number",
        ),
        (("process", (Y,)), ("flush", ())),
    ),
    (
        "swiftspec.clips.split",
        (Y,),
        dict(sr=22050),
        dict(sr="number", duration="number", hop="number", tail="name", min_tail="number"),
        (),
    ),
    ("swiftspec.clips.split", (Y,), dict(sr=22050), {0: "array"}, ()),
    (
        "swiftspec.clips.log_mel",
        (Y,),
        dict(sr=22050),
        dict(
            sr="number",
            n_fft="size",
            hop_length="size",
            n_mels="size",
            fmin="number",
            fmax="number",
        ),
        (),
    ),
    ("swiftspec.clips.minmax_uint8", (S2,), {}, {0: "array", "axes": "size"}, ()),
    ("swiftspec.clips.standardize", (S2,), {}, {0: "array", "axes": "size"}, ()),
    (
        "swiftspec.clips.to_image",
        (S2,),
        {},
        dict(size="size", colormap="name", resample="name"),
        (),
    ),
    ("swiftspec.clips.parse_size", ("512x512",), {}, {0: "size"}, ()),
    (TA + "hann_window", (400,), {}, {0: "size", "dtype": "dtype"}, ()),
    (
        TA + "melscale_fbanks",
        (201, 0.0, 8000.0, 64, 16000),
        {},
        {
            0: "size",
            1: "number",
            2: "number",
            3: "size",
            4: "number",
            "norm": "name",
            "mel_scale": "name",
        },
        (),
    ),
    (TA + "create_dct", (20, 64, "ortho"), {}, {0: "size", 1: "size", 2: "name"}, ()),
    (
        TA + "Spectrogram",
        (),
        {},
        dict(
            n_fft="size",
            win_length="size",
            hop_length="size",
            pad="size",
            power="number",
            pad_mode="name",
            normalized="name",
            precision="name",
        ),
        (("__call__", (Y,)),),
    ),
    (
        TA + "MelSpectrogram",
        (),
        {},
        dict(
            sample_rate="number",
            n_fft="size",
            win_length="size",
            hop_length="size",
            f_min="number",
            f_max="number",
            pad="size",
            n_mels="size",
            power="number",
            norm="name",
            mel_scale="name",
        ),
        (("__call__", (Y,)),),
    ),
    (
        TA + "MFCC",
        (),
        {},
        dict(sample_rate="number", n_mfcc="size", dct_type="size", norm="name"),
        (("__call__", (Y,)),),
    ),
    (TA + "AmplitudeToDB", (), {}, dict(stype="name", top_db="number"), (("__call__", (S2,)),)),
    (TA + "Spectrogram", (), {}, {}, (("__call__", (NAN_AUDIO,)),)),
]


@st.composite
def bad_calls(draw):
    """One public call with one argument replaced by a bad value of its kind."""
    target, args, kwargs, parameters, then = draw(st.sampled_from(SURFACE))
    if not parameters:
        return target, args, kwargs, then
    name, kind = draw(st.sampled_from(sorted(parameters.items(), key=str)))
    value = draw(KINDS[kind])
    args, kwargs = list(args), dict(kwargs)
    if isinstance(name, int):
        args[name] = value
    else:
        kwargs[name] = value
    return target, tuple(args), kwargs, then


@settings(max_examples=1000)
@given(call=bad_calls())
def test_invalid_arguments_raise_parameter_or_type_errors(guarded, call):
    target, args, kwargs, then = call
    outcome = guarded.call(target, *args, then=then, **kwargs)
    assert outcome.error is None or outcome.parameter_error or outcome.type_error, outcome


@settings(max_examples=200)
@given(
    target=st.sampled_from(
        [
            ("swiftspec.filters.mel", dict(sr=22050, n_fft=2048), "n_mels"),
            ("swiftspec.mel_frequencies", {}, "n_mels"),
            ("swiftspec.filters.get_window", dict(window="hann"), "Nx"),
            ("swiftspec.stft", dict(y=Y), "n_fft"),
            ("swiftspec.istft", dict(stft_matrix=D), "length"),
            ("swiftspec.istft", dict(stft_matrix=D), "hop_length"),
            ("swiftspec.feature.melspectrogram", dict(y=Y), "n_mels"),
            (TA + "hann_window", {}, "window_length"),
            (TA + "Spectrogram", {}, "n_fft"),
            ("swiftspec.stream.STFT", {}, "n_fft"),
            ("swiftspec.clips.parse_size", {}, "size"),
        ]
    ),
    size=st.integers(2**34, 2**62),
)
def test_huge_sizes_are_refused_by_name(guarded, target, size):
    """Any size beyond the limit, not only the round ones of test_sizes.py."""
    name, kwargs, parameter = target
    outcome = guarded.call(name, **dict(kwargs, **{parameter: size}))
    assert outcome.parameter_error, outcome
    assert f"{parameter}={size}" in outcome.message or parameter in outcome.message, outcome


@settings(max_examples=150)
@given(
    orig_sr=st.floats(1e-300, 1e300),
    log_ratio=st.floats(-300, 3) | st.floats(8, 300),
    res_type=st.sampled_from(["soxr_hq", "soxr_qq", "polyphase", "fft"]),
)
def test_resampling_rates_never_hang_or_exhaust_memory(guarded, orig_sr, log_ratio, res_type):
    """Ratios up to 1e3 give a result unless below MIN_RESAMPLE_RATIO (with soxr); from
    1e8 the result of Y's 1000 samples would be over the size limit. Either way: a
    result or a ParameterError naming the rate, never a hang or a MemoryError."""
    target_sr = orig_sr * 10.0**log_ratio
    outcome = guarded.call(
        "swiftspec.resample", Y, orig_sr=orig_sr, target_sr=target_sr, res_type=res_type
    )
    assert outcome.error is None or outcome.parameter_error, outcome
    if outcome.error is not None and res_type != "polyphase":
        assert "target_sr=" in outcome.message, outcome
