# SPDX-License-Identifier: GPL-2.0-or-later
"""``swiftspec images --format shards``: clips packed into a few large ``.npy`` arrays.

The rows are checked against the outputs of the tested ``--format npy`` and ``png``
paths for the same inputs, and one clip against librosa and Pillow by hand
(test_cli.by_hand); the shards must open as memory maps, sit where the manifest says,
be byte-identical whatever the worker count or engine, survive a kill mid-shard, and
feed the torch Dataset of docs/guide/images.md.
"""

import csv
import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from swiftspec import cli
from swiftspec import images as spec_images
from swiftspec.images import shards

pytest.importorskip("soundfile")
pytest.importorskip("soxr")
pytest.importorskip("PIL")
librosa = pytest.importorskip("librosa")

import _cli_fault_jobs as jobs  # noqa: E402 - after the skips: it imports the CLI's needs
import test_cli  # noqa: E402 - by_hand and its settings

TESTS = Path(__file__).resolve().parent
DOCS = TESTS.parents[1] / "docs" / "guide" / "images.md"
CORRUPT = "b/corrupt.wav"
# test_cli's settings, so that its by_hand gives the expected clips.
ARGS = [a for a in test_cli.ARGS if a not in ("--size", "160x96")]
IMAGE_ARGS = ["--size", "160x96"]
FLOAT_ROW_BYTES = test_cli.N_MELS * (1 + int(test_cli.CLIP * test_cli.SR) // test_cli.HOP) * 4
SHARD_ARGS = [
    "--format",
    "shards",
    "--shard-dtype",
    "float32",
    "--shard-size",
    str(2 * FLOAT_ROW_BYTES + 100),
]  # two rows per shard


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """Ten recordings in two folders, and a corrupt file."""
    root = tmp_path_factory.mktemp("shards") / "in"
    jobs.copy_sources(root, ("a", "b"))
    (root / CORRUPT).write_bytes(b"RIFF\x10\x00\x00\x00WAVE" + bytes(range(256)) * 8)
    return root


def run_cli(in_dir, out_dir, *extra):
    return cli.main(["images", str(in_dir), str(out_dir), *ARGS, *extra])


def manifest(folder):
    with open(Path(folder) / spec_images.MANIFEST, newline="") as f:
        return list(csv.DictReader(f))


def clip_rows(folder):
    """(source, clip) -> manifest row of every converted clip."""
    return {(r["source"], int(r["clip"])): r for r in manifest(folder) if r["status"] == "ok"}


def shard_rows(folder):
    """(source, clip) -> the clip's row, read through a memory map of its shard."""
    opened = {}
    rows = {}
    for key, r in clip_rows(folder).items():
        if r["output"] not in opened:
            opened[r["output"]] = np.load(Path(folder) / r["output"], mmap_mode="r")
            assert isinstance(opened[r["output"]], np.memmap)
        rows[key] = opened[r["output"]][int(r["row"])]
    return rows


@pytest.fixture(scope="module")
def npy_run(tree):
    out = tree.parent / "npy"
    assert run_cli(tree, out, "--format", "npy", "--workers", "1") == 1  # the corrupt file
    return out


@pytest.fixture(scope="module")
def shards_run(tree):
    out = tree.parent / "shards"
    assert run_cli(tree, out, *SHARD_ARGS, "--workers", "2") == 1
    return out


def test_float32_rows_equal_the_npy_outputs_and_librosa(tree, npy_run, shards_run, tol):
    expected = clip_rows(npy_run)
    rows = shard_rows(shards_run)
    assert set(rows) == set(expected) and len(rows) > 10
    for key, row in rows.items():
        reference = np.load(npy_run / expected[key]["output"])
        assert row.dtype == np.float32 and row.shape == reference.shape
        np.testing.assert_array_equal(row, reference)
    # One clip by hand: librosa's log-mel of the zero-padded last clip of libri1.
    source = "a/librosa_libri1.ogg"
    last = max(clip for name, clip in rows if name == source)
    _, S_db = test_cli.by_hand(tree / source, last)
    np.testing.assert_allclose(rows[source, last], S_db, rtol=0, atol=tol.logmel_exact_atol)


def test_manifest_rows_fill_the_shards_in_source_order(tree, npy_run, shards_run):
    rows = manifest(shards_run)
    ok = [r for r in rows if r["status"] == "ok"]
    # Every column but output and row as for npy; the corrupt file reported, no rows.
    drop = ("output", "row")
    assert [{k: v for k, v in r.items() if k not in drop} for r in rows] == [
        {k: v for k, v in r.items() if k not in drop} for r in manifest(npy_run)
    ]
    (bad,) = [r for r in rows if r["status"] != "ok"]
    assert bad["source"] == CORRUPT and bad["status"] == "error" and bad["error"]
    # Manifest order, two rows per shard, the last one short.
    assert [(r["output"], int(r["row"])) for r in ok] == [
        (f"shard_{i // 2:05d}.npy", i % 2) for i in range(len(ok))
    ]
    names = sorted(
        p.name
        for p in shards_run.iterdir()
        if p.name != spec_images.MANIFEST and p.name != spec_images.STATE_DIR
    )
    assert names == sorted({r["output"] for r in ok})
    for name in names:
        shard = np.load(shards_run / name, mmap_mode="r")
        assert shard.shape[1:] == (test_cli.N_MELS, FLOAT_ROW_BYTES // test_cli.N_MELS // 4)
        assert shard.nbytes <= 2 * FLOAT_ROW_BYTES + 100
    assert not (shards_run / spec_images.STATE_DIR / "staging").exists()
    assert not list(shards_run.rglob(f"*{spec_images.TMP_SUFFIX}"))


def test_float16_rows_are_the_npy_outputs_rounded(tree, npy_run, tmp_path):
    out = tmp_path / "f16"
    args = [a if a != "float32" else "float16" for a in SHARD_ARGS]
    assert run_cli(tree / "a", out, *args, "--workers", "1") == 0
    expected = clip_rows(npy_run)
    for (source, clip), row in shard_rows(out).items():
        assert row.dtype == np.float16
        reference = np.load(npy_run / expected["a/" + source, clip]["output"])
        np.testing.assert_array_equal(row, reference.astype(np.float16))


def test_uint8_rows_equal_the_png_pixels_and_pillow_by_hand(tree, tmp_path):
    png, out = tmp_path / "png", tmp_path / "u8"
    assert run_cli(tree / "a", png, *IMAGE_ARGS, "--workers", "1") == 0
    assert (
        run_cli(
            tree / "a",
            out,
            *IMAGE_ARGS,
            "--format",
            "shards",
            "--shard-size",
            "40K",
            "--workers",
            "2",
        )
        == 0
    )
    expected = clip_rows(png)
    rows = shard_rows(out)
    assert set(rows) == set(expected)
    for key, row in rows.items():
        assert row.dtype == np.uint8
        np.testing.assert_array_equal(row, test_cli.read_image(png / expected[key]["output"])[2])
    image, _ = test_cli.by_hand(tree / "a" / "oss_birds_10s.wav", 1)
    got = rows["oss_birds_10s.wav", 1].astype(int)
    assert np.abs(got - image.astype(int)).max() <= 1  # one level of float32 rounding


def test_one_or_two_workers_and_a_rerun_give_the_same_bytes(tree, shards_run, tmp_path, capsys):
    out = tmp_path / "one"
    assert run_cli(tree, out, *SHARD_ARGS, "--workers", "1") == 1
    assert jobs.files(out) == jobs.files(shards_run)  # shards and manifest
    before = test_cli.snapshot(out)
    capsys.readouterr()
    assert run_cli(tree, out, *SHARD_ARGS, "--workers", "2") == 1
    text = capsys.readouterr().out
    assert "converted 0 files" in text and "0 written" in text, text
    assert test_cli.snapshot(out) == before  # same bytes and times: nothing rewritten


@pytest.mark.slow
def test_dask_engine_gives_the_same_shards(tree, shards_run, tmp_path):
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "dask"
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        assert (
            run_cli(
                tree, out, *SHARD_ARGS, "--engine", "dask", "--scheduler", cluster.scheduler_address
            )
            == 1
        )
    assert jobs.files(out) == jobs.files(shards_run)


def test_removed_and_added_sources_repack_from_the_old_shards(tree, tmp_path):
    """After the first run the clips live in the shards only (staging is gone): a run
    over a changed tree must take them from there, also from shards it has already
    replaced, and equal a fresh run."""
    changed = tmp_path / "in"
    shutil.copytree(tree / "a", changed / "a")
    out = tmp_path / "out"
    assert run_cli(changed, out, *SHARD_ARGS, "--workers", "1") == 0
    assert not (out / spec_images.STATE_DIR / "staging").exists()
    # The first file (1 clip) out, a longer one (2 clips) first: every row moves one
    # later, into the next shard; and one more file at the end.
    (changed / "a" / "gcompris_helicopter.wav").unlink()
    shutil.copyfile(TESTS / "data" / "librosa_test_audio.flac", changed / "a" / "aa.flac")
    shutil.copyfile(jobs.SOURCES[0], changed / "a" / "zz_last.ogg")
    assert run_cli(changed, out, *SHARD_ARGS, "--workers", "1") == 0
    fresh = tmp_path / "fresh"
    assert run_cli(changed, fresh, *SHARD_ARGS, "--workers", "1") == 0
    assert jobs.files(out) == jobs.files(fresh)
    # Files removed for good: the extra shards go too.
    for name in ("aa.flac", "zz_last.ogg", "librosa_libri1.ogg"):
        (changed / "a" / name).unlink()
    assert run_cli(changed, out, *SHARD_ARGS, "--workers", "1") == 0
    fresh = tmp_path / "fresh2"
    assert run_cli(changed, fresh, *SHARD_ARGS, "--workers", "1") == 0
    assert jobs.files(out) == jobs.files(fresh)


@pytest.fixture(scope="module")
def fault_reference(tree):
    out = tree.parent / "fault-reference"
    summary = spec_images.run(tree, out, jobs.SHARD_SETTINGS, workers=1)
    assert summary.failed == 1 and summary.shards_total >= 6, summary.report()
    return out


@pytest.mark.slow
def test_kill_mid_shard_then_resume(tree, fault_reference, tmp_path):
    out = tmp_path / "out"
    result = jobs.run_job("kill-mid-shard", tree, out, 4)
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr
    # Three whole shards, the fourth's bytes under a temporary name only.
    assert len(jobs.temporaries(out)) == 1
    written = sorted(p.name for p in out.glob("shard_*.npy"))
    assert written == [f"shard_{i:05d}.npy" for i in range(3)]
    assert jobs.differences(out, fault_reference) == []
    record = (out / spec_images.STATE_DIR / "shards.jsonl").read_text().splitlines()
    assert [json.loads(line)["name"] for line in record] == written
    # The resumed run converts nothing (every file was staged or packed) and writes the
    # shards from the fourth on.
    summary = spec_images.run(tree, out, jobs.SHARD_SETTINGS, workers=2)
    assert summary.clips_written == 0 and summary.stale_removed == 1
    assert summary.shards_written == summary.shards_total - 3
    assert jobs.files(out) == jobs.files(fault_reference)
    assert jobs.temporaries(out) == []


@pytest.mark.slow
def test_full_disk_while_packing_stops_then_resumes(tree, fault_reference, tmp_path, monkeypatch):
    """The third shard write fails with ENOSPC: the run stops with two whole shards, a
    manifest pointing at them and at the staging arrays, and resumes."""
    out = tmp_path / "out"
    npy_writer = shards.npy_writer
    count = [0]

    def failing_writer(array):
        count[0] += 1
        if count[0] < 3:
            return npy_writer(array)

        def writer(f):
            f.write(b"\x93NUMPY")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        return writer

    monkeypatch.setattr(shards, "npy_writer", failing_writer)
    summary = spec_images.run(tree, out, jobs.SHARD_SETTINGS, workers=1)
    assert summary.exit_status == 1 and "No space left on device" in summary.stopped
    assert "cannot pack the shards" in summary.report()
    assert jobs.temporaries(out) == []
    assert sorted(p.name for p in out.glob("shard_*.npy")) == ["shard_00000.npy", "shard_00001.npy"]
    assert jobs.differences(out, fault_reference) == []
    rows = [r for r in manifest(out) if r["status"] == "ok"]
    assert [r["output"] for r in rows[:6]] == ["shard_00000.npy"] * 3 + ["shard_00001.npy"] * 3
    reference = clip_rows(fault_reference)
    for r in rows[6:]:  # still staged: each manifest row points at its data
        assert r["output"].startswith(".swiftspec/staging/")
        expected = reference[r["source"], int(r["clip"])]
        np.testing.assert_array_equal(
            np.load(out / r["output"], mmap_mode="r")[int(r["row"])],
            np.load(fault_reference / expected["output"])[int(expected["row"])],
        )
    monkeypatch.setattr(shards, "npy_writer", npy_writer)
    summary = spec_images.run(tree, out, jobs.SHARD_SETTINGS, workers=2)
    assert summary.clips_written == 0 and summary.shards_written == summary.shards_total - 2
    assert jobs.files(out) == jobs.files(fault_reference)


@pytest.mark.slow
def test_kill_9_during_conversion_then_resume(tree, fault_reference, tmp_path):
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "swiftspec",
        "images",
        str(tree),
        str(out),
        *jobs.ARGS,
        "--format",
        "shards",
        "--shard-dtype",
        "float32",
        "--shard-size",
        str(jobs.SHARD_SETTINGS.shard_size),
        "--workers",
        "2",
    ]
    proc = subprocess.Popen(
        command,
        env=jobs.environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    journal = out / spec_images.STATE_DIR / "journal.jsonl"
    try:
        while proc.poll() is None:  # kill once a file is staged
            if journal.exists() and journal.stat().st_size > 0:
                break
            time.sleep(0.002)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert jobs.differences(out, fault_reference) == []
    result = jobs.run(command)
    assert result.returncode == 1, result.stdout + result.stderr  # the corrupt file
    assert "skipped" in result.stdout and "1 failed" in result.stdout
    assert jobs.files(out) == jobs.files(fault_reference)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--format", "shards", "--tail", "keep"], "--tail keep"),
        (["--format", "shards", "--shard-dtype", "float32", "--size", "64x64"], "--size"),
        (["--shard-size", "1M"], "--format shards only"),
        (["--format", "shards", "--shard-size", "0"], "at least 1 byte"),
        (["--format", "shards", "--shard-size", "12Q"], "byte count"),
    ],
)
def test_bad_shard_arguments_exit_2(tree, tmp_path, capsys, extra, message):
    try:
        code = run_cli(tree / "a", tmp_path / "out", *extra)
    except SystemExit as error:  # argparse
        code = error.code
    assert code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def _dataset_snippet():
    """The ShardDataset code block of docs/guide/images.md."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    (snippet,) = [b for b in blocks if "class ShardDataset" in b]
    return snippet


def test_the_documented_torch_dataset_reads_the_shards(shards_run, npy_run, tmp_path):
    pytest.importorskip(
        "torch",
        reason="torch is not installed: the shard Dataset of docs/guide/images.md is not tested",
    )
    script = _dataset_snippet() + textwrap.dedent("""
        import sys
        from torch.utils.data import DataLoader

        loader = DataLoader(ShardDataset(sys.argv[1]), batch_size=3, num_workers=2)
        batches = list(loader)
        np.save(sys.argv[2], torch.cat([features for features, _ in batches]).numpy())
        print("\\n".join(source for _, sources in batches for source in sources))
    """)
    got = tmp_path / "rows.npy"
    result = jobs.run([sys.executable, "-c", script, str(shards_run), str(got)])
    assert result.returncode == 0, result.stderr
    expected = [r for r in manifest(npy_run) if r["status"] == "ok"]  # manifest order
    assert result.stdout.split() == [r["source"] for r in expected]
    rows = np.load(got)
    assert rows.dtype == np.float32 and len(rows) == len(expected)
    for row, reference in zip(rows, expected):
        np.testing.assert_array_equal(row, np.load(npy_run / reference["output"]))
