#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/package_test.sh WHEEL [PYTHON ...]: check that the release wheel (tools/build_wheel.sh)
# is self-contained and works on every Python it claims.
# (a) the wheel holds the library, the sample data with its licence and py.typed, and no
# other native library; the library NEEDs only libc/libm/libstdc++/libgcc_s and has no
# absolute RUNPATH;
# (b) for each PYTHON (default: every CPython >= 3.9 that pyenv has), the wheel installs
# into a fresh venv with the test tools (librosa where it installs: LIBROSA_BEFORE_312 on
# Python < 3.12, LIBROSA_FROM_312 from 3.12), then, with the Swift toolchain and FFTW's
# shared libraries hidden (a private mount namespace via `unshare -m`, when permitted),
# imports and computes a mel spectrogram from outside the repository, runs the installed
# `swiftspec info`, and runs the test suite against the installed package.
# Every Python is tried; the run fails at the end if any failed. Everything happens in a
# temporary directory.
set -euo pipefail
whl=$(realpath "$1")
shift
fail() { echo "package-test: FAIL: $*" >&2; exit 1; }
step() { echo "== package-test: $*"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/swiftspec-package-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
unset SWIFTSPEC_LIBRARY PYTHONPATH
LIBROSA_BEFORE_312=${LIBROSA_BEFORE_312:-librosa}
LIBROSA_FROM_312=${LIBROSA_FROM_312:-librosa}
start=$SECONDS

pythons=("$@")
if [ ${#pythons[@]} -eq 0 ]; then
  command -v pyenv >/dev/null || fail "no PYTHON given and pyenv is not installed"
  for v in $(pyenv versions --bare | grep -E '^3\.(9|[1-9][0-9])\.[0-9]+$'); do
    pythons+=("$(pyenv prefix "$v")/bin/python3")
  done
fi
[ ${#pythons[@]} -gt 0 ] || fail "no Python to test with"

step "(a) $(basename "$whl") ($(du -h "$whl" | cut -f1))"
case "$(basename "$whl")" in
  swiftspec-*-py3-none-manylinux_*_"$(uname -m)".whl) ;;
  *) fail "$(basename "$whl") is not a py3-none-manylinux wheel (make wheel builds one)" ;;
esac
mkdir "$tmp/unpacked"
(cd "$tmp/unpacked" && unzip -q "$whl")
for f in swiftspec/__init__.py swiftspec/_lib/libswiftspec.so swiftspec/py.typed \
         swiftspec/THIRD_PARTY_NOTICES.md swiftspec/data/oss_birds_10s.wav \
         swiftspec/data/LICENSE-oss_birds_10s.txt swiftspec/data/SOURCES.md; do
  [ -f "$tmp/unpacked/$f" ] || fail "the wheel has no $f"
done
extra=$(cd "$tmp/unpacked" && find . -name '*.so*' ! -path ./swiftspec/_lib/libswiftspec.so)
[ -z "$extra" ] || fail "unexpected native libraries in the wheel: $extra"
lib="$tmp/unpacked/swiftspec/_lib/libswiftspec.so"
readelf -d "$lib" | grep -E 'NEEDED|RUNPATH|RPATH' | sed 's/^/   /'
for n in $(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  case "$n" in
    libc.so.*|libm.so.*|libstdc++.so.*|libgcc_s.so.*|ld-linux*.so.*|libpthread.so.*|libdl.so.*|librt.so.*) ;;
    *) fail "the library NEEDs $n (only libc/libm/libstdc++/libgcc_s are allowed)" ;;
  esac
done
if readelf -d "$lib" | grep -E '\((RUNPATH|RPATH)\)' | grep -q '\[/\|:/'; then
  fail "the library has an absolute RUNPATH/RPATH"
fi

# The test suite and the header it checks, without the package sources beside them.
mkdir -p "$tmp/repo/python" "$tmp/repo/Sources/CSwiftSpec"
cp -r python/tests "$tmp/repo/python/"
cp -r Sources/CSwiftSpec/include "$tmp/repo/Sources/CSwiftSpec/"
find "$tmp/repo" -name __pycache__ -prune -exec rm -rf {} +

cat > "$tmp/check.py" <<'PY'
import re, sys
import numpy as np
import swiftspec
S = swiftspec.feature.melspectrogram(y=np.random.rand(22050).astype(np.float32), sr=22050)
assert S.shape == (128, 44) and S.dtype == np.float32, (S.shape, S.dtype)
assert np.isfinite(S).all() and S.max() > 0
assert str(swiftspec.__library_path__).startswith(sys.prefix), swiftspec.__library_path__
assert "avx2" in swiftspec.__fftw_version__.split("-"), swiftspec.__fftw_version__
mapped = {line.split()[-1] for line in open("/proc/self/maps") if "/" in line}
foreign = sorted(p for p in mapped
                 if re.search(r"libswift(?!spec)|libfftw|libdispatch|libFoundation|libicu", p))
assert not foreign, f"toolchain or FFTW libraries mapped: {foreign}"
print(f"   swiftspec {swiftspec.__version__} ({swiftspec.__fftw_version__}) from "
      f"{swiftspec.__library_path__}: melspectrogram {S.shape} {S.dtype}")
PY

# What to hide: the whole toolchain when it has a directory of its own (/opt/swift here),
# else only its runtime libraries (a toolchain installed into /usr); and FFTW's libraries.
resource=$(swift -print-target-info | sed -n 's/.*"runtimeResourcePath" *: *"\([^"]*\)".*/\1/p')
[ -n "$resource" ] || fail "swift -print-target-info gives no runtimeResourcePath"
toolchain=${resource%/usr/lib/swift}
case "$toolchain" in
  /|/usr|/usr/local|"$resource") hide="$resource"; bin_hidden=0 ;;
  *) hide="$toolchain"; bin_hidden=1 ;;
esac
fftw=$(ldconfig -p | awk '/libfftw3/ {print $NF}' | xargs -r realpath | sort -u)
cleanpath=$(printf %s "$PATH" | tr : '\n' | grep -v -e '^$' -e "^$hide\(/\|$\)" | paste -sd: -)
: > "$tmp/empty"
# hidden.sh VENV HIDE: check and test the wheel installed in VENV with a PATH without the
# toolchain; with HIDE=1 (in a private mount namespace) the toolchain and FFTW are hidden.
cat > "$tmp/hidden.sh" <<SH
set -eu
venv=\$1
if [ "\$2" = 1 ]; then
  mount -t tmpfs swiftspec-hide '$hide'
$(for f in $fftw; do echo "  mount --bind '$tmp/empty' '$f'"; done)
fi
cd '$tmp'
exec env -i PATH="\$venv/bin:$cleanpath" HOME='$tmp' HIDE=\$2 BIN_HIDDEN=$bin_hidden \
  "\$venv/bin/python" -u - <<'PY'
import ctypes, os, shutil, subprocess, sys
if os.environ["HIDE"] == "1":
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
print("   swiftspec info (the installed command):")
info = subprocess.run(["swiftspec", "info"], capture_output=True, text=True)
print("".join(f"     {line}\n" for line in info.stdout.splitlines()), end="")
assert info.returncode == 0, info.stderr
os.chdir("repo")
print("   the test suite against the installed wheel:")
sys.exit(subprocess.call([sys.executable, "-m", "pytest", "python/tests", "-q", "-p",
                          "no:cacheprovider", "-o", "console_output_style=classic", "-rs"]))
PY
SH
if unshare -m true 2>/dev/null; then
  echo "   private mount namespace: tmpfs over $hide; empty file over $(echo $fftw | wc -w) FFTW libraries"
  hidden() { unshare -m bash "$tmp/hidden.sh" "$1" 1; }
else
  echo "   WARNING: unshare -m is not permitted here; only PATH is stripped"
  hidden() { bash "$tmp/hidden.sh" "$1" 0; }
fi

# test_one PYTHON VENV: install the wheel and test it. (Called in an `if`, where errexit
# is off: each step says how it failed.)
test_one() {
  local python=$1 venv=$2 minor librosa
  minor=$("$python" -c 'import sys; print(sys.version_info[1])') || return 1
  if [ "$minor" -lt 12 ]; then librosa=$LIBROSA_BEFORE_312; else librosa=$LIBROSA_FROM_312; fi
  "$python" -m venv "$venv" || { echo "venv failed"; return 1; }
  "$venv/bin/python" -m pip install -q --upgrade pip || { echo "pip upgrade failed"; return 1; }
  "$venv/bin/python" -m pip install -q "$whl" || { echo "pip install of the wheel failed"; return 1; }
  "$venv/bin/python" -m pip install -q pytest hypothesis scipy pillow matplotlib "dask[distributed]" \
    || { echo "pip install of the test tools failed"; return 1; }
  "$venv/bin/python" -m pip install -q "$librosa" \
    || echo "   $librosa does not install on this Python: the librosa tests skip"
  hidden "$venv"
}

declare -a results
failed=0
for python in "${pythons[@]}"; do
  version=$("$python" -c 'import platform; print(platform.python_version())') \
    || fail "$python does not run"
  step "(b) Python $version ($python)"
  t0=$SECONDS
  if test_one "$python" "$tmp/venv-$version" 2>&1 | tee "$tmp/$version.log"; [ "${PIPESTATUS[0]}" -eq 0 ]; then
    status=passed
  else
    status=FAILED; failed=1
  fi
  summary=$(grep -E '^[0-9]+ (passed|failed)|^=+ .*(passed|failed|error)' "$tmp/$version.log" | tail -1 | tr -d '=' | xargs)
  results+=("$(printf '   Python %-8s %-6s %4ss  %s' "$version" "$status" $((SECONDS - t0)) "${summary:-no test summary}")")
  rm -rf "$tmp/venv-$version"
done

step "summary ($(basename "$whl"), $(du -h "$whl" | cut -f1), $((SECONDS - start)) s)"
printf '%s\n' "${results[@]}"
[ "$failed" -eq 0 ] || fail "the wheel failed on some Python (see above)"
step "OK: $(basename "$whl") is self-contained and passes on ${#pythons[@]} Pythons"
