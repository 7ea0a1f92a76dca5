#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/package_test.sh PYTHON: build the wheel, install it in a fresh venv, and check that
# it is self-contained.
# (a) `pip wheel .` gives exactly swiftspec-<version>-py3-none-linux_<arch>.whl holding the
# library, the sample data with its licence and py.typed; (b) that wheel, installed into
# a fresh venv, imports and computes a mel spectrogram from outside the repository;
# (c) the library NEEDs only libc/libm/libstdc++/libgcc_s, has no absolute RUNPATH, and
# still works with the Swift toolchain and FFTW's shared libraries hidden (a private
# mount namespace via `unshare -m`, when permitted), where the test suite then runs against
# the installed wheel. Everything happens in a temporary
# directory; the Swift build is incremental in build/swiftpm (see setup.py).
set -euo pipefail
python=$1
fail() { echo "package-test: FAIL: $*" >&2; exit 1; }
step() { echo "== package-test: $*"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/swiftspec-package-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
unset SWIFTSPEC_LIBRARY PYTHONPATH

version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' python/swiftspec/__init__.py)
[ -n "$version" ] || fail "no __version__ in python/swiftspec/__init__.py"
expected="swiftspec-$version-py3-none-linux_$(uname -m).whl"

step "(a) pip wheel . -> $expected"
"$python" -m pip wheel . -w "$tmp/wh" --no-deps -q || fail "pip wheel failed"
built=$(cd "$tmp/wh" && ls)
[ "$built" = "$expected" ] || fail "expected exactly $expected in the wheel directory, got: $built"
whl="$tmp/wh/$expected"
"$python" - "$whl" <<'PY' || fail "wheel contents"
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
need = ["swiftspec/__init__.py", "swiftspec/_lib/libswiftspec.so", "swiftspec/py.typed",
        "swiftspec/data/oss_birds_10s.wav", "swiftspec/data/LICENSE-oss_birds_10s.txt",
        "swiftspec/data/SOURCES.md"]
missing = [n for n in need if n not in names]
extra_so = [n for n in names if n.endswith(".so") and n != "swiftspec/_lib/libswiftspec.so"]
if missing or extra_so:
    sys.exit(f"missing: {missing}; unexpected libraries: {extra_so}")
PY
echo "   $(du -h "$whl" | cut -f1)  $expected"

step "(b) install into a fresh venv, import and compute outside the repository"
"$python" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q "$whl" || fail "pip install of the wheel failed"
"$tmp/venv/bin/python" -m pip install -q pytest librosa || fail "pip install of the test tools"
# The test suite and the header it checks, without the package sources beside them.
mkdir -p "$tmp/repo/python" "$tmp/repo/Sources/CSwiftSpec"
cp -r python/tests "$tmp/repo/python/"
cp -r Sources/CSwiftSpec/include "$tmp/repo/Sources/CSwiftSpec/"
site=$("$tmp/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
lib="$site/swiftspec/_lib/libswiftspec.so"
[ -f "$lib" ] || fail "$lib was not installed"
cat > "$tmp/check.py" <<'PY'
import re, sys
import numpy as np
import swiftspec
S = swiftspec.feature.melspectrogram(y=np.random.rand(22050).astype(np.float32), sr=22050)
assert S.shape == (128, 44) and S.dtype == np.float32, (S.shape, S.dtype)
assert np.isfinite(S).all() and S.max() > 0
assert str(swiftspec.__library_path__).startswith(sys.prefix), swiftspec.__library_path__
mapped = {line.split()[-1] for line in open("/proc/self/maps") if "/" in line}
foreign = sorted(p for p in mapped
                 if re.search(r"libswift(?!spec)|libfftw|libdispatch|libFoundation|libicu", p))
assert not foreign, f"toolchain or FFTW libraries mapped: {foreign}"
print(f"   swiftspec {swiftspec.__version__} ({swiftspec.__fftw_version__}) from "
      f"{swiftspec.__library_path__}: melspectrogram {S.shape} {S.dtype}")
PY
(cd "$tmp" && "$tmp/venv/bin/python" check.py) || fail "import/compute from the installed wheel"

step "(c) dynamic section of the installed library"
readelf -d "$lib" | grep -E 'NEEDED|RUNPATH|RPATH' | sed 's/^/   /'
needed=$(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
for n in $needed; do
  case "$n" in
    libc.so.*|libm.so.*|libstdc++.so.*|libgcc_s.so.*|ld-linux*.so.*|libpthread.so.*|libdl.so.*|librt.so.*) ;;
    *) fail "$lib NEEDs $n (only libc/libm/libstdc++/libgcc_s are allowed)" ;;
  esac
done
if readelf -d "$lib" | grep -E '\((RUNPATH|RPATH)\)' | grep -q '\[/\|:/'; then
  fail "$lib has an absolute RUNPATH/RPATH"
fi

step "(c) run with the Swift toolchain and FFTW's shared libraries hidden"
resource=$(swift -print-target-info | "$python" -c 'import json, sys; print(json.load(sys.stdin)["paths"]["runtimeResourcePath"])')
toolchain=${resource%/usr/lib/swift}
# Hide the whole toolchain when it has a directory of its own (/opt/swift here), else
# only its runtime libraries (a toolchain installed into /usr).
case "$toolchain" in
  /|/usr|/usr/local|"$resource") hide="$resource"; bin_hidden=0 ;;
  *) hide="$toolchain"; bin_hidden=1 ;;
esac
fftw=$(ldconfig -p | awk '/libfftw3/ {print $NF}' | xargs -r realpath | sort -u)
cleanpath=$(printf %s "$PATH" | tr : '\n' | grep -v -e '^$' -e "^$hide\(/\|$\)" | paste -sd: -)
cat > "$tmp/hidden.sh" <<SH
set -eu
mount -t tmpfs swiftspec-hide '$hide'
: > '$tmp/empty'
$(for f in $fftw; do echo "mount --bind '$tmp/empty' '$f'"; done)
cd '$tmp'
exec env -i PATH='$cleanpath' HOME='$tmp' BIN_HIDDEN=$bin_hidden '$tmp/venv/bin/python' - <<'PY'
import ctypes, os, shutil
if os.environ["BIN_HIDDEN"] == "1":
    assert shutil.which("swift") is None, shutil.which("swift")
for name in ("libswiftCore.so", "libfftw3f.so.3"):
    try:
        ctypes.CDLL(name)
    except OSError:
        continue
    raise AssertionError(f"{name} still loads: not hidden")
print("   hidden: libswiftCore.so and libfftw3f.so.3 do not load"
      + (", swift is not on PATH" if os.environ["BIN_HIDDEN"] == "1" else ""))
exec(open("check.py").read())
import subprocess, sys
os.chdir("repo")
print("   the test suite against the installed wheel:")
sys.exit(subprocess.call([sys.executable, "-m", "pytest", "python/tests", "-q", "-p",
                          "no:cacheprovider", "-o", "console_output_style=classic"]))
PY
SH
if unshare -m true 2>/dev/null; then
  echo "   private mount namespace: tmpfs over $hide; empty file over $(echo $fftw | wc -w) FFTW libraries"
  unshare -m bash "$tmp/hidden.sh" || fail "the library does not work with the toolchain hidden"
else
  echo "   WARNING: unshare -m is not permitted here; only PATH and LD_LIBRARY_PATH are stripped"
  (cd "$tmp" && env -i PATH="$cleanpath" HOME="$tmp" "$tmp/venv/bin/python" check.py) \
    || fail "the library does not work without the toolchain on PATH"
fi
step "OK: $expected ($(du -h "$whl" | cut -f1)) is self-contained"
