# SPDX-License-Identifier: GPL-2.0-or-later
"""swiftspec.istft against librosa.istft, and the stft -> istft round trip."""

import numpy as np
import pytest

librosa = pytest.importorskip("librosa")
import swiftspec  # noqa: E402


def noise(rng, *shape, dtype=np.float32):
    return (0.5 * rng.standard_normal(shape)).astype(dtype)


def perturbed_stft(rng, y, dtype=np.complex64, **kwargs):
    """An STFT that is not consistent (noise added): OLA and normalisation all matter."""
    D = librosa.stft(y, **kwargs)
    D = D + (0.05 * (rng.standard_normal(D.shape) + 1j * rng.standard_normal(D.shape)))
    return D.astype(dtype)


def envelope(
    D,
    out_len,
    *,
    n_fft=None,
    hop_length=None,
    win_length=None,
    window="hann",
    center=True,
    length=None,
    **_,
):
    """librosa's window sum-square envelope for each output sample (what istft divides
    by), from librosa.filters.window_sumsquare, trimmed as librosa.istft trims it."""
    n_fft = 2 * (D.shape[-2] - 1) if n_fft is None else n_fft
    win_length = n_fft if win_length is None else win_length
    hop_length = win_length // 4 if hop_length is None else hop_length
    n_frames = D.shape[-1]
    if length:
        padded = length + 2 * (n_fft // 2) if center else length
        n_frames = min(n_frames, int(np.ceil(padded / hop_length)))
    wss = librosa.filters.window_sumsquare(
        window=window,
        n_frames=n_frames,
        hop_length=hop_length,
        win_length=win_length,
        n_fft=n_fft,
        dtype=np.float64,
    )
    wss = wss[n_fft // 2 :] if center else wss
    return librosa.util.fix_length(wss, size=out_len)


def compare(parity, D, **kwargs):
    """istft parity: max |error| <= TOL.istft_atol * peak where the envelope is full.

    librosa divides the overlap-add by the window sum-square envelope ``wss``; where it is
    small (the uncovered edges of center=False or large hops) the division amplifies the
    float32 rounding of the overlap-add, so the bound there is scaled by max(wss) / wss.
    ``peak`` is max |y * wss| / max(wss): the output's peak in the fully covered region.
    """
    pair = parity.both(lambda: swiftspec.istft(D, **kwargs), lambda: librosa.istft(D, **kwargs))
    if pair is None:
        return None
    ours, ref = pair
    assert ours.shape == ref.shape and ours.dtype == ref.dtype, (
        ours.shape,
        ref.shape,
        ours.dtype,
        ref.dtype,
    )
    if ref.size == 0:
        return ours, ref
    wss = envelope(D, ref.shape[-1], **kwargs)
    divided = wss > np.finfo(ref.dtype).tiny
    gain = np.where(divided, np.max(wss) / np.where(divided, wss, 1.0), 1.0)
    peak = max(float(np.max(np.abs(ref) / gain)), np.finfo(np.float32).tiny)
    err = np.abs(ours.astype(np.float64) - ref)
    parity.record(
        f"istft ({ref.dtype}): max abs error / (peak * max(wss)/wss)", np.max(err / gain) / peak
    )
    worst = np.max(err / gain) / peak
    assert worst <= parity.tol.istft_atol, f"max error {worst:.3g} of the (scaled) peak"
    return ours, ref


CONFIGS = [  # n_fft, hop_length, win_length
    (2048, None, None),
    (2048, 512, 1024),
    (1024, 256, None),
    (512, 128, None),
    (512, 256, 401),
    (512, 100, 300),
    (400, 160, None),
    (400, 200, None),
    (256, 64, 255),
    (256, 250, None),
    (511, 128, None),
    (255, 60, 201),
    (1023, 256, None),
]


@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize("n_fft,hop_length,win_length", CONFIGS)
def test_parity(parity, rng, n_fft, hop_length, win_length, center):
    y = noise(rng, 6 * n_fft + 77)
    kwargs = dict(n_fft=n_fft, hop_length=hop_length, win_length=win_length, center=center)
    D = perturbed_stft(rng, y, **kwargs)
    # Odd n_fft must be passed explicitly (the default is 2 * (bins - 1)).
    compare(parity, D, **kwargs)
    for length in (None, 0, len(y), len(y) - 300, len(y) + 500, 1, n_fft // 3):
        compare(parity, D, length=length, **kwargs)


@pytest.mark.parametrize("n_fft", [512, 511, 1023, 256])
def test_default_n_fft_from_bins(parity, rng, n_fft):
    y = noise(rng, 5000)
    D = perturbed_stft(rng, y, n_fft=n_fft)
    compare(parity, D)  # n_fft = 2 * (bins - 1): for odd n_fft, not the original
    compare(parity, D, hop_length=n_fft // 4, length=4000)


@pytest.mark.parametrize("window", ["hamming", "blackman", ("kaiser", 6.0), "boxcar"])
def test_windows(parity, rng, window):
    y = noise(rng, 8000)
    D = perturbed_stft(rng, y, n_fft=512, window=window)
    compare(parity, D, n_fft=512, window=window)
    compare(parity, D, n_fft=512, window=window, center=False, length=7000)


@pytest.mark.parametrize("shape", [(2, 9000), (2, 3, 4000)])
def test_multichannel(parity, rng, shape):
    y = noise(rng, *shape)
    D = perturbed_stft(rng, y, n_fft=512, hop_length=128)
    ours, ref = compare(parity, D, hop_length=128)
    compare(parity, D, hop_length=128, length=shape[-1])
    flat = D.reshape((-1,) + D.shape[-2:])
    for index, channel in enumerate(flat):
        np.testing.assert_array_equal(
            ours.reshape(-1, ours.shape[-1])[index], swiftspec.istft(channel, hop_length=128)
        )


def test_complex128(parity, rng):
    y = noise(rng, 2, 9000, dtype=np.float64)
    D = perturbed_stft(rng, y, dtype=np.complex128, n_fft=1024, hop_length=256)
    ours, ref = compare(parity, D, hop_length=256)
    assert ours.dtype == np.float64
    compare(parity, D, hop_length=256, length=8500, center=True)
    compare(parity, D, hop_length=256, dtype=np.float32)
    compare(parity, D.astype(np.complex64), hop_length=256, dtype=np.float64)


def test_out_argument(parity, rng):
    y = noise(rng, 6000)
    D = perturbed_stft(rng, y, n_fft=512)
    _, ref = compare(parity, D, length=6000)
    out = np.full(6000, 99.0, dtype=np.float32)
    ours = swiftspec.istft(D, length=6000, out=out)
    assert ours is out
    assert np.max(np.abs(ours - ref)) <= parity.tol.istft_atol * np.max(np.abs(ref))
    with pytest.raises(swiftspec.ParameterError):
        swiftspec.istft(D, length=6000, out=np.zeros(6001, np.float32))
    with pytest.raises(librosa.ParameterError):
        librosa.istft(D, length=6000, out=np.zeros(6001, np.float32))


@pytest.mark.parametrize(
    "n_fft,hop_length,center,pad_mode",
    [
        (2048, 512, True, "constant"),
        (512, 128, True, "reflect"),
        (400, 100, False, "constant"),
        (511, 127, True, "edge"),
        (1024, 256, True, "constant"),
    ],
)
def test_round_trip(parity, rng, n_fft, hop_length, center, pad_mode):
    y = noise(rng, 20000, dtype=np.float64)
    D = swiftspec.stft(y, n_fft=n_fft, hop_length=hop_length, center=center, pad_mode=pad_mode)
    back = swiftspec.istft(D, n_fft=n_fft, hop_length=hop_length, center=center, length=len(y))
    ref = librosa.istft(
        librosa.stft(y, n_fft=n_fft, hop_length=hop_length, center=center, pad_mode=pad_mode),
        n_fft=n_fft,
        hop_length=hop_length,
        center=center,
        length=len(y),
    )
    assert back.shape == ref.shape == y.shape
    np.testing.assert_allclose(back, ref, atol=1e-12, rtol=1e-9)
    # Away from uncovered edges the signal comes back.
    edge = 0 if center else n_fft
    np.testing.assert_allclose(back[edge : len(y) - edge], y[edge : len(y) - edge], atol=1e-9)


def test_round_trip_float32(rng):
    y = noise(rng, 2, 16000)
    back = swiftspec.istft(swiftspec.stft(y, n_fft=1024), length=16000)
    assert back.dtype == np.float32
    np.testing.assert_allclose(back, y, atol=2e-6)


@pytest.mark.parametrize(
    "case",
    [
        "one_frame_center",
        "frames_less_than_start",
        "win_length_too_long",
        "window_mismatch",
        "one_dimensional",
    ],
)
def test_edge_cases(parity, rng, case):
    D = perturbed_stft(rng, noise(rng, 3000), n_fft=512)
    kwargs = {
        "one_frame_center": dict(stft_matrix=D[:, :1]),
        "frames_less_than_start": dict(stft_matrix=D[:, :2], hop_length=128, length=1000),
        "win_length_too_long": dict(stft_matrix=D, win_length=600),
        "window_mismatch": dict(stft_matrix=D, window=np.ones(10)),
        "one_dimensional": dict(stft_matrix=D[:, 0]),
    }[case]
    matrix = kwargs.pop("stft_matrix")
    ref, ref_error, _ = parity.outcome(librosa.istft, matrix, **kwargs)
    ours, our_error, _ = parity.outcome(swiftspec.istft, matrix, **kwargs)
    if ref_error is None:
        assert our_error is None, our_error
        compare(parity, matrix, **kwargs)
    elif isinstance(ref_error, librosa.ParameterError):
        assert isinstance(our_error, swiftspec.ParameterError), repr(our_error)
    else:
        # librosa fails with an IndexError/ValueError of numpy's; swiftspec reports a
        # ParameterError (a ValueError) instead.
        assert our_error is not None, f"librosa raised {ref_error!r}"
