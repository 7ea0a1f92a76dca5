// SPDX-License-Identifier: GPL-2.0-or-later
// A driver for profiling the fused log-mel pipeline through the C ABI, one thread:
// log-mel (swiftspec_log_melspectrogram, top_db 80) of CLIPS float32 noise clips at 32 kHz,
// one clip per call, 128 Slaney mels, periodic Hann window.
//
//   cc -O2 -I Sources/CSwiftSpec/include tools/profile_logmel.c -L python/swiftspec/_lib
//      -lswiftspec -Wl,-rpath,$PWD/python/swiftspec/_lib -o prof        (one command)
//   ./prof N_FFT PRECISION CLIPS [HOP] [SECONDS]        (PRECISION: 0 exact, 1 fast)
//   perf record ./prof 2048 1 300 && perf report --no-children
//   valgrind --tool=callgrind --toggle-collect=swiftspec_log_melspectrogram ./prof 2048 1 10
//
// (valgrind hides AVX-512 from the program, so callgrind profiles the AVX2 kernels.)
#define _POSIX_C_SOURCE 199309L  // clock_gettime under -std=c99
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "swiftspec.h"

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s N_FFT PRECISION CLIPS [HOP] [SECONDS]\n", argv[0]);
    return 2;
  }
  int64_t n_fft = atoll(argv[1]);
  int32_t precision = atoi(argv[2]);
  int clips = atoi(argv[3]);
  int64_t hop = argc > 4 ? atoll(argv[4]) : 512;
  double seconds = argc > 5 ? atof(argv[5]) : 5;
  const double sr = 32000;
  const int64_t n_mels = 128, n = (int64_t)(seconds * sr), bins = n_fft / 2 + 1;
  float *y = malloc(sizeof *y * (size_t)(n * clips));
  double *window = malloc(sizeof *window * (size_t)n_fft);
  float *basis = malloc(sizeof *basis * (size_t)(n_mels * bins));
  int64_t frames = 0, empty = 0;
  if (!y || !window || !basis) return 1;
  uint32_t state = 12345;  // uniform noise in [-0.5, 0.5) from an LCG: no dependencies
  for (int64_t i = 0; i < n * clips; i++) {
    state = state * 1664525u + 1013904223u;
    y[i] = (float)((int32_t)state / 4294967296.0);
  }
  int32_t status = swiftspec_get_window(SWIFTSPEC_WINDOW_HANN, n_fft, 1, window, n_fft);
  status |= swiftspec_mel_filter_bank(sr, n_fft, n_mels, 0, sr / 2, 0, 1, SWIFTSPEC_FLOAT32,
                                      basis, n_mels * bins, &empty);
  status |= swiftspec_stft_n_frames(n, n_fft, hop, 1, &frames);
  float *out = malloc(sizeof *out * (size_t)(clips * n_mels * frames));
  if (!out || status != SWIFTSPEC_OK) return 1;
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (int c = 0; c < clips; c++) {
    status |= swiftspec_log_melspectrogram(
        y + c * n, SWIFTSPEC_FLOAT32, 1, n, n_fft, hop, window, 1, SWIFTSPEC_PAD_CONSTANT,
        precision, 2.0, basis, n_mels, SWIFTSPEC_REF_SCALAR, 0.0, 1e-10, 1, 80.0,
        out + c * n_mels * frames, SWIFTSPEC_FLOAT32, n_mels * frames, 1);
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  double elapsed = (double)(end.tv_sec - start.tv_sec) + 1e-9 * (double)(end.tv_nsec - start.tv_nsec);
  printf("status %d, simd %s, %lld frames per clip, %.3f ms per clip, %.0f ns per frame\n",
         (int)status, swiftspec_simd_level(), (long long)frames, 1e3 * elapsed / clips,
         1e9 * elapsed / clips / (double)frames);
  return status == SWIFTSPEC_OK ? 0 : 1;
}
