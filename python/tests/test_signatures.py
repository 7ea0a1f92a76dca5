# SPDX-License-Identifier: GPL-2.0-or-later
"""Public signatures mirror librosa's: names, keyword-only kinds and defaults."""

import inspect

import numpy as np
import pytest

import swiftspec

librosa = pytest.importorskip("librosa")

# swiftspec's own keyword-only additions.
EXTRAS = {"precision", "n_threads"}
# Keyword-only parameters new in librosa 1.0.1, which swiftspec has: extra against older
# librosa (as axes= against 0.11).
NEW_IN_1_0_1 = {
    "mel_frequencies": {"dtype"},
    "fft_frequencies": {"dtype"},
    "feature.mfcc": {"ref", "top_db"},
}
LIBROSA_1_0_1 = tuple(int(part) for part in librosa.__version__.split(".")[:3]) >= (1, 0, 1)

PAIRS = [
    ("stft", swiftspec.stft, "stft"),
    ("istft", swiftspec.istft, "istft"),
    ("power_to_db", swiftspec.power_to_db, "power_to_db"),
    ("amplitude_to_db", swiftspec.amplitude_to_db, "amplitude_to_db"),
    ("db_to_power", swiftspec.db_to_power, "db_to_power"),
    ("db_to_amplitude", swiftspec.db_to_amplitude, "db_to_amplitude"),
    ("hz_to_mel", swiftspec.hz_to_mel, "hz_to_mel"),
    ("mel_to_hz", swiftspec.mel_to_hz, "mel_to_hz"),
    ("mel_frequencies", swiftspec.mel_frequencies, "mel_frequencies"),
    ("fft_frequencies", swiftspec.fft_frequencies, "fft_frequencies"),
    ("filters.mel", swiftspec.filters.mel, "filters.mel"),
    ("filters.get_window", swiftspec.filters.get_window, "filters.get_window"),
    ("feature.melspectrogram", swiftspec.feature.melspectrogram, "feature.melspectrogram"),
    ("feature.mfcc", swiftspec.feature.mfcc, "feature.mfcc"),
    ("feature.delta", swiftspec.feature.delta, "feature.delta"),
    ("util.normalize", swiftspec.util.normalize, "util.normalize"),
]


def resolve(path):
    obj = librosa
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def same_default(a, b):
    if a is b:
        return True
    try:
        return bool(a == b) and type(a) is type(b)
    except (TypeError, ValueError):
        return False


@pytest.mark.parametrize("name,ours,theirs", PAIRS, ids=[p[0] for p in PAIRS])
def test_signature_matches_librosa(name, ours, theirs):
    ours_params = inspect.signature(ours).parameters
    theirs_params = inspect.signature(resolve(theirs)).parameters
    for pname, theirs_param in theirs_params.items():
        assert pname in ours_params, f"{name}: librosa's parameter {pname!r} is missing"
        ours_param = ours_params[pname]
        assert ours_param.kind == theirs_param.kind, f"{name}.{pname}: kind differs"
        if theirs_param.default is inspect.Parameter.empty:
            assert ours_param.default is inspect.Parameter.empty, f"{name}.{pname}"
        else:
            assert same_default(ours_param.default, theirs_param.default), (
                f"{name}.{pname}: default {ours_param.default!r} != "
                f"librosa's {theirs_param.default!r}"
            )
    for pname, ours_param in ours_params.items():
        if pname not in theirs_params:
            assert (
                pname in EXTRAS
                or (pname == "axes" and librosa.__version__ < "1")
                or (pname in NEW_IN_1_0_1.get(name, ()) and not LIBROSA_1_0_1)
            ), f"{name}: unexpected parameter {pname!r}"
            assert ours_param.kind in (
                inspect.Parameter.KEYWORD_ONLY,
                inspect.Parameter.VAR_KEYWORD,
            )


def test_positional_calls_are_type_errors():
    y = np.zeros(4096, dtype=np.float32)
    with pytest.raises(TypeError):
        swiftspec.stft(y, 1024)
    with pytest.raises(TypeError):
        swiftspec.feature.melspectrogram(y, 22050)


def test_parameter_error_is_a_value_error():
    assert issubclass(swiftspec.ParameterError, ValueError)
    assert issubclass(swiftspec.ParameterError, swiftspec.SwiftSpecError)


def test_import_does_not_import_scipy():
    import subprocess
    import sys

    code = (
        "import sys, swiftspec, numpy as np; "
        "swiftspec.feature.mfcc(y=np.zeros(4096, np.float32), sr=22050); "
        "print('scipy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=_env()
    )
    assert out.stdout.strip() == "False"


def _env():
    import os

    env = dict(os.environ)
    package_root = os.path.dirname(os.path.dirname(swiftspec.__file__))
    env["PYTHONPATH"] = package_root + os.pathsep + env.get("PYTHONPATH", "")
    return env
