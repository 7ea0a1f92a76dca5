# SPDX-License-Identifier: GPL-2.0-or-later
"""swiftspec.filters.get_window against scipy.signal.get_window / librosa (bit-identical)."""

import numpy as np
import pytest
from conftest import SCIPY_1_17, needs_scipy_1_17

librosa = pytest.importorskip("librosa")
scipy_signal = pytest.importorskip("scipy.signal")
import swiftspec  # noqa: E402
from swiftspec import filters  # noqa: E402

SIZES = [1, 2, 3, 8, 255, 400, 511, 512, 2048]
BASE_WINDOWS = ["hann", "hamming", "blackman", "boxcar", "bartlett", "triang"]


def _scipy_aliases():
    """scipy's own names for the six natively computed windows."""
    try:
        from scipy.signal.windows._windows import _WIN_FUNCS
    except ImportError:  # pragma: no cover - private table moved
        return []
    return sorted(name for name, (func, _) in _WIN_FUNCS.items() if func.__name__ in BASE_WINDOWS)


NATIVE_NAMES = sorted(set(BASE_WINDOWS) | set(filters._NATIVE_WINDOWS))


def assert_identical(ours, ref):
    assert isinstance(ours, np.ndarray)
    assert ours.dtype == ref.dtype, (ours.dtype, ref.dtype)
    assert ours.shape == ref.shape, (ours.shape, ref.shape)
    assert np.array_equal(ours, ref), (
        f"{int(np.sum(ours != ref))} samples differ, max {np.max(np.abs(ours - ref)):.3g}"
    )


@pytest.mark.parametrize("fftbins", [True, False], ids=["periodic", "symmetric"])
@pytest.mark.parametrize("name", NATIVE_NAMES)
def test_native_windows_bit_identical(name, fftbins):
    """Every name swiftspec computes natively equals scipy's window bit for bit."""
    for n in SIZES:
        ref = scipy_signal.get_window(name, n, fftbins=fftbins)
        assert_identical(filters.get_window(name, n, fftbins=fftbins), ref)
        assert_identical(np.asarray(librosa.filters.get_window(name, n, fftbins=fftbins)), ref)


@pytest.mark.parametrize("name", _scipy_aliases())
def test_every_scipy_alias(name):
    for fftbins in (True, False):
        for n in (1, 2, 3, 8, 400, 511):
            assert_identical(
                filters.get_window(name, n, fftbins=fftbins),
                scipy_signal.get_window(name, n, fftbins=fftbins),
            )


@pytest.mark.parametrize(
    "window",
    [
        ("kaiser", 4.0),
        4.0,
        8,
        ("gaussian", 100.0),
        "cosine",
        "nuttall",
        pytest.param("hann_symmetric", marks=needs_scipy_1_17),
        pytest.param("hamming_periodic", marks=needs_scipy_1_17),
        ("tukey", 0.25),
        "flattop",
        "barthann",
        ("general_hamming", 0.6),
    ],
)
def test_other_windows_go_to_scipy(window):
    for n in (1, 8, 400, 511, 512):
        for fftbins in (True, False):
            ref = scipy_signal.get_window(window, n, fftbins=fftbins)
            assert_identical(filters.get_window(window, n, fftbins=fftbins), ref)
            assert_identical(
                np.asarray(librosa.filters.get_window(window, n, fftbins=fftbins)), ref
            )


def test_callable_window():
    # A callable is called as window(Nx): scipy's hann(N) is symmetric.
    for n in (1, 8, 400, 511):
        ref = librosa.filters.get_window(scipy_signal.windows.hann, n)
        assert_identical(filters.get_window(scipy_signal.windows.hann, n), ref)
        assert_identical(
            filters.get_window(np.hanning, n), librosa.filters.get_window(np.hanning, n)
        )


def test_array_and_list_windows():
    values = np.hanning(400).astype(np.float32)
    ref = librosa.filters.get_window(values, 400)
    assert_identical(filters.get_window(values, 400), ref)
    ref = librosa.filters.get_window(list(range(8)), 8)
    assert_identical(filters.get_window(list(range(8)), 8), ref)


@pytest.mark.parametrize("window,n", [(np.ones(500), 512), (np.ones(513), 512), ([1.0] * 3, 4)])
def test_array_of_wrong_length_raises(window, n):
    with pytest.raises(librosa.ParameterError) as ref:
        librosa.filters.get_window(window, n)
    with pytest.raises(swiftspec.ParameterError) as ours:
        filters.get_window(window, n)
    assert str(ref.value) in str(ours.value)  # "Window size mismatch: 500 != 512"


@pytest.mark.parametrize(
    "window,n",
    [
        ("no-such-window", 8),
        ("Hann", 8),
        pytest.param(("kaiser",), 8, marks=needs_scipy_1_17),
        pytest.param(("hann", 3), 8, marks=needs_scipy_1_17),
        pytest.param("hann", 0, marks=needs_scipy_1_17),
        ("hann", -4),
        pytest.param("hann", 8.0, marks=needs_scipy_1_17),
        ("ha", 8),
        ("hann_bogus", 8),
        (None, 8),
        (object(), 8),
    ],
)
def test_invalid_specifications(window, n):
    """Errors have librosa's type: ParameterError for its checks, scipy's ValueError else."""
    with pytest.raises(Exception) as ref:
        librosa.filters.get_window(window, n)
    if isinstance(ref.value, librosa.ParameterError):
        expected = swiftspec.ParameterError
    else:
        expected = type(ref.value)
    with pytest.raises(expected):
        filters.get_window(window, n)


@pytest.mark.parametrize("fftbins", [1, 0, np.True_, None])
def test_fftbins_must_be_bool(fftbins):
    if SCIPY_1_17:  # older scipy takes any truthy value
        with pytest.raises(ValueError):
            scipy_signal.get_window("hann", 8, fftbins=fftbins)
    with pytest.raises(ValueError):
        filters.get_window("hann", 8, fftbins=fftbins)
