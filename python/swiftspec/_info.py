# SPDX-License-Identifier: GPL-2.0-or-later
"""What a bug report needs: ``swiftspec.show_config()`` and ``swiftspec info``.

The version, the native library in use and what it was built with (ABI version, FFTW
release and codelet set), the kernels' SIMD level chosen at load time, the default thread
count, and the versions of Python, numpy and the optional dependencies.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
from typing import Dict, List, Optional, TextIO, Tuple

import numpy as np

from . import _ffi, _threads

# Import name, distribution name and what swiftspec uses it for.
OPTIONAL_DEPENDENCIES: Tuple[Tuple[str, str, str], ...] = (
    ("soundfile", "soundfile", "swiftspec.load"),
    ("soxr", "soxr", "swiftspec.resample"),
    ("scipy", "scipy", "windows other than the built-in six"),
    ("PIL", "pillow", "swiftspec images and clips.to_image"),
    ("matplotlib", "matplotlib", "swiftspec.display and colour maps"),
    ("tqdm", "tqdm", "the progress bar of swiftspec images"),
    ("distributed", "distributed", "swiftspec images --engine dask"),
    ("torch", "torch", "swiftspec.compat.torchaudio"),
    ("torchaudio", "torchaudio", "comparisons with torchaudio"),
    ("librosa", "librosa", "comparisons with librosa"),
)


def fftw_build(version_string: str) -> Tuple[str, List[str]]:
    """Split FFTW's version string into its release and its SIMD codelet sets.

    FFTW names the codelet sets it was configured with after its release number:
    ``fftw-3.3.10-sse2-avx-avx2-avx2_128-avx512`` is release 3.3.10 with five of them;
    a build without SIMD codelets has none.
    """
    if not version_string.startswith("fftw-"):
        return version_string, []
    release, *codelets = version_string[len("fftw-") :].split("-")
    return release, codelets


def _optional_dependency(module: str, distribution: str, use: str) -> str:
    try:
        imported = importlib.import_module(module)
    except ImportError:
        return f"not installed (used by {use})"
    except Exception as error:  # installed but broken (a missing native library...)
        return f"installed but fails to import: {type(error).__name__}: {error}"
    try:
        from importlib.metadata import version

        found = version(distribution)
    except Exception:  # not installed as a distribution (a source checkout on sys.path)
        found = str(getattr(imported, "__version__", "unknown version"))
    if module == "soundfile":
        found += f" (libsndfile {getattr(imported, '__libsndfile_version__', 'unknown')})"
    return found


def report() -> Dict[str, Dict[str, str]]:
    """The configuration, as sections of named values (what ``show_config`` prints)."""
    from . import __version__

    release, codelets = fftw_build(_ffi.fftw_version)
    simd_request = os.environ.get("SWIFTSPEC_SIMD")
    cores = _threads.available_cores()
    return {
        "swiftspec": {
            "version": __version__,
            "library": str(_ffi.library_path),
            "ABI version": str(_ffi.abi_version),
            "FFTW": f"{release} ({_ffi.fftw_version})",
            "FFTW codelets": ", ".join(codelets) if codelets else "none (scalar code only)",
            "kernel SIMD level": _ffi.simd_level
            + (f" (SWIFTSPEC_SIMD={simd_request})" if simd_request else ""),
            "default threads": f"{_threads.get_num_threads()} per call "
            f"({cores} {'core' if cores == 1 else 'cores'} available)",
        },
        "platform": {
            "Python": f"{platform.python_version()} ({platform.python_implementation()}, "
            f"{sys.executable})",
            "system": f"{platform.system()} {platform.release()} {platform.machine()}",
            "libc": " ".join(platform.libc_ver()) or "unknown",
            "numpy": np.__version__,
        },
        "optional dependencies": {
            module: _optional_dependency(module, distribution, use)
            for module, distribution, use in OPTIONAL_DEPENDENCIES
        },
    }


def show_config(file: Optional[TextIO] = None) -> None:
    """Print swiftspec's configuration: paste it into a bug report.

    The version, the native library's path and ABI version, the FFTW release and
    codelet set it links, the SIMD level of its kernels on this CPU, the default
    number of threads per call, the versions of Python and numpy, and which optional
    dependencies are importable (with their versions). ``swiftspec info`` prints the
    same.

    Parameters
    ----------
    file : text stream, optional
        Where to print; standard output by default.
    """
    out = sys.stdout if file is None else file
    for section, values in report().items():
        print(f"{section}:", file=out)
        width = max(len(name) for name in values)
        for name, value in values.items():
            print(f"  {name:<{width}}  {value}", file=out)
