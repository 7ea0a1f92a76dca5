# SPDX-License-Identifier: GPL-2.0-or-later
"""swiftspec.clips: splitting, log-mel per clip, normalisation and images.

Expected values are written out by hand here (slices, numpy formulas, librosa, Pillow),
never taken from swiftspec's own output.
"""

import numpy as np
import pytest

import swiftspec
from swiftspec import clips

SR = 100  # 5 s clips are 500 samples: small, exact arithmetic


def signal(n, channels=None):
    shape = (n,) if channels is None else (channels, n)
    return (np.arange(np.prod(shape), dtype=np.float32) + 1).reshape(shape)


# ---- split ------------------------------------------------------------------------------


def test_split_pads_the_tail_by_default():
    y = signal(1234)
    parts = clips.split(y, sr=SR, duration=5.0)
    assert [p.index for p in parts] == [0, 1, 2]
    assert [p.start for p in parts] == [0, 500, 1000]
    assert [p.n_audio for p in parts] == [500, 500, 234]
    for p in parts:
        assert p.y.shape == (500,)
    np.testing.assert_array_equal(parts[0].y, y[:500])
    np.testing.assert_array_equal(parts[1].y, y[500:1000])
    np.testing.assert_array_equal(parts[2].y[:234], y[1000:])
    np.testing.assert_array_equal(parts[2].y[234:], np.zeros(266, np.float32))
    assert parts[2].y.dtype == y.dtype


def test_split_drop_and_keep():
    y = signal(1234)
    assert [p.n_audio for p in clips.split(y, sr=SR, tail="drop")] == [500, 500]
    kept = clips.split(y, sr=SR, tail="keep")
    assert [p.y.shape[-1] for p in kept] == [500, 500, 234]
    np.testing.assert_array_equal(kept[2].y, y[1000:])


def test_split_exact_multiple_has_no_tail():
    for tail in clips.TAILS:
        parts = clips.split(signal(1500), sr=SR, tail=tail)
        assert [p.start for p in parts] == [0, 500, 1000]


def test_split_shorter_than_one_clip():
    y = signal(120)
    (only,) = clips.split(y, sr=SR)
    assert (only.index, only.start, only.n_audio, only.y.shape) == (0, 0, 120, (500,))
    np.testing.assert_array_equal(only.y[:120], y)
    assert clips.split(y, sr=SR, tail="drop") == []
    assert clips.split(y, sr=SR, tail="keep")[0].y.shape == (120,)


def test_split_min_tail():
    y = signal(1099)  # a 99-sample (0.99 s) tail
    assert len(clips.split(y, sr=SR, min_tail=1.0)) == 2
    assert len(clips.split(y, sr=SR, min_tail=0.99)) == 3
    assert clips.split(signal(50), sr=SR, min_tail=1.0) == []


def test_split_empty_signal():
    for tail in clips.TAILS:
        assert clips.split(np.zeros(0, np.float32), sr=SR, tail=tail) == []


def test_split_hop_overlap():
    y = signal(1200)
    parts = clips.split(y, sr=SR, duration=5.0, hop=2.5)
    # full clips start at 0, 250 and 500 (the last ends at 1000 <= 1200); the next window,
    # at 750, holds the remaining 450 samples and is padded
    assert [p.start for p in parts] == [0, 250, 500, 750]
    assert [p.n_audio for p in parts] == [500, 500, 500, 450]
    np.testing.assert_array_equal(parts[1].y, y[250:750])


def test_split_multichannel_cuts_the_last_axis():
    y = signal(700, channels=2)
    parts = clips.split(y, sr=SR)
    assert [p.y.shape for p in parts] == [(2, 500), (2, 500)]
    np.testing.assert_array_equal(parts[1].y[:, :200], y[:, 500:])
    np.testing.assert_array_equal(parts[1].y[:, 200:], 0)


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(duration=0), "duration=0"),
        (dict(duration=-1.0), "duration=-1.0"),
        (dict(hop=float("nan")), "hop=nan"),
        (dict(tail="wrap"), "tail='wrap'"),
        (dict(min_tail=-1), "min_tail=-1"),
        (dict(sr=0), "sr=0"),
        (dict(duration=0.001), "at least one sample"),
    ],
)
def test_split_errors_name_the_value(kwargs, word):
    args = dict(sr=SR)
    args.update(kwargs)
    with pytest.raises(swiftspec.ParameterError, match=word.replace("(", r"\(")):
        clips.split(signal(10), **args)


def test_split_rejects_non_arrays():
    with pytest.raises(swiftspec.ParameterError, match="numpy array"):
        clips.split([1.0, 2.0], sr=SR)


# ---- log_mel ----------------------------------------------------------------------------


def test_log_mel_equals_librosa_per_clip(rng, tol):
    librosa = pytest.importorskip("librosa")
    sr = 16000
    batch = (rng.standard_normal((3, 2 * sr)) * np.array([[1.0], [1e-3], [10.0]])).astype(
        np.float32
    )
    batch[1, : sr // 2] = 0  # a quiet clip with silence: per-clip ref and floor matter
    ours = clips.log_mel(
        batch, sr=sr, n_fft=1024, hop_length=256, n_mels=64, fmin=50, fmax=7000, top_db=60
    )
    assert ours.shape == (3, 64, 1 + 2 * sr // 256) and ours.dtype == np.float32
    for k in range(3):
        S = librosa.feature.melspectrogram(
            y=batch[k], sr=sr, n_fft=1024, hop_length=256, n_mels=64, fmin=50, fmax=7000
        )
        ref = librosa.power_to_db(S, ref=np.max, top_db=60)
        np.testing.assert_allclose(ours[k], ref, rtol=0, atol=tol.logmel_exact_atol)
        assert ours[k].max() == 0 and ours[k].min() >= -60


# ---- normalisation ----------------------------------------------------------------------


def test_minmax_uint8_by_hand(rng):
    S = rng.standard_normal((2, 5, 7)).astype(np.float32) * 30 - 40
    got = clips.minmax_uint8(S)
    assert got.dtype == np.uint8 and got.shape == S.shape
    for k in range(2):
        s = S[k].astype(np.float64)
        expected = np.round(255 * (s - s.min()) / (s.max() - s.min())).astype(np.uint8)
        np.testing.assert_array_equal(got[k], expected)
        assert got[k].min() == 0 and got[k].max() == 255


def test_minmax_uint8_constant_clip_is_black():
    np.testing.assert_array_equal(clips.minmax_uint8(np.full((4, 3), -80.0)), 0)


def test_minmax_uint8_rejects_non_finite():
    S = np.zeros((3, 3))
    S[1, 1] = np.nan
    with pytest.raises(swiftspec.ParameterError, match="finite"):
        clips.minmax_uint8(S)
    with pytest.raises(swiftspec.ParameterError, match="two axes"):
        clips.minmax_uint8(np.zeros(4))


def test_standardize_by_hand(rng):
    S = rng.standard_normal((3, 6, 9)).astype(np.float32) * 7 + 3
    Z = clips.standardize(S)
    assert Z.dtype == np.float32 and Z.shape == S.shape
    for k in range(3):
        s = S[k].astype(np.float64)
        np.testing.assert_allclose(Z[k], (s - s.mean()) / s.std(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(Z.mean(axis=(1, 2)), 0, atol=1e-6)
    np.testing.assert_allclose(Z.std(axis=(1, 2)), 1, atol=1e-6)
    assert clips.standardize(S.astype(np.float64)).dtype == np.float64
    np.testing.assert_array_equal(clips.standardize(np.ones((2, 2))), 0)


# ---- images -----------------------------------------------------------------------------


def test_to_image_puts_low_frequencies_at_the_bottom():
    pytest.importorskip("PIL")
    S = np.zeros((4, 6))
    S[0, :] = 1.0  # the lowest band is the loudest
    image = clips.to_image(S)
    assert image.mode == "L" and image.size == (6, 4)  # (width, height) = (frames, bands)
    pixels = np.asarray(image)
    np.testing.assert_array_equal(pixels[-1], 255)  # bottom row
    np.testing.assert_array_equal(pixels[:-1], 0)


def test_to_image_resize_is_pillows(rng):
    Image = pytest.importorskip("PIL.Image")
    S = rng.standard_normal((16, 40))
    image = clips.to_image(S, size="30x20", resample="bilinear")
    assert image.size == (30, 20)
    s = S.astype(np.float64)
    pixels = np.round(255 * (s - s.min()) / (s.max() - s.min())).astype(np.uint8)
    expected = Image.fromarray(pixels[::-1].copy()).resize((30, 20), Image.Resampling.BILINEAR)
    np.testing.assert_array_equal(np.asarray(image), np.asarray(expected))


def test_heat_colormap_is_black_red_yellow_white():
    lut = clips.colormap_lut("heat")
    assert lut.shape == (256, 3) and lut.dtype == np.uint8
    assert tuple(lut[0]) == (0, 0, 0) and tuple(lut[255]) == (255, 255, 255)
    assert tuple(lut[85]) == (255, 0, 0) and tuple(lut[170]) == (255, 255, 0)
    luminance = lut.astype(int).sum(axis=1)
    assert np.all(np.diff(luminance) >= 0)


def test_colormap_image_is_rgb_lookup():
    pytest.importorskip("PIL")
    S = np.linspace(0, 1, 256).reshape(1, 256).repeat(2, axis=0)
    image = clips.to_image(S, colormap="heat")
    assert image.mode == "RGB" and image.size == (256, 2)
    np.testing.assert_array_equal(np.asarray(image)[0], clips.colormap_lut("heat"))


def test_matplotlib_colormap():
    matplotlib = pytest.importorskip("matplotlib")
    lut = clips.colormap_lut("viridis")
    expected = matplotlib.colormaps["viridis"](np.arange(256) / 255, bytes=True)[:, :3]
    np.testing.assert_array_equal(lut, expected)


def test_unknown_colormap_and_filter():
    pytest.importorskip("PIL")
    with pytest.raises(swiftspec.ParameterError, match="no_such_map"):
        clips.to_image(np.zeros((2, 2)), colormap="no_such_map")
    with pytest.raises(swiftspec.ParameterError, match="resample='cubic'"):
        clips.to_image(np.zeros((2, 2)), resample="cubic")


@pytest.mark.parametrize(
    "size, expected",
    [("512x256", (512, 256)), ("64", (64, 64)), (32, (32, 32)), ((10, 20), (10, 20)), (None, None)],
)
def test_parse_size(size, expected):
    assert clips.parse_size(size) == expected


@pytest.mark.parametrize("size", ["0x5", "axb", "1x2x3", (1.5, 2), -3, True])
def test_parse_size_errors(size):
    with pytest.raises(swiftspec.ParameterError, match="WIDTHxHEIGHT"):
        clips.parse_size(size)
