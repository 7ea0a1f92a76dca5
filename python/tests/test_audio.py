# SPDX-License-Identifier: GPL-2.0-or-later
"""swiftspec.load and swiftspec.resample against librosa.load and librosa.resample.

The recordings come from the shared corpus (``../shared/corpus`` beside the repository,
see its SOURCES.md), which covers WAV 8/16/24/32-bit and float, FLAC, Ogg Vorbis, MP3,
mono/stereo/3 channels, empty files and rates from 8 to 48 kHz; those cases are skipped
when it is absent. The repository's own python/tests/data files always run.
"""

import inspect
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import swiftspec

librosa = pytest.importorskip("librosa")
soundfile = pytest.importorskip("soundfile")
pytest.importorskip("soxr")

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
LIBROSA_1 = int(librosa.__version__.split(".")[0]) >= 1

CORPUS_FILES = [
    "birds/oss_birds_10s.wav",  # PCM 16, 32 kHz, mono
    "birds/maad_soundscape_000000.wav",  # 22 kHz
    "formats/scipy_test-8000Hz-le-2ch-1byteu.wav",  # PCM 8 unsigned, stereo
    "formats/scipy_test-8000Hz-le-3ch-5S-24bit.wav",  # PCM 24, 3 channels
    "formats/scipy_test-44100Hz-le-1ch-4bytes.wav",  # PCM 32
    "formats/scipy_test-44100Hz-2ch-32bit-float-be.wav",  # float32 big-endian
    "formats/scipy_test-48000Hz-2ch-64bit-float-le-wavex.wav",  # float64 WAVEX
    "derived/max_typing_48k_float32_stereo_4s.wav",  # float32 stereo 48 kHz
    "derived/maad_spinetail.flac",  # FLAC
    "birds/librosa_robin.hq.ogg",  # Ogg Vorbis, stereo
    "speech/librosa_libri1.hq.ogg",  # Ogg Vorbis, 16 kHz
    "speech/asterisk_demo-congrats.wav",  # 8 kHz
    "formats/oss_silence_10s.mp3",  # MP3
    "formats/oss_empty_2c.wav",  # empty, 2 channels
]
DATA_FILES = ["librosa_test_audio.flac", "librosa_robin.ogg", "gcompris_helicopter.wav"]


def audio_files(min_seconds=0.0):
    """Test files (at least ``min_seconds`` long); corpus files skip when it is absent."""
    params = [
        pytest.param(DATA / name, id=f"data/{name}")
        for name in DATA_FILES
        if soundfile.info(str(DATA / name)).duration >= min_seconds
    ]
    for name in CORPUS_FILES:
        path = CORPUS / name
        if path.exists() and soundfile.info(str(path)).duration < min_seconds:
            continue
        params.append(
            pytest.param(
                path,
                id=name,
                marks=pytest.mark.skipif(not path.exists(), reason=f"{CORPUS} not present"),
            )
        )
    return params


def both_load(path, **kwargs):
    """(ours, librosa's) results of load, or the exceptions they raised."""
    out = []
    for fn in (swiftspec.load, librosa.load):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out.append(fn(path, **kwargs))
            except Exception as error:  # noqa: BLE001 - compared below
                out.append(error)
    return out


def assert_same(ours, ref):
    y, sr = ours
    y_ref, sr_ref = ref
    assert isinstance(y, np.ndarray)
    assert y.shape == y_ref.shape and y.dtype == y_ref.dtype, (y.shape, y_ref.shape)
    np.testing.assert_array_equal(y, y_ref)
    assert sr == sr_ref and type(sr) is type(sr_ref)


VARIANTS = [
    {},
    {"sr": None},
    {"sr": 32000, "mono": False},
    {"sr": None, "mono": False, "dtype": np.float64},
    {"sr": 44100, "res_type": "soxr_vhq"},
]


@pytest.mark.parametrize("path", audio_files())
@pytest.mark.parametrize(
    "kwargs",
    VARIANTS,
    ids=lambda k: ",".join(f"{a}={getattr(b, '__name__', b)}" for a, b in k.items()) or "defaults",
)
def test_load_matches_librosa(path, kwargs):
    ours, ref = both_load(path, **kwargs)
    if isinstance(ref, Exception):
        raise ref
    assert_same(ours, ref)


@pytest.mark.parametrize("path", audio_files(min_seconds=1.0))
def test_load_offset_duration(path):
    ours, ref = both_load(path, sr=16000, offset=0.25, duration=0.5)
    assert_same(ours, ref)
    assert ours[0].shape == (8000,)


@pytest.mark.parametrize("path", audio_files(min_seconds=1.0))
def test_load_negative_offset_counts_from_the_end(path):
    y, sr = swiftspec.load(path, sr=22050, offset=-0.75)
    # By hand: seek int(0.75 * native) frames before the end (a seek, not a slice of the
    # whole decode, which differs for MP3), average the channels, resample.
    with soundfile.SoundFile(str(path)) as f:
        native = f.samplerate
        f.seek(-int(0.75 * native), soundfile.SEEK_END)
        tail = f.read(dtype="float32", always_2d=True).T
    mono = np.mean(tail, axis=0)
    expected = librosa.resample(mono, orig_sr=native, target_sr=22050)
    np.testing.assert_array_equal(y, expected)
    assert sr == 22050
    if LIBROSA_1:
        assert_same((y, sr), librosa.load(path, sr=22050, offset=-0.75))


def test_load_int16_without_mixing_matches_librosa():
    path = DATA / "librosa_test_audio.flac"
    ours, ref = both_load(path, sr=None, mono=False, dtype=np.int16)
    assert_same(ours, ref)
    assert ours[0].dtype == np.int16 and ours[0].shape[0] == 2


def test_load_open_soundfile_and_file_object():
    path = DATA / "librosa_robin.ogg"
    expected = librosa.load(path, sr=16000)
    with soundfile.SoundFile(str(path)) as sf:
        assert_same(swiftspec.load(sf, sr=16000), expected)
    with open(path, "rb") as f:
        assert_same(swiftspec.load(f, sr=16000), expected)


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        (dict(sr=0), r"sr=0 must be a positive"),
        (dict(sr=-22050), r"sr=-22050"),
        (dict(sr=float("inf")), r"sr=inf"),
        (dict(sr="22050"), r"sr='22050'"),
        (dict(res_type="kaiser_best"), r"res_type='kaiser_best'.*not supported"),
        (dict(res_type="bogus"), r"res_type='bogus'"),
        (dict(offset=float("nan")), r"offset=nan"),
        (dict(duration=-1.0), r"duration=-1.0"),
        (dict(dtype=np.int16), r"dtype=int16 needs mono=False and sr=None"),
        (dict(dtype=np.float16), r"dtype=float16 is not supported"),
        (dict(dtype="no-such-type"), r"dtype='no-such-type'"),
        (dict(offset=5.0), r"offset=5.0 s is outside .*gcompris_helicopter.wav.*1.00823 s"),
        (dict(offset=-5.0), r"offset=-5.0 s is outside"),
    ],
)
def test_load_errors_name_the_value(kwargs, pattern):
    with pytest.raises(swiftspec.ParameterError, match=pattern):
        swiftspec.load(DATA / "gcompris_helicopter.wav", **kwargs)


def test_load_unreadable_files_raise_like_librosa(tmp_path):
    text = tmp_path / "notes.wav"
    text.write_text("not audio at all\n" * 20)
    for path in (tmp_path / "missing.wav", text):
        ours, ref = both_load(path)
        # librosa 1.0 reads with soundfile only; 0.11 falls back to audioread.
        assert type(ours) is soundfile.LibsndfileError, ours
        if LIBROSA_1:
            assert type(ref) is type(ours), (ours, ref)
        assert str(path.name) in str(ours)


def test_load_non_finite_audio(tmp_path):
    path = tmp_path / "nan.wav"
    y = np.zeros(1000, np.float32)
    y[10] = np.nan
    soundfile.write(str(path), y, 8000, subtype="FLOAT")
    with pytest.raises(swiftspec.ParameterError, match="not finite"):
        swiftspec.load(path)
    with pytest.raises(librosa.ParameterError):
        librosa.load(path)


# ---- resample ---------------------------------------------------------------------------

RATES = [(44100, 22050), (22050, 32000), (8000, 44100), (48000, 16000), (32000, 22050.5)]


@pytest.mark.parametrize(
    "res_type",
    ["soxr_vhq", "soxr_hq", "soxr_mq", "soxr_lq", "soxr_qq", "polyphase", "fft", "scipy"],
)
@pytest.mark.parametrize("orig_sr, target_sr", RATES)
def test_resample_matches_librosa(rng, res_type, orig_sr, target_sr):
    pytest.importorskip("scipy")
    y = rng.standard_normal(4321).astype(np.float32)
    if res_type == "polyphase" and int(target_sr) != target_sr:
        with pytest.raises(librosa.ParameterError):
            librosa.resample(y, orig_sr=orig_sr, target_sr=target_sr, res_type=res_type)
        with pytest.raises(swiftspec.ParameterError, match="integer-valued"):
            swiftspec.resample(y, orig_sr=orig_sr, target_sr=target_sr, res_type=res_type)
        return
    ours = swiftspec.resample(y, orig_sr=orig_sr, target_sr=target_sr, res_type=res_type)
    ref = librosa.resample(y, orig_sr=orig_sr, target_sr=target_sr, res_type=res_type)
    assert ours.shape == ref.shape and ours.dtype == ref.dtype
    np.testing.assert_array_equal(ours, ref)


@pytest.mark.parametrize(
    "kwargs", [dict(fix=False), dict(scale=True), dict(fix=False, scale=True, res_type="soxr_qq")]
)
def test_resample_fix_and_scale(rng, kwargs):
    y = rng.standard_normal(3001).astype(np.float32)
    ours = swiftspec.resample(y, orig_sr=44100, target_sr=16000, **kwargs)
    ref = librosa.resample(y, orig_sr=44100, target_sr=16000, **kwargs)
    assert ours.shape == ref.shape and ours.dtype == ref.dtype
    np.testing.assert_array_equal(ours, ref)


@pytest.mark.parametrize(
    "shape, axis", [((2, 2000), -1), ((2000, 2), 0), ((2, 3, 900), -1), ((3, 900, 2), 1)]
)
def test_resample_multichannel_and_axis(rng, shape, axis):
    y = rng.standard_normal(shape)  # float64
    ours = swiftspec.resample(y, orig_sr=22050, target_sr=16000, axis=axis)
    ref = librosa.resample(y, orig_sr=22050, target_sr=16000, axis=axis)
    assert ours.shape == ref.shape and ours.dtype == ref.dtype == np.float64
    np.testing.assert_array_equal(ours, ref)


def test_resample_empty_and_equal_rates():
    empty = np.zeros(0, np.float32)
    out = swiftspec.resample(empty, orig_sr=44100, target_sr=22050)
    assert out.shape == (0,) and out.dtype == np.float32
    y = np.ones(10, np.float32)
    assert swiftspec.resample(y, orig_sr=16000, target_sr=16000) is y


@pytest.mark.parametrize(
    "y, kwargs, pattern",
    [
        (np.array([0.0, np.inf]), {}, "not finite"),
        (np.zeros(8, np.int16), {}, "floating-point"),
        ([0.0, 1.0], {}, "numpy.ndarray"),
        (np.zeros(8), dict(orig_sr=0), "orig_sr=0"),
        (np.zeros(8), dict(target_sr=-1), "target_sr=-1"),
        (np.zeros(8), dict(res_type="linear"), "res_type='linear'"),
        (np.zeros(8), dict(res_type="polyphase", target_sr=22050.5), "integer-valued"),
        (np.zeros(8), dict(axis=1), "axis=1"),
    ],
)
def test_resample_errors(y, kwargs, pattern):
    args = dict(orig_sr=44100, target_sr=22050)
    args.update(kwargs)
    with pytest.raises(swiftspec.ParameterError, match=pattern):
        swiftspec.resample(y, **args)


# ---- API surface ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["load", "resample"])
def test_signature_matches_librosa(name):
    ours = inspect.signature(getattr(swiftspec, name)).parameters
    theirs = inspect.signature(getattr(librosa, name)).parameters
    for pname, param in theirs.items():
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            continue  # librosa.resample's **kwargs go to fix_length: not mirrored
        assert pname in ours, pname
        assert ours[pname].kind == param.kind, pname
        assert ours[pname].default is param.default or ours[pname].default == param.default
    assert set(ours) <= set(theirs)


def run_python(code):
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=120
    )


def _env():
    import os

    env = dict(os.environ)
    package_root = str(Path(swiftspec.__file__).resolve().parents[1])
    env["PYTHONPATH"] = package_root + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_import_needs_no_optional_dependency():
    result = run_python(
        "import sys\n"
        "import swiftspec, swiftspec.clips, swiftspec.cli, swiftspec.audio\n"
        "optional = ['soundfile', 'soxr', 'PIL', 'scipy', 'tqdm', 'dask', 'distributed',\n"
        "            'matplotlib', 'librosa']\n"
        "print(sorted(m for m in optional if m in sys.modules))\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_missing_soundfile_is_a_clear_import_error():
    result = run_python(
        "import sys\n"
        "sys.modules['soundfile'] = None\n"
        "import swiftspec\n"
        "try:\n"
        "    swiftspec.load('x.wav')\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    assert result.returncode == 0, result.stderr
    assert "pip install soundfile" in result.stdout and "swiftspec[audio]" in result.stdout
