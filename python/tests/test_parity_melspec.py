# SPDX-License-Identifier: GPL-2.0-or-later
"""swiftspec.feature.melspectrogram (and log-mel) against librosa, both precisions."""

import numpy as np
import pytest

librosa = pytest.importorskip("librosa")
import swiftspec  # noqa: E402

LIBROSA_1 = int(librosa.__version__.split(".")[0]) >= 1
LIBROSA_1_0_1 = tuple(int(part) for part in librosa.__version__.split(".")[:3]) >= (1, 0, 1)
PRECISIONS = ["exact", "fast"]


def signal(rng, *shape, dtype=np.float32):
    """Noise with a quiet stretch and a tone: a wide dynamic range like real audio."""
    n = shape[-1]
    t = np.arange(n) / 16000.0
    y = 0.2 * rng.standard_normal(shape) + 0.5 * np.sin(2 * np.pi * 440.0 * t)
    y[..., n // 3 : n // 2] *= 1e-3
    return y.astype(dtype)


def compare(parity, y, precision="exact", **kwargs):
    pair = parity.both(
        lambda: swiftspec.feature.melspectrogram(y=y, precision=precision, **kwargs),
        lambda: librosa.feature.melspectrogram(y=y, **kwargs),
    )
    if pair is None:
        return None
    ours, ref = pair
    parity.assert_channels(
        ours, ref, parity.tol.mel_rtol, f"melspectrogram {precision} ({ref.dtype})"
    )
    return ours, ref


def db_axes(ndim):
    """Per-channel (1.0) or global (0.11) top_db/ref, matching the installed librosa."""
    return {} if LIBROSA_1 or ndim <= 2 else {"axes": None}


def compare_log_mel(parity, ours, ref, precision, **db_kwargs):
    atol = parity.tol.logmel_exact_atol if precision == "exact" else parity.tol.logmel_fast_atol
    for ref_kind in (1.0, np.max):
        ours_db = swiftspec.power_to_db(ours, ref=ref_kind, **db_axes(ours.ndim), **db_kwargs)
        ref_db = librosa.power_to_db(ref, ref=ref_kind, **db_kwargs)
        parity.assert_db(ours_db, ref_db, atol, f"log-mel {precision} ({ref.dtype})")


# ---- STFT parameters --------------------------------------------------------------------


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize(
    "n_fft,hop_length,win_length",
    [
        (2048, 512, None),
        (2048, None, None),
        (2048, 1100, 1024),
        (1023, 512, None),
        (512, 128, None),
        (512, 256, 401),
        (511, 160, None),
        (400, 160, None),
        (400, 200, 401 - 1),
        (256, 300, None),
        (255, 64, 127),
    ],
)
def test_stft_parameters(parity, rng, precision, n_fft, hop_length, win_length):
    y = signal(rng, 12000)
    ours, ref = compare(
        parity,
        y,
        precision,
        sr=16000,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        n_mels=40,
    )
    compare_log_mel(parity, ours, ref, precision)


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize("pad_mode", ["constant", "edge", "reflect", "symmetric", "linear_ramp"])
@pytest.mark.parametrize("center", [True, False])
def test_center_and_pad_modes(parity, rng, precision, center, pad_mode):
    y = signal(rng, 9000)
    ours, ref = compare(
        parity,
        y,
        precision,
        sr=22050,
        n_fft=1024,
        hop_length=256,
        center=center,
        pad_mode=pad_mode,
        n_mels=64,
    )
    compare_log_mel(parity, ours, ref, precision)


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize("length", [1, 100, 2047, 2048])
def test_short_signals(parity, rng, precision, length):
    # n_fft > len warns in both (checked by parity.both).
    y = signal(rng, length)
    compare(parity, y, precision)
    compare(parity, y, precision, pad_mode="reflect", n_fft=512, hop_length=128)


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize("power", [2.0, 1.0, 1.5, 0.5, 3, np.float32(2.0)], ids=repr)
def test_power(parity, rng, precision, power):
    y = signal(rng, 10000)
    ours, ref = compare(
        parity, y, precision, sr=16000, n_fft=512, hop_length=160, power=power, n_mels=64
    )
    compare_log_mel(parity, ours, ref, precision)


@pytest.mark.parametrize("power", [np.float64(2.0), np.float64(1.5), np.int64(2)], ids=repr)
def test_numpy_power_keeps_float32(parity, rng, power):
    """librosa 1.0.1 raises |S| to the power in place, so a numpy power keeps y's float32;
    0.11 and 1.0.0 promote the result to float64 (NEP 50; numpy < 2.3 kept float32 for
    the exponent 2). swiftspec follows 1.0.1, and against older librosa the values are
    compared with its result rounded to float32."""
    y = signal(rng, 8000)
    kwargs = dict(sr=16000, n_fft=512, power=power)
    ours = swiftspec.feature.melspectrogram(y=y, **kwargs)
    ref = librosa.feature.melspectrogram(y=y, **kwargs)
    if not LIBROSA_1_0_1:
        ref = ref.astype(np.float32)
    assert ref.dtype == np.float32
    parity.assert_channels(ours, ref, parity.tol.mel_rtol, "melspectrogram numpy power")


# ---- Mel parameters ---------------------------------------------------------------------


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize(
    "mel_kwargs",
    [
        dict(n_mels=128),
        dict(n_mels=80, fmin=20.0, fmax=7600.0),
        dict(n_mels=64, htk=True),
        dict(n_mels=40, norm=None),
        dict(n_mels=40, norm=2),
        dict(n_mels=40, norm=np.inf),
        dict(n_mels=32, fmin=300.0, fmax=3400.0, htk=True, norm=None),
        dict(n_mels=128, dtype=np.float64),
    ],
    ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()),
)
@pytest.mark.parametrize("sr,n_fft", [(16000, 400), (22050, 2048), (48000, 1023), (8000, 255)])
def test_mel_parameters(parity, rng, precision, sr, n_fft, mel_kwargs):
    y = signal(rng, 3 * sr // 4)
    if precision == "fast" and mel_kwargs.get("dtype") == np.float64:
        # A float64 basis makes the result float64: fast mode refuses it.
        with pytest.raises(swiftspec.ParameterError):
            swiftspec.feature.melspectrogram(
                y=y, sr=sr, n_fft=n_fft, precision="fast", **mel_kwargs
            )
        return
    ours, ref = compare(
        parity, y, precision, sr=sr, n_fft=n_fft, hop_length=n_fft // 4, **mel_kwargs
    )
    compare_log_mel(parity, ours, ref, precision)


@pytest.mark.parametrize("precision", PRECISIONS)
def test_empty_filters_warn(parity, rng, precision):
    y = signal(rng, 8000)
    compare(parity, y, precision, sr=16000, n_fft=512, n_mels=256)
    compare(parity, y, precision, sr=16000, n_fft=512, n_mels=64, fmax=16000.0)


# ---- Channels and dtypes ----------------------------------------------------------------


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize("shape", [(2, 20000), (2, 3, 7000), (1, 5000)])
def test_multichannel(parity, rng, precision, shape):
    y = signal(rng, *shape)
    y[0] *= 0.01  # channels at different levels: per-channel tolerances matter
    ours, ref = compare(parity, y, precision, sr=16000, n_fft=512, hop_length=160, n_mels=80)
    compare_log_mel(parity, ours, ref, precision)
    flat = y.reshape(-1, shape[-1])
    for index, channel in enumerate(flat):
        np.testing.assert_array_equal(
            ours.reshape((-1,) + ours.shape[-2:])[index],
            swiftspec.feature.melspectrogram(
                y=channel, sr=16000, n_fft=512, hop_length=160, n_mels=80, precision=precision
            ),
        )


def test_float64_input(parity, rng):
    y = signal(rng, 2, 12000, dtype=np.float64)
    ours, ref = compare(parity, y, sr=16000, n_fft=1024, n_mels=64)
    assert ours.dtype == np.float64
    compare_log_mel(parity, ours, ref, "exact")
    ours, ref = compare(parity, y[0], sr=16000, n_fft=1024, n_mels=64, dtype=np.float64)
    assert ours.dtype == np.float64
    with pytest.raises(swiftspec.ParameterError):
        swiftspec.feature.melspectrogram(y=y, precision="fast")


def test_input_layouts(parity, rng):
    base = signal(rng, 2, 16000)
    for y in (base[0, ::2], base[0, ::-1], np.asfortranarray(base), base.astype(">f4")):
        compare(parity, y, sr=8000, n_fft=256, hop_length=100, n_mels=32)


# ---- S= path ----------------------------------------------------------------------------


@pytest.mark.parametrize("n_fft_arg", [None, "match", "mismatch"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_spectrogram_input(parity, rng, dtype, n_fft_arg):
    y = signal(rng, 2, 12000)
    D = librosa.stft(y, n_fft=1024, hop_length=256)
    S = (np.abs(D) ** 2).astype(dtype)
    # n_fft=1024 matches S's 513 bins; a mismatching n_fft (default 2048) is replaced by
    # 2 * (bins - 1) = 1024 as in librosa.
    extra = {None: {}, "match": {"n_fft": 1024}, "mismatch": {"n_fft": 2048}}[n_fft_arg]
    for mel_kwargs in (dict(n_mels=64), dict(n_mels=40, htk=True, norm=None, fmax=6000.0)):
        pair = parity.both(
            lambda: swiftspec.feature.melspectrogram(S=S, sr=16000, **extra, **mel_kwargs),
            lambda: librosa.feature.melspectrogram(S=S, sr=16000, **extra, **mel_kwargs),
        )
        ours, ref = pair
        parity.assert_channels(
            ours, ref, parity.tol.mel_rtol, f"melspectrogram S= ({dtype.__name__})"
        )


def test_spectrogram_input_odd_n_fft(parity, rng):
    y = signal(rng, 9000)
    S = np.abs(librosa.stft(y, n_fft=1023, hop_length=256)) ** 2
    for extra in ({}, {"n_fft": 1023}):
        ours, ref = parity.both(
            lambda: swiftspec.feature.melspectrogram(S=S, sr=16000, **extra),
            lambda: librosa.feature.melspectrogram(S=S, sr=16000, **extra),
        )
        parity.assert_channels(ours, ref, parity.tol.mel_rtol, "melspectrogram S=")


# ---- Errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(y=np.zeros(100, dtype=np.int16)),
        dict(y=np.array([0.0, np.nan], dtype=np.float32)),
        dict(y=[0.0] * 3000),
        dict(y=np.zeros(3000, np.float32), hop_length=0),
        dict(y=np.zeros(3000, np.float32), pad_mode="wrap"),
        dict(y=np.zeros(3000, np.float32), norm="bogus"),
        dict(y=np.zeros(3000, np.float32), n_fft=None),
        dict(y=np.zeros(100, np.float32), center=False),
    ],
    ids=lambda kw: ",".join(f"{k}" for k in kw) or "nothing",
)
def test_errors_match_librosa(parity, kwargs):
    ref, ref_error, _ = parity.outcome(librosa.feature.melspectrogram, **kwargs)
    ours, our_error, _ = parity.outcome(swiftspec.feature.melspectrogram, **kwargs)
    assert ref_error is not None and our_error is not None, (ref_error, our_error)
    parity.assert_same_error(our_error, ref_error)


def test_unknown_keyword_is_type_error():
    y = np.zeros(3000, np.float32)
    with pytest.raises(TypeError):
        librosa.feature.melspectrogram(y=y, bogus=1)
    with pytest.raises(TypeError):
        swiftspec.feature.melspectrogram(y=y, bogus=1)
