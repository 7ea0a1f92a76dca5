/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * smoke.c: a C99 client of libswiftspec, compiled against swiftspec.h alone.
 * `make c-smoke` builds it with -std=c99 -Wall -Wextra -Werror and runs it.
 *
 * Every expected value is analytic (closed forms, exact sums, 10*log10 of known powers)
 * or a status code from the header; none comes from swiftspec itself. One line per
 * check, then "N passed, M failed"; the exit status is non-zero on any failure.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swiftspec.h"

#define PI 3.14159265358979323846

static int passed = 0;
static int failed = 0;

static void check(int ok, const char *what, const char *detail) {
  if (ok) {
    passed++;
    printf("ok   %s\n", what);
  } else {
    failed++;
    printf("FAIL %s: %s\n", what, detail);
  }
}

static char detail[256];

/* Slaney mel scale (librosa's default), written out independently of the library. */
static double hz_to_mel(double hz) {
  const double f_sp = 200.0 / 3.0, min_log_hz = 1000.0, logstep = log(6.4) / 27.0;
  if (hz >= min_log_hz) return min_log_hz / f_sp + log(hz / min_log_hz) / logstep;
  return hz / f_sp;
}

static double mel_to_hz(double mel) {
  const double f_sp = 200.0 / 3.0, min_log_hz = 1000.0, logstep = log(6.4) / 27.0;
  const double min_log_mel = min_log_hz / f_sp;
  if (mel >= min_log_mel) return min_log_hz * exp(logstep * (mel - min_log_mel));
  return f_sp * mel;
}

static void check_abi(void) {
  int32_t version = swiftspec_abi_version();
  snprintf(detail, sizeof detail, "library %d, header %d", (int)version, SWIFTSPEC_ABI_VERSION);
  check(version == SWIFTSPEC_ABI_VERSION, "abi_version matches SWIFTSPEC_ABI_VERSION", detail);
  const char *fftw = swiftspec_fftw_version();
  check(fftw != NULL && strncmp(fftw, "fftw-", 5) == 0, "fftw_version is an FFTW version",
        fftw ? fftw : "NULL");
  const char *simd = swiftspec_simd_level();
  check(simd != NULL && (strcmp(simd, "baseline") == 0 || strcmp(simd, "avx2") == 0 ||
                         strcmp(simd, "avx512") == 0),
        "simd_level is baseline, avx2 or avx512", simd ? simd : "NULL");
}

static void check_hann(void) {
  enum { N = 512 };
  double w[N];
  int32_t status = swiftspec_get_window(SWIFTSPEC_WINDOW_HANN, N, 1, w, N);
  double worst = 0.0;
  for (int n = 0; n < N; n++) {
    double expected = 0.5 - 0.5 * cos(2.0 * PI * n / N);
    double error = fabs(w[n] - expected);
    if (error > worst) worst = error;
  }
  snprintf(detail, sizeof detail, "status %d, max error %.3g", (int)status, worst);
  check(status == SWIFTSPEC_OK && worst <= 1e-15,
        "periodic hann(512) = 0.5 - 0.5 cos(2 pi n / N) within 1e-15", detail);

  double s[9];
  status = swiftspec_get_window(SWIFTSPEC_WINDOW_HANN, 9, 0, s, 9);
  worst = 0.0;
  for (int n = 0; n < 9; n++) {
    double error = fabs(s[n] - (0.5 - 0.5 * cos(2.0 * PI * n / 8)));
    if (error > worst) worst = error;
  }
  snprintf(detail, sizeof detail, "status %d, max error %.3g", (int)status, worst);
  check(status == SWIFTSPEC_OK && worst <= 1e-15 && s[0] == 0.0 && s[4] == 1.0,
        "symmetric hann(9) = 0.5 - 0.5 cos(2 pi n / (N-1)), ends 0, middle 1", detail);
}

enum { SR = 16000, NFFT = 512, HOP = 128, LEN = 8192, BINS = NFFT / 2 + 1 };

static void check_stft(void) {
  double window[NFFT];
  swiftspec_get_window(SWIFTSPEC_WINDOW_HANN, NFFT, 1, window, NFFT);
  int64_t frames = -1;
  int32_t status = swiftspec_stft_n_frames(LEN, NFFT, HOP, 1, &frames);
  snprintf(detail, sizeof detail, "status %d, %lld frames", (int)status, (long long)frames);
  check(status == SWIFTSPEC_OK && frames == 1 + LEN / HOP,
        "stft_n_frames(center) = 1 + len / hop", detail);

  float *sine = malloc(sizeof(float) * LEN);
  double *ones = malloc(sizeof(double) * LEN);
  float *spectrum = malloc(sizeof(float) * 2 * (size_t)frames * BINS);
  double *dc_spectrum = malloc(sizeof(double) * 2 * (size_t)frames * BINS);
  if (!sine || !ones || !spectrum || !dc_spectrum) {
    check(0, "allocate test buffers", "malloc failed");
    return;
  }
  for (int n = 0; n < LEN; n++) {
    sine[n] = (float)sin(2.0 * PI * 1000.0 * n / SR);
    ones[n] = 1.0;
  }

  /* 1 kHz at 16 kHz with n_fft = 512: exactly bin 1000 * 512 / 16000 = 32. */
  status = swiftspec_stft(sine, SWIFTSPEC_FLOAT32, 1, LEN, NFFT, HOP, window, 1,
                          SWIFTSPEC_PAD_CONSTANT, SWIFTSPEC_PRECISION_EXACT, spectrum,
                          SWIFTSPEC_FLOAT32, frames * BINS, 1);
  int wrong_frames = 0, example_peak = -1;
  for (int64_t t = 4; t < frames - 4; t++) { /* frames clear of the padded ends */
    const float *x = spectrum + 2 * t * BINS;
    int peak = 0;
    double best = -1.0;
    for (int k = 0; k < BINS; k++) {
      double magnitude = hypot(x[2 * k], x[2 * k + 1]);
      if (magnitude > best) {
        best = magnitude;
        peak = k;
      }
    }
    if (peak != 1000 * NFFT / SR) wrong_frames++;
    example_peak = peak;
  }
  snprintf(detail, sizeof detail, "status %d, %d frames with another peak (e.g. bin %d)",
           (int)status, wrong_frames, example_peak);
  check(status == SWIFTSPEC_OK && wrong_frames == 0,
        "stft of a 1 kHz sine peaks at bin 32 in every interior frame", detail);

  /* Its magnitude: a sine of amplitude 1 on bin k0 gives |X[k0]| = sum(w) / 2 = N / 4. */
  const float *mid = spectrum + 2 * (frames / 2) * BINS;
  double magnitude = hypot(mid[2 * 32], mid[2 * 32 + 1]);
  snprintf(detail, sizeof detail, "|X[32]| = %.9g, expected %.9g", magnitude, NFFT / 4.0);
  check(fabs(magnitude - NFFT / 4.0) <= 1e-4 * NFFT / 4.0,
        "the peak magnitude is N/4 (amplitude 1, periodic hann)", detail);

  /* A constant signal: the DC bin of an interior frame is sum(w) = N / 2 exactly. */
  status = swiftspec_stft(ones, SWIFTSPEC_FLOAT64, 1, LEN, NFFT, HOP, window, 1,
                          SWIFTSPEC_PAD_CONSTANT, SWIFTSPEC_PRECISION_EXACT, dc_spectrum,
                          SWIFTSPEC_FLOAT64, frames * BINS, 2);
  const double *dc = dc_spectrum + 2 * (frames / 2) * BINS;
  double leak = 0.0;
  for (int k = 2; k < BINS; k++) leak = fmax(leak, hypot(dc[2 * k], dc[2 * k + 1]));
  snprintf(detail, sizeof detail, "status %d, DC %.17g + %.3gi, expected %d", (int)status,
           dc[0], dc[1], NFFT / 2);
  check(status == SWIFTSPEC_OK && fabs(dc[0] - NFFT / 2.0) <= 1e-10 && fabs(dc[1]) <= 1e-12,
        "stft DC bin of a constant = sum of the window = N/2", detail);
  snprintf(detail, sizeof detail, "bin 1 = %.17g (expected -N/4), max |X[k>=2]| = %.3g",
           dc[2], leak);
  check(fabs(dc[2] + NFFT / 4.0) <= 1e-10 && leak <= 1e-10,
        "hann's spectrum of a constant: X[1] = -N/4, nothing beyond", detail);

  free(sine);
  free(ones);
  free(spectrum);
  free(dc_spectrum);
}

static void check_mel(void) {
  enum { MELS = 40 };
  static double bank[MELS * BINS];
  int64_t empty = -1;
  int32_t status = swiftspec_mel_filter_bank(SR, NFFT, MELS, 0.0, SR / 2.0, 0, 1,
                                             SWIFTSPEC_FLOAT64, bank, MELS * BINS, &empty);
  snprintf(detail, sizeof detail, "status %d, %lld empty", (int)status, (long long)empty);
  check(status == SWIFTSPEC_OK && empty == 0, "mel_filter_bank(16000, 512, 40): no empty filter",
        detail);

  int negative = 0, far = 0, worst_row = -1;
  double worst = 0.0;
  const double bin_hz = (double)SR / NFFT;
  const double lo = hz_to_mel(0.0), hi = hz_to_mel(SR / 2.0);
  for (int m = 0; m < MELS; m++) {
    const double *row = bank + m * BINS;
    int peak = 0;
    for (int k = 0; k < BINS; k++) {
      if (row[k] < 0.0) negative++;
      if (row[k] > row[peak]) peak = k;
    }
    /* Filter m is a triangle over the mel edges m, m+1, m+2 of n_mels + 2 points evenly
     * spaced in mel: it peaks at the bin nearest its centre, edge m + 1. */
    double centre = mel_to_hz(lo + (hi - lo) * (m + 1) / (MELS + 1));
    double distance = fabs(peak * bin_hz - centre);
    if (distance > worst) {
      worst = distance;
      worst_row = m;
    }
    if (distance > bin_hz) far++;
  }
  snprintf(detail, sizeof detail, "%d negative weights", negative);
  check(status == SWIFTSPEC_OK && negative == 0, "mel weights are non-negative", detail);
  snprintf(detail, sizeof detail, "%d rows off by more than a bin; worst row %d by %.1f Hz",
           far, worst_row, worst);
  check(far == 0, "each mel filter peaks within one bin of its centre frequency", detail);
}

static void check_decibels(void) {
  double power[6] = {1.0, 10.0, 100.0, 1e-3, 2.0, 0.0};
  double db[6];
  const double expected[6] = {0.0, 10.0, 20.0, -30.0, 10.0 * log10(2.0), -100.0};
  int32_t status = swiftspec_power_to_db(power, SWIFTSPEC_FLOAT64, 1, 6, SWIFTSPEC_REF_SCALAR,
                                         0.0, 1e-10, 0, 0.0, db, 6, 1);
  double worst = 0.0;
  for (int i = 0; i < 6; i++) worst = fmax(worst, fabs(db[i] - expected[i]));
  snprintf(detail, sizeof detail, "status %d, max error %.3g dB", (int)status, worst);
  check(status == SWIFTSPEC_OK && worst <= 1e-12,
        "power_to_db = 10 log10(max(amin, S)) for 1, 10, 100, 1e-3, 2, 0", detail);

  /* ref = max per group (100 -> 20 dB), then top_db = 50 clamps at max - 50 = -50. */
  double groups[6] = {100.0, 1.0, 1e-9, 4.0, 0.4, 4e-7};
  const double clamped[6] = {0.0, -20.0, -50.0, 0.0, -10.0, -50.0};
  status = swiftspec_power_to_db(groups, SWIFTSPEC_FLOAT64, 2, 3, SWIFTSPEC_REF_MAX, 0.0,
                                 1e-10, 1, 50.0, groups, 6, 2);
  worst = 0.0;
  for (int i = 0; i < 6; i++) worst = fmax(worst, fabs(groups[i] - clamped[i]));
  snprintf(detail, sizeof detail, "status %d, max error %.3g dB", (int)status, worst);
  check(status == SWIFTSPEC_OK && worst <= 1e-12,
        "power_to_db in place, ref = max per group, top_db = 50", detail);
}

/* Savitzky-Golay derivatives of k^2 with the textbook 5-point quadratic fit (rows: the
 * coefficients of 1, s and s^2 over s = -2..2). A quadratic is fitted exactly, so with
 * INTERP the first derivative is 2k and the second 2 at every sample, ends included;
 * MIRROR extends k^2 about k = 0 as k^2 again, so its first output is exactly 0. */
static void check_savgol(void) {
  const double fit[3][5] = {{-3 / 35.0, 12 / 35.0, 17 / 35.0, 12 / 35.0, -3 / 35.0},
                            {-0.2, -0.1, 0.0, 0.1, 0.2},
                            {2 / 14.0, -1 / 14.0, -2 / 14.0, -1 / 14.0, 2 / 14.0}};
  enum { N = 10 };
  float squares[2][N], out[2][N];
  for (int k = 0; k < N; k++) squares[0][k] = squares[1][k] = (float)(k * k);
  double worst = 0.0;
  int32_t status = SWIFTSPEC_OK;
  for (int deriv = 1; deriv <= 2; deriv++) {
    int32_t s = swiftspec_savgol_filter(squares, SWIFTSPEC_FLOAT32, 2, N, 1, 5, &fit[0][0], 2,
                                        deriv, 1.0, SWIFTSPEC_SAVGOL_INTERP, 0.0, out, 2 * N, 1);
    if (s != SWIFTSPEC_OK) status = s;
    for (int r = 0; r < 2; r++)
      for (int k = 0; k < N; k++) worst = fmax(worst, fabs(out[r][k] - (deriv == 1 ? 2.0 * k : 2.0)));
  }
  snprintf(detail, sizeof detail, "status %d, max error %.3g", (int)status, worst);
  check(status == SWIFTSPEC_OK && worst <= 1e-4,
        "savgol_filter INTERP: d/dk k^2 = 2k and d2/dk2 = 2, ends included", detail);

  status = swiftspec_savgol_filter(squares, SWIFTSPEC_FLOAT32, 2, N, 1, 5, &fit[0][0], 2, 1,
                                   1.0, SWIFTSPEC_SAVGOL_MIRROR, 0.0, out, 2 * N, 1);
  snprintf(detail, sizeof detail, "status %d, out[0] = %g, out[1] = %g", (int)status,
           out[0][0], out[0][1]);
  check(status == SWIFTSPEC_OK && fabs(out[0][0]) <= 1e-5 && fabs(out[0][1] - 2.0) <= 1e-5,
        "savgol_filter MIRROR: k^2 reflected about 0 has derivative 0, then 2", detail);

  status = swiftspec_savgol_filter(squares, SWIFTSPEC_FLOAT32, 2, 4, 1, 5, &fit[0][0], 2, 1,
                                   1.0, SWIFTSPEC_SAVGOL_INTERP, 0.0, out, 2 * N, 1);
  snprintf(detail, sizeof detail, "status %d", (int)status);
  check(status == SWIFTSPEC_ERR_INVALID_ARGUMENT,
        "savgol_filter INTERP with fewer samples than width -> INVALID_ARGUMENT", detail);
}

static void check_errors(void) {
  double window[NFFT], out[BINS];
  swiftspec_get_window(SWIFTSPEC_WINDOW_HANN, NFFT, 1, window, NFFT);

  int32_t status = swiftspec_get_window(SWIFTSPEC_WINDOW_HANN, 16, 1, NULL, 16);
  snprintf(detail, sizeof detail, "status %d", (int)status);
  check(status == SWIFTSPEC_ERR_NULL_POINTER, "NULL output -> SWIFTSPEC_ERR_NULL_POINTER",
        detail);

  int64_t frames = 0;
  status = swiftspec_stft_n_frames(LEN, NFFT, HOP, 1, NULL);
  snprintf(detail, sizeof detail, "status %d", (int)status);
  check(status == SWIFTSPEC_ERR_NULL_POINTER, "NULL n_frames -> SWIFTSPEC_ERR_NULL_POINTER",
        detail);

  status = swiftspec_stft(NULL, SWIFTSPEC_FLOAT64, 1, LEN, NFFT, HOP, window, 1,
                          SWIFTSPEC_PAD_CONSTANT, SWIFTSPEC_PRECISION_EXACT, out,
                          SWIFTSPEC_FLOAT64, 1, 1);
  snprintf(detail, sizeof detail, "status %d", (int)status);
  check(status == SWIFTSPEC_ERR_NULL_POINTER, "NULL audio -> SWIFTSPEC_ERR_NULL_POINTER",
        detail);

  for (int k = 0; k < BINS; k++) out[k] = 7.0;
  status = swiftspec_fft_frequencies(SR, NFFT, out, BINS - 1);
  int untouched = 1;
  for (int k = 0; k < BINS; k++) untouched &= out[k] == 7.0;
  snprintf(detail, sizeof detail, "status %d, output untouched %d", (int)status, untouched);
  check(status == SWIFTSPEC_ERR_BUFFER_TOO_SMALL && untouched,
        "capacity one short -> SWIFTSPEC_ERR_BUFFER_TOO_SMALL, nothing written", detail);

  status = swiftspec_fft_frequencies(SR, NFFT, out, BINS);
  snprintf(detail, sizeof detail, "status %d, f[1] = %.17g, f[last] = %.17g", (int)status,
           out[1], out[BINS - 1]);
  check(status == SWIFTSPEC_OK && out[0] == 0.0 && out[1] == 31.25 && out[BINS - 1] == 8000.0,
        "fft_frequencies(16000, 512) = k * 31.25 Hz, up to 8000", detail);

  double audio[NFFT * 2];
  for (int n = 0; n < NFFT * 2; n++) audio[n] = 0.25;
  audio[700] = NAN;
  double spectrum[2 * 5 * BINS];
  status = swiftspec_stft(audio, SWIFTSPEC_FLOAT64, 1, NFFT * 2, NFFT, NFFT / 2, window, 1,
                          SWIFTSPEC_PAD_CONSTANT, SWIFTSPEC_PRECISION_EXACT, spectrum,
                          SWIFTSPEC_FLOAT64, 5 * BINS, 1);
  snprintf(detail, sizeof detail, "status %d", (int)status);
  check(status == SWIFTSPEC_ERR_NON_FINITE_INPUT,
        "NaN audio -> SWIFTSPEC_ERR_NON_FINITE_INPUT", detail);

  audio[700] = INFINITY;
  status = swiftspec_stft(audio, SWIFTSPEC_FLOAT64, 1, NFFT * 2, NFFT, NFFT / 2, window, 1,
                          SWIFTSPEC_PAD_CONSTANT, SWIFTSPEC_PRECISION_EXACT, spectrum,
                          SWIFTSPEC_FLOAT64, 5 * BINS, 1);
  snprintf(detail, sizeof detail, "status %d", (int)status);
  check(status == SWIFTSPEC_ERR_NON_FINITE_INPUT,
        "inf audio -> SWIFTSPEC_ERR_NON_FINITE_INPUT", detail);

  status = swiftspec_stft_n_frames(100, NFFT, HOP, 0, &frames);
  snprintf(detail, sizeof detail, "status %d", (int)status);
  check(status == SWIFTSPEC_ERR_INPUT_TOO_SHORT,
        "uncentred signal shorter than n_fft -> SWIFTSPEC_ERR_INPUT_TOO_SHORT", detail);

  status = swiftspec_stft_n_frames(LEN, NFFT, 0, 1, &frames);
  snprintf(detail, sizeof detail, "status %d", (int)status);
  check(status == SWIFTSPEC_ERR_INVALID_ARGUMENT, "hop 0 -> SWIFTSPEC_ERR_INVALID_ARGUMENT",
        detail);

  status = swiftspec_stft(audio, SWIFTSPEC_FLOAT64, INT64_C(1) << 40, INT64_C(1) << 40, NFFT,
                          HOP, window, 1, SWIFTSPEC_PAD_CONSTANT, SWIFTSPEC_PRECISION_EXACT,
                          spectrum, SWIFTSPEC_FLOAT64, 5 * BINS, 1);
  snprintf(detail, sizeof detail, "status %d", (int)status);
  check(status == SWIFTSPEC_ERR_SIZE_OVERFLOW,
        "n_rows * n_samples overflow -> SWIFTSPEC_ERR_SIZE_OVERFLOW", detail);

  static const int32_t codes[] = {
      SWIFTSPEC_OK, SWIFTSPEC_ERR_INVALID_ARGUMENT, SWIFTSPEC_ERR_NULL_POINTER,
      SWIFTSPEC_ERR_BUFFER_TOO_SMALL, SWIFTSPEC_ERR_INPUT_TOO_SHORT,
      SWIFTSPEC_ERR_NON_FINITE_INPUT, SWIFTSPEC_ERR_OUT_OF_MEMORY,
      SWIFTSPEC_ERR_FFT_PLAN_FAILED, SWIFTSPEC_ERR_SIZE_OVERFLOW, SWIFTSPEC_ERR_INTERNAL,
      -1, 42, INT32_MAX, INT32_MIN};
  int bad = 0;
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    const char *text = swiftspec_strerror(codes[i]);
    if (text == NULL || text[0] == '\0') bad++;
  }
  snprintf(detail, sizeof detail, "%d NULL or empty messages", bad);
  check(bad == 0, "strerror is non-NULL and non-empty for every code, known or not", detail);
  check(strcmp(swiftspec_strerror(SWIFTSPEC_OK), swiftspec_strerror(SWIFTSPEC_ERR_NULL_POINTER)) &&
            strcmp(swiftspec_strerror(42), swiftspec_strerror(SWIFTSPEC_ERR_INTERNAL)),
        "strerror distinguishes codes; unknown codes get a generic message", "same text");
}

int main(void) {
  check_abi();
  check_hann();
  check_stft();
  check_mel();
  check_decibels();
  check_savgol();
  check_errors();
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
