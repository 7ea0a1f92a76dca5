# SPDX-License-Identifier: GPL-2.0-or-later
"""The DataLoader recipe (docs/guide/dataloader.md): features computed in torch DataLoader
workers started with fork equal the features computed in-process, bit for bit.

The loader runs in a child process with a deadline: a deadlock in a forked worker (a lock
held across fork, a thread pool that did not survive it) fails the test instead of hanging
the suite. The parent process of the loader uses swiftspec with several threads and torch
before it forks, which is when fork safety matters.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip(
    "torch",
    reason="torch is not installed (pip install 'torch==2.13.0+cpu'): the "
    "DataLoader recipe is not tested",
)

import swiftspec  # noqa: E402
from swiftspec.compat import torchaudio as T  # noqa: E402

PYTHON_DIR = Path(swiftspec.__file__).resolve().parent.parent
DEADLINE = 120  # seconds; the run takes about 5 s (mostly importing torch)

# The recipe of docs/guide/dataloader.md, as a script: prints JSON with the features' path.
CHILD = textwrap.dedent("""
    import json, sys
    import numpy as np
    import torch
    from torch.utils.data import DataLoader, Dataset

    import swiftspec
    from swiftspec.compat import torchaudio as T

    SR = 16000


    def clip(i):
        rng = np.random.default_rng(1000 + i)
        n = SR + 977 * i                                # different lengths
        t = np.arange(n) / SR
        return (0.3 * np.sin(2 * np.pi * (200 + 150 * i) * t)
                + 0.05 * rng.standard_normal(n)).astype(np.float32)


    class Features(Dataset):
        def __init__(self, clips):
            self.clips = clips
            # Built once in the parent; fork gives each worker a copy.
            self.mel = T.MelSpectrogram(sample_rate=SR, n_fft=512, hop_length=160, n_mels=64)
            self.to_db = T.AmplitudeToDB(top_db=80)

        def __len__(self):
            return len(self.clips)

        def __getitem__(self, i):
            y = self.clips[i]
            logmel = swiftspec.power_to_db(swiftspec.feature.melspectrogram(
                y=y, sr=SR, n_fft=1024, hop_length=256, n_mels=64))
            mfcc = swiftspec.feature.mfcc(y=y, sr=SR, n_mfcc=20)
            ta = self.to_db(self.mel(torch.from_numpy(y)))    # tensor in, tensor out
            info = torch.utils.data.get_worker_info()
            return {"logmel": torch.from_numpy(logmel), "mfcc": torch.from_numpy(mfcc),
                    "ta_logmel": ta, "threads": swiftspec.get_num_threads(),
                    "worker": -1 if info is None else info.id}


    def main(out_path, workers):
        clips = [clip(i) for i in range(8)]
        # Use swiftspec (several threads, plan cache) and torch in the parent first.
        swiftspec.feature.melspectrogram(y=clips[0], sr=SR, n_threads=2)
        torch.stft(torch.from_numpy(clips[0]), 512, window=torch.hann_window(512),
                   return_complex=True)
        loader = DataLoader(Features(clips), batch_size=None, shuffle=False,
                            num_workers=workers, multiprocessing_context="fork",
                            timeout=60)
        arrays, threads, worker_ids = {}, [], set()
        for i, item in enumerate(loader):
            for key in ("logmel", "mfcc", "ta_logmel"):
                arrays[f"{key}_{i}"] = item[key].numpy()
            threads.append(int(item["threads"]))
            worker_ids.add(int(item["worker"]))
        np.savez(out_path, **arrays)
        print(json.dumps({"threads": threads, "workers": sorted(worker_ids),
                          "start_method": "fork"}))


    main(sys.argv[1], int(sys.argv[2]))
""")


def run_loader(tmp_path, workers):
    """Run the recipe in a child process; return (features, report)."""
    script = tmp_path / "loader.py"
    script.write_text(CHILD)
    out = tmp_path / f"features_{workers}.npz"
    env = dict(os.environ, PYTHONPATH=str(PYTHON_DIR))
    env.pop("SWIFTSPEC_NUM_THREADS", None)
    process = subprocess.Popen(
        [sys.executable, str(script), str(out), str(workers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the loader and its workers
        process.communicate()
        pytest.fail(
            f"DataLoader with num_workers={workers} did not finish in {DEADLINE} s "
            "(deadlock in a forked worker?)"
        )
    assert process.returncode == 0, stderr[-3000:]
    with np.load(out) as data:
        features = {key: data[key] for key in data.files}
    return features, json.loads(stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def in_process():
    """The same features computed in this process (default thread count)."""
    namespace = {}
    exec(compile(CHILD.split("\ndef main(")[0], "<recipe>", "exec"), namespace)
    dataset = namespace["Features"]([namespace["clip"](i) for i in range(8)])
    return [dataset[i] for i in range(len(dataset))]


@pytest.mark.skipif(
    sys.platform == "win32" or not hasattr(os, "fork"), reason="needs the fork start method"
)
@pytest.mark.slow
def test_dataloader_fork_workers_match_in_process(tmp_path, in_process):
    features, report = run_loader(tmp_path, workers=2)
    assert report["workers"] == [0, 1], report  # both workers produced items
    assert report["threads"] == [1] * 8, report  # one swiftspec thread per forked worker
    assert len(features) == 3 * len(in_process)
    for i, expected in enumerate(in_process):
        for key in ("logmel", "mfcc", "ta_logmel"):
            got = features[f"{key}_{i}"]
            want = expected[key].numpy()
            assert got.shape == want.shape and got.dtype == want.dtype, key
            # Bit-identical: the thread count never changes swiftspec's results.
            assert np.array_equal(got, want), (key, i, np.max(np.abs(got - want)))


def test_in_process_loader_uses_default_threads(in_process):
    assert all(item["threads"] == swiftspec.get_num_threads() for item in in_process)
    assert in_process[0]["ta_logmel"].shape == (64, 1 + 16000 // 160)
    assert isinstance(T.MelSpectrogram(n_mels=40)(torch.zeros(1000)), torch.Tensor)
