# SPDX-License-Identifier: GPL-2.0-or-later
"""Sizes a caller controls: each request for a terabyte-sized array (or an endless loop)
is refused with a ParameterError naming the parameter, before anything is allocated.

librosa, scipy, soxr and Pillow end most of these in a MemoryError, a C++ bad_alloc or a
hang. Every call runs in a child process whose address space is capped (the `guarded`
fixture), so a regression fails instead of exhausting the machine.
"""

from pathlib import Path

import numpy as np
import pytest

import swiftspec.images
from swiftspec._validate import MAX_ARRAY_BYTES, MAX_FFT_SIZE, MIN_RESAMPLE_RATIO

HUGE = 2**40
WAV = str(Path(__file__).resolve().parent / "data" / "gcompris_helicopter.wav")
Y = np.zeros(1000, dtype=np.float32)
LONG = np.zeros(2 * 10**6, dtype=np.float32)  # hop_length=1: 2e6 frames, over 8 GiB
D = np.zeros((1025, 4), dtype=np.complex64)
TA = "swiftspec.compat.torchaudio."


def case(name, target, *args, then=(), expect, **kwargs):
    """A parametrized case: ``expect`` must appear in the ParameterError's message."""
    return pytest.param(target, args, kwargs, then, expect, id=name)


CASES = [
    # mel scale and filters
    case(
        "mel n_mels",
        "swiftspec.filters.mel",
        sr=22050,
        n_fft=2048,
        n_mels=HUGE,
        expect=f"n_mels={HUGE}",
    ),
    case(
        "mel n_mels 2**31",
        "swiftspec.filters.mel",
        sr=22050,
        n_fft=2048,
        n_mels=2**31,
        expect=f"n_mels={2**31}",
    ),
    case("mel n_fft", "swiftspec.filters.mel", sr=22050, n_fft=2**31 - 1, expect="n_fft="),
    case(
        "mel n_fft within FFT limit",
        "swiftspec.filters.mel",
        sr=22050,
        n_fft=MAX_FFT_SIZE,
        expect="n_mels=128",
    ),
    case("mel_frequencies n_mels", "swiftspec.mel_frequencies", HUGE, expect="n_mels="),
    case("fft_frequencies n_fft", "swiftspec.fft_frequencies", n_fft=2**31 - 1, expect="n_fft="),
    case(
        "melspectrogram n_mels",
        "swiftspec.feature.melspectrogram",
        y=Y,
        n_mels=HUGE,
        expect="n_mels=",
    ),
    case(
        "melspectrogram S n_mels",
        "swiftspec.feature.melspectrogram",
        S=np.zeros((1025, 3), np.float32),
        n_mels=HUGE,
        expect="n_mels=",
    ),
    case("mfcc n_mels", "swiftspec.feature.mfcc", y=Y, n_mels=HUGE, expect="n_mels="),
    # windows
    case("get_window hann", "swiftspec.filters.get_window", "hann", HUGE, expect="Nx="),
    case("get_window hann 2**31", "swiftspec.filters.get_window", "hann", 2**31, expect="Nx="),
    case(
        "get_window scipy kaiser",
        "swiftspec.filters.get_window",
        ("kaiser", 4.0),
        HUGE,
        expect="Nx=",
    ),
    case("pad_center size", "swiftspec.filters.pad_center", np.ones(4), size=HUGE, expect="size="),
    # analysis and its inverse
    case("stft n_fft", "swiftspec.stft", Y, n_fft=2**31 - 1, expect="n_fft="),
    case(
        "stft hop_length=1", "swiftspec.stft", LONG, n_fft=4096, hop_length=1, expect="hop_length=1"
    ),
    case(
        "stft many rows",
        "swiftspec.stft",
        np.zeros((10**4, 8), np.float32),
        n_fft=2**22,
        expect="hop_length=",
    ),
    case("istft length", "swiftspec.istft", D, length=HUGE, expect=f"length={HUGE}"),
    case("istft hop_length", "swiftspec.istft", D, hop_length=HUGE, expect=f"hop_length={HUGE}"),
    case("istft n_fft", "swiftspec.istft", D, n_fft=2**31 - 1, win_length=2048, expect="n_fft="),
    case("istft win_length", "swiftspec.istft", D, win_length=HUGE, expect=f"input size ({HUGE})"),
    # resampling and loading
    case(
        "resample huge target_sr",
        "swiftspec.resample",
        Y,
        orig_sr=1,
        target_sr=1e15,
        expect="target_sr=",
    ),
    case(
        "resample tiny target_sr",
        "swiftspec.resample",
        Y,
        orig_sr=1e15,
        target_sr=1,
        expect="target_sr=1",
    ),
    case(
        "resample 1e-300 target_sr",
        "swiftspec.resample",
        Y,
        orig_sr=1,
        target_sr=1e-300,
        expect="target_sr=1e-300",
    ),
    case(
        "resample soxr_qq",
        "swiftspec.resample",
        Y,
        orig_sr=1,
        target_sr=1e12,
        res_type="soxr_qq",
        expect="target_sr=",
    ),
    case(
        "resample fft",
        "swiftspec.resample",
        Y,
        orig_sr=1,
        target_sr=1e12,
        res_type="fft",
        expect="target_sr=",
    ),
    case(
        "resample polyphase filter",
        "swiftspec.resample",
        Y,
        orig_sr=10**9 + 7,
        target_sr=10**9 + 9,
        res_type="polyphase",
        expect="target_sr=1000000009",
    ),
    case("load huge sr", "swiftspec.load", WAV, sr=1e15, expect="sr="),
    case("load tiny sr", "swiftspec.load", WAV, sr=1e-300, expect="sr=1e-300"),
    # torchaudio-style transforms
    case("hann_window", TA + "hann_window", HUGE, expect="window_length="),
    case(
        "melscale_fbanks n_freqs",
        TA + "melscale_fbanks",
        HUGE,
        0.0,
        8000.0,
        128,
        16000,
        expect="n_freqs=",
    ),
    case(
        "melscale_fbanks n_mels",
        TA + "melscale_fbanks",
        201,
        0.0,
        8000.0,
        HUGE,
        16000,
        expect=f"n_mels={HUGE}",
    ),
    case("create_dct", TA + "create_dct", 20, HUGE, "ortho", expect=f"n_mels={HUGE}"),
    case("Spectrogram n_fft", TA + "Spectrogram", n_fft=2**31 - 1, expect="n_fft="),
    case(
        "Spectrogram n_fft=win_length=2**30",
        TA + "Spectrogram",
        n_fft=2**30,
        win_length=2**30,
        expect="n_fft=",
    ),
    case(
        "Spectrogram pad",
        TA + "Spectrogram",
        pad=HUGE,
        then=(("__call__", (Y,)),),
        expect=f"pad={HUGE}",
    ),
    case(
        "Spectrogram hop_length=1",
        TA + "Spectrogram",
        hop_length=1,
        n_fft=4096,
        then=(("__call__", (LONG,)),),
        expect="hop_length=1",
    ),
    case("MelSpectrogram n_mels", TA + "MelSpectrogram", n_mels=HUGE, expect=f"n_mels={HUGE}"),
    case(
        "MelSpectrogram hop_length=1",
        TA + "MelSpectrogram",
        hop_length=1,
        n_fft=4096,
        n_mels=4096,
        then=(("__call__", (LONG,)),),
        expect="hop_length=1",
    ),
    case(
        "MFCC n_mels", TA + "MFCC", n_mfcc=HUGE, melkwargs={"n_mels": HUGE}, expect=f"n_mels={HUGE}"
    ),
    # streams
    case(
        "stream MelSpectrogram n_mels",
        "swiftspec.stream.MelSpectrogram",
        n_mels=HUGE,
        expect="n_mels=",
    ),
    case("stream STFT n_fft", "swiftspec.stream.STFT", n_fft=2**31 - 1, expect="n_fft="),
    case(
        "stream STFT hop_length=1",
        "swiftspec.stream.STFT",
        n_fft=4096,
        hop_length=1,
        then=(("process", (LONG,)),),
        expect="hop_length=1",
    ),
    # clips and images
    case(
        "clips.split duration", "swiftspec.clips.split", Y, sr=1, duration=1e15, expect="duration="
    ),
    case(
        "clips.log_mel n_mels",
        "swiftspec.clips.log_mel",
        Y,
        sr=22050,
        n_mels=HUGE,
        expect="n_mels=",
    ),
    *(
        case(name, "swiftspec.clips.to_image", np.zeros((4, 4)), size=size, expect="size=")
        for name, size in (
            ("to_image size", (2**20, 2**20)),
            ("to_image size 2**40", HUGE),
            ("to_image size 'WxH'", f"{2**31}x1"),
        )
    ),
    case("parse_size", "swiftspec.clips.parse_size", "1000000x1000000", expect="size="),
    # the images command
    case(
        "images Settings size", "swiftspec.images.Settings", size="1000000x1000000", expect="size="
    ),
    case(
        "images check_settings sr",
        "swiftspec.images.check_settings",
        swiftspec.images.Settings(sr=HUGE),
        expect=f"sr={HUGE}",
    ),
    case(
        "images check_settings n_mels",
        "swiftspec.images.check_settings",
        swiftspec.images.Settings(n_mels=HUGE),
        expect=f"n_mels={HUGE}",
    ),
    case(
        "images check_settings clip",
        "swiftspec.images.check_settings",
        swiftspec.images.Settings(clip=1e15),
        expect="duration=",
    ),
]


@pytest.mark.slow  # (each call runs in a spawned child process)
@pytest.mark.parametrize("target, args, kwargs, then, expect", CASES)
def test_huge_size_is_a_parameter_error(guarded, target, args, kwargs, then, expect):
    outcome = guarded.call(target, *args, then=then, **kwargs)
    assert outcome.parameter_error, outcome
    assert expect in outcome.message, outcome.message


def test_limits_are_consistent():
    # The FFT limit follows from the array limit: 16 bytes a sample of working buffers.
    assert MAX_FFT_SIZE * 16 <= MAX_ARRAY_BYTES
    assert 0 < MIN_RESAMPLE_RATIO < 1


@pytest.mark.parametrize("n_mels", [-1, -3])
def test_mel_frequencies_rejects_negative_n_mels(n_mels):
    # librosa (numpy.linspace) raises ValueError, as filters.mel does.
    import swiftspec

    with pytest.raises(swiftspec.ParameterError, match=f"n_mels={n_mels}"):
        swiftspec.mel_frequencies(n_mels)
    with pytest.raises(swiftspec.ParameterError, match=f"n_mels={n_mels}"):
        swiftspec.filters.mel(sr=22050, n_fft=2048, n_mels=n_mels)


def test_zero_mels_give_empty_results_as_librosa():
    import swiftspec

    librosa = pytest.importorskip("librosa")
    for ours, ref in [
        (swiftspec.mel_frequencies(0), librosa.mel_frequencies(0)),
        (
            swiftspec.filters.mel(sr=22050, n_fft=64, n_mels=0),
            librosa.filters.mel(sr=22050, n_fft=64, n_mels=0),
        ),
    ]:
        assert ours.shape == ref.shape and ours.dtype == ref.dtype


def test_mel_frequencies_rejects_float_n_mels_as_librosa():
    import swiftspec

    librosa = pytest.importorskip("librosa")
    with pytest.raises(TypeError):
        librosa.mel_frequencies(3.0)
    with pytest.raises(TypeError):
        swiftspec.mel_frequencies(3.0)
