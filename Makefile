# SPDX-License-Identifier: GPL-2.0-or-later
# Quick start: `make demo` and `make test` set everything up from a fresh clone.

PYTHON ?= python3
# librosa 1.0 needs Python >= 3.12; python3 (3.11 here) gets librosa 0.11.
PYTHON312 ?= env PYENV_VERSION=3.12.1 python3.12
VENV := .venv
PY311 := $(VENV)/py3/bin/python
PY312 := $(VENV)/py312/bin/python
LIB := python/swiftspec/_lib/libswiftspec.so
SWIFT_RELEASE := swift build -c release -Xswiftc -static-stdlib --product swiftspec
TEST_DEPS := numpy pytest librosa pillow scipy matplotlib "dask[distributed]"

.PHONY: all build system-deps venvs test swift-test c-smoke py-test demo bench package-test wisdom clean

all: build

system-deps:
	@dpkg -s libfftw3-dev >/dev/null 2>&1 || { apt-get update && apt-get install -y libfftw3-dev; }
	@command -v swift >/dev/null || { echo "swift is not on PATH: install a Swift 6 toolchain (swift.org)"; exit 1; }

# The shared library, self-contained (static Swift runtime and FFTW), copied into the package.
build: system-deps
	$(SWIFT_RELEASE)
	mkdir -p $(dir $(LIB))
	cp .build/release/libswiftspec.so $(LIB).tmp && mv $(LIB).tmp $(LIB)

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
	$(VENV)/$*/bin/python -m pip install -q $(TEST_DEPS)
	$(call install_torch,$(VENV)/$*)
	touch $@

venvs: $(VENV)/py3/.ready $(VENV)/py312/.ready

swift-test: system-deps
	swift test

c-smoke: build
	mkdir -p .build/smoke
	gcc -std=c99 -Wall -Wextra -Werror -I Sources/CSwiftSpec/include Tests/CABISmoke/smoke.c \
	  -L $(dir $(LIB)) -lswiftspec -Wl,-rpath,$(abspath $(dir $(LIB))) -lm -o .build/smoke/smoke
	.build/smoke/smoke

py-test: build venvs
	PYTHONPATH=python $(PY311) -m pytest python/tests -q
	PYTHONPATH=python $(PY312) -m pytest python/tests -q

test: swift-test c-smoke py-test

# Peers for bench/: librosa, scipy, and torchaudio (see install_torch).
BENCH := $(VENV)/bench/bin/python
$(BENCH):
	$(PYTHON) -m venv $(VENV)/bench
	$(BENCH) -m pip install -q numpy scipy librosa
	$(call install_torch,$(VENV)/bench)

bench: build $(BENCH)
	PYTHONPATH=python $(BENCH) bench/bench.py

demo: build $(VENV)/py3/.ready
	PYTHONPATH=python $(PY311) -m swiftspec images

clean:
	rm -rf .build $(VENV) $(LIB) build dist python/*.egg-info

# Regenerate the FFTW wisdom embedded in the library (about 40 s; see tools/make_wisdom.c).
wisdom: system-deps
	mkdir -p .build
	cc -O2 tools/make_wisdom.c -l:libfftw3f.a -l:libfftw3.a -lm -o .build/make_wisdom
	.build/make_wisdom > Sources/SwiftSpec/FFTWisdom.swift.tmp
	mv Sources/SwiftSpec/FFTWisdom.swift.tmp Sources/SwiftSpec/FFTWisdom.swift

# Build the wheel, install it in a fresh venv, and check that it is self-contained.
package-test: system-deps
	bash tools/package_test.sh "$(PYTHON)"
