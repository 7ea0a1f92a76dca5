# SPDX-License-Identifier: GPL-2.0-or-later
"""``swiftspec images`` under faults: kill -9 then resume, a full disk, unreadable and
truncated sources. Nothing may be lost, half-written or left unreported.

Every scenario compares its outputs byte for byte with a reference run of the same
settings made without faults (``reference``), on a tree built from the test data
bundled with the repository (so these tests never skip for want of the shared corpus).
"""

import contextlib
import csv
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from swiftspec import cli
from swiftspec import images as spec_images
from swiftspec.images import writers

pytest.importorskip("soundfile")
pytest.importorskip("soxr")
pytest.importorskip("PIL")

import _cli_fault_jobs as jobs  # noqa: E402 - after the skips: it imports the CLI's needs

# Fault injection (kills, full disks, private mounts): the slow suite.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """15 recordings in three folders."""
    root = tmp_path_factory.mktemp("faults") / "in"
    jobs.copy_sources(root, ("a", "b", "c"))
    return root


@pytest.fixture(scope="module")
def reference(tree):
    out = tree.parent / "reference"
    summary = spec_images.run(tree, out, jobs.SETTINGS, workers=1)
    assert summary.exit_status == 0 and summary.ok == 15, summary.report()
    return out


def cli_command(in_dir, out_dir, *extra):
    return [
        sys.executable,
        "-m",
        "swiftspec",
        "images",
        str(in_dir),
        str(out_dir),
        *jobs.ARGS,
        *extra,
    ]


def manifest(folder):
    with open(Path(folder) / spec_images.MANIFEST, newline="") as f:
        return list(csv.DictReader(f))


def assert_whole(out, reference):
    """Every output under its final name is byte-identical to the reference's."""
    assert jobs.differences(out, reference) == []


def resume_and_compare(tree, out, reference):
    result = jobs.run(cli_command(tree, out, "--workers", "2"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert jobs.files(out) == jobs.files(reference)  # every image and the manifest
    assert jobs.temporaries(out) == []
    return result.stdout


def wait_for_group_exit(pgid, timeout=60):
    """Wait until no live (non-zombie) process is left in process group ``pgid``: a
    killed worker may still be finishing a system call when its parent is reaped."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = []
        for stat_file in Path("/proc").glob("[0-9]*/stat"):
            try:
                # "pid (comm) state ppid pgrp ...": split after the command's ')'.
                fields = stat_file.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive.append(stat_file.parent.name)
        if not alive:
            return
        time.sleep(0.01)
    raise AssertionError(f"processes {alive} of group {pgid} outlived SIGKILL")


def test_kill_9_repeatedly_then_resume(tree, reference, tmp_path):
    out = tmp_path / "out"
    killed_mid_run = 0
    # Kill the whole process group (the run and its worker processes) as soon as the
    # first output appears, and then later and later into each re-run.
    for delay in (0.0, 0.2, 0.5, 1.0):
        proc = subprocess.Popen(
            cli_command(tree, out, "--workers", "2"),
            env=jobs.environment(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + jobs.DEADLINE
            while proc.poll() is None and time.monotonic() < deadline:
                if out.is_dir() and any(p.suffix == ".png" for p in out.rglob("*.png")):
                    break
                time.sleep(0.005)
            time.sleep(delay)
            killed_mid_run += proc.poll() is None
            with contextlib.suppress(ProcessLookupError):  # the run may have finished
                os.killpg(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(timeout=60)
            wait_for_group_exit(proc.pid)
        assert_whole(out, reference)
    assert killed_mid_run >= 1
    text = resume_and_compare(tree, out, reference)
    assert "15 files" in text


def test_kill_9_halfway_through_an_output(tree, reference, tmp_path):
    out = tmp_path / "out"
    result = jobs.run_job("kill-mid-write", tree, out, 5)
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr
    assert len(jobs.temporaries(out)) == 1  # the half-written bytes, under a temporary name
    written = jobs.files(out)
    # Render 1 was the settings check's, 2-4 outputs, 5 killed halfway.
    assert len(written) == 3 + 1, sorted(written)  # three outputs and the temporary
    assert_whole(out, reference)
    text = resume_and_compare(tree, out, reference)
    assert "removed 1 temporary files left by an interrupted run" in text


def test_full_disk_injected_stops_the_run_and_resumes(
    tree, reference, tmp_path, monkeypatch, capsys
):
    """The 7th output write fails with ENOSPC after a few bytes (deterministic, in this
    process); the tmpfs test below makes a real disk full across worker processes."""
    out = tmp_path / "out"
    render = writers.render
    count = [0]

    def failing_render(S, settings):
        write = render(S, settings)
        count[0] += 1
        if count[0] < 7:
            return write

        def writer(f):
            f.write(b"\x89PNG\r\n")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        return writer

    monkeypatch.setattr(writers, "render", failing_render)
    code = cli.main(["images", str(tree), str(out), *jobs.ARGS, "--workers", "1"])
    text = capsys.readouterr().out
    assert code == 1
    assert "STOPPED: OutputError: cannot write" in text and "No space left on device" in text
    assert jobs.temporaries(out) == []
    assert_whole(out, reference)
    rows = manifest(out)
    failed = [r for r in rows if r["status"] == "error"]
    undone = [r for r in rows if r["status"] == "not converted"]
    converted = {r["source"] for r in rows if r["status"] == "ok"}
    assert len(failed) == 1 and "No space left on device" in failed[0]["error"]
    # Every source is accounted for: converted, failed or listed as not converted.
    assert len(converted) + len(failed) + len(undone) == 15
    assert len(undone) >= 1 and f"{len(undone)} files not converted" in text
    monkeypatch.setattr(writers, "render", render)
    resume_and_compare(tree, out, reference)


# A command prefix: run in a mount namespace of its own.
PRIVATE_MOUNTS = ["unshare", "--mount", "--propagation", "private"]


def _private_mounts_work():
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        PRIVATE_MOUNTS + ["sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"], capture_output=True
    )
    return probe.returncode == 0


@pytest.mark.skipif(
    not _private_mounts_work(), reason="needs root and unshare --mount to mount a small tmpfs"
)
def test_full_disk_tmpfs_with_worker_processes(tree, reference, tmp_path):
    # A tmpfs with room for about a third of the outputs (it counts whole pages).
    pages = sum(-(-len(data) // 4096) for data in jobs.files(reference).values())
    size = 4096 * (pages // 3)
    out = tmp_path / "mnt"
    result = jobs.run_job("full-disk", tree, out, reference, size, prefix=PRIVATE_MOUNTS)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    first, second = report["first"], report["second"]
    assert first["exit_status"] == 1
    assert "No space left on device" in first["stopped"], report["first_text"]
    assert first["not_converted"] + first["failed"] >= 1
    assert first["ok"] + first["failed"] + first["not_converted"] == 15
    assert report["first_outputs"] > 0
    assert report["first_differences"] == [] and report["first_temporaries"] == []
    # Once there is room, the same command finishes the job: every output and the
    # manifest equal the reference run's.
    assert second["exit_status"] == 0 and second["ok"] + second["skipped"] == 15
    assert second["skipped"] >= 1
    assert report["second_differences"] == [] and report["second_temporaries"] == []
    assert report["missing"] == []


def test_unreadable_and_special_sources_are_reported(tree, tmp_path):
    """A file and a folder without read permission, a FIFO (opening it would block
    forever), a broken link: each reported by name, the others converted."""
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("root can read anything, and setpriv is missing to drop that power")
    root = tmp_path / "in"
    (root / "locked_folder").mkdir(parents=True)
    shutil.copyfile(jobs.SOURCES[1], root / "good.ogg")
    shutil.copyfile(jobs.SOURCES[1], root / "locked.ogg")
    shutil.copyfile(jobs.SOURCES[1], root / "locked_folder" / "inside.ogg")
    os.mkfifo(root / "pipe.wav")
    os.symlink(root / "nowhere.wav", root / "broken.wav")
    (root / "locked.ogg").chmod(0)
    (root / "locked_folder").chmod(0)
    out = tmp_path / "out"
    command = cli_command(root, out, "--workers", "1")
    if os.geteuid() == 0:  # as root, but without the power to bypass permissions
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"] + command
    try:
        result = jobs.run(command)
    finally:
        (root / "locked_folder").chmod(0o755)
    assert result.returncode == 1, result.stdout + result.stderr
    rows = {r["source"]: r for r in manifest(out)}
    assert rows["good.ogg"]["status"] == "ok"
    errors = {source: row["error"] for source, row in rows.items() if row["status"] == "error"}
    assert set(errors) == {"locked.ogg", "locked_folder/", "pipe.wav", "broken.wav"}
    assert "Permission denied" in errors["locked_folder/"]
    assert "locked.ogg" in errors["locked.ogg"]
    assert "not a regular file (a FIFO)" in errors["pipe.wav"]
    assert "No such file or directory" in errors["broken.wav"]
    for source in errors:
        assert source in result.stdout  # named in the summary too
    assert "4 failed" in result.stdout


def test_truncated_files_match_librosa(tree, tmp_path):
    """Each format cut at 50% and at 1,000 bytes: converted when librosa can read it
    (with librosa's clip count), reported as an error when librosa cannot."""
    librosa = pytest.importorskip("librosa")
    root = tmp_path / "in"
    root.mkdir()
    for source in jobs.SOURCES[1:]:
        data = source.read_bytes()
        for cut in (len(data) // 2, 1000):
            (root / f"{source.stem}_{cut}{source.suffix}").write_bytes(data[:cut])
    out = tmp_path / "out"
    summary = spec_images.run(root, out, jobs.SETTINGS, workers=1)
    rows = manifest(out)
    for path in sorted(root.iterdir()):
        mine = [r for r in rows if r["source"] == path.name]
        try:
            y, _ = librosa.load(path, sr=jobs.SETTINGS.sr)
        except Exception:  # noqa: BLE001 - whatever librosa raises, we must report
            assert [r["status"] for r in mine] == ["error"], path.name
            assert mine[0]["error"], path.name
            continue
        clip = int(jobs.SETTINGS.clip * jobs.SETTINGS.sr)
        if len(y) == 0:
            assert [r["status"] for r in mine] == ["empty"], path.name
        else:
            assert [r["status"] for r in mine] == ["ok"] * -(-len(y) // clip), path.name
    assert summary.failed + summary.empty + summary.ok == summary.files
    assert jobs.temporaries(out) == []
