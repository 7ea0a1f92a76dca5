# SPDX-License-Identifier: GPL-2.0-or-later
"""swiftspec.show_config() and ``swiftspec info``: the configuration a bug report quotes.

Each printed value is checked against a source other than the report itself: the
header's ABI constant, the libraries this process has mapped, the CPU's core affinity,
package metadata and FFTW's documented version-string format.
"""

import importlib.metadata
import importlib.util
import io
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import swiftspec
from swiftspec._info import OPTIONAL_DEPENDENCIES, fftw_build

HEADER = Path(__file__).resolve().parents[2] / "Sources" / "CSwiftSpec" / "include" / "swiftspec.h"


def parse(text):
    """{(section, name): value} from show_config's "section:" / "  name  value" lines."""
    values, section = {}, None
    for line in text.splitlines():
        if not line.startswith(" "):
            section = line.rstrip(":")
            continue
        name, value = re.match(r"  (\S+(?: \S+)*?)  +(.*)$", line).groups()
        values[section, name] = value
    return values


@pytest.fixture
def shown():
    out = io.StringIO()
    swiftspec.show_config(file=out)
    return parse(out.getvalue())


@pytest.mark.skipif(not HEADER.is_file(), reason="needs the source tree's header")
def test_abi_version_is_the_headers(shown):
    header = re.search(r"#define\s+SWIFTSPEC_ABI_VERSION\s+(\d+)", HEADER.read_text()).group(1)
    assert shown["swiftspec", "ABI version"] == header


def test_library_is_the_one_this_process_mapped(shown):
    mapped = {
        line.split()[-1]
        for line in Path("/proc/self/maps").read_text().splitlines()
        if line.rstrip().endswith("/libswiftspec.so")
    }
    library = shown["swiftspec", "library"]
    assert Path(library).is_file()
    assert mapped == {str(Path(library).resolve())}


def test_versions_are_the_installed_ones(shown):
    assert shown["swiftspec", "version"] == swiftspec.__version__
    assert shown["platform", "numpy"] == importlib.metadata.version("numpy")
    python = "{}.{}.{}".format(*sys.version_info[:3])
    assert shown["platform", "Python"].startswith(f"{python} (")


def test_kernel_simd_level_is_the_one_in_use(shown):
    level = shown["swiftspec", "kernel SIMD level"].split()[0]
    assert level == swiftspec.__simd_level__
    assert level in ("baseline", "avx2", "avx512")


def test_default_threads(shown):
    cores = len(os.sched_getaffinity(0))
    assert re.fullmatch(
        rf"{cores} per call \({cores} cores? available\)", shown["swiftspec", "default threads"]
    )
    swiftspec.set_num_threads(3)
    try:
        out = io.StringIO()
        swiftspec.show_config(file=out)
        assert parse(out.getvalue())["swiftspec", "default threads"].startswith("3 per call")
    finally:
        swiftspec.set_num_threads(None)


@pytest.mark.parametrize(
    "version, release, codelets",
    [
        # FFTW appends each SIMD set it was configured with (--enable-sse2 ...) to its release.
        (
            "fftw-3.3.10-sse2-avx-avx2-avx2_128-avx512",
            "3.3.10",
            ["sse2", "avx", "avx2", "avx2_128", "avx512"],
        ),
        ("fftw-3.3.10-sse2-avx", "3.3.10", ["sse2", "avx"]),
        ("fftw-3.3.10", "3.3.10", []),
    ],
)
def test_fftw_build_reads_fftws_version_string(version, release, codelets):
    assert fftw_build(version) == (release, codelets)


def test_fftw_lines(shown):
    release, codelets = fftw_build(swiftspec.__fftw_version__)
    assert shown["swiftspec", "FFTW"] == f"{release} ({swiftspec.__fftw_version__})"
    assert shown["swiftspec", "FFTW codelets"] == (
        ", ".join(codelets) if codelets else "none (scalar code only)"
    )


def test_optional_dependencies_are_reported_as_installed(shown):
    for module, distribution, _ in OPTIONAL_DEPENDENCIES:
        value = shown["optional dependencies", module]
        if importlib.util.find_spec(module) is None:
            assert value.startswith("not installed (used by "), (module, value)
        elif not value.startswith("installed but fails to import"):
            assert value.split()[0] == importlib.metadata.version(distribution), (module, value)


def test_info_command_prints_the_report():
    env = dict(os.environ)
    env["PYTHONPATH"] = (
        str(Path(swiftspec.__file__).resolve().parents[1]) + os.pathsep + env.get("PYTHONPATH", "")
    )
    result = subprocess.run(
        [sys.executable, "-m", "swiftspec", "info"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    values = parse(result.stdout)
    assert values["swiftspec", "library"] == str(swiftspec.__library_path__)
    assert values["swiftspec", "ABI version"] == str(swiftspec.__abi_version__)
    assert values["swiftspec", "kernel SIMD level"].split()[0] == swiftspec.__simd_level__
    assert values["platform", "numpy"] == np.__version__
    assert values["platform", "Python"].startswith(f"{platform.python_version()} (")
