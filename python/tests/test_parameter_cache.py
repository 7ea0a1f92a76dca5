# SPDX-License-Identifier: GPL-2.0-or-later
"""Cached validated parameters: a repeated call behaves exactly like a first call.

stft, melspectrogram and mfcc keep their validated parameters, windows and bases in
bounded caches (swiftspec._parameter_cache). These tests check that a cached call gives the same
results, errors and warnings as an uncached one, and that the cache keys never confuse
parameters that compare equal but validate differently.
"""

import inspect
import warnings

import numpy as np
import pytest

import swiftspec
from swiftspec import _analysis, _ffi, feature
from swiftspec._parameter_cache import ParameterCache

SR = 16000
Y = np.sin(2 * np.pi * 440.0 * np.arange(4096) / SR).astype(np.float32)


@pytest.fixture(autouse=True)
def empty_caches():
    _analysis._framings.clear()
    feature._mel_projections.clear()
    yield


def _user_warnings(function, *args, **kwargs):
    """The (message, filename, line) of each UserWarning ``function`` emits, and the line
    that calls it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = inspect.currentframe().f_lineno + 1
        function(*args, **kwargs)
    return [
        (str(w.message), w.filename, w.lineno)
        for w in caught
        if issubclass(w.category, UserWarning)
    ], line


@pytest.mark.parametrize(
    "function, args, kwargs, expected",
    [
        (swiftspec.stft, (Y[:1000],), dict(n_fft=2048), "n_fft=2048 is too large"),
        (
            swiftspec.feature.melspectrogram,
            (),
            dict(y=Y[:1000], sr=SR, n_fft=2048),
            "n_fft=2048 is too large",
        ),
        (
            swiftspec.feature.melspectrogram,
            (),
            dict(y=Y, sr=SR, n_fft=512, n_mels=256),
            "Empty filters detected",
        ),
        (
            swiftspec.feature.mfcc,
            (),
            dict(y=Y, sr=SR, n_fft=512, n_mels=256),
            "Empty filters detected",
        ),
    ],
    ids=["stft-short", "melspectrogram-short", "melspectrogram-empty", "mfcc-empty"],
)
def test_cached_calls_warn_every_time_at_the_caller(function, args, kwargs, expected):
    first, line = _user_warnings(function, *args, **kwargs)
    assert [w for w in first if expected in w[0]], first
    assert all((filename, lineno) == (__file__, line) for _, filename, lineno in first), first
    for _ in range(2):
        assert _user_warnings(function, *args, **kwargs) == (first, line)


def test_keys_tell_equal_values_of_other_types_apart():
    swiftspec.stft(Y, n_fft=16, hop_length=1)
    with pytest.raises(swiftspec.ParameterError, match="hop_length=True must be a positive"):
        swiftspec.stft(Y, n_fft=16, hop_length=True)


def test_audio_is_checked_on_cached_calls():
    kwargs = dict(sr=SR, n_fft=512, hop_length=128, precision="fast")
    swiftspec.feature.melspectrogram(y=Y, **kwargs)
    bad = Y.copy()
    bad[7] = np.nan
    for _ in range(2):
        with pytest.raises(swiftspec.ParameterError, match=r"not finite everywhere: y\[7\]"):
            swiftspec.feature.melspectrogram(y=bad, **kwargs)
        with pytest.raises(swiftspec.ParameterError, match="must be of type numpy.ndarray"):
            swiftspec.feature.melspectrogram(y=list(Y), **kwargs)
        with pytest.raises(swiftspec.ParameterError, match="precision='fast' computes in"):
            swiftspec.feature.melspectrogram(y=Y.astype(np.float64), **kwargs)
        with pytest.raises(swiftspec.ParameterError, match="too large for uncentered"):
            swiftspec.stft(Y[:100], n_fft=512, center=False)


def test_cached_results_equal_uncached_ones():
    kwargs = dict(y=Y, sr=SR, n_fft=512, hop_length=128, n_mels=40)
    first = swiftspec.feature.mfcc(**kwargs)
    np.testing.assert_array_equal(swiftspec.feature.mfcc(**kwargs), first)
    stereo = np.stack([Y, Y[::-1]])  # another shape and layout, same cached entries
    np.testing.assert_array_equal(swiftspec.feature.mfcc(**dict(kwargs, y=stereo))[0], first)


def test_callable_windows_are_not_cached():
    class Window:
        def __init__(self):
            self.calls = 0

        def __call__(self, n):
            self.calls += 1
            return np.full(n, float(self.calls))

    window = Window()
    first = swiftspec.stft(Y, n_fft=256, window=window)
    second = swiftspec.stft(Y, n_fft=256, window=window)
    np.testing.assert_allclose(second, 2 * first, rtol=1e-6)


def test_unhashable_parameters_are_computed_without_caching():
    window = np.hanning(256)
    first = swiftspec.stft(Y, n_fft=256, window=window)
    np.testing.assert_array_equal(swiftspec.stft(Y, n_fft=256, window=list(window)), first)
    assert not _analysis._framings


def test_parameter_cache_is_bounded_and_skips_unhashable_keys():
    cache = ParameterCache(max_size=2)
    for key in ("a", "b", "c"):
        cache.put(key, key)
        assert len(cache) <= 2 and cache[key] == key
    cache.put(None, "none")
    cache.put(("unhashable", []), "list")
    assert None not in cache and len(cache) <= 2


@pytest.mark.parametrize(
    "array",
    [
        np.zeros(8, np.float32),
        np.zeros((3, 4)),
        np.zeros(0),
        np.zeros((4, 4))[:, 1],
        np.frombuffer(b"\0" * 16, np.float32),
        np.zeros(5)[1:],
    ],
    ids=["writable", "2-d", "empty", "strided", "read-only", "offset"],
)
def test_pointer_is_the_data_address(array):
    assert _ffi.pointer(array) == array.__array_interface__["data"][0]
