# SPDX-License-Identifier: GPL-2.0-or-later
"""End to end: ``swiftspec images IN OUT`` on a tree built from the shared corpus.

The tree mixes formats (WAV 8/16/32-bit and float, FLAC, Ogg, MP3), sample rates
(8 to 48 kHz), a stereo file, files shorter than one clip, an empty file and a corrupt
one. Expected images are computed here by hand with librosa and Pillow; the resume tests
damage a finished output folder the ways a kill can and check the re-run repairs it.
"""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import swiftspec
from swiftspec import cli
from swiftspec import images as spec_images

librosa = pytest.importorskip("librosa")
Image = pytest.importorskip("PIL.Image")
pytest.importorskip("soundfile")
pytest.importorskip("soxr")

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
DATA = Path(__file__).resolve().parent / "data"

# tree path -> corpus path
TREE = {
    "sp_a/oss_birds_10s.wav": "birds/oss_birds_10s.wav",  # PCM16 32k
    "sp_a/maad_spinetail.flac": "derived/maad_spinetail.flac",  # FLAC 44.1k
    "sp_a/deep/robin_stereo.ogg": "birds/librosa_robin.hq.ogg",  # stereo, 2.7 s
    "sp_b/congrats_8k.wav": "speech/asterisk_demo-congrats.wav",  # 8 kHz, 30 s
    "sp_b/silence.mp3": "formats/oss_silence_10s.mp3",  # MP3
    "sp_b/typing_48k.wav": "derived/max_typing_48k_float32_stereo_4s.wav",  # float32 48k
    "fmt/pcm8.wav": "formats/scipy_test-8000Hz-le-2ch-1byteu.wav",  # 0.1 s
    "fmt/pcm32.wav": "formats/scipy_test-44100Hz-le-1ch-4bytes.wav",  # 0.1 s
    "fmt/empty.wav": "formats/oss_empty_2c.wav",  # 0 frames
}
CORRUPT = "fmt/corrupt.wav"
SR, CLIP, N_MELS, N_FFT, HOP = 32000, 5.0, 64, 1024, 320
SIZE = (160, 96)  # width x height: not square, so a swap shows
ARGS = [
    "--sr",
    str(SR),
    "--clip",
    str(CLIP),
    "--n-mels",
    str(N_MELS),
    "--n-fft",
    str(N_FFT),
    "--hop",
    str(HOP),
    "--fmin",
    "50",
    "--fmax",
    "14000",
    "--size",
    "160x96",
    "--no-progress",
]

SETTINGS = spec_images.Settings(
    sr=SR, clip=CLIP, n_mels=N_MELS, n_fft=N_FFT, hop_length=HOP, fmin=50.0, fmax=14000.0, size=SIZE
)


def corpus_tree(tmp_path_factory, name, tree):
    """A new folder ``name`` with the corpus files of ``tree`` (its path -> corpus path);
    skips the test where the corpus is missing."""
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} not present")
    root = tmp_path_factory.mktemp(name)
    for dest, src in tree.items():
        (root / dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / src, root / dest)
    return root


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = corpus_tree(tmp_path_factory, "in", TREE)
    rng = np.random.default_rng(7)
    (root / CORRUPT).write_bytes(b"RIFF\x10\x00\x00\x00WAVE" + rng.bytes(3000))
    (root / "fmt" / "notes.txt").write_text("not audio: ignored\n")
    (root / "fmt" / ".hidden.wav").write_bytes(b"ignored")
    return root


def run_cli(argv, capsys):
    code = cli.main(["images", *(str(a) for a in argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def snapshot(folder):
    """relative path -> (bytes, mtime_ns) of every file under ``folder``."""
    out = {}
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():
            key = path.relative_to(folder).as_posix()
            out[key] = (path.read_bytes(), path.stat().st_mtime_ns)
    return out


def outputs(folder):
    return {k: v[0] for k, v in snapshot(folder).items() if not k.startswith(".swiftspec/")}


def read_image(path):
    """(size, mode, pixels) of an image file, closed after reading."""
    with Image.open(path) as image:
        return image.size, image.mode, np.asarray(image)


def manifest(folder):
    with open(Path(folder) / "manifest.csv", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def base(tree, tmp_path_factory):
    """The reference run: 2 local workers."""
    out = tmp_path_factory.mktemp("out") / "images"
    code = cli.main(["images", str(tree), str(out), *ARGS, "--workers", "2"])
    return out, code


def expected_clip_count(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y, _ = librosa.load(path, sr=SR)
    return int(np.ceil(len(y) / (CLIP * SR)))


def test_outputs_and_manifest(tree, base):
    out, code = base
    assert code == 1  # the corrupt file failed; the run went on
    rows = manifest(out)
    by_source = {}
    for row in rows:
        by_source.setdefault(row["source"], []).append(row)
    assert set(by_source) == set(TREE) | {CORRUPT}  # .txt and hidden files ignored

    (bad,) = by_source[CORRUPT]
    assert bad["status"] == "error" and "LibsndfileError" in bad["error"]
    assert bad["output"] == bad["clip"] == ""
    (empty,) = by_source["fmt/empty.wav"]
    assert empty["status"] == "empty" and empty["output"] == ""

    n_images = 0
    for source in TREE:
        if source == "fmt/empty.wav":
            continue
        got = by_source[source]
        n = expected_clip_count(tree / source)
        assert n >= 1
        assert [int(r["clip"]) for r in got] == list(range(n)), source
        stem = source.rsplit(".", 1)[0]
        for k, row in enumerate(got):
            assert row["status"] == "ok" and row["error"] == ""
            assert float(row["start_s"]) == k * CLIP
            assert 0 < float(row["audio_s"]) <= CLIP
            assert row["output"] == f"{stem}_{k:04d}.png"
            assert row["shape"] == f"{SIZE[1]}x{SIZE[0]}"
            size, mode, _ = read_image(out / row["output"])
            assert size == SIZE and mode == "L"
        n_images += n
    assert len([p for p in out.rglob("*.png")]) == n_images
    assert not [p for p in out.rglob("*") if p.name.endswith(spec_images.TMP_SUFFIX)]
    # The stereo 2.7 s file is shorter than one clip: one padded clip.
    (robin,) = by_source["sp_a/deep/robin_stereo.ogg"]
    assert abs(float(robin["audio_s"]) - 2.6986) < 1e-3


def by_hand(source, clip_index):
    """The expected image: librosa.load, zero-pad, librosa log-mel, 8-bit, flip, resize."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y, _ = librosa.load(source, sr=SR, mono=True)
        length = int(CLIP * SR)
        clip = np.zeros(length, dtype=np.float32)
        piece = y[clip_index * length : (clip_index + 1) * length]
        clip[: len(piece)] = piece
        S = librosa.feature.melspectrogram(
            y=clip, sr=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS, fmin=50, fmax=14000
        )
        S_db = librosa.power_to_db(S, ref=np.max, top_db=80.0).astype(np.float64)
    lo, hi = S_db.min(), S_db.max()
    pixels = np.round(255 * (S_db - lo) / (hi - lo)) if hi > lo else np.zeros_like(S_db)
    image = Image.fromarray(pixels.astype(np.uint8)[::-1].copy())
    return np.asarray(image.resize(SIZE, Image.Resampling.BICUBIC)), S_db


def test_images_equal_librosa_and_pillow_by_hand(tree, base):
    out, _ = base
    differing = total = 0
    for row in manifest(out):
        if row["status"] != "ok":
            continue
        expected, _ = by_hand(tree / row["source"], int(row["clip"]))
        got = read_image(out / row["output"])[2]
        diff = np.abs(got.astype(int) - expected.astype(int))
        # float32 rounding can move a value across a rounding boundary: one level at most.
        assert diff.max() <= 1, (row["output"], diff.max())
        differing += int((diff > 0).sum())
        total += diff.size
    assert total > 0 and differing / total < 1e-3, differing / total


def test_second_run_writes_nothing(tree, base, tmp_path, capsys):
    out = tmp_path / "again"
    shutil.copytree(base[0], out)
    before = snapshot(out)
    code, text, _ = run_cli([tree, out, *ARGS, "--workers", "2"], capsys)
    assert code == 1
    assert snapshot(out) == before  # same bytes and modification times, no new file
    n_ok = len(TREE) - 1  # all but the empty file
    assert f"skipped {n_ok} done before" in text
    assert "converted 0 files" in text and "1 failed" in text and "1 empty" in text


@pytest.mark.slow
def test_resume_after_a_kill(tree, base, tmp_path, capsys):
    out = tmp_path / "killed"
    shutil.copytree(base[0], out)
    reference = outputs(base[0])
    rows = [r for r in manifest(base[0]) if r["status"] == "ok"]
    # What a kill leaves: outputs missing, a stale temporary, no manifest, a journal
    # whose last line was cut short, and a file whose outputs exist but was never
    # journaled (killed between its last image and its journal line).
    (out / rows[0]["output"]).unlink()
    (out / rows[5]["output"]).unlink()
    stale = out / "sp_b" / f".congrats_8k_0003.png.123-abc{spec_images.TMP_SUFFIX}"
    stale.write_bytes(b"\x89PNG half")
    (out / "manifest.csv").unlink()
    journal = out / ".swiftspec" / "journal.jsonl"
    lines = journal.read_text().splitlines(keepends=True)
    unjournaled = [ln for ln in lines if '"sp_b/typing_48k.wav"' in ln]
    kept = [ln for ln in lines if ln not in unjournaled]
    journal.write_text("".join(kept[:-1]) + kept[-1][: len(kept[-1]) // 2])

    summary = spec_images.run(tree, out, SETTINGS, workers=2)
    assert outputs(out) == reference
    assert not stale.exists() and summary.stale_removed == 1
    # Files without a journal line are redone whole; journaled files with missing
    # outputs get those rewritten (the rest kept); the others are skipped.
    cut = json.loads(kept[-1][: kept[-1].index(',"signature"')] + "}")["source"]
    redone = {"sp_b/typing_48k.wav", cut}
    deleted = Counter(row["source"] for row in (rows[0], rows[5]))
    clips_of = Counter(row["source"] for row in rows)
    partial = {k: v for k, v in deleted.items() if k not in redone}
    assert summary.clips_written == sum(clips_of[k] for k in redone) + sum(partial.values())
    assert summary.clips_kept == sum(clips_of[k] - v for k, v in partial.items())
    assert summary.ok == len(redone | set(partial))
    assert summary.skipped == len(TREE) - 1 - summary.ok
    again = snapshot(out)
    code, text, _ = run_cli([tree, out, *ARGS, "--workers", "1"], capsys)
    assert snapshot(out) == again


@pytest.mark.slow
def test_sigkill_leaves_no_partial_output(tree, base, tmp_path, capsys):
    out = tmp_path / "sigkill"
    env = dict(os.environ)
    env["PYTHONPATH"] = (
        str(Path(swiftspec.__file__).resolve().parents[1]) + os.pathsep + env.get("PYTHONPATH", "")
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "swiftspec", "images", str(tree), str(out), *ARGS, "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    journal = out / ".swiftspec" / "journal.jsonl"
    try:
        while proc.poll() is None:  # kill as soon as one file is done
            if journal.exists() and journal.stat().st_size > 0:
                break
            time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    reference = outputs(base[0])
    for name, data in outputs(out).items():
        if name.endswith(spec_images.TMP_SUFFIX):
            continue  # a temporary may be left: never under an output's name
        assert data == reference[name], name  # every output present is complete
    code, text, _ = run_cli([tree, out, *ARGS, "--workers", "2"], capsys)
    assert code == 1
    assert outputs(out) == reference


def test_npy_arrays_equal_librosa(tree, tmp_path, capsys, tol):
    out = tmp_path / "arrays"
    args = [a for a in ARGS if a not in ("--size", "160x96")]
    code, text, _ = run_cli(
        [tree / "sp_a", out, *args, "--format", "npy", "--workers", "1"], capsys
    )
    assert code == 0, text
    rows = manifest(out)
    assert {r["source"] for r in rows} == {
        "oss_birds_10s.wav",
        "maad_spinetail.flac",
        "deep/robin_stereo.ogg",
    }
    frames = 1 + int(CLIP * SR) // HOP
    for row in rows:
        array = np.load(out / row["output"])
        assert array.dtype == np.float32 and array.shape == (N_MELS, frames)
        assert row["shape"] == f"{N_MELS}x{frames}"
        _, S_db = by_hand(tree / "sp_a" / row["source"], int(row["clip"]))
        np.testing.assert_allclose(array, S_db, rtol=0, atol=tol.logmel_exact_atol)


@pytest.mark.slow
def test_dask_engine_equals_local(tree, base, tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "dask"
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        code, text, _ = run_cli(
            [tree, out, *ARGS, "--engine", "dask", "--scheduler", cluster.scheduler_address], capsys
        )
    assert code == 1
    assert outputs(out) == outputs(base[0])  # images and manifest, byte for byte
    assert "dask" in text


def test_other_settings_are_refused_then_overwritten(tree, base, tmp_path, capsys):
    out = tmp_path / "changed"
    shutil.copytree(base[0], out)
    before = snapshot(out)
    args = [a if a != str(N_MELS) else "32" for a in ARGS]
    code, _, err = run_cli([tree / "sp_a", out, *args], capsys)
    assert code == 2 and "other settings" in err and "n_mels 64 -> 32" in err
    assert snapshot(out) == before
    code, text, _ = run_cli([tree / "sp_a", out, *args, "--overwrite", "--workers", "1"], capsys)
    assert code == 0
    rows = manifest(out)
    assert rows and all(r["shape"] == f"{SIZE[1]}x{SIZE[0]}" for r in rows)
    assert "skipped 0 done before" in text


def test_demo_without_arguments(tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = (
        str(Path(swiftspec.__file__).resolve().parents[1]) + os.pathsep + env.get("PYTHONPATH", "")
    )
    result = subprocess.run(
        [sys.executable, "-m", "swiftspec", "images", "--workers", "1"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    images = sorted((tmp_path / spec_images.DEMO_OUTPUT).glob("*.png"))
    assert [p.name for p in images] == [f"oss_birds_10s_{k:04d}.png" for k in range(3)]
    assert read_image(images[0])[0] == (1 + 5 * 32000 // 512, 128)
    assert str(tmp_path / spec_images.DEMO_OUTPUT) in result.stdout
    assert "clips/s" in result.stdout and "files/s" in result.stdout


def crash_on_corrupt(task, settings):
    """A convert function whose worker process dies on one file (a decoder crash)."""
    if task.rel.endswith("corrupt.wav"):
        os._exit(3)
    return spec_images.convert_file(task, settings)


@pytest.mark.slow
def test_a_crashing_worker_does_not_stop_the_run(tree, tmp_path):
    out = tmp_path / "crash"
    settings = spec_images.Settings(sr=8000, n_fft=256, hop_length=64, n_mels=16)
    summary = spec_images.run(tree / "fmt", out, settings, workers=2, convert=crash_on_corrupt)
    assert summary.failed == 1 and summary.ok == 2 and summary.empty == 1
    (problem,) = [p for p in summary.problems if p[1] == "error"]
    assert problem[0] == "corrupt.wav" and "WorkerCrash" in problem[2]


def test_bad_arguments_exit_2(tmp_path, capsys):
    tree = DATA
    with pytest.raises(SystemExit) as exit_info:  # argparse
        cli.main(["images", str(tree), str(tmp_path / "y"), "--n-fft", "0"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["images", str(tree)])  # IN without OUT
    assert exit_info.value.code == 2
    cases = [
        (["--clip", "0.00001"], "at least one sample"),
        (["--colormap", "no_such_map"], "no_such_map"),
        (["--format", "npy", "--size", "64x64"], "png output only"),
        (["--top-db", "-1"], "top_db"),
    ]
    for extra, message in cases:
        code, _, err = run_cli([tree, tmp_path / "z", *extra], capsys)
        assert code == 2 and message in err, (extra, err)
    code, _, err = run_cli([tmp_path / "missing", tmp_path / "z"], capsys)
    assert code == 2 and "does not exist" in err
    assert not (tmp_path / "z").exists()  # nothing written for a refused run


def test_output_names_keep_the_extension_only_on_a_clash():
    stems = spec_images.output_stems(
        ["a/x.wav", "a/x.ogg", "a/y.flac", "b/x.wav", "z.mp3", "c/.d.wav", "c/v.1.wav"]
    )
    assert stems == {
        "a/x.wav": "a/x.wav",
        "a/x.ogg": "a/x.ogg",
        "a/y.flac": "a/y",
        "b/x.wav": "b/x",
        "z.mp3": "z",
        "c/.d.wav": "c/.d",
        "c/v.1.wav": "c/v.1",
    }


def test_sources_skip_hidden_files_and_an_out_folder_inside_in(tmp_path):
    root = tmp_path / "in"
    for rel in ["b.WAV", "a/c.flac", "a/.hidden.wav", ".cache/d.wav", "out/e.wav", "a/notes.txt"]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"")
    found = spec_images.find_sources(root, root / "out")
    assert [rel for _, rel in found] == ["b.WAV", "a/c.flac"]  # os.walk order, sorted
    assert all(Path(path).is_absolute() for path, _ in found)
    single = spec_images.find_sources(root / "a" / "c.flac")
    assert [rel for _, rel in single] == ["c.flac"]
