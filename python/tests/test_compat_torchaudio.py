# SPDX-License-Identifier: GPL-2.0-or-later
"""swiftspec.compat.torchaudio against torchaudio.transforms on CPU.

Expected values come from torchaudio (2.11, pure-Python transforms over torch 2.13 CPU).
torch.stft runs a float32 FFT while swiftspec runs FFTW in double precision, so results
differ by torch's own rounding; the filter bank, window and DCT matrix repeat torchaudio's
float32 arithmetic (a few entries differ by one float32 ulp where torch's vectorised
cos/exp/pow round differently). Tolerances sit a few times above the largest deviation
measured (stated at each constant); a wrong window, pad, hop, frame, bin grid or mel
point gives errors of 1e-3 or more.

The tests that need torch/torchaudio skip with the reason shown by ``pytest -rs`` when
either cannot be imported; the numpy-only tests always run.
"""

import importlib
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import swiftspec
from swiftspec.compat import torchaudio as T


def _optional(name):
    try:
        return importlib.import_module(name), None
    except Exception as error:  # ImportError, or OSError from a mismatched C++ extension
        return None, f"{type(error).__name__}: {error}"


torch, _torch_error = _optional("torch")
torchaudio, _torchaudio_error = (
    _optional("torchaudio") if torch is not None else (None, "needs torch")
)
requires_torchaudio = pytest.mark.skipif(
    torchaudio is None,
    reason=(
        f"torch/torchaudio not importable ({_torch_error or _torchaudio_error}); install "
        "with: pip install 'torch==2.13.0+cpu' && pip install --no-deps torchaudio==2.11.0 "
        "&& rm <site-packages>/torchaudio/lib/*.so"
    ),
)

DATA = Path(__file__).resolve().parent / "data"

# ---- Tolerances (measured maxima in the comments, torch 2.13.0+cpu / torchaudio 2.11) ----
# Spectrogram (power 2, 1, 1.5, complex): max |ours - ref| / max |ref| of the frame.
# Measured 6.7e-7 here, 8.0e-7 at most in a wider sweep (n_fft=511 on a batch); torch's
# float32 FFT rounding.
SPEC_RTOL = 5e-6
# MelSpectrogram: max |ours - ref| / max over the mels of the frame. Measured 4.5e-6 here,
# 5.1e-6 at most in a wider sweep (sr 22050, n_fft 2048: one-ulp differences of torch's
# float32 pow/exp in the mel points, magnified by the narrow low triangles); 3.7e-7 for
# the defaults.
MEL_RTOL = 3e-5
# Filter bank: max |ours - torchaudio| / max fb. Measured 8.1e-6 over a sweep of 1260
# configurations (5.6e-6 over the 144 tested here); identical for the defaults.
FB_RTOL = 3e-5
# Window / DCT matrix: at most one float32 ulp (measured 6.0e-8 and 1.2e-7 absolute).
WINDOW_ATOL = 1.2e-7
DCT_ATOL = 2.4e-7
# AmplitudeToDB: measured 0 here (bit-identical), 3.0e-8 dB at most in a wider sweep (the
# engine's correctly rounded log10f against torch's).
DB_ATOL = 1e-4
# MFCC: max |ours - ref| / max(1, max|ref|). Measured 2.1e-6 (speech and noise, dB and
# log_mels; torch's float32 sgemm and FFT against float64 sums).
MFCC_RTOL = 2e-5


def _tensor(y):
    return torch.from_numpy(np.ascontiguousarray(y))


def _ref(transform, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torchaudio's empty-filter warning
        return transform(_tensor(y)).numpy()


def _ours(transform, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return transform(y)


def _make(cls, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls(**kwargs)


def _frame_error(ours, ref):
    """max |ours - ref| / max|ref| of the same frame (the -2 axis reduced)."""
    ours = np.asarray(ours)
    assert ours.shape == ref.shape, (ours.shape, ref.shape)
    assert ours.dtype == ref.dtype, (ours.dtype, ref.dtype)
    peak = np.max(np.abs(ref), axis=-2, keepdims=True).astype(np.float64)
    err = np.abs(ours.astype(np.complex128 if np.iscomplexobj(ref) else np.float64) - ref)
    return float(np.max(err / np.maximum(peak, np.finfo(np.float64).tiny)))


@pytest.fixture(scope="module")
def noise():
    """Noise with a 40 dB ramp: (16000,) float32."""
    rng = np.random.default_rng(61)
    return (rng.standard_normal(16000) * np.geomspace(0.01, 1, 16000)).astype(np.float32)


@pytest.fixture(scope="module")
def batch():
    """(3, 12345) float32: three different signals (not a multiple of any hop)."""
    rng = np.random.default_rng(62)
    t = np.arange(12345) / 16000
    return np.stack(
        [
            rng.standard_normal(12345) * 0.1,
            np.sin(2 * np.pi * 440 * t) + 0.01 * rng.standard_normal(12345),
            np.sign(np.sin(2 * np.pi * 97 * t)) * 0.5,
        ]
    ).astype(np.float32)


@pytest.fixture(scope="module")
def speech():
    """1.5 s of LibriSpeech (librosa's libri1 example) at 22050 Hz, float32."""
    soundfile = pytest.importorskip("soundfile")
    y, sr = soundfile.read(str(DATA / "librosa_libri1.ogg"), dtype="float32")
    return y[sr : sr + 3 * sr // 2].copy(), sr


# ---- building blocks --------------------------------------------------------------------


@requires_torchaudio
def test_hann_window(parity):
    worst = 0.0
    for n in list(range(70)) + [256, 320, 400, 511, 512, 1024, 2048]:
        for periodic in (True, False):
            ours = T.hann_window(n, periodic)
            ref = torch.hann_window(n, periodic=periodic).numpy()
            assert ours.dtype == ref.dtype and ours.shape == ref.shape
            if n:
                worst = max(worst, float(np.max(np.abs(ours - ref))))
    parity.record("torchaudio compat: hann_window max abs error", worst)
    assert worst <= WINDOW_ATOL


@requires_torchaudio
def test_melscale_fbanks(parity):
    worst = 0.0
    for n_fft in (400, 2048, 511):
        for sr in (8000, 22050, 16001):
            for n_mels in (23, 128):
                for mel_scale in ("htk", "slaney"):
                    for norm in (None, "slaney"):
                        for f_min, f_max in ((0.0, float(sr // 2)), (20.0, sr / 2 - 500)):
                            args = (n_fft // 2 + 1, f_min, f_max, n_mels, sr, norm, mel_scale)
                            with warnings.catch_warnings():
                                warnings.simplefilter("ignore")
                                ours = T.melscale_fbanks(*args)
                                ref = torchaudio.functional.melscale_fbanks(*args).numpy()
                            assert ours.shape == ref.shape and ours.dtype == ref.dtype
                            worst = max(worst, float(np.max(np.abs(ours - ref)) / ref.max()))
    parity.record("torchaudio compat: melscale_fbanks max abs error / max", worst)
    assert worst <= FB_RTOL
    # The default bank (16 kHz, n_fft 400, 128 HTK mels) is bit-identical.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.array_equal(
            T.melscale_fbanks(201, 0.0, 8000.0, 128, 16000),
            torchaudio.functional.melscale_fbanks(201, 0.0, 8000.0, 128, 16000).numpy(),
        )


def test_melscale_fbanks_warns_for_empty_filters():
    with pytest.warns(UserWarning, match="At least one mel filterbank has all zero values"):
        T.melscale_fbanks(201, 0.0, 8000.0, 128, 16000)  # torchaudio's default warns too


@requires_torchaudio
def test_create_dct(parity):
    worst = 0.0
    for n_mfcc, n_mels in ((13, 23), (20, 40), (40, 128), (64, 64)):
        for norm in ("ortho", None):
            ours = T.create_dct(n_mfcc, n_mels, norm)
            ref = torchaudio.functional.create_dct(n_mfcc, n_mels, norm).numpy()
            assert ours.shape == ref.shape == (n_mels, n_mfcc) and ours.dtype == ref.dtype
            worst = max(worst, float(np.max(np.abs(ours - ref))))
    parity.record("torchaudio compat: create_dct max abs error", worst)
    assert worst <= DCT_ATOL


# ---- Spectrogram ------------------------------------------------------------------------

SPEC_CASES = [
    {},
    {"n_fft": 512},
    {"n_fft": 1024, "hop_length": 256},
    {"n_fft": 400, "hop_length": 160, "win_length": 320},
    {"n_fft": 511, "hop_length": 100},
    {"hop_length": 1000},  # hop > n_fft
    {"pad_mode": "constant"},
    {"pad_mode": "replicate"},
    {"pad_mode": "circular"},
    {"center": False},
    {"pad": 37},
    {"power": 1.0},
    {"power": 1.5},
    {"power": None},
    {"normalized": True},
    {"normalized": "frame_length"},
    {"onesided": False},
    {"power": None, "onesided": False, "n_fft": 255, "hop_length": 64},
]


@requires_torchaudio
@pytest.mark.parametrize("kwargs", SPEC_CASES, ids=str)
def test_spectrogram(parity, noise, kwargs):
    ref = _ref(torchaudio.transforms.Spectrogram(**kwargs), noise)
    ours = _ours(T.Spectrogram(**kwargs), noise)
    assert isinstance(ours, np.ndarray)
    err = _frame_error(ours, ref)
    parity.record("torchaudio compat: Spectrogram max abs error / frame peak", err)
    assert err <= SPEC_RTOL, (kwargs, err)


@requires_torchaudio
def test_spectrogram_reflect_tail_is_torch_padding():
    """hop = n_fft / 2 with reflect padding: librosa (and swiftspec.stft) reflect the tail
    segment alone; torch reflects the whole signal. A rectangular window makes the last
    frame's difference large (about 1e-6 with Hann)."""
    rng = np.random.default_rng(3)
    y = rng.standard_normal(16000).astype(np.float32)
    kwargs = dict(n_fft=400, hop_length=200, window_fn=torch.ones, power=None)
    ref = _ref(torchaudio.transforms.Spectrogram(**kwargs), y)
    ours = T.Spectrogram(**kwargs)(y)
    assert _frame_error(ours, ref) <= SPEC_RTOL
    librosa_style = swiftspec.stft(
        y, n_fft=400, hop_length=200, window="boxcar", pad_mode="reflect"
    )
    assert _frame_error(librosa_style[:, -1:], ref[:, -1:]) > 1e-3  # the quirk is real


@requires_torchaudio
def test_spectrogram_window_fn_tensor_and_wkwargs():
    """window_fn may return a torch tensor (torch.hann_window itself, with wkwargs)."""
    rng = np.random.default_rng(4)
    y = rng.standard_normal(8000).astype(np.float32)
    for kwargs in (
        dict(window_fn=torch.hann_window),
        dict(window_fn=torch.hamming_window, wkwargs={"periodic": False}),
    ):
        ref = _ref(torchaudio.transforms.Spectrogram(**kwargs), y)
        assert _frame_error(T.Spectrogram(**kwargs)(y), ref) <= SPEC_RTOL


# ---- MelSpectrogram ---------------------------------------------------------------------

MEL_CASES = [
    {},
    {"n_fft": 512},
    {"n_fft": 1024, "hop_length": 256, "n_mels": 80},
    {"n_fft": 400, "hop_length": 160, "win_length": 320, "n_mels": 40},
    {"hop_length": 100},
    {"f_max": 7600.0, "f_min": 20.0},
    {"f_max": None, "n_mels": 64},
    {"norm": "slaney"},
    {"mel_scale": "slaney"},
    {"norm": "slaney", "mel_scale": "slaney", "n_mels": 64},
    {"sample_rate": 22050, "n_fft": 2048, "hop_length": 512},
    {"sample_rate": 16001, "n_mels": 64},  # odd rate: torchaudio's linspace grid
    {"sample_rate": 44100.0, "n_fft": 1024, "n_mels": 96},
    {"power": 1.0},
    {"normalized": True},
    {"center": False},
    {"pad": 100, "pad_mode": "constant"},
]


@requires_torchaudio
@pytest.mark.parametrize("kwargs", MEL_CASES, ids=str)
def test_melspectrogram(parity, noise, kwargs):
    ref = _ref(_make(torchaudio.transforms.MelSpectrogram, **kwargs), noise)
    ours = _ours(_make(T.MelSpectrogram, **kwargs), noise)
    err = _frame_error(ours, ref)
    parity.record("torchaudio compat: MelSpectrogram max abs error / frame max", err)
    assert err <= MEL_RTOL, (kwargs, err)


@requires_torchaudio
def test_melspectrogram_recording(parity, speech):
    y, sr = speech
    kwargs = dict(sample_rate=sr, n_fft=1024, hop_length=256, n_mels=80, f_min=20.0)
    ref = _ref(_make(torchaudio.transforms.MelSpectrogram, **kwargs), y)
    err = _frame_error(_ours(_make(T.MelSpectrogram, **kwargs), y), ref)
    parity.record("torchaudio compat: MelSpectrogram (speech) max abs error / frame max", err)
    assert err <= MEL_RTOL


@requires_torchaudio
@pytest.mark.parametrize("shape", [(3,), (2, 1), (2, 3)], ids=str)
def test_batched_and_tensor_io(batch, shape):
    """(B, n) and (B, C, n) input, tensor in -> tensor out (dtype kept), numpy -> numpy."""
    n = int(np.prod(shape))
    y = np.concatenate([batch, batch[::-1] * 0.5])[:n].reshape(shape + (batch.shape[-1],))
    for cls, kwargs in ((T.Spectrogram, {}), (T.MelSpectrogram, {"n_mels": 64})):
        ref_cls = getattr(torchaudio.transforms, cls.__name__)
        ref = ref_cls(**kwargs)(_tensor(y))
        out = _ours(_make(cls, **kwargs), _tensor(y))
        assert isinstance(out, torch.Tensor) and out.dtype == ref.dtype == torch.float32
        assert out.shape == ref.shape
        assert _frame_error(out.numpy(), ref.numpy()) <= MEL_RTOL
        # Each row equals its own single-signal call.
        single = _ours(_make(cls, **kwargs), np.ascontiguousarray(y.reshape(-1, y.shape[-1])[1]))
        assert np.array_equal(out.numpy().reshape((-1,) + single.shape)[1], single)
    complex_out = T.Spectrogram(power=None)(_tensor(y))
    assert complex_out.dtype == torch.complex64


@requires_torchaudio
def test_float64_input(noise):
    y = noise.astype(np.float64)
    ref = torchaudio.transforms.Spectrogram()(_tensor(y)).numpy()
    ours = T.Spectrogram()(_tensor(y))
    assert ours.dtype == torch.float64
    # Both FFTs in float64: what remains is the window's one-ulp float32 differences
    # (measured 1.9e-8); with torch's own window, float64 rounding (measured 1e-15).
    assert _frame_error(ours.numpy(), ref) <= 1e-7
    exact = T.Spectrogram(window_fn=torch.hann_window)(y)
    assert _frame_error(exact, ref) <= 1e-13
    mel = _ours(_make(T.MelSpectrogram), y)  # torchaudio raises here (float32 fb)
    assert mel.dtype == np.float64


# ---- AmplitudeToDB ----------------------------------------------------------------------


def _levels(shape, rng):
    """Power values over 16 decades, with whole channels 60 dB apart."""
    S = rng.standard_normal(shape) ** 2 * 10.0 ** rng.uniform(-14, 2, shape)
    if len(shape) >= 3:
        S *= 10.0 ** (-6 * np.arange(shape[-3]))[:, None, None]
    return S.astype(np.float32)


@requires_torchaudio
@pytest.mark.parametrize(
    "shape", [(64, 50), (3, 64, 50), (2, 3, 64, 50), (2, 2, 3, 16, 20)], ids=str
)
@pytest.mark.parametrize("stype", ["power", "magnitude"])
@pytest.mark.parametrize("top_db", [None, 80.0, 30.0])
def test_amplitude_to_db(parity, shape, stype, top_db):
    S = _levels(shape, np.random.default_rng(len(shape)))
    ref = torchaudio.transforms.AmplitudeToDB(stype, top_db)(_tensor(S)).numpy()
    ours = T.AmplitudeToDB(stype, top_db)(S)
    assert ours.shape == ref.shape and ours.dtype == ref.dtype
    err = float(np.max(np.abs(ours.astype(np.float64) - ref)))
    parity.record("torchaudio compat: AmplitudeToDB max abs error (dB)", err)
    assert err <= DB_ATOL
    tensor_out = T.AmplitudeToDB(stype, top_db)(_tensor(S))
    assert isinstance(tensor_out, torch.Tensor) and np.array_equal(tensor_out.numpy(), ours)


def test_amplitude_to_db_scope():
    """torchaudio's top_db scope: one cut-off over (channel, freq, time) for 3-D input
    (librosa 1.0 / swiftspec: one per channel); one per batch item for 4-D."""
    rng = np.random.default_rng(5)
    S = (rng.uniform(0.1, 1.0, (3, 64, 50)) * 10.0 ** (-4.0 * np.arange(3))[:, None, None]).astype(
        np.float32
    )  # 40 dB apart
    ours = T.AmplitudeToDB("power", top_db=30.0)(S)
    floor = np.float32(10 * np.log10(S.max()) - 30)
    assert abs(ours.min() - floor) < 1e-3
    assert np.all(ours[1:] == ours.min())  # the quieter channels are cut away entirely
    per_channel = swiftspec.power_to_db(S, top_db=30.0)  # librosa 1.0 semantics differ
    assert per_channel[2].max() < ours[2].max() - 40
    four_d = T.AmplitudeToDB("power", top_db=30.0)(np.stack([S, S * np.float32(1e-4)]))
    assert np.allclose(four_d[0], ours) and np.allclose(four_d[1], ours - 40, atol=1e-3)
    magnitude_floor = T.AmplitudeToDB("magnitude")(np.zeros((2, 3), np.float32))
    assert np.all(magnitude_floor == -200.0)  # amin 1e-10 for magnitudes too (as torch)


# ---- MFCC -------------------------------------------------------------------------------

MFCC_CASES = [
    {},
    {"n_mfcc": 13, "melkwargs": {"n_fft": 400, "hop_length": 160, "n_mels": 23, "center": False}},
    {
        "n_mfcc": 20,
        "melkwargs": {
            "n_fft": 512,
            "hop_length": 128,
            "n_mels": 64,
            "f_max": 7000.0,
            "mel_scale": "slaney",
            "norm": "slaney",
        },
    },
    {"norm": None, "n_mfcc": 30, "melkwargs": {"n_fft": 1024, "n_mels": 40}},
    {"melkwargs": {"normalized": True}},
]


@requires_torchaudio
@pytest.mark.parametrize("log_mels", [False, True])
@pytest.mark.parametrize("kwargs", MFCC_CASES, ids=str)
def test_mfcc(parity, noise, batch, kwargs, log_mels):
    for y in (noise, batch, batch[:, None, :], batch[:2, None, :1000]):
        ref = _ref(_make(torchaudio.transforms.MFCC, log_mels=log_mels, **kwargs), y)
        ours = _ours(_make(T.MFCC, log_mels=log_mels, **kwargs), y)
        assert ours.shape == ref.shape and ours.dtype == ref.dtype
        err = float(np.max(np.abs(ours.astype(np.float64) - ref))) / max(
            1.0, float(np.max(np.abs(ref)))
        )
        parity.record("torchaudio compat: MFCC max abs error / max(1, max|ref|)", err)
        assert err <= MFCC_RTOL, (kwargs, y.shape, err)


@requires_torchaudio
@pytest.mark.parametrize("log_mels", [False, True])
def test_mfcc_recording(parity, speech, log_mels):
    y, sr = speech
    kwargs = dict(
        sample_rate=sr,
        n_mfcc=20,
        log_mels=log_mels,
        melkwargs={"n_fft": 1024, "hop_length": 256, "n_mels": 64},
    )
    ref = _ref(_make(torchaudio.transforms.MFCC, **kwargs), y)
    ours = _ours(_make(T.MFCC, **kwargs), _tensor(y))
    assert isinstance(ours, torch.Tensor)
    err = float(np.max(np.abs(ours.numpy().astype(np.float64) - ref))) / max(
        1.0, float(np.max(np.abs(ref)))
    )
    parity.record("torchaudio compat: MFCC (speech) max abs error / max(1, max|ref|)", err)
    assert err <= MFCC_RTOL


# ---- errors and defaults (no torch needed) ------------------------------------------------


def test_defaults_are_torchaudios():
    spec = T.Spectrogram()
    assert (spec.n_fft, spec.win_length, spec.hop_length, spec.pad, spec.power) == (
        400,
        400,
        200,
        0,
        2.0,
    )
    assert spec.center is True and spec.pad_mode == "reflect" and spec.normalized is False
    assert spec.window.dtype == np.float32 and spec.window[0] == 0.0
    mel = _make(T.MelSpectrogram, sample_rate=22050)
    assert mel.fb.shape == (201, 128) and mel.n_mels == 128 and mel.hop_length == 200
    assert mel.norm is None and mel.mel_scale == "htk" and mel.f_max is None
    assert np.max(mel.fb) <= 1.0  # HTK triangles peaking at (nearly) 1: no area norm
    mfcc = _make(T.MFCC)
    assert mfcc.n_mfcc == 40 and mfcc.dct_mat.shape == (128, 40) and mfcc.top_db == 80.0
    db = T.AmplitudeToDB()
    assert db.stype == "power" and db.top_db is None and db.amin == 1e-10


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: T.Spectrogram(pad_mode="wrap"), "pad_mode"),
        (lambda: T.Spectrogram(normalized="both"), "normalized"),
        (lambda: T.Spectrogram(power=0), "power"),
        (lambda: T.Spectrogram(n_fft=400, win_length=500), "win_length"),
        (lambda: T.Spectrogram(n_fft=1), "hop_length"),  # win_length // 2 == 0
        (lambda: T.MelSpectrogram(power=None), "complex"),
        (lambda: T.MelSpectrogram(f_min=9000.0), "f_min"),
        (lambda: T.MelSpectrogram(norm="area"), "norm"),
        (lambda: T.MelSpectrogram(mel_scale="bark"), "mel_scale"),
        (lambda: T.MFCC(dct_type=3), "DCT type"),
        (lambda: T.MFCC(n_mfcc=41, melkwargs={"n_mels": 40}), "more MFCC"),
        (lambda: T.MFCC(norm="forward"), "norm"),
        (lambda: T.AmplitudeToDB(top_db=-1), "top_db"),
        (lambda: T.AmplitudeToDB(stype="energy"), "stype"),
    ],
)
def test_invalid_arguments(make, message):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(swiftspec.ParameterError, match=message):
            make()


def test_invalid_input():
    spec = T.Spectrogram()
    with pytest.raises(swiftspec.ParameterError, match="reflect"):
        spec(np.zeros(200, np.float32))  # n_fft // 2 >= length: torch.stft raises too
    assert T.Spectrogram(pad_mode="constant")(np.zeros(150, np.float32)).shape == (201, 1)
    with pytest.raises(swiftspec.ParameterError, match="empty"):
        T.Spectrogram(pad_mode="constant")(np.zeros(0, np.float32))
    with pytest.raises(swiftspec.ParameterError, match="floating-point"):
        spec(np.zeros(1000, np.int16))
    with pytest.raises(swiftspec.ParameterError, match="top_db"):
        T.AmplitudeToDB(top_db=80)(np.ones(10, np.float32))  # needs (..., freq, time)
    with pytest.raises(swiftspec.ParameterError):
        spec(np.full(1000, np.nan, np.float32))


@requires_torchaudio
def test_requires_grad_is_refused():
    y = torch.zeros(1000, requires_grad=True)
    with pytest.raises(swiftspec.ParameterError, match="requires grad"):
        T.Spectrogram()(y)
    assert T.Spectrogram()(y.detach()).shape == (201, 6)


def test_import_does_not_import_torch():
    code = (
        "import sys, numpy as np, swiftspec, swiftspec.compat.torchaudio as T; "
        "T.MFCC()(np.ones(4000, np.float32)); T.AmplitudeToDB(top_db=80)("
        "np.ones((4, 4), np.float32)); assert 'torch' not in sys.modules, 'torch imported'"
    )
    env = dict(os.environ, PYTHONPATH=str(Path(swiftspec.__file__).resolve().parent.parent))
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# ---- Spectrogram's fused power path against numpy ---------------------------------------
# torch.stft's framing written out with numpy in float64: the whole signal reflect-padded
# by n_fft // 2, windowed frames, rfft, |X| ** power. Both sides get the same float32
# periodic Hann window, given explicitly. Sizes include one that FFTW handles slowly
# (401 = prime, Bluestein's algorithm in the engine).


def _float32_hann(n_fft, **_):
    return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)).astype(np.float32)


def _numpy_spectrogram(y, n_fft, hop, power):
    padded = np.pad(y.astype(np.float64), n_fft // 2, mode="reflect")
    window = _float32_hann(n_fft).astype(np.float64)
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop]
    return (np.abs(np.fft.rfft(frames * window, axis=-1)) ** power).T


@pytest.mark.parametrize("precision", ["exact", "fast"])
@pytest.mark.parametrize("power", [2.0, 1.0, 0.5])
@pytest.mark.parametrize("n_fft", [400, 401, 512])
def test_spectrogram_power_path_against_numpy(parity, rng, n_fft, power, precision):
    y = (0.3 * rng.standard_normal(8000)).astype(np.float32)
    ours = T.Spectrogram(n_fft=n_fft, power=power, window_fn=_float32_hann, precision=precision)(y)
    ref = _numpy_spectrogram(y, n_fft, n_fft // 2, power)
    assert ours.dtype == np.float32 and ours.shape == ref.shape, (ours.dtype, ours.shape)
    # Every entry within 2e-6 of its frame's peak (fast mode's bound for the STFT, raised
    # to the power) and, in exact mode, within float32 rounding of each entry above 1e-3
    # of its frame's peak.
    peak = ref.max(axis=0, keepdims=True)
    scaled = np.abs(ours - ref) / peak
    parity.record(
        f"compat Spectrogram power={power} {precision}: max error / frame peak", scaled.max()
    )
    assert scaled.max() <= 2e-6 * max(1.0, power), scaled.max()
    if precision == "exact":
        big = ref > 1e-3 * peak
        rel = np.abs(ours - ref)[big] / ref[big]
        assert rel.max() <= 1e-6, rel.max()
