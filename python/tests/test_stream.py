# SPDX-License-Identifier: GPL-2.0-or-later
"""swiftspec.stream: chunked analysis equals the offline call, bit for bit, in bounded memory.

Expected values come from the offline swiftspec call on the concatenated audio (the
stream's contract); the offline center=False result is itself checked against librosa at
the end (skipped without librosa).
"""

import warnings

import numpy as np
import pytest

import swiftspec
import swiftspec.stream
from swiftspec import ParameterError

# (n_fft, hop_length, win_length, window): overlapping, hop = n_fft, hop > n_fft (skipped
# samples), odd sizes, a short window, and degenerate one-sample frames.
CONFIGS = [
    (2048, 512, None, "hann"),
    (1000, 333, 600, "hamming"),
    (512, 700, None, "hann"),
    (256, 256, None, "blackman"),
    (7, 3, None, "hann"),
    (1, 1, None, "boxcar"),
]


def _n_mels(n_fft):
    return 32 if n_fft >= 256 else 1


def _mel_kwargs(n_fft, hop, win_length, window):
    return dict(
        sr=22050,
        n_fft=n_fft,
        hop_length=hop,
        win_length=win_length,
        window=window,
        n_mels=_n_mels(n_fft),
    )


def _offline_mel(y, center=False, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # empty filters for tiny n_fft
        return swiftspec.feature.melspectrogram(y=y, center=center, **kwargs)


def _make_stream(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return swiftspec.stream.MelSpectrogram(**kwargs)


def _chunk_sizes(pattern, n, n_fft, rng):
    """A list of chunk sizes summing to n."""
    if pattern == "one huge chunk":
        return [n]
    if pattern == "single samples":
        return [1] * n
    sizes = []
    while sum(sizes) < n:
        if pattern == "random":
            sizes.append(int(rng.integers(0, 3 * n_fft + 2)))
        elif pattern == "random with empties":
            sizes.append(0 if rng.random() < 0.3 else int(rng.integers(1, 700)))
        elif pattern == "n_fft + 1":
            sizes.append(n_fft + 1)
        elif pattern == "tiny and huge":
            sizes.append(int(rng.choice([0, 1, 2, 5 * n_fft + 3])))
        else:  # pragma: no cover
            raise ValueError(pattern)
    sizes[-1] -= sum(sizes) - n
    return sizes


def _run(stream, y, sizes):
    """Feed y in chunks; return all outputs (each checked for shape) and the max buffer."""
    outputs, start, max_buffer = [], 0, 0
    for size in sizes:
        out = stream.process(y[..., start : start + size])
        assert out.shape[:-1] == y.shape[:-1] + (out.shape[-2],)
        outputs.append(out)
        start += size
        max_buffer = max(max_buffer, stream.buffered_samples)
    assert start == y.shape[-1]
    outputs.append(stream.flush())
    return outputs, max_buffer


PATTERNS = ["random", "random with empties", "n_fft + 1", "tiny and huge", "one huge chunk"]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(map(str, c)))
@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("center", [False, True], ids=["center=False", "center=True"])
def test_mel_stream_is_bit_identical(config, pattern, center, rng):
    n_fft, hop, win_length, window = config
    kwargs = _mel_kwargs(*config)
    n = (6000 if n_fft >= 256 else 1200) + int(rng.integers(0, 500))  # tiny frames: fewer
    y = rng.standard_normal(n).astype(np.float32)
    stream = _make_stream(center=center, **kwargs)
    outputs, max_buffer = _run(stream, y, _chunk_sizes(pattern, y.size, n_fft, rng))
    got = np.concatenate(outputs, axis=-1)
    ref = _offline_mel(y, center=center, **kwargs)
    assert got.dtype == ref.dtype and got.shape == ref.shape
    np.testing.assert_array_equal(got, ref)
    assert max_buffer <= n_fft - 1
    assert stream.buffered_samples == 0 and stream.frames_emitted == 0  # flush resets


@pytest.mark.parametrize("config", [CONFIGS[1], CONFIGS[4]], ids=["1000-333", "7-3"])
def test_single_sample_chunks(config, rng):
    kwargs = _mel_kwargs(*config)
    y = rng.standard_normal(2500).astype(np.float32)
    stream = _make_stream(**kwargs)
    emitted = 0
    for i in range(y.size):
        out = stream.process(y[i : i + 1])
        assert out.shape[-1] in (0, 1)  # hop >= 1: at most one new frame per sample
        emitted += out.shape[-1]
        assert stream.frames_emitted == emitted
        assert stream.samples_received == i + 1
    ref = _offline_mel(y, **kwargs)
    assert emitted == ref.shape[-1]
    stream.reset()
    outputs, _ = _run(stream, y, [1] * y.size)
    np.testing.assert_array_equal(np.concatenate(outputs, axis=-1), ref)


def test_short_streams_and_empty_output(rng):
    stream = swiftspec.stream.MelSpectrogram(n_fft=512, hop_length=128, n_mels=16)
    empty = stream.process(np.zeros(0, dtype=np.float32))
    assert empty.shape == (16, 0) and empty.dtype == np.float32
    out = stream.process(rng.standard_normal(511).astype(np.float32))  # one sample short
    assert out.shape == (16, 0)
    assert stream.buffered_samples == 511
    out = stream.process(np.zeros(1, dtype=np.float32))
    assert out.shape == (16, 1)
    assert stream.flush().shape == (16, 0)
    # float64 audio: empty outputs have the offline call's dtype too.
    out = stream.process(np.zeros(3, dtype=np.float64))
    assert out.shape == (16, 0) and out.dtype == np.float64
    # center=True: the first frame needs n_fft // 2 + 1 samples... and flush gives the rest.
    centred = swiftspec.stream.MelSpectrogram(n_fft=512, hop_length=128, n_mels=16, center=True)
    assert centred.process(np.ones(255, dtype=np.float32)).shape == (16, 0)
    assert centred.process(np.ones(1, dtype=np.float32)).shape == (16, 1)
    tail = centred.flush()
    ref = _offline_mel(
        np.ones(256, dtype=np.float32), center=True, n_fft=512, hop_length=128, n_mels=16
    )
    assert tail.shape[-1] == ref.shape[-1] - 1
    # A stream that never saw audio flushes to no frames.
    assert centred.flush().shape == (16, 0)


@pytest.mark.parametrize("lead", [(2,), (2, 3)], ids=["(2, n)", "(2, 3, n)"])
@pytest.mark.parametrize("center", [False, True], ids=["center=False", "center=True"])
def test_multichannel_chunks(lead, center, rng):
    y = rng.standard_normal(lead + (5000,)).astype(np.float32)
    kwargs = dict(n_fft=1024, hop_length=300, n_mels=24, sr=16000)
    stream = swiftspec.stream.MelSpectrogram(center=center, **kwargs)
    outputs, max_buffer = _run(stream, y, _chunk_sizes("random with empties", 5000, 1024, rng))
    ref = _offline_mel(y, center=center, **kwargs)
    got = np.concatenate(outputs, axis=-1)
    assert got.shape == lead + (24, ref.shape[-1])
    np.testing.assert_array_equal(got, ref)
    assert max_buffer <= 1023


@pytest.mark.parametrize(
    "dtype,precision,basis",
    [
        (np.float64, "exact", np.float32),
        (np.float64, "exact", np.float64),
        (np.float32, "fast", np.float32),
        (np.float32, "exact", np.float64),
    ],
)
def test_types_and_precisions(dtype, precision, basis, rng):
    y = rng.standard_normal(7000).astype(dtype)
    kwargs = dict(
        n_fft=800,
        hop_length=200,
        n_mels=40,
        precision=precision,
        dtype=basis,
        power=1.0,
        fmin=50.0,
        fmax=7000.0,
        htk=True,
        norm=None,
    )
    stream = swiftspec.stream.MelSpectrogram(**kwargs)
    outputs, _ = _run(stream, y, _chunk_sizes("random", y.size, 800, rng))
    ref = _offline_mel(y, **kwargs)
    got = np.concatenate(outputs, axis=-1)
    assert got.dtype == ref.dtype
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("center", [False, True], ids=["center=False", "center=True"])
@pytest.mark.parametrize(
    "kwargs",
    [
        dict(n_fft=512),
        dict(n_fft=1000, hop_length=250, win_length=700, window="hamming"),
        dict(n_fft=256, hop_length=300, dtype=np.complex128),
    ],
)
def test_stft_stream(kwargs, center, rng):
    y = rng.standard_normal((2, 6000)).astype(np.float32)
    stream = swiftspec.stream.STFT(center=center, **kwargs)
    outputs, _ = _run(stream, y, _chunk_sizes("tiny and huge", 6000, kwargs["n_fft"], rng))
    ref = swiftspec.stft(y, center=center, **kwargs)
    got = np.concatenate(outputs, axis=-1)
    assert got.dtype == ref.dtype and got.shape == ref.shape
    np.testing.assert_array_equal(got, ref)


def test_memory_is_bounded_over_a_long_stream(rng, monkeypatch):
    """About 20 minutes of 8 kHz audio: buffer <= n_fft - 1, temporaries < 2 n_fft."""
    n_fft, hop = 1024, 256
    stream = swiftspec.stream.MelSpectrogram(sr=8000, n_fft=n_fft, hop_length=hop, n_mels=20)
    copied = []  # lengths of segments that are not views of the current chunk
    current = {}
    compute = stream._compute

    def spy(segment):
        if not np.shares_memory(segment, current["chunk"]):
            copied.append(segment.shape[-1])
        return compute(segment)

    monkeypatch.setattr(stream, "_compute", spy)
    block = rng.standard_normal(1 << 16).astype(np.float32)  # reused: memory, not content
    total, frames = 0, 0
    for _ in range(400):
        size = int(rng.choice([0, 1, 17, hop, n_fft - 1, n_fft + 1, 3 * n_fft, 30000]))
        start = int(rng.integers(0, block.size - size + 1))
        chunk = block[start : start + size]
        current["chunk"] = chunk
        frames += stream.process(chunk).shape[-1]
        total += size
        assert stream.buffered_samples <= n_fft - 1
        if stream._buffer is not None:
            assert not np.shares_memory(stream._buffer, block)  # never a view of input
    assert stream.samples_received == total and total > 10 * 60 * 8000 / 10
    assert frames == stream.frames_emitted == 1 + (total - n_fft) // hop
    assert copied and max(copied) < 2 * n_fft


def test_errors_leave_the_stream_unchanged(rng):
    y = rng.standard_normal((2, 4000)).astype(np.float32)
    kwargs = dict(n_fft=512, hop_length=160, n_mels=20)
    stream = swiftspec.stream.MelSpectrogram(**kwargs)
    outputs = [stream.process(y[:, :1000])]
    state = (stream.buffered_samples, stream.frames_emitted, stream.samples_received)
    bad_chunks = [
        y[0, :10],  # wrong channels
        y[:, :10].astype(np.float64),  # dtype change
        (y[:, :10] * 100).astype(np.int16),  # not floating point
        np.where(np.arange(10) == 3, np.nan, y[:, :10]).astype(np.float32),  # NaN
        np.float32(1.0),  # 0-d
    ]
    for bad in bad_chunks:
        with pytest.raises(ParameterError):
            stream.process(bad)
        assert (stream.buffered_samples, stream.frames_emitted, stream.samples_received) == state
    assert stream.process(np.zeros(0, dtype=np.float32)).shape == (2, 20, 0)  # 1-D empty
    outputs.append(stream.process(y[:, 1000:]))
    np.testing.assert_array_equal(np.concatenate(outputs, axis=-1), _offline_mel(y, **kwargs))
    # reset() forgets the layout: a mono stream may follow.
    stream.reset()
    mono = stream.process(y[0])
    np.testing.assert_array_equal(mono, _offline_mel(y[0], **kwargs))


def test_failed_first_chunk_does_not_fix_the_layout(rng):
    stream = swiftspec.stream.MelSpectrogram(
        n_fft=256, hop_length=64, n_mels=16, precision="fast", center=True
    )
    with pytest.raises(ParameterError, match="float32"):
        stream.process(np.zeros((2, 1000)))  # float64 audio in fast mode
    assert stream.buffered_samples == 0 and stream.samples_received == 0
    y = rng.standard_normal(1000).astype(np.float32)
    outputs = [stream.process(y), stream.flush()]
    np.testing.assert_array_equal(
        np.concatenate(outputs, axis=-1),
        _offline_mel(y, center=True, n_fft=256, hop_length=64, n_mels=16, precision="fast"),
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(n_fft=0),
        dict(hop_length=0),
        dict(hop_length=1.5),
        dict(win_length=4096),
        dict(power=0),
        dict(precision="fast", dtype=np.float64),
        dict(center="yes"),
        dict(norm="l2"),
    ],
)
def test_bad_parameters_raise_at_construction(kwargs):
    with pytest.raises(ParameterError):
        swiftspec.stream.MelSpectrogram(**kwargs)


def test_empty_filter_warning_once(rng):
    with pytest.warns(UserWarning, match="Empty filters"):
        stream = swiftspec.stream.MelSpectrogram(n_fft=64, hop_length=16, n_mels=64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stream.process(rng.standard_normal(1000).astype(np.float32))


def test_repr_and_attributes():
    stream = swiftspec.stream.MelSpectrogram(sr=16000, n_fft=400, hop_length=160, n_mels=64)
    assert stream.n_mels == 64 and stream.n_fft == 400 and stream.hop_length == 160
    assert "MelSpectrogram(" in repr(stream) and "n_mels=64" in repr(stream)
    assert swiftspec.stream.STFT(n_fft=400).hop_length == 100  # stft's default hop


# ---- parity of the offline center=False result with librosa ------------------------------


@pytest.mark.parametrize("config", CONFIGS[:4], ids=lambda c: "-".join(map(str, c)))
def test_offline_center_false_matches_librosa(config, rng, parity, quiet):
    librosa = pytest.importorskip("librosa")
    kwargs = _mel_kwargs(*config)
    y = rng.standard_normal(8000).astype(np.float32)
    with quiet():
        ref = librosa.feature.melspectrogram(y=y, center=False, **kwargs)
    ours = _offline_mel(y, **kwargs)
    parity.assert_channels(ours, ref, parity.tol.mel_rtol, "stream: offline center=False")
    stream = _make_stream(**kwargs)
    outputs, _ = _run(stream, y, _chunk_sizes("random", y.size, config[0], rng))
    parity.assert_channels(
        np.concatenate(outputs, axis=-1), ref, parity.tol.mel_rtol, "stream: chunked center=False"
    )
