# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared fixtures and tolerances of the swiftspec test suite.

The parity suite (test_parity_*.py) compares swiftspec with librosa (and with scipy/numpy
for windows and the DCT). Expected values always come from the reference libraries,
never from swiftspec itself. The tolerances are stated once, here, in ``TOL``; the
helpers in ``Parity`` (fixture ``parity``) apply them and record the largest deviation
measured per check, printed in a summary section at the end of the run.
"""

import os
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from _guarded import GuardedWorker
from hypothesis import settings

try:  # the parity modules skip themselves when librosa is missing
    import librosa
except ImportError:  # pragma: no cover - depends on the environment
    librosa = None

DATA_DIR = Path(__file__).resolve().parent / "data"
SEED = 20240521


def _scipy_1_17():
    try:
        import scipy
    except ImportError:  # pragma: no cover - depends on the environment
        return False
    return tuple(int(part) for part in scipy.__version__.split(".")[:2]) >= (1, 17)


# scipy 1.17 made get_window reject a size that is not a positive integer, a non-bool
# fftbins and a tuple without its parameter with a ValueError (librosa's error for those
# inputs), and added names such as "hann_symmetric". The newest scipy for Python 3.9 and
# 3.10 (1.13, 1.15) lacks both, so librosa there is no reference for these cases.
SCIPY_1_17 = _scipy_1_17()
needs_scipy_1_17 = pytest.mark.skipif(
    not SCIPY_1_17, reason="librosa's behaviour here comes from scipy >= 1.17's get_window"
)

# ---- Tolerances (one place) -------------------------------------------------------------
# Measured figures are in comments; the bounds leave a margin over them but stay far
# below any real defect (a wrong window, pad, frame or bin is off by >1e-3).
TOL = SimpleNamespace(
    # STFT, precision='exact': every component above stft_floor of its frame's peak
    # within stft_rtol relative of librosa's (f64 FFT rounded to complex64, as librosa);
    # the rest within stft_floor of the peak in absolute terms. Measured: nearly all
    # bit-identical; at most 1.2e-7 relative (a 1-ulp complex64 rounding difference).
    stft_rtol=1e-6,
    stft_floor=1e-6,
    # STFT, precision='fast' (f32 FFTW): max |error| <= 2e-6 * frame peak
    # (measured: 2.6e-7 of the frame peak on noise and real recordings).
    stft_fast_atol=2e-6,
    # melspectrogram: max |error| <= 1e-5 * max of the channel (both precisions;
    # measured 3.8e-7 exact, 5.5e-7 fast).
    mel_rtol=1e-5,
    # log-mel (power_to_db of melspectrogram): exact <= 1e-4 dB (measured 2.3e-5 dB, i.e.
    # 1-3 float32 ulps), fast <= 5e-4 dB on the synthetic signals (measured 9.5e-5 dB).
    # On real recordings fast mode is bounded per entry by what stft_fast_atol implies
    # (test_parity_audio.py): up to ~0.3 dB in bands ~100 dB below their frame's peak.
    logmel_exact_atol=1e-4,
    logmel_fast_atol=5e-4,
    # power_to_db / amplitude_to_db: 1e-3 dB (most entries within 1 float32 ulp).
    db_atol=1e-3,
    # MFCC: 1e-3 absolute, times the scale max(1, max|MFCC|) (coefficients reach 1e2-1e4
    # with norm=None); measured <= 1e-5 of the scale (fast mode, recordings), 4e-7 exact.
    mfcc_atol=1e-3,
    # ISTFT: 1e-6 * peak of the reference signal, scaled by max(wss)/wss where librosa
    # divides by a small window envelope (test_parity_istft.py); measured 2.3e-7.
    istft_atol=1e-6,
    # mel basis with a numeric norm (util.normalize): identical or 1 ulp.
    mel_norm_ulp=1,
    # feature.delta: max |error| <= delta_atol[dtype] * max(1, max|ref|). float64: the
    # least-squares fits differ in rounding only (measured 4.2e-14); float32: outputs
    # are float64 results rounded, but scipy fits interp's edges in float32 (measured
    # 1.3e-6 for polyorder <= 3, 8.9e-6 for polyorder 4 over 7 frames).
    delta_atol={np.dtype(np.float32): 5e-5, np.dtype(np.float64): 1e-12},
    # mel_frequencies over random ranges (test_properties.py), in float64 ulps. numpy's
    # vectorised log10 can differ from libm's by 1 ulp at an end of the mel range, and
    # the spacing and 10**(mel/2595) amplify it: measured 10 ulps (htk, fmin=106.34375,
    # fmax=11103, 27 mels), where swiftspec equals the libm computation exactly. The
    # fixed cases of test_parity_mel.py stay within 4.
    mel_frequencies_ulps=16,
    # filters.mel over random arguments (test_properties.py): a bin within an ulp of a band
    # edge (the Nyquist bin under fmax=sr/2, say) gets a weight of ~1e-16 in librosa where
    # swiftspec's is 0, or the reverse, because the edge comes from mel_frequencies (see
    # above); then the empty-filter warning can differ too. Measured 1.4e-16 (sr=8000,
    # n_fft=70, n_mels=1, fmin=3886); the fixed cases of test_parity_mel.py are identical.
    mel_edge_atol=1e-12,
)


# ---- Property-based tests (test_properties.py) -----------------------------------------
# Reproducible and bounded: the same examples on every run (derandomize), a fixed budget
# per test, no per-example deadline (the first call of a size builds FFT plans).
settings.register_profile(
    "swiftspec", derandomize=True, max_examples=100, deadline=None, print_blob=True
)
settings.load_profile("swiftspec")


@pytest.fixture(scope="session")
def guarded():
    """A child process with a capped address space for calls that might allocate huge
    arrays, hang or crash (see _guarded.py)."""
    worker = GuardedWorker()
    yield worker
    worker.close()


@pytest.fixture
def rng():
    """A seeded generator: every test sees the same data on every run."""
    return np.random.default_rng(SEED)


@pytest.fixture(scope="session")
def tol():
    return TOL


# ---- Deviation bookkeeping -------------------------------------------------------------

_DEVIATIONS = {}


def record(name, value):
    """Keep the largest deviation measured under ``name`` (shown in the summary)."""
    value = float(value)
    if not np.isfinite(value):
        value = float("inf")
    if value > _DEVIATIONS.get(name, -1.0):
        _DEVIATIONS[name] = value


class Parity:
    """Comparison helpers that apply ``TOL`` and record the deviations they measure."""

    tol = TOL
    record = staticmethod(record)

    @staticmethod
    def frame_peaks(ref):
        """max |ref| per frame (column): the bin axis -2 is reduced."""
        return np.max(np.abs(ref), axis=-2, keepdims=True) if ref.size else np.zeros(1)

    @staticmethod
    def assert_same_meta(ours, ref):
        assert isinstance(ours, np.ndarray), type(ours)
        assert ours.shape == ref.shape, (ours.shape, ref.shape)
        assert ours.dtype == ref.dtype, (ours.dtype, ref.dtype)

    @classmethod
    def assert_stft(cls, ours, ref, name="stft exact", rtol=None, floor=None):
        """Exact-mode STFT parity (see TOL.stft_rtol/stft_floor)."""
        rtol = TOL.stft_rtol if rtol is None else rtol
        floor = TOL.stft_floor if floor is None else floor
        cls.assert_same_meta(ours, ref)
        if ref.size == 0:
            return
        peak = cls.frame_peaks(ref).astype(np.float64)
        ref64 = ref.astype(np.complex128)
        err = np.abs(ours.astype(np.complex128) - ref64)
        big = np.abs(ref64) > floor * peak
        rel = np.where(big, err / np.where(big, np.abs(ref64), 1.0), 0.0)
        small_err = np.where(big, 0.0, err / np.maximum(peak, np.finfo(np.float64).tiny))
        name = f"{name} ({ref.dtype})"
        record(f"{name}: max rel error (components > {floor:g} of frame peak)", rel.max())
        record(
            f"{name}: max abs error / frame peak",
            np.max(err / np.maximum(peak, np.finfo(np.float64).tiny)),
        )
        bad = rel > rtol
        assert not bad.any(), (
            f"{int(bad.sum())} components differ by more than {rtol:g} relative; worst "
            f"{rel.max():.3g} at {np.unravel_index(np.argmax(rel), rel.shape)}"
        )
        # Components at or below the floor: within the floor of the frame peak (absolute).
        zero_frames = (peak == 0) & np.ones_like(big)
        assert np.all(small_err[~zero_frames] <= floor), small_err.max()
        assert np.all(err[zero_frames] <= 1e-30), "non-zero output for an all-zero frame"

    @classmethod
    def assert_stft_fast(cls, ours, ref, name="stft fast", atol=None):
        """Fast-mode STFT parity: max |error| <= atol * frame peak."""
        atol = TOL.stft_fast_atol if atol is None else atol
        cls.assert_same_meta(ours, ref)
        if ref.size == 0:
            return
        peak = cls.frame_peaks(ref).astype(np.float64)
        err = np.abs(ours.astype(np.complex128) - ref.astype(np.complex128))
        scaled = err / np.maximum(peak, np.finfo(np.float32).tiny)
        record(f"{name} ({ref.dtype}): max abs error / frame peak", scaled.max())
        assert scaled.max() <= atol, f"max error {scaled.max():.3g} of the frame peak"

    @staticmethod
    def channel_peaks(ref):
        """max |ref| over the last two axes (per channel), at least tiny."""
        if ref.ndim < 2:
            return np.max(np.abs(ref)) if ref.size else 0.0
        return np.max(np.abs(ref), axis=(-2, -1), keepdims=True)

    @classmethod
    def assert_channels(cls, ours, ref, rtol, name):
        """max |ours - ref| <= rtol * max|ref| per channel (last two axes)."""
        cls.assert_same_meta(ours, ref)
        if ref.size == 0:
            return
        peak = np.maximum(cls.channel_peaks(ref).astype(np.float64), np.finfo(np.float64).tiny)
        scaled = np.abs(ours.astype(np.float64) - ref.astype(np.float64)) / peak
        record(f"{name}: max abs error / channel max", scaled.max())
        assert scaled.max() <= rtol, f"max error {scaled.max():.3g} of the channel max"

    @classmethod
    def assert_db(cls, ours, ref, atol, name):
        """dB values within ``atol`` (NaN where librosa has NaN, equal infinities)."""
        ours = np.asarray(ours)
        ref = np.asarray(ref)
        assert ours.shape == ref.shape, (ours.shape, ref.shape)
        assert ours.dtype == ref.dtype, (ours.dtype, ref.dtype)
        np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref))
        finite = np.isfinite(ref)
        np.testing.assert_array_equal(ours[~finite & ~np.isnan(ref)], ref[~finite & ~np.isnan(ref)])
        if finite.any():
            err = np.abs(ours[finite].astype(np.float64) - ref[finite].astype(np.float64))
            record(f"{name}: max abs error (dB)", err.max())
            assert err.max() <= atol, f"max error {err.max():.3g} dB"

    @classmethod
    def assert_mfcc(cls, ours, ref, name, atol=None):
        atol = TOL.mfcc_atol if atol is None else atol
        cls.assert_same_meta(ours, ref)
        if ref.size == 0:
            return
        scale = max(1.0, float(np.max(np.abs(ref))))
        err = np.abs(ours.astype(np.float64) - ref.astype(np.float64))
        record(f"{name}: max abs error", err.max())
        record(f"{name}: max abs error / max(1, max|ref|)", err.max() / scale)
        assert err.max() <= atol * scale, f"max error {err.max():.3g} (scale {scale:.3g})"

    @staticmethod
    def outcome(function, *args, **kwargs):
        """(result, exception, UserWarning messages) of one call; warnings are captured."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result, error = function(*args, **kwargs), None
            except Exception as exc:  # noqa: BLE001 - compared by the caller
                result, error = None, exc
        messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
        return result, error, messages

    @staticmethod
    def assert_same_error(our_error, ref_error):
        """swiftspec's exception matches librosa's: librosa's ParameterError ->
        swiftspec.ParameterError, any other type T -> an instance of T (swiftspec's
        ParameterError is also a ValueError)."""
        import swiftspec

        if librosa is not None and isinstance(ref_error, librosa.ParameterError):
            assert isinstance(our_error, swiftspec.ParameterError), repr(our_error)
        else:
            assert isinstance(our_error, type(ref_error)), (repr(our_error), repr(ref_error))

    @classmethod
    def both(cls, ours_fn, ref_fn, *, warnings_match=True):
        """Run swiftspec and librosa; return (ours, ref) or check they fail alike.

        When librosa raises, swiftspec must raise the matching type: librosa's
        ParameterError -> swiftspec.ParameterError, any other type T -> an instance of T
        (swiftspec.ParameterError is also a ValueError). Returns None in that case.
        The UserWarnings (e.g. "n_fft=... is too large") must have the same texts.
        """
        ref, ref_error, ref_warnings = cls.outcome(ref_fn)
        ours, our_error, our_warnings = cls.outcome(ours_fn)
        if ref_error is not None:
            assert our_error is not None, (
                f"librosa raised {type(ref_error).__name__}({ref_error}) but swiftspec "
                "returned a result"
            )
            cls.assert_same_error(our_error, ref_error)
            return None
        if our_error is not None:
            raise AssertionError(f"swiftspec raised {our_error!r}, librosa did not") from our_error
        if warnings_match:
            # The same warnings: each of librosa's texts within one of swiftspec's (which
            # may add detail), and no extra ones.
            ours_set, ref_set = set(our_warnings), set(ref_warnings)
            assert len(ours_set) == len(ref_set), (our_warnings, ref_warnings)
            for text in ref_set:
                assert any(text in mine for mine in ours_set), (our_warnings, ref_warnings)
        return ours, ref


@pytest.fixture(scope="session")
def parity():
    return Parity


@pytest.fixture
def quiet():
    """A context manager that silences warnings (for reference computations)."""

    class _Quiet:
        def __enter__(self):
            self._ctx = warnings.catch_warnings()
            self._ctx.__enter__()
            warnings.simplefilter("ignore")
            return self

        def __exit__(self, *exc):
            return self._ctx.__exit__(*exc)

    return _Quiet


@pytest.fixture(scope="session")
def recordings():
    """name -> (audio float32 (channels, n) or (n,), sample rate), loaded with soundfile."""
    soundfile = pytest.importorskip("soundfile")
    out = {}
    for path in sorted(DATA_DIR.iterdir()):
        if path.suffix.lower() not in (".ogg", ".flac", ".wav"):
            continue
        audio, sr = soundfile.read(str(path), dtype="float32", always_2d=True)
        audio = np.ascontiguousarray(audio.T)
        out[path.stem] = (audio[0] if audio.shape[0] == 1 else audio, sr)
    return out


# ---- Report ----------------------------------------------------------------------------


def pytest_configure(config):
    # `make test` runs everything; `pytest -m "not slow"` is the quick suite while editing.
    config.addinivalue_line(
        "markers", "slow: forks, spawns, process kills and fault injection (tens of seconds)"
    )


def pytest_report_header(config):
    lines = []
    try:
        import swiftspec

        lines.append(
            f"swiftspec {swiftspec.__version__} (ABI {swiftspec.__abi_version__}, "
            f"{swiftspec.__fftw_version__})"
        )
        lines.append(f"swiftspec library: {swiftspec.__library_path__}")
    except Exception as error:  # pragma: no cover - a broken build shows up here
        lines.append(f"swiftspec: import failed: {error!r}")
    lines.append(
        f"librosa {librosa.__version__ if librosa is not None else 'not installed'}, "
        f"numpy {np.__version__}, python {sys.version.split()[0]}"
    )
    try:
        import scipy

        lines[-1] += f", scipy {scipy.__version__}"
    except ImportError:  # pragma: no cover
        pass
    if os.environ.get("SWIFTSPEC_LIBRARY"):
        lines.append(f"SWIFTSPEC_LIBRARY={os.environ['SWIFTSPEC_LIBRARY']}")
    return lines


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _DEVIATIONS:
        return
    terminalreporter.section("parity: largest deviations from librosa measured")
    for name in sorted(_DEVIATIONS):
        terminalreporter.write_line(f"{_DEVIATIONS[name]:11.3g}  {name}")
