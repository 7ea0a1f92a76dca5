# SPDX-License-Identifier: GPL-2.0-or-later
"""Parity with librosa at FFT sizes of every kind: primes, 2 x prime, odd, and smooth.

Each algorithm of Sources/SwiftSpec/RealFFT.swift is covered: FFTW's real plans (even sizes
whose prime factors are all at most 23), its complex plans shared by two frames (odd such
sizes: 81, 1125, 1331, 4913) and Bluestein's algorithm, also two frames per transform (the
rest: primes, 998, 1022, 2046).
The signal has a burst 60 dB louder than its surroundings, so frames of very different
loudness share a transform, and the quiet ones must keep their own accuracy.
"""

import numpy as np
import pytest

librosa = pytest.importorskip("librosa")
import swiftspec  # noqa: E402

# Primes, 2 x prime, odd composites with a large factor, and smooth sizes for contrast.
SIZES = [
    64,
    67,
    81,
    97,
    100,
    127,
    257,
    401,
    998,
    1000,
    1022,
    1031,
    1125,
    1331,
    2046,
    2047,
    4099,
    4913,
    8191,
]


def burst_signal(rng, n_fft, channels=()):
    length = 7 * n_fft + 13
    y = 1e-3 * rng.standard_normal((*channels, length))
    y[..., length // 3 : length // 3 + n_fft] *= 1000.0
    return y.astype(np.float32)


@pytest.mark.parametrize("hop", ["quarter", 64])
@pytest.mark.parametrize("n_fft", SIZES)
def test_stft(parity, rng, n_fft, hop):
    hop = n_fft // 4 if hop == "quarter" else hop
    y = burst_signal(rng, n_fft)
    ref = librosa.stft(y, n_fft=n_fft, hop_length=hop)
    parity.assert_stft(
        swiftspec.stft(y, n_fft=n_fft, hop_length=hop), ref, name="stft exact, any size"
    )
    parity.assert_stft_fast(
        swiftspec.stft(y, n_fft=n_fft, hop_length=hop, precision="fast"),
        ref,
        name="stft fast, any size",
    )


@pytest.mark.parametrize("precision", ["exact", "fast"])
@pytest.mark.parametrize("n_fft", SIZES)
def test_log_mel(parity, rng, n_fft, precision):
    y = burst_signal(rng, n_fft)
    kwargs = dict(sr=22050, n_fft=n_fft, hop_length=max(1, n_fft // 4), n_mels=min(64, n_fft // 4))
    # Small sizes leave some mel filters empty: both warn alike (checked by parity.both).
    ours, ref = parity.both(
        lambda: swiftspec.power_to_db(
            swiftspec.feature.melspectrogram(y=y, precision=precision, **kwargs)
        ),
        lambda: librosa.power_to_db(librosa.feature.melspectrogram(y=y, **kwargs)),
    )
    atol = parity.tol.logmel_exact_atol if precision == "exact" else parity.tol.logmel_fast_atol
    parity.assert_db(ours, ref, atol, name=f"log-mel {precision}, any size")


@pytest.mark.parametrize("n_fft", SIZES)
def test_istft(parity, rng, n_fft):
    y = burst_signal(rng, n_fft)
    hop = n_fft // 4
    D = librosa.stft(y, n_fft=n_fft, hop_length=hop)
    ref = librosa.istft(D, hop_length=hop, length=len(y))
    ours = swiftspec.istft(D, hop_length=hop, length=len(y))
    scaled = np.abs(ours - ref).max() / np.abs(ref).max()
    parity.record("istft, any size: max error / peak", scaled)
    assert scaled <= parity.tol.istft_atol, scaled
