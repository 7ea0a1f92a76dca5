# SPDX-License-Identifier: GPL-2.0-or-later
"""swiftspec.feature.mfcc against librosa.feature.mfcc (and scipy's DCT), both precisions.

Tolerance: TOL.mfcc_atol (1e-3) times max(1, max |MFCC|). Multichannel audio is compared
only with librosa >= 1.0: 0.11 applies power_to_db's top_db over all channels at once,
swiftspec (like 1.0) per channel.
"""

import numpy as np
import pytest

librosa = pytest.importorskip("librosa")
scipy_fft = pytest.importorskip("scipy.fft")
import swiftspec  # noqa: E402

LIBROSA_1 = int(librosa.__version__.split(".")[0]) >= 1
LIBROSA_1_0_1 = tuple(int(part) for part in librosa.__version__.split(".")[:3]) >= (1, 0, 1)
needs_librosa_1_0_1 = pytest.mark.skipif(
    not LIBROSA_1_0_1, reason="ref= and top_db= are new in librosa 1.0.1"
)
PRECISIONS = ["exact", "fast"]


def signal(rng, *shape, dtype=np.float32):
    n = shape[-1]
    t = np.arange(n) / 22050.0
    y = 0.1 * rng.standard_normal(shape) + 0.3 * np.sin(2 * np.pi * 220.0 * t) * (
        1 + np.sin(2 * np.pi * 3.0 * t)
    )
    y[..., n // 4 : n // 3] *= 1e-4  # near-silence: the top_db floor matters
    return y.astype(dtype)


def compare(parity, precision="exact", **kwargs):
    pair = parity.both(
        lambda: swiftspec.feature.mfcc(precision=precision, **kwargs),
        lambda: librosa.feature.mfcc(**kwargs),
    )
    if pair is None:
        return None
    ours, ref = pair
    parity.assert_mfcc(ours, ref, f"mfcc {precision} ({ref.dtype})")
    return ours, ref


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize("lifter", [0, 22])
@pytest.mark.parametrize("norm", ["ortho", None])
@pytest.mark.parametrize("dct_type", [1, 2, 3])
@pytest.mark.parametrize("n_mfcc", [13, 20, 40])
def test_dct_options(parity, rng, n_mfcc, dct_type, norm, lifter, precision):
    y = signal(rng, 15000)
    compare(
        parity,
        precision,
        y=y,
        sr=22050,
        n_mfcc=n_mfcc,
        dct_type=dct_type,
        norm=norm,
        lifter=lifter,
        n_mels=64,
        n_fft=1024,
        hop_length=256,
    )


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize("mel_norm", ["slaney", None, 2, np.inf, 1])
def test_mel_norm(parity, rng, mel_norm, precision):
    y = signal(rng, 15000)
    compare(parity, precision, y=y, sr=22050, mel_norm=mel_norm)
    compare(
        parity,
        precision,
        y=y,
        sr=16000,
        mel_norm=mel_norm,
        n_fft=400,
        hop_length=160,
        n_mels=40,
        htk=True,
        n_mfcc=13,
        lifter=22,
    )


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(n_fft=2048, hop_length=512, n_mels=128),
        dict(n_fft=511, hop_length=200, win_length=301, n_mels=40, fmin=50.0, fmax=7000.0),
        dict(n_fft=400, hop_length=160, center=False, n_mels=80),
        dict(n_fft=512, pad_mode="reflect", power=1.0, n_mels=32),
        dict(n_fft=1023, hop_length=300, window="hamming", n_mels=60, power=1.5),
        dict(n_fft=255, hop_length=64, n_mels=20, htk=True),
        dict(norm="forward"),
        dict(norm="backward", n_mfcc=5),
    ],
    ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()) or "defaults",
)
def test_analysis_options(parity, rng, kwargs, precision):
    y = signal(rng, 20000)
    compare(parity, precision, y=y, sr=22050, **kwargs)


@pytest.mark.parametrize("precision", PRECISIONS)
def test_n_mfcc_above_n_mels(parity, rng, precision):
    y = signal(rng, 10000)
    ours, ref = compare(parity, precision, y=y, n_mfcc=50, n_mels=40)
    assert ours.shape[0] == 40
    # With lifter, librosa fails (numpy broadcast ValueError): so does swiftspec.
    compare(parity, precision, y=y, n_mfcc=50, n_mels=40, lifter=22)
    compare(parity, precision, y=y, n_mfcc=0, n_mels=40)


def test_float64_input(parity, rng):
    y = signal(rng, 20000, dtype=np.float64)
    ours, ref = compare(parity, y=y, sr=22050, n_mfcc=20)
    assert ours.dtype == np.float64
    compare(parity, y=y, sr=22050, n_mfcc=13, lifter=22, dtype=np.float64)


@pytest.mark.parametrize("precision", PRECISIONS)
def test_short_signal(parity, rng, precision):
    compare(parity, precision, y=signal(rng, 1000))  # n_fft > len: warns in both


@pytest.mark.skipif(not LIBROSA_1, reason="librosa 0.11 applies top_db across channels")
@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize("shape", [(2, 15000), (2, 2, 8000)])
def test_multichannel(parity, rng, precision, shape):
    y = signal(rng, *shape)
    y[0] *= 1e-3  # a quiet channel: a global top_db would clip it differently
    ours, ref = compare(parity, precision, y=y, sr=22050, n_mfcc=20, lifter=22)
    flat = y.reshape(-1, shape[-1])
    for index, channel in enumerate(flat):
        np.testing.assert_array_equal(
            ours.reshape((-1,) + ours.shape[-2:])[index],
            swiftspec.feature.mfcc(y=channel, sr=22050, n_mfcc=20, lifter=22, precision=precision),
        )


@needs_librosa_1_0_1
@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize(
    "db_kwargs",
    [
        dict(top_db=None),
        dict(top_db=30.0),
        dict(top_db=0.0),
        dict(ref=np.max),
        dict(ref=np.max, top_db=None),
        dict(ref=2.5, top_db=40.0),
        dict(ref=np.median),
        dict(ref=np.float32(1.0)),
        dict(ref=-1.0),
        dict(ref=1e-12),
    ],
    ids=lambda kw: ",".join(f"{k}={getattr(v, '__name__', v)}" for k, v in kw.items()),
)
@pytest.mark.parametrize("shape", [(15000,), (2, 12000)])
def test_ref_and_top_db(parity, rng, precision, db_kwargs, shape):
    y = signal(rng, *shape)
    if len(shape) > 1:
        y[0] *= 1e-3  # per-channel references and floors differ from global ones
    compare(parity, precision, y=y, sr=22050, n_mfcc=20, **db_kwargs)


@needs_librosa_1_0_1
def test_ref_and_top_db_ignored_for_S(parity, rng):
    S = librosa.power_to_db(librosa.feature.melspectrogram(y=signal(rng, 8000), sr=22050))
    compare(parity, S=S, ref=np.max, top_db=10.0)


def test_multichannel_mono_equivalent_under_any_librosa(parity, rng):
    """Per channel, swiftspec's multichannel MFCC equals librosa's mono MFCC."""
    y = signal(rng, 2, 12000)
    y[1] *= 1e-3
    ours = swiftspec.feature.mfcc(y=y, sr=22050)
    for channel in range(2):
        parity.assert_mfcc(
            ours[channel],
            librosa.feature.mfcc(y=y[channel], sr=22050),
            f"mfcc exact ({ours.dtype})",
        )


# ---- S= path ----------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "dct_type,norm", [(2, "ortho"), (1, None), (3, "ortho"), (2, None), (1, "ortho"), (3, None)]
)
def test_log_mel_input(parity, rng, dct_type, norm, dtype):
    y = signal(rng, 2, 15000)
    S = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=22050)).astype(dtype)
    for n_mfcc, lifter in ((20, 0), (13, 22), (200, 0)):
        kwargs = dict(S=S, n_mfcc=n_mfcc, dct_type=dct_type, norm=norm, lifter=lifter)
        ours, ref = parity.both(
            lambda: swiftspec.feature.mfcc(**kwargs), lambda: librosa.feature.mfcc(**kwargs)
        )
        parity.assert_mfcc(ours, ref, f"mfcc S= ({np.dtype(dtype).name})")
        # librosa's DCT is scipy.fft.dct on the log-mel rows.
        expected = scipy_fft.dct(S, axis=-2, type=dct_type, norm=norm)[..., :n_mfcc, :]
        if lifter:
            expected = (
                expected
                * (1 + (lifter / 2) * np.sin(np.pi * np.arange(1, 1 + n_mfcc) / lifter))[:, None]
            )
        parity.assert_mfcc(ours, expected.astype(dtype), "mfcc S= vs scipy.fft.dct")


# ---- Errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(lifter=-1),
        dict(lifter=np.nan),
        dict(mel_norm="bogus"),
        dict(dct_type=0),
        dict(dct_type=5),
        dict(norm="bogus"),
        dict(y=np.zeros(100, np.int16)),
        dict(bogus=3),
        # new in librosa 1.0.1 (before, TypeError: unexpected keyword arguments)
        pytest.param(dict(top_db=-1.0), marks=needs_librosa_1_0_1),
        pytest.param(dict(top_db=-1.0, mel_norm="bogus"), marks=needs_librosa_1_0_1),
        pytest.param(dict(ref=lambda S: S.max()), marks=needs_librosa_1_0_1, id="ref=no axis"),
    ],
    ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()) or "nothing",
)
def test_errors_match_librosa(parity, kwargs):
    if kwargs and "y" not in kwargs:
        kwargs = dict(kwargs, y=np.zeros(3000, np.float32))
    ref, ref_error, _ = parity.outcome(librosa.feature.mfcc, **kwargs)
    ours, our_error, _ = parity.outcome(swiftspec.feature.mfcc, **kwargs)
    assert ref_error is not None and our_error is not None, (ref_error, our_error)
    parity.assert_same_error(our_error, ref_error)
