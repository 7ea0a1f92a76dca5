#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/build_fftw.sh: build FFTW 3.3.10 (Debian's source package 3.3.10-1, Debian's patches
# applied) with SSE2, AVX, AVX2, AVX-512 and FMA codelets, single and double precision,
# static and position-independent, for linking into libswiftspec.so. Debian's own libfftw3
# has SSE2 and AVX codelets only; FFTW chooses among the compiled codelets at run time from
# CPUID, so the result still runs on a baseline x86-64 CPU (no -march flags, on purpose).
#
# Install directory: $SWIFTSPEC_FFTW_DIR, by default
# ${XDG_CACHE_HOME:-$HOME/.cache}/swiftspec/fftw-3.3.10-simd, holding lib/libfftw3.a,
# lib/libfftw3f.a, include/fftw3.h and the stamp .complete (written last). The build runs
# once per machine (14 CPU-minutes: 8-18 minutes on 2 cores); with .complete present it
# returns at once.
# It builds and installs into a temporary directory beside the install directory and renames
# it into place, so an interrupted or concurrent run never leaves a half-built directory there.
#
# The last line on stdout is the install directory; progress goes to stderr, and the output
# of configure and make to a log that is shown (its end) when a step fails.
#
# Needs apt (Debian/Ubuntu): installs dpkg-dev and build-essential when missing and adds a
# deb-src entry for bookworm (/etc/apt/sources.list.d/swiftspec-deb-src.sources) so that
# `apt-get source` works; that part needs root, as in CI.
set -euo pipefail

FFTW_VERSION=3.3.10
DEBIAN_VERSION=3.3.10-1
dest=${SWIFTSPEC_FFTW_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/swiftspec/fftw-$FFTW_VERSION-simd}
# The same options for both precisions; the single-precision build adds --enable-float.
# Fortran wrappers and shared libraries are not needed to link FFTW into our .so.
CONFIGURE_FLAGS=(--enable-sse2 --enable-avx --enable-avx2 --enable-avx512 --enable-fma
                 --disable-fortran --enable-static --disable-shared --with-pic CFLAGS=-O3)
# The directories that make up libfftw3[f].a, in the order of FFTW's top-level SUBDIRS
# (without threads, which is not enabled); building only these skips the bench program
# (tests/, libbench2/), tools/ and doc/.
LIB_SUBDIRS=(support kernel simd-support dft rdft reodft api)

say() { echo "build_fftw: $*" >&2; }
fail() { echo "build_fftw: ERROR: $*" >&2; exit 1; }

if [ -f "$dest/.complete" ]; then
  say "FFTW $FFTW_VERSION with SIMD codelets is already built in $dest"
  echo "$dest"
  exit 0
fi

[ "$(uname -m)" = x86_64 ] || fail "the SIMD FFTW build is for x86-64 (this is $(uname -m)); use the system FFTW (make build falls back to it)"
command -v apt-get >/dev/null ||
  fail "apt-get not found: this script fetches FFTW from Debian's source package. Elsewhere, build FFTW $FFTW_VERSION yourself with: ./configure ${CONFIGURE_FLAGS[*]} (and again with --enable-float), install both into one prefix, touch <prefix>/.complete and set SWIFTSPEC_FFTW_DIR=<prefix>"

as_root() {
  [ "$(id -u)" = 0 ] || fail "$1 needs root (run this script as root, or do it yourself: $2)"
  shift 2
  "$@"
}

export DEBIAN_FRONTEND=noninteractive
need_pkgs=()
for p in dpkg-dev build-essential; do
  dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p")
done
updated=0
if ! apt-cache showsrc fftw3 2>/dev/null | grep -q "^Version: $DEBIAN_VERSION\$"; then
  list=/etc/apt/sources.list.d/swiftspec-deb-src.sources
  say "no deb-src entry provides fftw3 $DEBIAN_VERSION: adding $list and running apt-get update"
  as_root "adding a deb-src entry" "add a 'Types: deb-src' entry for bookworm, then apt-get update" \
    sh -c "cat > '$list'" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  as_root "apt-get update" "apt-get update" apt-get update -q >&2
  updated=1
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  say "installing ${need_pkgs[*]}"
  if [ $updated = 0 ]; then
    as_root "apt-get update" "apt-get update" apt-get update -q >&2
  fi
  as_root "installing ${need_pkgs[*]}" "apt-get install ${need_pkgs[*]}" \
    apt-get install -y -q "${need_pkgs[@]}" >&2
fi

parent=$(dirname "$dest")
mkdir -p "$parent"
# Everything happens in $work, on the same file system as $dest so that the final rename is
# atomic; it is removed on exit, whether the build succeeded or not.
work=$(mktemp -d "$parent/.fftw-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
log=$work/build.log
prefix=$work/install
# Runs a build step with its output in the log; on failure shows the log's end and stops.
run() {
  local what=$1
  shift
  if ! "$@" >>"$log" 2>&1; then
    echo "build_fftw: ERROR: $what failed; the end of its output:" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
}

start=$(date +%s)
say "fetching Debian's source package fftw3 $DEBIAN_VERSION into $work"
(cd "$work" && run "apt-get source fftw3=$DEBIAN_VERSION" apt-get source -q "fftw3=$DEBIAN_VERSION")
src=$work/fftw3-$FFTW_VERSION
[ -x "$src/configure" ] || fail "apt-get source did not unpack $src/configure"

jobs=$(nproc)
for precision in double single; do
  build=$work/build-$precision
  flags=("${CONFIGURE_FLAGS[@]}")
  [ $precision = single ] && flags+=(--enable-float)
  mkdir -p "$build"
  say "$precision precision: configure ${flags[*]}"
  (cd "$build" && run "configure ($precision)" "$src/configure" --prefix="$prefix" "${flags[@]}")
  say "$precision precision: make -j$jobs (log: $log while it runs)"
  for d in "${LIB_SUBDIRS[@]}"; do
    run "make in $d ($precision)" make -C "$build/$d" -j"$jobs"
  done
  run "make install ($precision)" make -C "$build" -j"$jobs" install-libLTLIBRARIES
  run "make install of the header ($precision)" make -C "$build/api" install-includeHEADERS
done

for f in lib/libfftw3.a lib/libfftw3f.a include/fftw3.h; do
  [ -f "$prefix/$f" ] || fail "the build did not install $f"
done
# libtool's .la files name the temporary prefix and nothing here uses them.
rm -f "$prefix"/lib/*.la
echo "fftw-$FFTW_VERSION (Debian $DEBIAN_VERSION): ${CONFIGURE_FLAGS[*]}" > "$prefix/.complete"

# Another run may have finished first: keep its result (identical) and drop ours.
if mv -T "$prefix" "$dest" 2>/dev/null; then
  say "built in $(( $(date +%s) - start )) s, installed in $dest"
elif [ -f "$dest/.complete" ]; then
  say "another run installed $dest meanwhile; using it"
else
  fail "cannot rename $prefix to $dest (does $dest exist without .complete? remove it and run again)"
fi
echo "$dest"
