# SPDX-License-Identifier: GPL-2.0-or-later
"""The recipes of docs/guide/images.md ("Recipes"), run as documented, against the same
recipe done by hand with librosa (and torchaudio where it is installed) and Pillow; and
the flags they use: --spectrogram, --power, --ref, --amin, --pad-mode, --normalize,
--select, --seed, --channels, --stack (with every --format).

Images must agree as the other image tests require (one 8-bit level at most, on under
0.1 % of the pixels); arrays within the log-mel tolerance.
"""

import hashlib
import json
import warnings

import numpy as np
import pytest
from test_cli import corpus_tree, manifest, read_image, run_cli, snapshot

from swiftspec import cli
from swiftspec import images as spec_images
from swiftspec.exceptions import ParameterError

librosa = pytest.importorskip("librosa")
Image = pytest.importorskip("PIL.Image")
soundfile = pytest.importorskip("soundfile")
pytest.importorskip("soxr")

# tree path -> corpus path: 10.1 s at 32 kHz (3 clips), a 2.7 s stereo Ogg (shorter than
# a clip), 14.8 s of Ogg Vorbis at 22.05 kHz (seeking in a compressed stream).
TREE = {
    "birds/oss_birds_10s.wav": "birds/oss_birds_10s.wav",
    "birds/robin_stereo.ogg": "birds/librosa_robin.hq.ogg",
    "speech/libri1.ogg": "speech/librosa_libri1.ogg",
}
CLIP = 5.0


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return corpus_tree(tmp_path_factory, "recipes-in", TREE)


def convert(tree, out, args, capsys, workers=1):
    code, text, err = run_cli(
        [tree, out, *args, "--workers", str(workers), "--no-progress"], capsys
    )
    assert code == 0, (text, err)
    rows = manifest(out)
    assert rows and all(row["status"] == "ok" for row in rows), rows
    return rows


def librosa_load(path, sr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return librosa.load(path, sr=sr, mono=True)[0]


def padded_clip(y, index, sr):
    """Clip ``index`` of ``y``, zero-padded to the clip length (--tail pad)."""
    length = int(CLIP * sr)
    clip = np.zeros(length, dtype=np.float32)
    piece = y[index * length : (index + 1) * length]
    clip[: len(piece)] = piece
    return clip, len(piece)


def log_mel(clip, sr, ref=np.max, **mel):
    S = librosa.feature.melspectrogram(y=clip, sr=sr, **mel)
    return librosa.power_to_db(S, ref=ref, top_db=80.0).astype(np.float64)


def pixels(S, size=None):
    """min-max to 8 bits, low rows at the bottom, resized with Pillow's bicubic filter."""
    S = np.asarray(S, dtype=np.float64)
    lo, hi = S.min(), S.max()
    levels = np.round(255 * (S - lo) / (hi - lo)) if hi > lo else np.zeros_like(S)
    image = Image.fromarray(levels.astype(np.uint8)[::-1].copy())
    if size is not None:
        image = image.resize(size, Image.Resampling.BICUBIC)
    return np.asarray(image)


def rgb(channels, size=None):
    """Three spectrograms as one RGB image, each channel scaled on its own."""
    return np.stack([pixels(S, size) for S in channels], axis=-1)


class ImageComparison:
    """The other image tests' tolerance: float32 rounding may move a value across a
    rounding boundary, so one level at most, on under 0.1 % of all pixels."""

    def __init__(self):
        self.differing = self.total = 0

    def add(self, got, expected, name):
        assert got.shape == expected.shape, (name, got.shape, expected.shape)
        diff = np.abs(got.astype(int) - expected.astype(int))
        assert diff.max() <= 1, (name, diff.max())
        self.differing += int((diff > 0).sum())
        self.total += diff.size

    def check(self):
        assert self.total > 0 and self.differing / self.total < 1e-3, self.differing / self.total


def check_images(tree, out, rows, expected_of):
    """Compare every output image with ``expected_of(source path, clip index)``."""
    comparison = ImageComparison()
    for row in rows:
        expected = expected_of(tree / row["source"], int(row["clip"]))
        comparison.add(read_image(out / row["output"])[2], expected, row["output"])
    comparison.check()


# --- The recipes, as docs/guide/images.md gives them -----------------------------------

BIRDCLEF = [
    "--sr",
    "32000",
    "--clip",
    "5",
    "--n-fft",
    "2048",
    "--hop",
    "512",
    "--n-mels",
    "128",
    "--fmin",
    "20",
    "--fmax",
    "16000",
]
BIRDCLEF_MEL = {"n_fft": 2048, "hop_length": 512, "n_mels": 128, "fmin": 20, "fmax": 16000}
TORCHAUDIO = [
    "--sr",
    "16000",
    "--spectrogram",
    "linear",
    "--n-fft",
    "400",
    "--hop",
    "200",
    "--pad-mode",
    "reflect",
    "--ref",
    "1",
    "--top-db",
    "none",
    "--size",
    "512x512",
]
IMAGE_OF_SOUND = ["--sr", "22050", "--spectrogram", "linear", "--power", "1"]
DELTAS = [*BIRDCLEF, "--channels", "3", "--stack", "deltas"]
CENTER = [*BIRDCLEF, "--select", "center"]


def test_birdclef_log_mel_recipe(tree, tmp_path, capsys):
    out = tmp_path / "birdclef"
    rows = convert(tree, out, BIRDCLEF, capsys)
    assert len(rows) == 3 + 1 + 3

    def by_hand(path, index):
        clip, _ = padded_clip(librosa_load(path, 32000), index, 32000)
        return pixels(log_mel(clip, 32000, **BIRDCLEF_MEL))

    check_images(tree, out, rows, by_hand)


def torchaudio_recipe(clip):
    """T.Spectrogram() -> T.AmplitudeToDB(), torchaudio's defaults, run in float64 as
    librosa's FFT is (torch's float32 FFT differs by a few 8-bit levels in the bins 100 dB
    below the peak that ref=1 without a floor keeps)."""
    torch = pytest.importorskip("torch")
    T = pytest.importorskip("torchaudio.transforms")
    with torch.no_grad():
        power = T.Spectrogram().double()(torch.from_numpy(clip.astype(np.float64)))
        return T.AmplitudeToDB().double()(power).numpy()


def torchaudio_by_librosa(clip):
    """The same with librosa: n_fft 400, hop 200, reflect padding, power, ref 1, no floor."""
    D = librosa.stft(clip, n_fft=400, hop_length=200, pad_mode="reflect")
    return librosa.power_to_db(np.abs(D) ** 2, ref=1.0, amin=1e-10, top_db=None)


@pytest.fixture(scope="module")
def torchaudio_run(tree, tmp_path_factory):
    out = tmp_path_factory.mktemp("torchaudio") / "out"
    assert (
        cli.main(["images", str(tree), str(out), *TORCHAUDIO, "--workers", "1", "--no-progress"])
        == 0
    )
    return out, manifest(out)


def test_torchaudio_recipe_by_librosa(tree, torchaudio_run):
    out, rows = torchaudio_run
    assert {row["shape"] for row in rows} == {"512x512"}

    def by_hand(path, index):
        clip, _ = padded_clip(librosa_load(path, 16000), index, 16000)
        return pixels(torchaudio_by_librosa(clip), (512, 512))

    check_images(tree, out, rows, by_hand)


def test_torchaudio_recipe_by_torchaudio(tree, torchaudio_run):
    out, rows = torchaudio_run
    pytest.importorskip("torchaudio")

    def by_hand(path, index):
        clip, _ = padded_clip(librosa_load(path, 16000), index, 16000)
        return pixels(torchaudio_recipe(clip), (512, 512))

    check_images(tree, out, rows, by_hand)


def test_image_of_sound_linear_db_recipe(tree, tmp_path, capsys):
    out = tmp_path / "linear"
    rows = convert(tree / "birds", out, IMAGE_OF_SOUND, capsys)
    assert {row["shape"] for row in rows} == {f"1025x{1 + int(CLIP * 22050) // 512}"}

    def by_hand(path, index):
        clip, _ = padded_clip(librosa_load(path, 22050), index, 22050)
        return pixels(librosa.amplitude_to_db(np.abs(librosa.stft(clip)), ref=np.max))

    check_images(tree / "birds", out, rows, by_hand)


def deltas_by_hand(path, index):
    clip, _ = padded_clip(librosa_load(path, 32000), index, 32000)
    S_db = log_mel(clip, 32000, **BIRDCLEF_MEL)
    return [S_db, librosa.feature.delta(S_db), librosa.feature.delta(S_db, order=2)]


def test_three_channel_deltas_recipe(tree, tmp_path, capsys):
    out = tmp_path / "deltas"
    rows = convert(tree / "birds", out, DELTAS, capsys)
    assert {row["shape"] for row in rows} == {"128x313x3"}
    assert read_image(out / rows[0]["output"])[1] == "RGB"
    check_images(tree / "birds", out, rows, lambda path, k: rgb(deltas_by_hand(path, k)))


def test_three_channel_arrays_are_channels_first(tree, tmp_path, capsys, tol):
    out = tmp_path / "deltas-npy"
    rows = convert(tree / "birds", out, [*DELTAS, "--format", "npy"], capsys)
    for row in rows:
        array = np.load(out / row["output"])
        assert array.dtype == np.float32 and array.shape == (3, 128, 313)
        assert row["shape"] == "3x128x313"
        expected = deltas_by_hand(tree / "birds" / row["source"], int(row["clip"]))
        for got, want in zip(array, expected):
            np.testing.assert_allclose(got, want, rtol=0, atol=tol.logmel_exact_atol)


def test_three_channel_shards(tree, tmp_path, capsys, tol):
    """Shard rows are the RGB pixels (uint8) or the (3, bands, frames) arrays."""
    for dtype in ("uint8", "float32"):
        out = tmp_path / dtype
        rows = convert(
            tree / "birds", out, [*DELTAS, "--format", "shards", "--shard-dtype", dtype], capsys
        )
        comparison = ImageComparison()
        for row in rows:
            got = np.load(out / row["output"], mmap_mode="r")[int(row["row"])]
            expected = deltas_by_hand(tree / "birds" / row["source"], int(row["clip"]))
            if dtype == "uint8":
                assert got.shape == (128, 313, 3) and row["shape"] == "128x313x3"
                comparison.add(np.asarray(got), rgb(expected), row["output"])
            else:
                assert got.shape == (3, 128, 313) and row["shape"] == "3x128x313"
                np.testing.assert_allclose(
                    got, np.stack(expected), rtol=0, atol=tol.logmel_exact_atol
                )
        if dtype == "uint8":
            comparison.check()


def test_three_gray_channels(tree, tmp_path, capsys):
    out = tmp_path / "gray3"
    rows = convert(tree / "birds", out, [*BIRDCLEF, "--channels", "3", "--size", "160x96"], capsys)
    for row in rows:
        size, mode, got = read_image(out / row["output"])
        assert size == (160, 96) and mode == "RGB" and row["shape"] == "96x160x3"
        assert (got[..., 0] == got[..., 1]).all() and (got[..., 0] == got[..., 2]).all()
    check_images(
        tree / "birds",
        out,
        rows,
        lambda path, k: np.stack(
            [
                pixels(
                    log_mel(
                        padded_clip(librosa_load(path, 32000), k, 32000)[0], 32000, **BIRDCLEF_MEL
                    ),
                    (160, 96),
                )
            ]
            * 3,
            axis=-1,
        ),
    )


# --- One clip per recording ------------------------------------------------------------


def native_clip(path, start, sr):
    """CLIP seconds of the recording from native frame ``start``, at ``sr``; a recording
    shorter than that is repeated end to end (the documented rule)."""
    y, native_sr = librosa_load(path, None), soundfile.info(path).samplerate
    clip_frames = round(CLIP * native_sr)
    piece = y[start : start + clip_frames]
    resampled = librosa.resample(piece, orig_sr=native_sr, target_sr=sr, res_type="soxr_hq")
    length = int(CLIP * sr)
    if len(y) < clip_frames:
        return np.concatenate([resampled] * (length // len(resampled) + 1))[:length]
    fitted = np.zeros(length, dtype=np.float32)
    fitted[: min(length, len(resampled))] = resampled[:length]
    return fitted


def test_center_clip_recipe(tree, tmp_path, capsys):
    out = tmp_path / "center"
    rows = convert(tree, out, CENTER, capsys)
    assert sorted(row["source"] for row in rows) == sorted(TREE)
    for row in rows:
        info = soundfile.info(tree / row["source"])
        start = max(0, (info.frames - round(CLIP * info.samplerate)) // 2)
        assert row["clip"] == "0" and row["output"].endswith("_0000.png")
        assert abs(float(row["start_s"]) - start / info.samplerate) < 1e-4
        assert abs(float(row["audio_s"]) - min(CLIP, info.duration)) < 1e-3

    def by_hand(path, index):
        info = soundfile.info(path)
        start = max(0, (info.frames - round(CLIP * info.samplerate)) // 2)
        return pixels(log_mel(native_clip(path, start, 32000), 32000, **BIRDCLEF_MEL))

    check_images(tree, out, rows, by_hand)


def documented_random_start(seed, rel, n_starts):
    """docs/guide/images.md's rule for --select random's offset."""
    words = np.frombuffer(hashlib.sha256(rel.encode()).digest()[:16], dtype="<u4")
    rng = np.random.default_rng(np.random.SeedSequence([seed, *map(int, words)]))
    return int(rng.integers(0, n_starts))


def test_random_clip_is_reproducible_whatever_the_workers(tree, tmp_path, capsys, tol):
    args = [*BIRDCLEF, "--select", "random", "--seed", "7", "--format", "npy"]
    one = tmp_path / "one"
    rows = convert(tree, one, args, capsys, workers=1)
    two = tmp_path / "two"
    convert(tree, two, args, capsys, workers=2)
    assert {k: v[0] for k, v in snapshot(one).items() if k.endswith(".npy")} == {
        k: v[0] for k, v in snapshot(two).items() if k.endswith(".npy")
    }
    for row in rows:
        path = tree / row["source"]
        info = soundfile.info(path)
        clip_frames = round(CLIP * info.samplerate)
        start = (
            documented_random_start(7, row["source"], info.frames - clip_frames + 1)
            if info.frames > clip_frames
            else 0
        )
        assert abs(float(row["start_s"]) - start / info.samplerate) < 1e-4
        expected = log_mel(native_clip(path, start, 32000), 32000, **BIRDCLEF_MEL)
        np.testing.assert_allclose(
            np.load(one / row["output"]), expected, rtol=0, atol=tol.logmel_exact_atol
        )
    other = tmp_path / "other-seed"
    other_rows = convert(tree, other, [*args[:-4], "--seed", "8", "--format", "npy"], capsys)
    long_files = [r for r in rows if r["source"] != "birds/robin_stereo.ogg"]
    assert any(
        a["start_s"] != b["start_s"]
        for a, b in zip(
            long_files, [r for r in other_rows if r["source"] != "birds/robin_stereo.ogg"]
        )
    )


def test_one_clip_decodes_only_that_clip(tree, tmp_path, monkeypatch):
    """--select center/random seek: no more than a clip's frames are read."""
    read_frames = []
    original = soundfile.SoundFile.read

    def counting_read(self, frames=-1, *args, **kwargs):
        data = original(self, frames, *args, **kwargs)
        read_frames.append((self.name, len(data)))
        return data

    monkeypatch.setattr(soundfile.SoundFile, "read", counting_read)
    for select in ("center", "random"):
        read_frames.clear()
        settings = spec_images.Settings(select=select, n_mels=32)
        summary = spec_images.run(tree / "speech", tmp_path / select, settings, workers=1)
        assert summary.ok == 1
        ((name, frames),) = read_frames
        assert name.endswith("libri1.ogg") and frames == round(CLIP * 22050)


# --- Waveform normalisation ------------------------------------------------------------


def test_peak_and_rms_normalisation(tree, tmp_path, capsys, tol):
    """Each clip's audio (before zero-padding) is normalised; --ref 1 keeps the level in
    the output, where ref max would cancel it."""
    base = [*BIRDCLEF, "--ref", "1", "--format", "npy"]
    for how, extra in (("peak", []), ("rms", ["--rms-dbfs", "-23"])):
        out = tmp_path / how
        rows = convert(tree / "birds", out, [*base, "--normalize", how, *extra], capsys)
        for row in rows:
            y = librosa_load(tree / "birds" / row["source"], 32000)
            clip, n_audio = padded_clip(y, int(row["clip"]), 32000)
            audio = clip[:n_audio].astype(np.float64)
            if how == "peak":
                audio = librosa.util.normalize(audio)
            else:
                audio *= 10 ** (-23 / 20) / np.sqrt(np.mean(audio**2))
            clip[:n_audio] = audio
            expected = log_mel(clip, 32000, ref=1.0, **BIRDCLEF_MEL)
            np.testing.assert_allclose(
                np.load(out / row["output"]),
                expected,
                rtol=0,
                atol=tol.logmel_exact_atol,
                err_msg=how,
            )


def test_silence_is_left_as_it_is(tmp_path, capsys):
    silent = tmp_path / "in" / "silence.wav"
    silent.parent.mkdir()
    soundfile.write(silent, np.zeros(8000, dtype=np.float32), 8000)
    for how in ("peak", "rms"):
        out = tmp_path / how
        rows = convert(
            silent.parent,
            out,
            [
                "--sr",
                "8000",
                "--n-fft",
                "256",
                "--hop",
                "64",
                "--n-mels",
                "16",
                "--ref",
                "1",
                "--format",
                "npy",
                "--normalize",
                how,
            ],
            capsys,
        )
        array = np.load(out / rows[0]["output"])
        assert np.isfinite(array).all() and (array == -100.0).all()  # 10 log10(amin)


# --- Resuming, validation, help ----------------------------------------------------------


def test_settings_from_before_these_flags_stay_resumable(tree, tmp_path, capsys):
    out = tmp_path / "old"
    convert(tree / "birds", out, BIRDCLEF, capsys)
    settings_file = out / ".swiftspec" / "settings.json"
    recorded = json.loads(settings_file.read_text())
    new = (
        "spectrogram",
        "power",
        "ref",
        "amin",
        "pad_mode",
        "normalize",
        "rms_dbfs",
        "select",
        "seed",
        "channels",
        "stack",
    )
    assert set(new) <= set(recorded)
    settings_file.write_text(json.dumps({k: v for k, v in recorded.items() if k not in new}))
    before = snapshot(out)
    code, text, _ = run_cli([tree / "birds", out, *BIRDCLEF, "--workers", "1"], capsys)
    assert code == 0 and "skipped 2 done before" in text, text
    assert {k: v for k, v in snapshot(out).items() if k != "manifest.csv"} == {
        k: v for k, v in before.items() if k != "manifest.csv"
    }
    # The new settings take part in the comparison.
    for extra, change in (
        (["--spectrogram", "linear"], "spectrogram 'mel' -> 'linear'"),
        (["--seed", "3"], "seed 0 -> 3"),
        (["--channels", "3"], "channels 1 -> 3"),
    ):
        code, _, err = run_cli([tree / "birds", out, *BIRDCLEF, *extra], capsys)
        assert code == 2 and change in err, (extra, err)


BAD_FLAGS = [
    (["--spectrogram", "bark"], "'bark'"),
    (["--power", "3"], "invalid choice: 3"),
    (["--ref", "loudest"], "'loudest'"),
    (["--ref", "-1"], "'-1'"),
    (["--amin", "0"], "'0'"),
    (["--top-db", "lots"], "'lots'"),
    (["--pad-mode", "wrap"], "'wrap'"),
    (["--normalize", "loud"], "'loud'"),
    (["--rms-dbfs", "nan"], "'nan'"),
    (["--select", "middle"], "'middle'"),
    (["--seed", "-1"], "'-1'"),
    (["--channels", "2"], "invalid choice: 2"),
    (["--stack", "rgb"], "'rgb'"),
]
BAD_COMBINATIONS = [
    (["--stack", "deltas"], "stack='deltas' needs channels=3"),
    (["--channels", "3", "--colormap", "viridis"], "colormap='viridis'"),
    (["--select", "center", "--tail", "drop"], "select='center'"),
    (["--select", "random", "--clip-hop", "1"], "select='random'"),
    (["--channels", "3", "--stack", "deltas", "--clip", "0.05"], "width=9"),
]


@pytest.mark.parametrize("extra, message", BAD_FLAGS)
def test_bad_flag_values_are_named(tmp_path, capsys, extra, message):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["images", str(tmp_path), str(tmp_path / "out"), *extra])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and extra[0] in err, err


@pytest.mark.parametrize("extra, message", BAD_COMBINATIONS)
def test_bad_flag_combinations_are_named(tmp_path, capsys, extra, message):
    code, _, err = run_cli([tmp_path, tmp_path / "out", *extra], capsys)
    assert code == 2 and message in err, err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("spectrogram", "bark"),
        ("power", 3.0),
        ("ref", "min"),
        ("ref", 0.0),
        ("amin", -1.0),
        ("normalize", "loud"),
        ("rms_dbfs", np.inf),
        ("select", "middle"),
        ("seed", -2),
        ("seed", 1.5),
        ("channels", 2),
        ("stack", "rgb"),
    ],
)
def test_bad_settings_are_named(field, value):
    with pytest.raises(ParameterError, match=field):
        spec_images.check_settings(spec_images.Settings(**{field: value}))


def test_help_shows_every_new_flag(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["images", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for flag in (
        "--spectrogram",
        "--power",
        "--ref",
        "--amin",
        "--pad-mode",
        "--normalize",
        "--rms-dbfs",
        "--select",
        "--seed",
        "--channels",
        "--stack",
    ):
        assert flag in text, flag
