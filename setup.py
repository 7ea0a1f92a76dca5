# SPDX-License-Identifier: GPL-2.0-or-later
"""Build swiftspec: a Python package wrapping a Swift shared library through ctypes.

The Python side is pure; the native part is ``libswiftspec.so``, built by SwiftPM and
shipped as package data in ``swiftspec/_lib/``. setuptools knows nothing about Swift, so a
placeholder ``Extension`` makes it run ``build_ext`` (and mark the distribution as
non-pure); our ``build_ext`` runs ``swift build`` instead of a C compiler::

    pip install .          # build_ext -> build/lib*/swiftspec/_lib/libswiftspec.so
    pip install -e .       # the same, then copied into python/swiftspec/_lib/
    pip wheel . --no-deps  # swiftspec-<version>-py3-none-linux_x86_64.whl (local use)
    make wheel             # dist/...-py3-none-manylinux_2_<N>_x86_64.whl, for an index
    make sdist             # dist/swiftspec-<version>.tar.gz (Package.swift, Sources/...)

Needs a Swift 6 toolchain (``swift`` on PATH) and FFTW (linked statically): the build with
AVX2/AVX-512 codelets from ``tools/build_fftw.sh`` (``make fftw-simd``) when it is complete
in ``$SWIFTSPEC_FFTW_DIR`` or the default cache directory, else libfftw3-dev, with a notice.
The library links the Swift runtime and FFTW statically, so the wheel needs neither
(docs/install.md; `make package-test` checks it with both hidden).
"""

import ast
import os
import shutil
import subprocess
import sys

from setuptools import Extension, find_packages, setup
from setuptools.command.build_ext import build_ext
from setuptools.errors import ExecError, PlatformError

try:  # setuptools >= 70.1 ships bdist_wheel itself; older ones need the `wheel` package.
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # pragma: no cover - depends on the build environment
    try:
        from wheel.bdist_wheel import bdist_wheel
    except ImportError:
        bdist_wheel = None

ROOT = os.path.dirname(os.path.abspath(__file__))
PACKAGE = "swiftspec"
LIB_NAME = "libswiftspec.so"
# The placeholder extension's dotted name decides where the library lands:
# swiftspec/_lib/libswiftspec.so (see get_ext_filename below), which is where
# python/swiftspec/_ffi.py looks for it.
LIB_EXTENSION = f"{PACKAGE}._lib.libswiftspec"
SWIFT_PRODUCT = "swiftspec"
# The same flags as the Makefile's `build` target. `-Xswiftc -static-stdlib` links the
# Swift runtime into the .so (SwiftPM's --static-swift-stdlib is ignored for .dynamic
# products); FFTW is linked statically by Package.swift. The result needs only libc, libm,
# libstdc++ and libgcc_s.
SWIFT_BUILD_FLAGS = ["-c", "release", "-Xswiftc", "-static-stdlib", "--product", SWIFT_PRODUCT]

SYSTEM_FFTW_NOTICE = (
    "swiftspec: NOTE: this build links the system FFTW (libfftw3-dev, SSE2/AVX codelets), "
    "not the faster SIMD FFTW (no complete build in {dir}); to get it, run `make fftw-simd` "
    "or tools/build_fftw.sh once (8-18 minutes on 2 cores), then build again."
)

MISSING_SWIFT = """\
swiftspec: `swift` was not found on PATH, and it is needed to build libswiftspec.so.
Install a Swift 6 toolchain (https://www.swift.org/install/linux/) and put its usr/bin on
PATH, and install FFTW's development files (Debian/Ubuntu: apt-get install libfftw3-dev;
Fedora: dnf install fftw-devel fftw-static). Then run the pip command again."""

BUILD_FAILED = """\
swiftspec: `swift build` failed with exit status {code} (its output is above; pip shows it
with -v). If it mentions fftw3 (`fftw3.h` not found, `cannot find -l:libfftw3f.a`),
install FFTW's development files, static libraries included: apt-get install libfftw3-dev."""


def read_version():
    """Return ``__version__`` from python/swiftspec/__init__.py without importing it.

    Importing would load the native library, which does not exist yet at build time.
    """
    path = os.path.join(ROOT, "python", PACKAGE, "__init__.py")
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    for node in tree.body:
        if (isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            return node.value.value
    raise RuntimeError(f"no `__version__ = \"...\"` string in {path}")


def read_long_description():
    path = os.path.join(ROOT, "README.md")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return f.read()


def simd_fftw_dir():
    """Return where tools/build_fftw.sh installs FFTW with AVX2/AVX-512 codelets.

    The same default as the script and the Makefile's FFTW_SIMD_DIR.
    """
    override = os.environ.get("SWIFTSPEC_FFTW_DIR")
    if override:
        return override
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "swiftspec", "fftw-3.3.10-simd")


def install_library(src, dst):
    """Copy the built library to ``dst``, stripped when `strip` exists, atomically.

    ``--strip-unneeded`` drops the static symbol table and debug info (15 MB down to
    10.7 MB for 0.1.0; a 4.5 MB wheel) and keeps the dynamic symbols ctypes looks up. The copy goes to a
    temporary name then replaces ``dst``, so a process that has the old library mapped
    (an editable install in a running kernel) is not corrupted by an in-place rewrite.
    """
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    tmp = f"{dst}.tmp{os.getpid()}"
    try:
        strip = shutil.which("strip")
        stripped = False
        if strip:
            result = subprocess.run([strip, "--strip-unneeded", "-o", tmp, src])
            stripped = result.returncode == 0
            if not stripped:
                print(f"warning: `strip` failed on {src}; shipping it unstripped",
                      file=sys.stderr)
        if not stripped:
            shutil.copyfile(src, tmp)
        shutil.copymode(src, tmp)
        os.replace(tmp, dst)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    print(f"installed {src} -> {dst}" + (" (stripped)" if stripped else ""))


class SwiftBuildExt(build_ext):
    """``build_ext`` that builds the SwiftPM product instead of compiling C sources."""

    def get_ext_filename(self, fullname):
        # A ctypes library, not a CPython extension: keep its plain name, no
        # `.cpython-311-x86_64-linux-gnu.so` suffix. distutils asks with the last
        # component only (get_ext_fullpath), setuptools with the dotted name.
        parts = fullname.split(".")
        if fullname == LIB_EXTENSION or fullname == LIB_EXTENSION.rpartition(".")[2]:
            return os.path.join(*parts[:-1], LIB_NAME)
        return super().get_ext_filename(fullname)

    def swift_scratch_path(self, variant):
        # SwiftPM's scratch directory, <build_base>/swiftpm or, linking the SIMD FFTW,
        # <build_base>/swiftpm-simd (normally <project>/build/..., git-ignored and removed
        # by `make clean`):
        # - one per FFTW, as in the Makefile: their flags differ (-Xcc enters every compile
        #   command), so a shared directory would recompile everything at each switch;
        # - it lives as long as the project directory, so repeated `pip install .`,
        #   `pip install -e .` and `pip wheel .` in a checkout are incremental (a rebuild
        #   with no Swift change takes a few seconds), unlike build_temp, which editable
        #   installs put in a throw-away directory;
        # - it does not depend on the Python version (build_temp does), as the library
        #   does not either;
        # - it is not the repository's .build or .build-simd, which developers' `swift
        #   build`, `swift test` and `make build` use concurrently: we never wait on their
        #   lock or rebuild because their flags differ;
        # - for an sdist, pip unpacks it into a temporary directory and builds there, so
        #   nothing stale can leak in from elsewhere.
        build = self.get_finalized_command("build")
        return os.path.abspath(os.path.join(build.build_base, "swiftpm" + variant))

    def build_extension(self, ext):
        if ext.name != LIB_EXTENSION:
            return super().build_extension(ext)
        # Not resolved with realpath: the toolchain's `swift` is a symlink to swift-driver,
        # which refuses to run under its own name.
        swift = shutil.which("swift")
        if swift is None:
            raise PlatformError(MISSING_SWIFT)
        fftw = simd_fftw_dir()
        if os.path.isfile(os.path.join(fftw, ".complete")):
            # The linker (lld, see Package.swift) searches -L directories before its default
            # ones for Package.swift's -l:libfftw3f.a; -I makes the module map's fftw3.h the
            # SIMD build's own.
            print(f"swiftspec: linking the SIMD FFTW in {fftw}", flush=True)
            variant = "-simd"
            fftw_flags = ["-Xlinker", "-L" + os.path.join(fftw, "lib"),
                          "-Xcc", "-I" + os.path.join(fftw, "include")]
        else:
            print(SYSTEM_FFTW_NOTICE.format(dir=fftw), flush=True)
            variant = ""
            fftw_flags = []
        scratch = self.swift_scratch_path(variant)
        base = [swift, "build", "--package-path", ROOT, "--scratch-path", scratch]
        base += SWIFT_BUILD_FLAGS + fftw_flags
        print(" ".join(base), flush=True)
        result = subprocess.run(base, cwd=ROOT)
        if result.returncode != 0:
            raise ExecError(BUILD_FAILED.format(code=result.returncode))
        bin_path = subprocess.run(
            base + ["--show-bin-path"], cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True,
        ).stdout.strip().splitlines()[-1]
        built = os.path.join(bin_path, LIB_NAME)
        if not os.path.isfile(built):
            raise ExecError(f"swiftspec: `swift build` succeeded but {built} does not exist")
        install_library(built, self.get_ext_fullpath(ext.name))

    def copy_extensions_to_source(self):
        # Editable installs (`pip install -e .`, setup.py develop, build_ext --inplace):
        # put the library into python/swiftspec/_lib/, next to _ffi.py. Overridden only
        # to replace the file atomically instead of rewriting it in place.
        build_py = self.get_finalized_command("build_py")
        for ext in self.extensions:
            if ext.name != LIB_EXTENSION:
                continue
            regular = os.path.join(self.build_lib, self.get_ext_filename(ext.name))
            package_dir = build_py.get_package_dir(ext.name.rpartition(".")[0])
            inplace = os.path.join(package_dir, LIB_NAME)
            os.makedirs(os.path.dirname(inplace), exist_ok=True)
            tmp = f"{inplace}.tmp{os.getpid()}"
            shutil.copy2(regular, tmp)
            os.replace(tmp, inplace)
            print(f"copied {regular} -> {inplace}")


cmdclass = {"build_ext": SwiftBuildExt}

if bdist_wheel is not None:
    class PlatformWheel(bdist_wheel):
        """Tag the wheel ``py3-none-<platform>``.

        The library is native code (so not ``any``) but is loaded with ctypes and never
        touches the CPython ABI: one wheel serves every Python 3 on the platform.
        """

        def get_tag(self):
            _, _, plat = super().get_tag()
            return "py3", "none", plat

    cmdclass["bdist_wheel"] = PlatformWheel


# setuptools >= 77 writes an SPDX `License-Expression` (metadata 2.4); older ones (say a
# `python3 setup.py sdist` without build isolation) only know the free-text `license`.
try:
    from setuptools import __version__ as _setuptools_version
    _new_license = int(_setuptools_version.split(".")[0]) >= 77
except ValueError:  # pragma: no cover
    _new_license = False
license_metadata = (
    {"license_expression": "GPL-2.0-or-later"} if _new_license
    else {"license": "GPL-2.0-or-later"}
)

long_description = read_long_description()

setup(
    name=PACKAGE,
    version=read_version(),
    description="librosa-compatible STFT, mel spectrogram and power_to_db, computed by a "
                "Swift engine over FFTW",
    long_description=long_description,
    long_description_content_type="text/markdown" if long_description else None,
    **license_metadata,
    python_requires=">=3.9",
    package_dir={"": "python"},
    packages=find_packages(where="python", include=[PACKAGE, f"{PACKAGE}.*"]),
    # _lib/*.so: also placed there by build_ext, which runs after build_py and so wins
    # over any copy a `make build` left in the source tree; MANIFEST.in keeps such a copy
    # out of sdists.
    package_data={PACKAGE: ["_lib/*.so", "data/*", "py.typed", "THIRD_PARTY_NOTICES.md"]},
    include_package_data=False,
    zip_safe=False,
    install_requires=["numpy"],
    entry_points={"console_scripts": ["swiftspec = swiftspec.cli:main"]},
    extras_require={
        "audio": ["soundfile>=0.12", "soxr"],
        "cli": ["soundfile>=0.12", "soxr", "pillow>=9.1", "tqdm"],
        "dask": ["soundfile>=0.12", "soxr", "pillow>=9.1", "dask[distributed]"],
        "display": ["matplotlib"],
        "test": ["pytest", "hypothesis", "librosa", "scipy", "pillow", "matplotlib", "dask[distributed]"],
    },
    ext_modules=[Extension(LIB_EXTENSION, sources=[])],
    cmdclass=cmdclass,
    classifiers=[
        "Development Status :: 3 - Alpha",
        "Intended Audience :: Science/Research",
        "Operating System :: POSIX :: Linux",
        "Programming Language :: Python :: 3",
        "Topic :: Multimedia :: Sound/Audio :: Analysis",
    ],
)
