# SPDX-License-Identifier: GPL-2.0-or-later
"""Fault scenarios for ``swiftspec images`` that need a process of their own; started by
test_cli_faults.py and test_images_shards.py (`run_job`), each prints one JSON object on
its last line.

    python _cli_fault_jobs.py kill-mid-write IN OUT K
        Run with one worker (this process) and SIGKILL it halfway through writing its
        K-th output (half of the file's bytes are on disk).

    python _cli_fault_jobs.py kill-mid-shard IN OUT K
        Run ``--format shards`` (SHARD_SETTINGS) with two worker processes and SIGKILL
        the run halfway through writing its K-th shard.

    python _cli_fault_jobs.py full-disk IN OUT REF BYTES
        Meant for a private mount namespace (``unshare --mount``): mount a tmpfs of BYTES
        over OUT, run with two worker processes until the disk is full, then grow the
        tmpfs and run again. Reports both summaries and every output that differs from
        the reference run in REF (a whole run made elsewhere).
"""

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import swiftspec
from swiftspec import images as spec_images
from swiftspec.images import shards, writers

DEADLINE = 300  # seconds for any one child process
TESTS = Path(__file__).resolve().parent
# Five recordings of several formats, copied into each folder of a test's input tree.
SOURCES = [
    TESTS / "data" / name
    for name in (
        "librosa_libri1.ogg",
        "librosa_robin.ogg",
        "librosa_test_audio.flac",
        "gcompris_helicopter.wav",
    )
] + [spec_images.sample_path()]

# The settings of every fault test: small, so that a run takes a second or two.
SETTINGS = spec_images.Settings(sr=16000, clip=2.0, n_fft=512, hop_length=160, n_mels=32)
# Float32 rows of 32 x 201: three clips per shard.
SHARD_SETTINGS = dataclasses.replace(
    SETTINGS, format="shards", shard_dtype="float32", shard_size=80000
)
ARGS = [
    "--sr",
    "16000",
    "--clip",
    "2",
    "--n-fft",
    "512",
    "--hop",
    "160",
    "--n-mels",
    "32",
    "--no-progress",
]


def environment():
    """The environment of a child process: this checkout's swiftspec and the tests'
    modules first on PYTHONPATH."""
    env = dict(os.environ)
    paths = [str(Path(swiftspec.__file__).resolve().parents[1]), str(TESTS)]
    env["PYTHONPATH"] = os.pathsep.join(paths + [env.get("PYTHONPATH", "")])
    return env


def run(command):
    """Runs ``command`` in a child process (see `environment`), capturing its text output."""
    return subprocess.run(
        command, env=environment(), capture_output=True, text=True, timeout=DEADLINE
    )


def run_job(job, *arguments, prefix=()):
    """Runs this script's ``job`` with ``arguments`` in a child process, after the
    command ``prefix`` (such as ``unshare``)."""
    return run(
        [*prefix, sys.executable, str(TESTS / "_cli_fault_jobs.py"), job, *map(str, arguments)]
    )


def copy_sources(root, folders):
    """Copies SOURCES into each of ``folders`` (new) under ``root``."""
    for folder in folders:
        (root / folder).mkdir(parents=True)
        for source in SOURCES:
            shutil.copyfile(source, root / folder / source.name)


def files(folder):
    """relative path -> bytes of every file under ``folder``, the state folder aside."""
    root = Path(folder)
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and spec_images.STATE_DIR not in p.relative_to(root).parts
    }


def temporaries(folder):
    return sorted(p.name for p in Path(folder).rglob(f"*{spec_images.TMP_SUFFIX}"))


def differences(out, ref):
    """Outputs under ``out`` that are not byte-identical to the same name under ``ref``
    (temporaries aside, and the manifest, which lists an unfinished run's failures)."""
    expected = files(ref)
    return sorted(
        name
        for name, data in files(out).items()
        if not name.endswith(spec_images.TMP_SUFFIX)
        and name != spec_images.MANIFEST
        and expected.get(name) != data
    )


def summary_json(summary):
    return {
        "ok": summary.ok,
        "failed": summary.failed,
        "skipped": summary.skipped,
        "stopped": summary.stopped,
        "not_converted": summary.not_converted,
        "manifest_error": summary.manifest_error,
        "problems": summary.problems,
        "clips_written": summary.clips_written,
        "exit_status": summary.exit_status,
        "stale_removed": summary.stale_removed,
    }


def dies_halfway(write):
    """A writer that writes half of ``write``'s bytes, then SIGKILLs this process."""

    def writer(f):
        import io

        buffer = io.BytesIO()
        write(buffer)
        data = buffer.getvalue()
        f.write(data[: len(data) // 2])
        f.flush()
        os.kill(os.getpid(), signal.SIGKILL)

    return writer


def kill_mid_write(in_dir, out_dir, k):
    render = writers.render
    count = [0]

    def killing_render(S, settings):
        count[0] += 1
        write = render(S, settings)
        return write if count[0] < k else dies_halfway(write)

    writers.render = killing_render
    spec_images.run(in_dir, out_dir, SETTINGS, workers=1)


def kill_mid_shard(in_dir, out_dir, k):
    npy_writer = shards.npy_writer
    count = [0]

    def killing_writer(array):
        count[0] += 1
        write = npy_writer(array)
        return write if count[0] < k else dies_halfway(write)

    shards.npy_writer = killing_writer  # only the packing's writes: workers stage
    spec_images.run(in_dir, out_dir, SHARD_SETTINGS, workers=2)


def full_disk(in_dir, out_dir, ref_dir, size):
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(out_dir)], check=True
    )
    report = {}
    first = spec_images.run(in_dir, out_dir, SETTINGS, workers=2)
    report["first"] = summary_json(first)
    report["first_text"] = first.report()
    report["first_differences"] = differences(out_dir, ref_dir)
    report["first_temporaries"] = temporaries(out_dir)
    report["first_outputs"] = len(files(out_dir))
    subprocess.run(["mount", "-o", "remount,size=256m", str(out_dir)], check=True)
    second = spec_images.run(in_dir, out_dir, SETTINGS, workers=2)
    report["second"] = summary_json(second)
    report["second_differences"] = differences(out_dir, ref_dir)
    report["second_temporaries"] = temporaries(out_dir)
    report["missing"] = sorted(set(files(ref_dir)) - set(files(out_dir)))
    return report


def main(argv):
    job = argv[0]
    if job == "kill-mid-write":
        kill_mid_write(Path(argv[1]), Path(argv[2]), int(argv[3]))
        print(json.dumps({"error": "the run was not killed"}))
    elif job == "kill-mid-shard":
        kill_mid_shard(Path(argv[1]), Path(argv[2]), int(argv[3]))
        print(json.dumps({"error": "the run was not killed"}))
    elif job == "full-disk":
        print(json.dumps(full_disk(Path(argv[1]), Path(argv[2]), Path(argv[3]), int(argv[4]))))
    else:
        raise SystemExit(f"unknown job {job!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
