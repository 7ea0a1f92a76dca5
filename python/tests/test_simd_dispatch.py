# SPDX-License-Identifier: GPL-2.0-or-later
"""Run-time SIMD dispatch of the kernels (windowing, power spectrum, mel product, log10, dB).

The library picks baseline x86-64, AVX2 or AVX-512 when it loads; SWIFTSPEC_SIMD forces a
lower level. Each level runs in a fresh interpreter (the level is read once, at load):
every level must give the same bits on every feature, and the forced baseline path (what
a CPU without AVX2 runs) must stay within the parity budget against librosa.
"""

import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import swiftspec

LEVELS = ("baseline", "avx2", "avx512")
PYTHON_DIR = str(Path(swiftspec.__file__).resolve().parents[1])


def cpu_flags():
    """The CPU's feature flags from /proc/cpuinfo (independent of the library's probe)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return None


def best_level():
    flags = cpu_flags()
    if flags is None or platform.machine() != "x86_64":
        return None
    if {"avx512f", "avx512bw", "avx512dq", "avx512vl"} <= flags:
        return "avx512"
    return "avx2" if "avx2" in flags else "baseline"


def supported_levels():
    best = best_level()
    return LEVELS[: LEVELS.index(best) + 1] if best else ("baseline",)


# Every kernel on sizes that leave vector remainders (odd bins, counts not a multiple of
# 16), both precisions, float32 and float64, power 1 and 2, and dB edge values.
FEATURES = r"""
import sys, warnings
import numpy as np
warnings.simplefilter("error", RuntimeWarning)  # a forced supported level warns nothing
import swiftspec
rng = np.random.default_rng(7)
y = (0.3 * rng.standard_normal((2, 12345))).astype(np.float32)
y[:, 4000:6000] *= 1e-4
out = {"level": np.array(swiftspec.__simd_level__)}
for p in ("fast", "exact"):
    for n_fft, hop in ((2048, 512), (511, 128), (400, 160), (256, 100)):
        for power in (2.0, 1.0):
            out[f"mel{p}{n_fft}{power}"] = swiftspec.feature.melspectrogram(
                y=y, sr=16000, n_fft=n_fft, hop_length=hop, n_mels=40, power=power,
                precision=p)
    out[f"stft{p}"] = swiftspec.stft(y, n_fft=1023, hop_length=300, precision=p)
    out[f"mfcc{p}"] = swiftspec.feature.mfcc(y=y, sr=16000, n_mfcc=13, precision=p)
out["mel64"] = swiftspec.feature.melspectrogram(y=y.astype(np.float64), sr=16000, n_fft=512)
out["stft64"] = swiftspec.stft(y.astype(np.float64), n_fft=512)
edges = np.array([0.0, -0.0, 1e-45, 1e-40, 1.17549435e-38, 1e-10, 0.3, 1.0, 2.0, 10.0, 1e30,
                  np.inf, np.nan, -1.0] * 3, dtype=np.float32)
S = np.abs(rng.standard_normal((3, 40, 47))).astype(np.float32) ** 4
S[0, 0, :edges.size] = edges
for name, ref in (("one", 1.0), ("max", np.max)):
    out[f"db{name}"] = swiftspec.power_to_db(S, ref=ref, top_db=None)
    out[f"dbtop{name}"] = swiftspec.power_to_db(S[1:], ref=ref, top_db=60.0)
np.savez(sys.argv[1], **out)
"""


def run_level(tmp_path, level):
    path = tmp_path / f"{level}.npz"
    env = dict(os.environ, SWIFTSPEC_SIMD=level, PYTHONPATH=PYTHON_DIR)
    proc = subprocess.run(
        [sys.executable, "-c", FEATURES, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return dict(np.load(path))


def test_default_level_is_the_best_the_cpu_supports():
    expected = best_level()
    if expected is None:
        pytest.skip("no /proc/cpuinfo flags on x86-64 here")
    if os.environ.get("SWIFTSPEC_SIMD", "auto") != "auto":
        pytest.skip("SWIFTSPEC_SIMD is set for this run")
    assert swiftspec.__simd_level__ == expected


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("simd")
    return {level: run_level(tmp, level) for level in supported_levels()}


def test_each_forced_level_is_used(outputs):
    for level, result in outputs.items():
        assert str(result["level"]) == level


def test_levels_agree_bit_for_bit(outputs):
    if len(outputs) < 2:
        pytest.skip("this CPU supports the baseline level only")
    levels = list(outputs)
    reference = outputs[levels[0]]
    for level in levels[1:]:
        for key, value in reference.items():
            if key == "level":
                continue
            other = outputs[level][key]
            assert value.dtype == other.dtype and value.shape == other.shape, key
            # Bytes, so that NaN payloads and signed zeros count too.
            assert value.tobytes() == other.tobytes(), f"{key}: {levels[0]} != {level}"


def test_baseline_level_parity_with_librosa(outputs, parity):
    librosa = pytest.importorskip("librosa")
    rng = np.random.default_rng(7)
    y = (0.3 * rng.standard_normal((2, 12345))).astype(np.float32)
    y[:, 4000:6000] *= 1e-4
    base = outputs["baseline"]
    for p in ("fast", "exact"):
        for n_fft, hop in ((2048, 512), (511, 128), (400, 160), (256, 100)):
            for power in (2.0, 1.0):
                ref = librosa.feature.melspectrogram(
                    y=y, sr=16000, n_fft=n_fft, hop_length=hop, n_mels=40, power=power
                )
                ours = base[f"mel{p}{n_fft}{power}"]
                parity.assert_channels(
                    ours, ref, parity.tol.mel_rtol, f"baseline SIMD melspectrogram {p}"
                )
                atol = parity.tol.logmel_exact_atol if p == "exact" else parity.tol.logmel_fast_atol
                parity.assert_db(
                    librosa.power_to_db(ours, top_db=None),
                    librosa.power_to_db(ref, top_db=None),
                    atol,
                    f"baseline SIMD log-mel {p}",
                )
    S = np.abs(rng.standard_normal((3, 40, 47))).astype(np.float32) ** 4
    edges = np.array(
        [
            0.0,
            -0.0,
            1e-45,
            1e-40,
            1.17549435e-38,
            1e-10,
            0.3,
            1.0,
            2.0,
            10.0,
            1e30,
            np.inf,
            np.nan,
            -1.0,
        ]
        * 3,
        dtype=np.float32,
    )
    S[0, 0, : edges.size] = edges
    with np.errstate(invalid="ignore"):
        expected = librosa.power_to_db(S, ref=1.0, top_db=None)
    parity.assert_db(base["dbone"], expected, parity.tol.db_atol, "baseline SIMD power_to_db")


def run_with(value):
    env = dict(os.environ, SWIFTSPEC_SIMD=value, PYTHONPATH=PYTHON_DIR)
    code = (
        "import warnings; warnings.simplefilter('always'); import swiftspec, numpy as np; "
        "S = swiftspec.feature.melspectrogram(y=np.ones(4096, np.float32), n_fft=512); "
        "print(swiftspec.__simd_level__, S.shape)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("value", ["sse9", "AVX2", ""])
def test_unknown_value_falls_back_and_warns(value):
    proc = run_with(value)
    assert proc.returncode == 0, proc.stderr
    best = best_level() or swiftspec.__simd_level__
    assert proc.stdout.split()[0] == best
    assert "SWIFTSPEC_SIMD" in proc.stderr and "RuntimeWarning" in proc.stderr


def test_unsupported_level_falls_back_and_warns():
    best = best_level()
    if best is None or best == "avx512":
        pytest.skip("this CPU supports every level")
    proc = run_with("avx512")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[0] == best
    assert "RuntimeWarning" in proc.stderr


def test_auto_is_the_default():
    proc = run_with("auto")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[0] == swiftspec.__simd_level__
    assert "SWIFTSPEC_SIMD" not in proc.stderr
