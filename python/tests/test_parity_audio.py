# SPDX-License-Identifier: GPL-2.0-or-later
"""Parity on real recordings (python/tests/data), loaded with soundfile as float32.

librosa_test_audio.flac is stereo (44.1 kHz) and is analysed as (2, n) multichannel
audio. The others are mono: librosa's robin (bird song) and libri1 (speech) examples at
22.05 kHz, and a 44.1 kHz helicopter sound effect.
"""

import warnings

import numpy as np
import pytest

librosa = pytest.importorskip("librosa")
pytest.importorskip("soundfile")
import swiftspec  # noqa: E402

LIBROSA_1 = int(librosa.__version__.split(".")[0]) >= 1
RECORDINGS = ["librosa_robin", "librosa_libri1", "librosa_test_audio", "gcompris_helicopter"]
PRECISIONS = ["exact", "fast"]


@pytest.fixture(params=RECORDINGS)
def recording(request, recordings):
    if request.param not in recordings:
        pytest.fail(f"python/tests/data/{request.param}.* is missing")
    return recordings[request.param]


def test_recordings_loaded(recordings):
    assert recordings["librosa_test_audio"][0].shape[0] == 2  # stereo
    for name in RECORDINGS:
        y, sr = recordings[name]
        assert y.dtype == np.float32 and sr in (22050, 44100) and y.shape[-1] > 40000


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize(
    "n_fft,hop_length,pad_mode",
    [(2048, None, "constant"), (512, 256, "reflect"), (1023, 441, "constant")],
)
def test_stft(parity, recording, precision, n_fft, hop_length, pad_mode):
    y, _ = recording
    ours = swiftspec.stft(
        y, n_fft=n_fft, hop_length=hop_length, pad_mode=pad_mode, precision=precision
    )
    ref = librosa.stft(y, n_fft=n_fft, hop_length=hop_length, pad_mode=pad_mode)
    if precision == "exact":
        parity.assert_stft(ours, ref, name="stft exact, recordings")
    else:
        # Measured: <= ~2.5e-7 of the frame peak on these recordings.
        parity.assert_stft_fast(ours, ref, name="stft fast, recordings")


def _db_axes(S):
    return {} if LIBROSA_1 or S.ndim <= 2 else {"axes": None}


def fast_log_mel_bound(
    parity, y, sr, M_ref, *, n_fft=2048, hop_length=512, power=2.0, **mel_kwargs
):
    """Per-entry dB error that the fast STFT tolerance allows, from librosa's spectrum.

    With |error| <= delta = TOL.stft_fast_atol * frame peak on each STFT component, a mel
    band M = sum_f w_f |X_f|**p can be off by at most sum_f w_f ((|X_f| + delta)**p -
    |X_f|**p), i.e. 10 log10(M / (M - that)) dB. In loud bands this is ~1e-6 dB; in bands
    90+ dB below their frame's peak (vorbis-lowpassed highs, quiet harmonics) the float32
    FFT's rounding is a sizable part of the band: up to tenths of a dB.
    """
    D = np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop_length)).astype(np.float64)
    delta = parity.tol.stft_fast_atol * D.max(axis=-2, keepdims=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # empty filters (checked elsewhere)
        basis = librosa.filters.mel(sr=sr, n_fft=n_fft, dtype=np.float64, **mel_kwargs)
    slack = np.einsum("...ft,mf->...mt", (D + delta) ** power - D**power, basis)
    M = M_ref.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = np.where(M > slack, 10 * np.log10(M / (M - slack)), np.inf)
    return bound + parity.tol.logmel_exact_atol


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize(
    "mel_kwargs",
    [
        dict(),
        dict(n_fft=400, hop_length=160, n_mels=80),
        dict(n_fft=1024, n_mels=64, htk=True, fmin=30.0, fmax=8000.0, power=1.0),
    ],
    ids=["defaults", "asr", "htk_power1"],
)
def test_melspectrogram_and_log_mel(parity, recording, precision, mel_kwargs):
    y, sr = recording
    # (n_fft=400 with 80 mels at 44.1 kHz has empty filters: both warn alike.)
    ours, ref = parity.both(
        lambda: swiftspec.feature.melspectrogram(y=y, sr=sr, precision=precision, **mel_kwargs),
        lambda: librosa.feature.melspectrogram(y=y, sr=sr, **mel_kwargs),
    )
    parity.assert_channels(
        ours, ref, parity.tol.mel_rtol, f"melspectrogram {precision}, recordings"
    )
    if precision == "exact":
        for ref_kind in (1.0, np.max):
            parity.assert_db(
                swiftspec.power_to_db(ours, ref=ref_kind, **_db_axes(ours)),
                librosa.power_to_db(ref, ref=ref_kind),
                parity.tol.logmel_exact_atol,
                "log-mel exact, recordings",
            )
        return
    # Fast mode: each entry within the bound its STFT tolerance implies (measured: up to
    # ~0.3 dB in bands ~100 dB below their frame's peak, < 2e-4 dB within 60 dB of it).
    bound = fast_log_mel_bound(parity, y, sr, ref, **mel_kwargs)
    ours_db = swiftspec.power_to_db(ours, top_db=None)
    ref_db = librosa.power_to_db(ref, top_db=None)
    err = np.abs(ours_db.astype(np.float64) - ref_db)
    parity.record("log-mel fast, recordings: max abs error (dB)", err.max())
    parity.record(
        "log-mel fast, recordings: max error / bound from the STFT tolerance", np.max(err / bound)
    )
    frame_peak = ref_db.max(axis=-2, keepdims=True)
    near = ref_db >= frame_peak - 60.0
    parity.record(
        "log-mel fast, recordings: max abs error within 60 dB of the frame's loudest band (dB)",
        err[near].max(),
    )
    assert np.all(err <= bound), np.max(err / bound)
    # With librosa's default top_db=80 floor (1.0 per channel, 0.11 global).
    for ref_kind in (1.0, np.max):
        ours_db = swiftspec.power_to_db(ours, ref=ref_kind, **_db_axes(ours))
        ref_db = librosa.power_to_db(ref, ref=ref_kind)
        clipped = (
            ref_db <= ref_db.min(axis=(-2, -1), keepdims=True)
            if ref_db.ndim > 2
            else ref_db <= ref_db.min()
        )
        err = np.abs(ours_db.astype(np.float64) - ref_db)
        assert np.all(err[~clipped] <= bound[~clipped]), np.max(err[~clipped])
        assert np.max(err[clipped]) <= np.max(bound[~clipped]), np.max(err[clipped])


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize(
    "kwargs",
    [dict(), dict(n_mfcc=13, lifter=22, n_fft=400, hop_length=160, n_mels=40)],
    ids=["defaults", "asr"],
)
def test_mfcc(parity, recording, precision, kwargs):
    y, sr = recording
    if y.ndim == 1 or LIBROSA_1:
        ours, ref = parity.both(
            lambda: swiftspec.feature.mfcc(y=y, sr=sr, precision=precision, **kwargs),
            lambda: librosa.feature.mfcc(y=y, sr=sr, **kwargs),
        )
        parity.assert_mfcc(ours, ref, f"mfcc {precision}, recordings")
    else:
        # librosa 0.11 floors all channels at once: compare channel by channel.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # empty filters at 44.1 kHz
            ours = swiftspec.feature.mfcc(y=y, sr=sr, precision=precision, **kwargs)
        for channel in range(y.shape[0]):
            ours_mono, ref = parity.both(
                lambda: ours[channel],
                lambda: librosa.feature.mfcc(y=y[channel], sr=sr, **kwargs),
                warnings_match=False,
            )
            parity.assert_mfcc(ours_mono, ref, f"mfcc {precision}, recordings")


def test_istft_round_trip(parity, recording):
    y, _ = recording
    D = swiftspec.stft(y, n_fft=1024, hop_length=256)
    ours = swiftspec.istft(D, n_fft=1024, hop_length=256, length=y.shape[-1])
    ref = librosa.istft(
        librosa.stft(y, n_fft=1024, hop_length=256), n_fft=1024, hop_length=256, length=y.shape[-1]
    )
    peak = float(np.max(np.abs(ref)))
    err = float(np.max(np.abs(ours - ref)))
    parity.record("istft (float32), recordings: max abs error / peak", err / peak)
    assert err <= parity.tol.istft_atol * peak
    np.testing.assert_allclose(ours, y, atol=1e-5 * max(1.0, float(np.max(np.abs(y)))))
