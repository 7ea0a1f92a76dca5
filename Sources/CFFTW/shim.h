// SPDX-License-Identifier: GPL-2.0-or-later
// FFTW 3 (double and single precision). Linked statically: see Package.swift.
#include <fftw3.h>

/* fftw_version is an array of unknown size, which Swift cannot import directly. */
static inline const char *cfftw_version_string(void) { return fftw_version; }
