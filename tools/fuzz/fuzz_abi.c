/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fuzz_abi.c: a libFuzzer harness over the C ABI of libswiftspec (swiftspec.h).
 *
 * Each input is decoded into one call: the first byte picks the function, the following
 * bytes its arguments. Sizes are mostly small valid values and sometimes hostile ones
 * (0, -1, INT32_MAX, 2**40, 2**62, INT64_MIN/MAX, values whose byte count overflows);
 * codes (dtype, pad mode, window, precision, flags) stray outside their enums; doubles
 * include NaN, +-inf, 0, -0, denormals and DBL_MAX. Bulk data (audio, windows, mel bases,
 * DCT matrices, spectra) comes from a PRNG seeded by the input, with NaN/inf/huge values
 * sprinkled in on request, so a few bytes describe a whole signal.
 *
 * Every buffer is malloc'ed with exactly the size the call is told, so AddressSanitizer
 * flags any read or write outside it. A hostile size is passed only with a NULL pointer
 * (a caller cannot own a 2**62-element buffer), and a capacity larger than the real
 * allocation only when the call needs no more than what is allocated.
 *
 * Checked after every call (a failed check aborts, which libFuzzer reports as a crash):
 *  - the status is one of the documented codes, and never SWIFTSPEC_ERR_INTERNAL;
 *  - on an error, the output buffer is untouched (the header: nothing written on error);
 *  - inputs are never modified;
 *  - on success, sizes agree with an independent computation (frames, istft length),
 *    the capacity was enough, and the output is finite whenever the inputs are "tame"
 *    (bounded audio in [-1, 1], windows and bases in [0, 1], moderate parameters);
 *  - a call with NaN/inf audio, window, mel basis or DCT matrix never succeeds;
 *  - unless the input says otherwise: the same call with another thread count gives the
 *    same bytes, and a batch's first row equals the single-row call; log-mel equals
 *    power_to_db of the mel spectrogram, MFCC the DCT (float64 sums) of the log-mel
 *    spectrogram, and the power spectrogram |stft|^2, bit for bit.
 *
 * Build and run: `make fuzz` (FUZZ_SECONDS, default 300) or `make fuzz-smoke` (30 s).
 * Compiled with -DFUZZ_REPLAY_MAIN (no libFuzzer), it is a plain program that runs the
 * inputs in the files and directories given on its command line: `make fuzz-valgrind`
 * replays the seed corpus under valgrind against the release library.
 */
#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swiftspec.h"

/* ---- Limits keeping each execution fast (elements, not bytes) -------------------------- */
#define MAX_SAMPLES 8192    /* rows * n_samples */
#define MAX_NFFT 2048
#define MAX_WORK (1 << 17)  /* rows * frames * n_fft, the FFT work of one call */
#define MAX_OUT (1 << 20)   /* elements of any output buffer */
#define MAX_MELS 160
#define MAX_MFCC 48

/* ---- Failure reporting ------------------------------------------------------------------ */
static char described[512]; /* the arguments of the call under test, for failure reports */

static void fail(const char *function, const char *what, int32_t status) {
  fprintf(stderr, "fuzz_abi: %s: %s (status %d: %s)\n  arguments: %s\n", function, what,
          (int)status, swiftspec_strerror(status), described);
  abort();
}

static int documented(int32_t status) {
  return (status >= SWIFTSPEC_OK && status <= SWIFTSPEC_ERR_SIZE_OVERFLOW);
}

static void check_status(const char *function, int32_t status) {
  if (!documented(status)) fail(function, "undocumented or internal status code", status);
  const char *message = swiftspec_strerror(status);
  if (message == NULL || message[0] == '\0') fail(function, "strerror gave no message", status);
}

/* ---- Input decoding ----------------------------------------------------------------------- */
typedef struct {
  const uint8_t *data;
  size_t size;
} Source;

static uint8_t u8(Source *s) {
  if (s->size == 0) return 0;
  s->size--;
  return *s->data++;
}

/* Little-endian; two reads are sequenced (their order in one expression is unspecified). */
static uint16_t u16(Source *s) {
  uint16_t low = u8(s);
  return (uint16_t)(low | (uint16_t)u8(s) << 8);
}

static uint32_t u32(Source *s) {
  uint32_t low = u16(s);
  return low | (uint32_t)u16(s) << 16;
}

static uint64_t u64(Source *s) {
  uint64_t low = u32(s);
  return low | (uint64_t)u32(s) << 32;
}

static uint64_t next_random(uint64_t *state) { /* splitmix64 */
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static double uniform(uint64_t *state) { /* [0, 1) */
  return (double)(next_random(state) >> 11) * 0x1.0p-53;
}

static const int64_t hostile_counts[] = {
    0, -1, 1, 2, INT64_MIN, INT64_MAX, -INT64_MAX, (int64_t)1 << 40, (int64_t)1 << 62,
    INT32_MAX, (int64_t)INT32_MAX + 1, (int64_t)INT32_MAX + 2, (int64_t)UINT32_MAX,
    INT64_MAX / 2 + 1, INT64_MAX / 4 + 1, INT64_MAX / 8 + 1, INT64_MAX / 16 + 1,
    ((int64_t)1 << 31) * 3, (int64_t)3037000500 /* ~sqrt(2**63) */, -((int64_t)1 << 40)};

/* A count: usually in [lo, hi], 1 time in 16 a hostile value. Sets *wild for hostile. */
static int64_t pick_count(Source *s, int64_t lo, int64_t hi, int *wild) {
  uint8_t mode = u8(s);
  if ((mode & 15) == 15) {
    int64_t v = hostile_counts[u8(s) % (sizeof hostile_counts / sizeof hostile_counts[0])];
    if (v < lo || v > hi) *wild = 1;
    return v;
  }
  uint32_t raw = (mode & 16) ? u8(s) : u16(s);
  return lo + (int64_t)(raw % (uint32_t)(hi - lo + 1));
}

/* An enum or flag code: usually in [lo - 1, hi + 1], sometimes any int32. */
static int32_t pick_code(Source *s, int32_t lo, int32_t hi, int *bad) {
  uint8_t mode = u8(s);
  int32_t v;
  if ((mode & 31) == 31) {
    v = (int32_t)u32(s);
  } else if ((mode & 7) == 7) {
    v = (mode & 8) ? lo - 1 : hi + 1;
  } else {
    v = lo + (int32_t)(u8(s) % (uint32_t)(hi - lo + 1));
  }
  if (v < lo || v > hi) *bad = 1;
  return v;
}

static const double special_doubles[] = {
    0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1e-10, 1e-300, 5e-324, -5e-324, DBL_MAX, -DBL_MAX,
    1e308, -1e308, 1e38, 3.5e38, INFINITY, -INFINITY, NAN, -NAN, 22050.0, 16000.0,
    44100.0, 8000.0, 80.0, 120.0, 1e-20, 4503599627370497.0};

/* A double in the "tame" interval [lo, hi] (quantised), or 1 time in 8 a special value
 * (then *wild is set unless the value happens to lie in [lo, hi]). */
static double pick_double(Source *s, double lo, double hi, int *wild) {
  uint8_t mode = u8(s);
  if ((mode & 7) == 7) {
    double v;
    if (mode & 8) {
      uint64_t bits = u64(s);
      memcpy(&v, &bits, sizeof v);
    } else {
      v = special_doubles[u8(s) % (sizeof special_doubles / sizeof special_doubles[0])];
    }
    if (!(v >= lo && v <= hi)) *wild = 1;
    return v;
  }
  return lo + (hi - lo) * (u16(s) / 65535.0);
}

static int32_t pick_threads(Source *s, int *bad) {
  uint8_t mode = u8(s);
  switch (mode & 31) {
  case 31: *bad = 1; return -1;
  case 30: *bad = 1; return INT32_MIN;
  case 29: return 64;
  default: return (int32_t)(mode % 5); /* 0 = default (all cores), 1..4 */
  }
}

/* ---- Buffers ------------------------------------------------------------------------------ */
/* Exactly-sized allocations; NULL for counts that are not small and non-negative. */
static void *alloc_bytes(int64_t count, size_t element) {
  if (count < 0 || count > MAX_OUT * 2) return NULL;
  void *p = malloc((size_t)count * element);
  if (p == NULL && count > 0) abort();
  return p;
}

/* Content of a bulk buffer: kind 0 tame, 1 with a NaN, 2 with an inf, 3 huge finite,
 * 4 denormal/zero edge values. Tame values are in [lo, hi]. */
enum { FILL_TAME = 0, FILL_NAN, FILL_INF, FILL_HUGE, FILL_TINY, FILL_KINDS };

static void fill_doubles(double *p, int64_t n, uint64_t *rng, int kind, double lo, double hi) {
  if (p == NULL || n <= 0) return;
  int shape = (int)(next_random(rng) % 4);
  double f = 0.001 + 0.3 * uniform(rng);
  for (int64_t i = 0; i < n; i++) {
    double u;
    switch (shape) {
    case 0: u = uniform(rng); break;                                /* noise */
    case 1: u = 0.5 + 0.5 * sin(f * (double)i); break;              /* tone */
    case 2: u = (i % 97 == 0) ? 1.0 : 0.5; break;                   /* clicks */
    default: u = (double)(next_random(rng) & 1); break;             /* square-ish */
    }
    p[i] = lo + (hi - lo) * u;
  }
  int64_t at = (int64_t)(next_random(rng) % (uint64_t)n);
  switch (kind) {
  case FILL_NAN: p[at] = NAN; break;
  case FILL_INF: p[at] = (next_random(rng) & 1) ? INFINITY : -INFINITY; break;
  case FILL_HUGE: p[at] = (next_random(rng) & 1) ? 1e300 : -3e38; break;
  case FILL_TINY: p[at] = 5e-324; p[(at + 1) % n] = -0.0; break;
  default: break;
  }
}

static void fill_floats(float *p, int64_t n, uint64_t *rng, int kind, double lo, double hi) {
  if (p == NULL || n <= 0) return;
  int shape = (int)(next_random(rng) % 4);
  double f = 0.001 + 0.3 * uniform(rng);
  for (int64_t i = 0; i < n; i++) {
    double u;
    switch (shape) {
    case 0: u = uniform(rng); break;
    case 1: u = 0.5 + 0.5 * sin(f * (double)i); break;
    case 2: u = (i % 97 == 0) ? 1.0 : 0.5; break;
    default: u = (double)(next_random(rng) & 1); break;
    }
    p[i] = (float)(lo + (hi - lo) * u);
  }
  int64_t at = (int64_t)(next_random(rng) % (uint64_t)n);
  switch (kind) {
  case FILL_NAN: p[at] = NAN; break;
  case FILL_INF: p[at] = (next_random(rng) & 1) ? INFINITY : -INFINITY; break;
  case FILL_HUGE: p[at] = (next_random(rng) & 1) ? 3e38f : -3e38f; break;
  case FILL_TINY: p[at] = 1e-45f; p[(at + 1) % n] = -0.0f; break;
  default: break;
  }
}

/* dtype 1 = float, 2 = double, anything else: treated as double-sized for allocation. */
static size_t dtype_size(int32_t dtype) { return dtype == SWIFTSPEC_FLOAT32 ? 4 : 8; }

static void fill_typed(void *p, int32_t dtype, int64_t n, uint64_t *rng, int kind, double lo,
                       double hi) {
  if (dtype == SWIFTSPEC_FLOAT32)
    fill_floats(p, n, rng, kind, lo, hi);
  else
    fill_doubles(p, n, rng, kind, lo, hi);
}

static int all_finite(const void *p, int32_t dtype, int64_t n) {
  if (p == NULL) return 1;
  for (int64_t i = 0; i < n; i++) {
    double v = dtype == SWIFTSPEC_FLOAT32 ? ((const float *)p)[i] : ((const double *)p)[i];
    if (!isfinite(v)) return 0;
  }
  return 1;
}

static int any_nonfinite(const void *p, int32_t dtype, int64_t n) {
  return p != NULL && n > 0 && !all_finite(p, dtype, n);
}

/* Bit-identical values, except that any NaN equals any NaN (numpy does not pin the sign
 * or payload of a NaN either). */
static int same_values(const void *a, const void *b, int32_t dtype, int64_t n) {
  if (memcmp(a, b, (size_t)n * dtype_size(dtype)) == 0) return 1;
  for (int64_t i = 0; i < n; i++) {
    if (dtype == SWIFTSPEC_FLOAT32) {
      float x = ((const float *)a)[i], y = ((const float *)b)[i];
      if (memcmp(&x, &y, 4) != 0 && !(isnan(x) && isnan(y))) return 0;
    } else {
      double x = ((const double *)a)[i], y = ((const double *)b)[i];
      if (memcmp(&x, &y, 8) != 0 && !(isnan(x) && isnan(y))) return 0;
    }
  }
  return 1;
}

/* A copy of a buffer to check it later for changes. */
typedef struct {
  const void *buffer;
  void *copy;
  size_t bytes;
} Snapshot;

static Snapshot snapshot(const void *buffer, size_t bytes) {
  Snapshot s = {buffer, NULL, bytes};
  if (buffer != NULL && bytes > 0) {
    s.copy = malloc(bytes);
    if (s.copy == NULL) abort();
    memcpy(s.copy, buffer, bytes);
  }
  return s;
}

static int unchanged(Snapshot *s) {
  return s->copy == NULL || memcmp(s->copy, s->buffer, s->bytes) == 0;
}

static void drop(Snapshot *s) {
  free(s->copy);
  s->copy = NULL;
}

/* Output sentinel: a byte pattern that no call writes by accident. */
#define SENTINEL 0xA5

static void *alloc_output(int64_t elements, size_t element_bytes) {
  void *p = alloc_bytes(elements, element_bytes);
  if (p != NULL && elements > 0) memset(p, SENTINEL, (size_t)elements * element_bytes);
  return p;
}

static int untouched(const void *p, int64_t elements, size_t element_bytes) {
  if (p == NULL) return 1;
  const uint8_t *b = p;
  for (size_t i = 0; i < (size_t)elements * element_bytes; i++)
    if (b[i] != SENTINEL) return 0;
  return 1;
}

/* A capacity for an output that needs `needed` elements (needed < 0: unknown or huge),
 * and the number of elements to allocate for it. Hostile capacities beyond the
 * allocation are used only where needed <= allocation. */
static int64_t pick_capacity(Source *s, int64_t needed, int64_t *allocate) {
  int64_t known = needed >= 0 && needed <= MAX_OUT ? needed : -1;
  uint8_t mode = u8(s) & 15;
  int64_t cap;
  if (known < 0) {
    /* Invalid or huge request: a small buffer with a capacity no larger than it (the
     * request may be valid but too big to allocate here: then it must be refused). */
    cap = (mode < 12) ? (int64_t)(u8(s) % 64) : ((mode & 1) ? -1 : INT64_MIN);
    *allocate = cap > 0 ? cap : 0;
    return cap;
  }
  switch (mode) {
  case 12: cap = known - 1; break;
  case 13: cap = 0; break;
  case 14: cap = hostile_counts[u8(s) % 6]; break; /* 0, -1, 1, 2, INT64_MIN, INT64_MAX */
  case 15: cap = known + 1 + (u8(s) % 8); break;
  default: cap = known; break;
  }
  *allocate = cap >= known ? (cap <= MAX_OUT ? cap : known) : (cap > 0 ? cap : 0);
  return cap;
}

/* ---- Independent size formulas (librosa's), in 128-bit arithmetic ----------------------- */
/* Frames of a (centred) analysis, or -1 when no frame fits or a size is invalid. */
static int64_t expected_frames(int64_t n, int64_t n_fft, int64_t hop, int center, int pad_mode) {
  if (n < 0 || n_fft <= 0 || hop <= 0) return -1;
  if (center && n == 0 && pad_mode != SWIFTSPEC_PAD_CONSTANT && pad_mode != SWIFTSPEC_PAD_EMPTY)
    return -1;
  __int128 padded = (__int128)n + (center ? 2 * (__int128)(n_fft / 2) : 0);
  if (!center && n_fft > n) return -1;
  if (padded < n_fft) return -1;
  __int128 frames = 1 + (padded - n_fft) / hop;
  return frames > INT64_MAX ? -1 : (int64_t)frames;
}

static int64_t product3(int64_t a, int64_t b, int64_t c) {
  if (a < 0 || b < 0 || c < 0) return -1;
  __int128 p = (__int128)a * b * c;
  return p > INT64_MAX / 16 ? -1 : (int64_t)p;
}

/* ---- The calls ------------------------------------------------------------------------- */
static void fuzz_get_window(Source *s) {
  int bad = 0, wild = 0;
  int32_t window = pick_code(s, 0, 5, &bad);
  int64_t n = pick_count(s, 0, 4096, &wild);
  int32_t periodic = pick_code(s, 0, 1, &bad);
  int64_t allocate;
  int64_t cap = pick_capacity(s, (n >= 0 && n <= 4096) ? n : -1, &allocate);
  double *out = (u8(s) & 31) == 0 ? NULL : alloc_output(allocate, 8);
  int32_t status = swiftspec_get_window(window, n, periodic, out, cap);
  check_status("get_window", status);
  if (status != SWIFTSPEC_OK) {
    if (!untouched(out, allocate, 8)) fail("get_window", "wrote output on error", status);
  } else {
    if (bad || n < 0 || out == NULL || cap < n)
      fail("get_window", "accepted bad arguments", status);
    for (int64_t i = 0; i < n; i++)
      if (!(fabs(out[i]) <= 1.0 + 1e-12)) fail("get_window", "value outside [-1, 1]", status);
  }
  free(out);
}

static void fuzz_fft_frequencies(Source *s) {
  int wild = 0;
  double sr = pick_double(s, 1.0, 96000.0, &wild);
  int64_t n_fft = pick_count(s, 0, 8192, &wild);
  int64_t allocate;
  int64_t needed = (n_fft > 0 && n_fft <= 8192) ? n_fft / 2 + 1 : -1;
  int64_t cap = pick_capacity(s, needed, &allocate);
  double *out = (u8(s) & 31) == 0 ? NULL : alloc_output(allocate, 8);
  int32_t status = swiftspec_fft_frequencies(sr, n_fft, out, cap);
  check_status("fft_frequencies", status);
  if (status != SWIFTSPEC_OK) {
    if (!untouched(out, allocate, 8)) fail("fft_frequencies", "wrote output on error", status);
  } else {
    if (!(sr > 0) || !isfinite(sr) || n_fft <= 0 || cap < needed)
      fail("fft_frequencies", "accepted bad arguments", status);
    for (int64_t k = 0; k < needed; k++) {
      if (!isfinite(out[k]) && !wild) fail("fft_frequencies", "non-finite frequency", status);
      if (k > 0 && !(out[k] >= out[k - 1])) fail("fft_frequencies", "not increasing", status);
    }
  }
  free(out);
}

static void fuzz_convert_mel(Source *s) {
  int bad = 0, wild = 0;
  int64_t n = pick_count(s, 0, 2048, &wild);
  int32_t to_mel = pick_code(s, 0, 1, &bad);
  int32_t htk = pick_code(s, 0, 1, &bad);
  int kind = u8(s) % FILL_KINDS;
  int in_place = (u8(s) & 3) == 0;
  uint64_t rng = u64(s);
  double *in = (u8(s) & 31) == 0 ? NULL : alloc_bytes(n, 8);
  fill_doubles(in, n, &rng, kind, 0.0, to_mel == 1 ? 20000.0 : 60.0);
  int64_t allocate;
  int64_t cap = pick_capacity(s, (n >= 0 && n <= 2048) ? n : -1, &allocate);
  double *out;
  Snapshot before = snapshot(in, in && n > 0 ? (size_t)n * 8 : 0);
  if (in_place && in != NULL && n > 0) {
    out = in;
    cap = n;
    allocate = n;
  } else {
    out = (u8(s) & 31) == 0 ? NULL : alloc_output(allocate, 8);
  }
  int32_t status = swiftspec_convert_mel(in, n, to_mel, htk, out, cap);
  check_status("convert_mel", status);
  if (status != SWIFTSPEC_OK) {
    if (out == in ? !unchanged(&before) : !untouched(out, allocate, 8))
      fail("convert_mel", "wrote output on error", status);
  } else {
    if (bad || n < 0 || cap < n) fail("convert_mel", "accepted bad arguments", status);
    if (out != in && !unchanged(&before)) fail("convert_mel", "modified its input", status);
    if (kind == FILL_TAME && !all_finite(out, SWIFTSPEC_FLOAT64, n))
      fail("convert_mel", "non-finite result from tame input", status);
  }
  drop(&before);
  if (out != in) free(out);
  free(in);
}

static void fuzz_mel_frequencies(Source *s) {
  int bad = 0, wild = 0;
  int64_t n_mels = pick_count(s, 0, 512, &wild);
  double fmin = pick_double(s, 0.0, 4000.0, &wild);
  double fmax = pick_double(s, 0.0, 22050.0, &wild);
  int32_t htk = pick_code(s, 0, 1, &bad);
  int64_t allocate;
  int64_t cap = pick_capacity(s, (n_mels >= 0 && n_mels <= 512) ? n_mels : -1, &allocate);
  double *out = (u8(s) & 31) == 0 ? NULL : alloc_output(allocate, 8);
  int32_t status = swiftspec_mel_frequencies(n_mels, fmin, fmax, htk, out, cap);
  check_status("mel_frequencies", status);
  if (status != SWIFTSPEC_OK) {
    if (!untouched(out, allocate, 8)) fail("mel_frequencies", "wrote output on error", status);
  } else {
    if (bad || n_mels < 0 || cap < n_mels)
      fail("mel_frequencies", "accepted bad arguments", status);
    if (!wild && !all_finite(out, SWIFTSPEC_FLOAT64, n_mels))
      fail("mel_frequencies", "non-finite result from tame input", status);
  }
  free(out);
}

static void fuzz_mel_filter_bank(Source *s) {
  int bad = 0, wild = 0;
  double sr = pick_double(s, 4000.0, 48000.0, &wild);
  int64_t n_fft = pick_count(s, 0, 4096, &wild);
  int64_t n_mels = pick_count(s, 0, 256, &wild);
  double fmin = pick_double(s, 0.0, 1000.0, &wild);
  double fmax = pick_double(s, 1500.0, 24000.0, &wild);
  int32_t htk = pick_code(s, 0, 1, &bad);
  int32_t slaney = pick_code(s, 0, 1, &bad);
  int32_t dtype = pick_code(s, 1, 2, &bad);
  int64_t needed = (n_fft > 0 && n_mels >= 0) ? product3(n_mels, n_fft / 2 + 1, 1) : -1;
  int64_t allocate;
  int64_t cap = pick_capacity(s, needed, &allocate);
  size_t esize = dtype_size(dtype);
  void *out = (u8(s) & 31) == 0 ? NULL : alloc_output(allocate, esize);
  int64_t n_empty = -7;
  int null_empty = (u8(s) & 31) == 0;
  int32_t status = swiftspec_mel_filter_bank(sr, n_fft, n_mels, fmin, fmax, htk, slaney, dtype,
                                             out, cap, null_empty ? NULL : &n_empty);
  check_status("mel_filter_bank", status);
  if (status != SWIFTSPEC_OK) {
    if (!untouched(out, allocate, esize) || n_empty != -7)
      fail("mel_filter_bank", "wrote output on error", status);
  } else {
    if (bad || null_empty || needed < 0 || cap < needed || !(sr > 0))
      fail("mel_filter_bank", "accepted bad arguments", status);
    if (n_empty < 0 || n_empty > n_mels) fail("mel_filter_bank", "n_empty out of range", status);
    /* Tame: fmin < fmax, fmax <= sr / 2, filters not crowded below one bin. */
    int tame = !wild && fmax <= sr / 2 && n_mels <= 128;
    for (int64_t i = 0; i < needed; i++) {
      double v = dtype == SWIFTSPEC_FLOAT32 ? ((float *)out)[i] : ((double *)out)[i];
      if (tame && !(isfinite(v) && v >= 0)) fail("mel_filter_bank", "bad weight", status);
    }
  }
  free(out);
}

static void fuzz_dct_matrix(Source *s) {
  int bad = 0, wild = 0;
  int32_t type = pick_code(s, 1, 3, &bad);
  int32_t norm = pick_code(s, 0, 2, &bad);
  int64_t n = pick_count(s, 0, 256, &wild);
  int64_t n_out = pick_count(s, 0, 256, &wild);
  int64_t needed = (n > 0 && n_out >= 0) ? product3(n, n_out, 1) : -1;
  int64_t allocate;
  int64_t cap = pick_capacity(s, needed, &allocate);
  double *out = (u8(s) & 31) == 0 ? NULL : alloc_output(allocate, 8);
  int32_t status = swiftspec_dct_matrix(type, norm, n, n_out, out, cap);
  check_status("dct_matrix", status);
  if (status != SWIFTSPEC_OK) {
    if (!untouched(out, allocate, 8)) fail("dct_matrix", "wrote output on error", status);
  } else {
    if (bad || needed < 0 || cap < needed || n_out > n || (type == 1 && n < 2))
      fail("dct_matrix", "accepted bad arguments", status);
    if (!all_finite(out, SWIFTSPEC_FLOAT64, needed)) fail("dct_matrix", "non-finite entry", status);
  }
  free(out);
}

static void fuzz_sizes(Source *s) {
  int bad = 0, wild = 0;
  int64_t n = pick_count(s, 0, 100000, &wild);
  int64_t n_fft = pick_count(s, 0, 5000, &wild);
  int64_t hop = pick_count(s, 0, 5000, &wild);
  int32_t center = pick_code(s, 0, 1, &bad);
  int64_t frames = -7;
  int32_t status = swiftspec_stft_n_frames(n, n_fft, hop, center, (u8(s) & 31) ? &frames : NULL);
  check_status("stft_n_frames", status);
  int64_t expect = bad ? -1 : expected_frames(n, n_fft, hop, center, SWIFTSPEC_PAD_CONSTANT);
  if (status == SWIFTSPEC_OK) {
    if (expect < 0 || frames != expect) fail("stft_n_frames", "wrong frame count", status);
  } else if (frames != -7) {
    fail("stft_n_frames", "wrote output on error", status);
  }

  int64_t length = (u8(s) & 1) ? -1 : pick_count(s, 0, 100000, &wild);
  int64_t n_out = -7;
  status = swiftspec_istft_length(n, n_fft, hop, center, length, (u8(s) & 31) ? &n_out : NULL);
  check_status("istft_length", status);
  if (status == SWIFTSPEC_OK) {
    __int128 natural = (__int128)n_fft + (__int128)hop * (n - 1) - (center ? 2 * (n_fft / 2) : 0);
    __int128 expect_out = length < 0 ? natural : length;
    if (bad || n_fft <= 0 || hop <= 0 || n < 0 || length == 0 || n_out != expect_out)
      fail("istft_length", "wrong output length", status);
  } else if (n_out != -7) {
    fail("istft_length", "wrote output on error", status);
  }
}

/* The arguments shared by stft and the fused features. */
typedef struct {
  int bad, wild, audio_kind, window_kind;
  int32_t in_dtype, out_dtype, center, pad_mode, precision, n_threads;
  int64_t rows, n_samples, n_fft, hop, frames, bins;
  void *audio;
  double *window;
  int64_t audio_count;
} Analysis;

static int64_t pick_nfft(Source *s, int *wild) {
  static const int64_t common[] = {1, 2, 3, 4, 5, 8, 16, 31, 32, 64, 100, 128, 255, 256,
                                   257, 400, 512, 1000, 1024, 2048};
  uint8_t mode = u8(s);
  if ((mode & 3) == 0) return common[u8(s) % (sizeof common / sizeof common[0])];
  return pick_count(s, 0, MAX_NFFT, wild);
}

static void analysis_decode(Source *s, Analysis *a) {
  memset(a, 0, sizeof *a);
  int ignored = 0; /* dtypes are checked below, after a fast request may reset them */
  a->in_dtype = pick_code(s, 1, 2, &ignored);
  a->out_dtype = (u8(s) & 3) ? a->in_dtype : pick_code(s, 1, 2, &ignored);
  a->rows = pick_count(s, 0, 4, &a->wild);
  a->n_fft = pick_nfft(s, &a->wild);
  a->hop = pick_count(s, 0, 2 * MAX_NFFT, &a->wild);
  a->n_samples = pick_count(s, 0, MAX_SAMPLES, &a->wild);
  a->center = pick_code(s, 0, 1, &a->bad);
  a->pad_mode = pick_code(s, 0, 5, &a->bad);
  a->precision = pick_code(s, 0, 1, &a->bad);
  if (a->precision == SWIFTSPEC_PRECISION_FAST && (u8(s) & 3)) {
    a->in_dtype = a->out_dtype = SWIFTSPEC_FLOAT32; /* mostly a valid fast request */
  }
  if (a->precision == SWIFTSPEC_PRECISION_FAST &&
      (a->in_dtype != SWIFTSPEC_FLOAT32 || a->out_dtype != SWIFTSPEC_FLOAT32))
    a->bad = 1;
  for (int i = 0; i < 2; i++) {
    int32_t code = i ? a->out_dtype : a->in_dtype;
    if (code != SWIFTSPEC_FLOAT32 && code != SWIFTSPEC_FLOAT64) a->bad = 1;
  }
  a->n_threads = pick_threads(s, &a->bad);
  a->audio_kind = (u8(s) & 7) < 6 ? FILL_TAME : u8(s) % FILL_KINDS;
  a->window_kind = (u8(s) & 15) < 14 ? FILL_TAME : u8(s) % FILL_KINDS;
  uint64_t rng = u64(s);

  /* Keep the work of valid calls bounded: fewer samples for many frames of a big FFT. */
  if (a->rows > 0 && a->rows <= 4 && a->n_samples >= 0 && a->n_samples <= MAX_SAMPLES) {
    if (a->rows * a->n_samples > MAX_SAMPLES) a->n_samples = MAX_SAMPLES / a->rows;
    if (a->n_fft > 0 && a->n_fft <= MAX_NFFT && a->hop > 0 && a->hop <= 2 * MAX_NFFT) {
      int64_t max_frames = MAX_WORK / (a->n_fft * a->rows);
      if (max_frames < 1) max_frames = 1;
      int64_t max_samples = max_frames * a->hop;
      if (a->n_samples > max_samples) a->n_samples = max_samples;
    }
  }
  a->frames = expected_frames(a->n_samples, a->n_fft, a->hop, a->center == 1,
                              a->pad_mode);
  a->bins = a->n_fft > 0 ? a->n_fft / 2 + 1 : -1;

  /* -1: a hostile size that no real buffer has (0 rows of any length is 0 samples) */
  a->audio_count = product3(a->rows, a->n_samples, 1);
  if (a->audio_count > MAX_SAMPLES) a->audio_count = -1;
  if ((u8(s) & 31) != 0 && a->audio_count >= 0) {
    a->audio = alloc_bytes(a->audio_count, dtype_size(a->in_dtype));
    fill_typed(a->audio, a->in_dtype, a->audio_count, &rng, a->audio_kind, -1.0, 1.0);
  } else if (a->audio_count != 0) {
    a->wild = 1;
  }
  if ((u8(s) & 31) != 0 && a->n_fft > 0 && a->n_fft <= MAX_NFFT) {
    a->window = alloc_bytes(a->n_fft, 8);
    fill_doubles(a->window, a->n_fft, &rng, a->window_kind, 0.0, 1.0);
  } else {
    a->wild = 1;
  }
}

static void analysis_free(Analysis *a) {
  free(a->audio);
  free(a->window);
}

/* Whether a call with these analysis arguments must fail. */
static int analysis_must_fail(const Analysis *a) {
  return a->bad || a->window == NULL || (a->audio == NULL && a->audio_count != 0) ||
         any_nonfinite(a->audio, a->in_dtype, a->audio_count) ||
         any_nonfinite(a->window, SWIFTSPEC_FLOAT64, a->n_fft) || a->frames < 0;
}

static int analysis_tame(const Analysis *a) {
  return !a->wild && a->audio_kind == FILL_TAME && a->window_kind == FILL_TAME;
}

/* Every call of one kind with the analysis arguments and an output. */
typedef int32_t (*AnalysisCall)(const Analysis *a, const void *extra, void *out, int64_t cap,
                                int32_t n_threads, int64_t rows, const void *audio);

static int32_t call_stft(const Analysis *a, const void *extra, void *out, int64_t cap,
                         int32_t n_threads, int64_t rows, const void *audio) {
  (void)extra;
  return swiftspec_stft(audio, a->in_dtype, rows, a->n_samples, a->n_fft, a->hop, a->window,
                        a->center, a->pad_mode, a->precision, out, a->out_dtype, cap, n_threads);
}

typedef struct {
  double power;
  void *basis;
  int64_t n_mels, basis_count;
  int basis_kind;
  int32_t ref_mode, has_top_db;
  double ref_db, amin, top_db;
  double *dct;
  int64_t n_mfcc, dct_count;
  int dct_kind;
} MelArgs;

static int32_t call_mel(const Analysis *a, const void *extra, void *out, int64_t cap,
                        int32_t n_threads, int64_t rows, const void *audio) {
  const MelArgs *m = extra;
  return swiftspec_melspectrogram(audio, a->in_dtype, rows, a->n_samples, a->n_fft, a->hop,
                                  a->window, a->center, a->pad_mode, a->precision, m->power,
                                  m->basis, m->n_mels, out, a->out_dtype, cap, n_threads);
}

static int32_t call_logmel(const Analysis *a, const void *extra, void *out, int64_t cap,
                           int32_t n_threads, int64_t rows, const void *audio) {
  const MelArgs *m = extra;
  return swiftspec_log_melspectrogram(audio, a->in_dtype, rows, a->n_samples, a->n_fft, a->hop,
                                      a->window, a->center, a->pad_mode, a->precision,
                                      m->power, m->basis, m->n_mels, m->ref_mode, m->ref_db,
                                      m->amin, m->has_top_db, m->top_db, out, a->out_dtype,
                                      cap, n_threads);
}

static int32_t call_mfcc(const Analysis *a, const void *extra, void *out, int64_t cap,
                         int32_t n_threads, int64_t rows, const void *audio) {
  const MelArgs *m = extra;
  return swiftspec_mfcc(audio, a->in_dtype, rows, a->n_samples, a->n_fft, a->hop, a->window,
                        a->center, a->pad_mode, a->precision, m->power, m->basis, m->n_mels,
                        m->amin, m->has_top_db, m->top_db, m->dct, m->n_mfcc, out,
                        a->out_dtype, cap, n_threads);
}

/* Runs `call`, checks the contract, and returns the output (caller frees) on success. */
static void *run_analysis(Source *s, const char *name, AnalysisCall call, const Analysis *a,
                          const void *extra, int64_t per_frame, size_t out_element,
                          int must_fail, int tame, int64_t *out_count) {
  int64_t needed = product3(a->rows, a->frames, per_frame);
  if (a->frames < 0 || per_frame < 0) needed = -1;
  int64_t allocate;
  int64_t cap = pick_capacity(s, needed, &allocate);
  int null_out = (u8(s) & 31) == 0;
  void *out = null_out ? NULL : alloc_output(allocate, out_element);
  size_t audio_bytes = a->audio ? (size_t)a->audio_count * dtype_size(a->in_dtype) : 0;
  Snapshot audio = snapshot(a->audio, audio_bytes);
  snprintf(described, sizeof described,
           "in_dtype=%d out_dtype=%d rows=%lld n_samples=%lld n_fft=%lld hop=%lld center=%d "
           "pad_mode=%d precision=%d n_threads=%d audio=%s(kind %d) window=%s(kind %d) "
           "cap=%lld needed=%lld frames=%lld per_frame=%lld bad=%d wild=%d",
           (int)a->in_dtype, (int)a->out_dtype, (long long)a->rows, (long long)a->n_samples,
           (long long)a->n_fft, (long long)a->hop, (int)a->center, (int)a->pad_mode,
           (int)a->precision, (int)a->n_threads, a->audio ? "buf" : "NULL", a->audio_kind,
           a->window ? "buf" : "NULL", a->window_kind, (long long)cap, (long long)needed,
           (long long)a->frames, (long long)per_frame, a->bad, a->wild);
  int32_t status = call(a, extra, out, cap, a->n_threads, a->rows, a->audio);
  check_status(name, status);
  if (!unchanged(&audio)) fail(name, "modified its input", status);
  drop(&audio);
  if (status != SWIFTSPEC_OK) {
    if (!untouched(out, allocate, out_element)) fail(name, "wrote output on error", status);
    free(out);
    return NULL;
  }
  if (must_fail) fail(name, "accepted bad or non-finite arguments", status);
  if (needed < 0 || null_out || cap < needed)
    fail(name, "accepted a short or missing output", status);
  /* out_element is the size of one output element (complex: 2 values). */
  int32_t dtype = a->out_dtype;
  int64_t values = needed * (int64_t)(out_element / dtype_size(dtype));
  if (tame && !all_finite(out, dtype, values))
    fail(name, "non-finite output from tame input", status);
  if (allocate > needed &&
      !untouched((uint8_t *)out + needed * out_element, allocate - needed, out_element))
    fail(name, "wrote beyond the needed elements", status);

  /* Determinism: another thread count, and row 0 alone, give the same bytes. */
  uint8_t check = u8(s);
  if ((check & 3) == 0 && needed > 0) {
    int32_t other = a->n_threads == 1 ? 3 : 1;
    void *again = alloc_output(needed, out_element);
    int32_t status2 = call(a, extra, again, needed, other, a->rows, a->audio);
    if (status2 != SWIFTSPEC_OK) fail(name, "second call with other thread count failed", status2);
    int64_t values_per_element = (int64_t)(out_element / dtype_size(a->out_dtype));
    if (!same_values(out, again, a->out_dtype, needed * values_per_element))
      fail(name, "thread count changed the result", status2);
    if (a->rows > 1) {
      int64_t row_count = needed / a->rows;
      status2 = call(a, extra, again, row_count, 1, 1, a->audio);
      if (status2 != SWIFTSPEC_OK) fail(name, "single-row call failed", status2);
      if (!same_values(out, again, a->out_dtype, row_count * values_per_element))
        fail(name, "row 0 of a batch differs from the single-row call", status2);
    }
    free(again);
  }
  *out_count = needed;
  return out;
}

static void fuzz_stft(Source *s) {
  Analysis a;
  analysis_decode(s, &a);
  int64_t count;
  size_t element = 2 * dtype_size(a.out_dtype);
  void *out = run_analysis(s, "stft", call_stft, &a, NULL, a.bins, element,
                           analysis_must_fail(&a), analysis_tame(&a), &count);
  /* Oracle: the power spectrogram ([row][bin][frame]) is |X|^2 of this STFT
   * ([row][frame][bin]), each component as stored, squared and summed in the FFT's
   * precision, rounded to the output type. */
  if (out != NULL && count > 0 && !(u8(s) & 1)) {
    int64_t frames = a.frames, bins = a.bins, per_row = frames * bins;
    void *power = alloc_output(count, dtype_size(a.out_dtype));
    int32_t status = swiftspec_spectrogram(a.audio, a.in_dtype, a.rows, a.n_samples, a.n_fft,
                                           a.hop, a.window, a.center, a.pad_mode, a.precision,
                                           2.0, power, a.out_dtype, count, 1);
    if (status != SWIFTSPEC_OK) fail("spectrogram", "failed where stft succeeded", status);
    for (int64_t i = 0; i < count; i++) {
      int64_t row = i / per_row, t = (i % per_row) / bins, k = i % bins;
      int64_t source = row * per_row + k * frames + t;
      int same;
      if (a.out_dtype == SWIFTSPEC_FLOAT32) {
        const float *x = out;
        double re = x[2 * i], im = x[2 * i + 1];
        float expected = a.precision == SWIFTSPEC_PRECISION_FAST
                             ? (float)re * (float)re + (float)im * (float)im
                             : (float)(re * re + im * im);
        float got = ((const float *)power)[source];
        same = got == expected || (isnan(got) && isnan(expected));
      } else {
        const double *x = out;
        double expected = x[2 * i] * x[2 * i] + x[2 * i + 1] * x[2 * i + 1];
        double got = ((const double *)power)[source];
        same = got == expected || (isnan(got) && isnan(expected));
      }
      if (!same) fail("spectrogram", "differs from |stft|^2", status);
    }
    free(power);
  }
  free(out);
  analysis_free(&a);
}

static void mel_decode(Source *s, const Analysis *a, MelArgs *m, int with_db, int with_dct,
                       int *bad, int *wild) {
  memset(m, 0, sizeof *m);
  m->power = pick_double(s, 0.25, 3.0, wild);
  if (!(m->power > 0) || !isfinite(m->power)) *bad = 1;
  m->n_mels = pick_count(s, 0, MAX_MELS, wild);
  m->basis_kind = (u8(s) & 15) < 14 ? FILL_TAME : u8(s) % FILL_KINDS;
  uint64_t rng = u64(s);
  m->basis_count = a->bins > 0 ? product3(m->n_mels, a->bins, 1) : -1;
  if (m->basis_count > MAX_MELS * (MAX_NFFT / 2 + 1)) m->basis_count = -1;
  if ((u8(s) & 31) != 0 && m->basis_count >= 0) {
    m->basis = alloc_bytes(m->basis_count, dtype_size(a->out_dtype));
    fill_typed(m->basis, a->out_dtype, m->basis_count, &rng, m->basis_kind, 0.0, 1.0);
    /* Sparse like a real filter bank: most weights zero. */
    if (m->basis && (rng & 1)) {
      for (int64_t i = 0; i < m->basis_count; i++)
        if (next_random(&rng) % 8) {
          if (a->out_dtype == SWIFTSPEC_FLOAT32) ((float *)m->basis)[i] = 0;
          else ((double *)m->basis)[i] = 0;
        }
    }
  } else if (m->basis_count != 0) {
    *wild = 1;
  }
  if (with_db) {
    m->ref_mode = with_dct ? SWIFTSPEC_REF_SCALAR : pick_code(s, 0, 1, bad);
    m->ref_db = pick_double(s, -20.0, 20.0, wild);
    m->amin = pick_double(s, 1e-12, 1e-3, wild);
    m->has_top_db = pick_code(s, 0, 1, bad);
    m->top_db = pick_double(s, 0.0, 120.0, wild);
    if (m->ref_mode == SWIFTSPEC_REF_SCALAR && !isfinite(m->ref_db) && !with_dct) *bad = 1;
    if (!(m->amin > 0) || !isfinite(m->amin)) *bad = 1;
    if (m->has_top_db == 1 && !(m->top_db >= 0)) *bad = 1;
  }
  if (with_dct) {
    m->n_mfcc = pick_count(s, 0, MAX_MFCC, wild);
    m->dct_kind = (u8(s) & 15) < 14 ? FILL_TAME : u8(s) % FILL_KINDS;
    m->dct_count = product3(m->n_mfcc, m->n_mels, 1); /* 0 if either is 0 */
    if (m->dct_count > MAX_MFCC * MAX_MELS) m->dct_count = -1;
    if ((u8(s) & 31) != 0 && m->dct_count >= 0) {
      m->dct = alloc_bytes(m->dct_count, 8);
      fill_doubles(m->dct, m->dct_count, &rng, m->dct_kind, -1.0, 1.0);
    } else if (m->dct_count != 0) {
      *wild = 1;
    }
  }
}

static void mel_free(MelArgs *m) {
  free(m->basis);
  free(m->dct);
}

static int mel_must_fail(const Analysis *a, const MelArgs *m, int bad) {
  return bad || analysis_must_fail(a) || (m->basis == NULL && m->basis_count != 0) ||
         (m->dct == NULL && m->dct_count != 0) ||
         any_nonfinite(m->basis, a->out_dtype, m->basis_count) ||
         any_nonfinite(m->dct, SWIFTSPEC_FLOAT64, m->dct_count);
}

static int mel_tame(const Analysis *a, const MelArgs *m, int wild) {
  return !wild && analysis_tame(a) && m->basis_kind == FILL_TAME && m->dct_kind == FILL_TAME;
}

static void fuzz_mel(Source *s, int variant) {
  Analysis a;
  analysis_decode(s, &a);
  MelArgs m;
  int bad = 0, wild = 0;
  mel_decode(s, &a, &m, variant >= 1, variant == 2, &bad, &wild);
  int must_fail = mel_must_fail(&a, &m, bad);
  int tame = mel_tame(&a, &m, wild);
  size_t element = dtype_size(a.out_dtype);
  int64_t count;
  if (variant == 0) {
    void *out = run_analysis(s, "melspectrogram", call_mel, &a, &m, m.n_mels, element, must_fail,
                             tame, &count);
    free(out);
  } else if (variant == 1) {
    void *out = run_analysis(s, "log_melspectrogram", call_logmel, &a, &m, m.n_mels, element,
                             must_fail, tame, &count);
    /* Oracle: log-mel = power_to_db (one group per row) of the mel spectrogram. */
    if (out != NULL && count > 0 && !(u8(s) & 1)) {
      void *mel = alloc_output(count, element);
      int32_t status = call_mel(&a, &m, mel, count, 1, a.rows, a.audio);
      if (status != SWIFTSPEC_OK) fail("log_melspectrogram", "melspectrogram failed", status);
      status = swiftspec_power_to_db(mel, a.out_dtype, a.rows, count / a.rows, m.ref_mode,
                                     m.ref_db, m.amin, m.has_top_db, m.top_db, mel, count, 1);
      if (status != SWIFTSPEC_OK) fail("log_melspectrogram", "power_to_db failed", status);
      if (!same_values(mel, out, a.out_dtype, count))
        fail("log_melspectrogram", "differs from power_to_db(melspectrogram)", status);
      free(mel);
    }
    free(out);
  } else {
    void *out = run_analysis(s, "mfcc", call_mfcc, &a, &m, m.n_mfcc, element, must_fail, tame,
                             &count);
    /* Oracle: MFCC = DCT (float64 sums over mel bands in order) of the log-mel spectrogram
     * with a 0 dB reference, rounded to the output type. */
    if (out != NULL && count > 0 && m.n_mels > 0 && !(u8(s) & 1)) {
      int64_t frames = a.frames, mels = m.n_mels;
      int64_t logmel_count = a.rows * mels * frames;
      void *logmel = alloc_output(logmel_count, element);
      MelArgs scalar = m;
      scalar.ref_mode = SWIFTSPEC_REF_SCALAR;
      scalar.ref_db = 0.0;
      int32_t status = call_logmel(&a, &scalar, logmel, logmel_count, 1, a.rows, a.audio);
      if (status != SWIFTSPEC_OK) fail("mfcc", "log_melspectrogram failed", status);
      for (int64_t r = 0; r < a.rows; r++)
        for (int64_t k = 0; k < m.n_mfcc; k++)
          for (int64_t t = 0; t < frames; t++) {
            double sum = 0.0;
            for (int64_t b = 0; b < mels; b++) {
              int64_t at = (r * mels + b) * frames + t;
              double x = a.out_dtype == SWIFTSPEC_FLOAT32 ? ((float *)logmel)[at]
                                                          : ((double *)logmel)[at];
              sum += m.dct[k * mels + b] * x;
            }
            int64_t at = (r * m.n_mfcc + k) * frames + t;
            int same = a.out_dtype == SWIFTSPEC_FLOAT32
                           ? same_values(&((float *)out)[at], &(float){(float)sum}, 1, 1)
                           : same_values(&((double *)out)[at], &sum, 2, 1);
            if (!same) {
              double got = a.out_dtype == SWIFTSPEC_FLOAT32 ? ((float *)out)[at]
                                                            : ((double *)out)[at];
              size_t used = strlen(described);
              snprintf(described + used, sizeof described - used,
                       " n_mels=%lld n_mfcc=%lld; row %lld coefficient %lld frame %lld: "
                       "%.9g, expected %.9g", (long long)mels, (long long)m.n_mfcc,
                       (long long)r, (long long)k, (long long)t, got, sum);
              fail("mfcc", "differs from dct_matrix x log_melspectrogram", status);
            }
          }
      free(logmel);
    }
    free(out);
  }
  mel_free(&m);
  analysis_free(&a);
}

static void fuzz_istft(Source *s) {
  int bad = 0, wild = 0;
  int32_t dtype = pick_code(s, 1, 2, &bad);
  int64_t rows = pick_count(s, 0, 3, &wild);
  int64_t n_fft = pick_nfft(s, &wild);
  int64_t hop = pick_count(s, 0, 2 * MAX_NFFT, &wild);
  int64_t frames = pick_count(s, 0, 64, &wild);
  int64_t n_bins = (u8(s) & 3) ? (n_fft > 0 && n_fft <= MAX_NFFT ? n_fft / 2 + 1 : 0)
                               : pick_count(s, 0, MAX_NFFT / 2 + 2, &wild);
  int32_t center = pick_code(s, 0, 1, &bad);
  int64_t length = (u8(s) & 1) ? -1 : pick_count(s, 0, 20000, &wild);
  int32_t n_threads = pick_threads(s, &bad);
  int input_kind = (u8(s) & 7) < 6 ? FILL_TAME : u8(s) % FILL_KINDS;
  int window_kind = (u8(s) & 15) < 14 ? FILL_TAME : u8(s) % FILL_KINDS;
  uint64_t rng = u64(s);

  int64_t in_count = product3(rows, frames, n_bins);
  if (in_count > MAX_OUT / 2) in_count = -1;
  void *in = NULL;
  if ((u8(s) & 31) != 0 && in_count >= 0) {
    in = alloc_bytes(2 * in_count, dtype_size(dtype));
    fill_typed(in, dtype, 2 * in_count, &rng, input_kind, -4.0, 4.0);
  } else if (in_count != 0) {
    wild = 1;
  }
  double *window = NULL;
  if ((u8(s) & 31) != 0 && n_fft > 0 && n_fft <= MAX_NFFT) {
    window = alloc_bytes(n_fft, 8);
    fill_doubles(window, n_fft, &rng, window_kind, 0.0, 1.0);
  } else {
    wild = 1;
  }
  /* Expected output length (librosa), -1 when there is none. */
  int64_t n_out = -1;
  if (n_fft > 0 && hop > 0 && frames >= 0 && length != 0) {
    __int128 natural = (__int128)n_fft + (__int128)hop * (frames - 1) -
                       (center == 1 ? 2 * (n_fft / 2) : 0);
    __int128 len = length > 0 ? length : natural;
    if (len >= 0 && len <= INT64_MAX) n_out = (int64_t)len;
  }
  int64_t needed = n_out >= 0 ? product3(rows, n_out, 1) : -1;
  int64_t allocate;
  int64_t cap = pick_capacity(s, needed, &allocate);
  int null_out = (u8(s) & 31) == 0;
  void *out = null_out ? NULL : alloc_output(allocate, dtype_size(dtype));
  Snapshot before = snapshot(in, in ? (size_t)(2 * in_count) * dtype_size(dtype) : 0);
  int32_t status = swiftspec_istft(in, dtype, rows, frames, n_bins, n_fft, hop, window, center,
                                   length, out, cap, n_threads);
  check_status("istft", status);
  if (!unchanged(&before)) fail("istft", "modified its input", status);
  drop(&before);
  if (status != SWIFTSPEC_OK) {
    if (!untouched(out, allocate, dtype_size(dtype)))
      fail("istft", "wrote output on error", status);
  } else {
    if (bad || needed < 0 || null_out || cap < needed || window == NULL ||
        (in == NULL && in_count != 0) || any_nonfinite(window, 2, n_fft))
      fail("istft", "accepted bad arguments", status);
    if (!wild && input_kind == FILL_TAME && window_kind == FILL_TAME &&
        !all_finite(out, dtype, needed))
      fail("istft", "non-finite output from tame input", status);
    if (allocate > needed && !untouched((uint8_t *)out + needed * dtype_size(dtype),
                                        allocate - needed, dtype_size(dtype)))
      fail("istft", "wrote beyond the needed elements", status);
    if ((u8(s) & 3) == 0 && needed > 0) {
      void *again = alloc_output(needed, dtype_size(dtype));
      int32_t status2 = swiftspec_istft(in, dtype, rows, frames, n_bins, n_fft, hop, window,
                                        center, length, again, needed, n_threads == 1 ? 3 : 1);
      if (status2 != SWIFTSPEC_OK || !same_values(again, out, dtype, needed))
        fail("istft", "thread count changed the result", status2);
      free(again);
    }
  }
  free(out);
  free(window);
  free(in);
}

static void fuzz_power_to_db(Source *s) {
  int bad = 0, wild = 0;
  int32_t dtype = pick_code(s, 1, 2, &bad);
  int64_t groups = pick_count(s, 0, 8, &wild);
  int64_t group_len = pick_count(s, 0, 4096, &wild);
  int32_t ref_mode = pick_code(s, 0, 1, &bad);
  double ref_db = pick_double(s, -40.0, 40.0, &wild);
  double amin = pick_double(s, 1e-12, 1e-2, &wild);
  int32_t has_top_db = pick_code(s, 0, 1, &bad);
  double top_db = pick_double(s, 0.0, 120.0, &wild);
  int32_t n_threads = pick_threads(s, &bad);
  int kind = (u8(s) & 3) ? FILL_TAME : u8(s) % FILL_KINDS;
  int in_place = (u8(s) & 3) == 0;
  uint64_t rng = u64(s);
  if (ref_mode == SWIFTSPEC_REF_SCALAR && !isfinite(ref_db)) bad = 1;
  if (!(amin > 0) || !isfinite(amin)) bad = 1;
  if (has_top_db == 1 && !(top_db >= 0)) bad = 1;

  int64_t count = product3(groups, group_len, 1);
  if (count > MAX_SAMPLES * 2) count = -1;
  size_t esize = dtype_size(dtype);
  void *in = NULL;
  if ((u8(s) & 31) != 0 && count >= 0) {
    in = alloc_bytes(count, esize);
    fill_typed(in, dtype, count, &rng, kind, 0.0, 10.0);
    /* Powers span many decades. */
    for (int64_t i = 0; in && i < count; i++) {
      double e = -12.0 * uniform(&rng);
      if (dtype == SWIFTSPEC_FLOAT32) ((float *)in)[i] *= (float)pow(10.0, e);
      else ((double *)in)[i] *= pow(10.0, e);
    }
  } else if (count != 0) {
    wild = 1;
  }
  int64_t allocate;
  int64_t cap = pick_capacity(s, count, &allocate);
  void *out;
  Snapshot before = snapshot(in, in ? (size_t)count * esize : 0);
  if (in_place && in != NULL && count > 0) {
    out = in;
    cap = count;
    allocate = count;
  } else {
    out = (u8(s) & 31) == 0 ? NULL : alloc_output(allocate, esize);
  }
  int32_t status = swiftspec_power_to_db(in, dtype, groups, group_len, ref_mode, ref_db, amin,
                                         has_top_db, top_db, out, cap, n_threads);
  check_status("power_to_db", status);
  if (status != SWIFTSPEC_OK) {
    if (out == in ? !unchanged(&before) : !untouched(out, allocate, esize))
      fail("power_to_db", "wrote output on error", status);
  } else {
    if (bad || count < 0 || out == NULL || cap < count)
      fail("power_to_db", "accepted bad arguments", status);
    if (out != in && !unchanged(&before)) fail("power_to_db", "modified its input", status);
    if (!wild && kind == FILL_TAME) {
      if (!all_finite(out, dtype, count))
        fail("power_to_db", "non-finite output from tame input", status);
      /* top_db: within each group, nothing below max - top_db (to rounding). */
      for (int64_t g = 0; has_top_db == 1 && g < groups; g++) {
        double hi = -INFINITY, lo = INFINITY;
        for (int64_t i = g * group_len; i < (g + 1) * group_len; i++) {
          double v = dtype == SWIFTSPEC_FLOAT32 ? ((float *)out)[i] : ((double *)out)[i];
          hi = fmax(hi, v);
          lo = fmin(lo, v);
        }
        if (group_len > 0 && lo < hi - top_db - 1e-3 * (1 + fabs(hi)))
          fail("power_to_db", "value below max - top_db", status);
      }
    }
  }
  drop(&before);
  if (out != in) free(out);
  free(in);
}

/* swiftspec_savgol_filter over small batches. Beyond the common checks: a batch gives the
 * same bytes on one thread as on several, and its first line the same as that line
 * filtered alone. */
static int32_t call_savgol(const void *in, int32_t dtype, int64_t outer, int64_t length,
                           int64_t inner, int64_t width, const double *fit, int64_t polyorder,
                           int64_t deriv, double delta, int32_t mode, double cval, void *out,
                           int64_t cap, int32_t n_threads) {
  snprintf(described, sizeof described,
           "savgol_filter(dtype=%d, n_outer=%lld, n_axis=%lld, n_inner=%lld, width=%lld, "
           "polyorder=%lld, deriv=%lld, delta=%g, mode=%d, cval=%g, out_cap=%lld, "
           "n_threads=%d)", (int)dtype, (long long)outer, (long long)length,
           (long long)inner, (long long)width, (long long)polyorder, (long long)deriv, delta,
           (int)mode, cval, (long long)cap, (int)n_threads);
  return swiftspec_savgol_filter(in, dtype, outer, length, inner, width, fit, polyorder, deriv,
                                 delta, mode, cval, out, cap, n_threads);
}

static void fuzz_savgol_filter(Source *s) {
  int bad = 0, wild = 0;
  int32_t dtype = pick_code(s, SWIFTSPEC_FLOAT32, SWIFTSPEC_FLOAT64, &bad);
  int64_t outer = pick_count(s, 0, 8, &wild);
  int64_t length = pick_count(s, 0, 300, &wild);
  int64_t inner = pick_count(s, 0, 6, &wild);
  int64_t width = pick_count(s, 1, 41, &wild);
  int64_t polyorder = pick_count(s, 0, 6, &wild);
  int64_t deriv = pick_count(s, 0, 4, &wild);
  double delta = pick_double(s, 0.25, 4.0, &wild);
  int32_t mode = pick_code(s, SWIFTSPEC_SAVGOL_INTERP, SWIFTSPEC_SAVGOL_WRAP, &bad);
  double cval = pick_double(s, -1.0, 1.0, &wild);
  int32_t n_threads = pick_threads(s, &bad);
  int kind = u8(s) % FILL_KINDS;
  int nan_fit = (u8(s) & 15) == 0;
  uint64_t rng = u64(s);
  if (width < 1 || width % 2 == 0 || polyorder < 0 || polyorder >= width || deriv < 0) bad = 1;
  if (!isfinite(delta) || delta == 0) bad = 1;
  if (mode == SWIFTSPEC_SAVGOL_INTERP && length < width) bad = 1;

  /* The fit, (polyorder + 1) x width; NULL (refused) when it is not small. */
  int64_t fit_count = product3(polyorder >= 0 ? polyorder + 1 : -1, width, 1);
  double *fit = NULL;
  if (fit_count > 0 && fit_count <= MAX_SAMPLES) {
    fit = alloc_bytes(fit_count, sizeof(double));
    fill_doubles(fit, fit_count, &rng, nan_fit ? FILL_NAN : FILL_TAME, -1.0, 1.0);
    if (nan_fit) bad = 1;
  } else {
    bad = 1;
  }
  int64_t count = product3(outer, length, inner);
  if (count > MAX_SAMPLES * 2) count = -1;
  size_t esize = dtype_size(dtype);
  void *in = NULL;
  if ((u8(s) & 31) != 0 && count >= 0) {
    in = alloc_bytes(count, esize);
    fill_typed(in, dtype, count, &rng, kind, -1.0, 1.0);
  } else if (count != 0) {
    wild = 1;
  }
  int64_t allocate;
  int64_t cap = pick_capacity(s, count, &allocate);
  void *out = (u8(s) & 31) == 0 ? NULL : alloc_output(allocate, esize);
  Snapshot before = snapshot(in, in ? (size_t)count * esize : 0);
  Snapshot fit_before = snapshot(fit, fit ? (size_t)fit_count * sizeof(double) : 0);

  int32_t status = call_savgol(in, dtype, outer, length, inner, width, fit, polyorder, deriv,
                               delta, mode, cval, out, cap, n_threads);
  check_status("savgol_filter", status);
  if (status != SWIFTSPEC_OK) {
    if (!untouched(out, allocate, esize)) fail("savgol_filter", "wrote output on error", status);
  } else {
    if (bad || count < 0 || (count > 0 && (in == NULL || out == NULL)) || cap < count)
      fail("savgol_filter", "accepted bad arguments", status);
    if (!unchanged(&before) || !unchanged(&fit_before))
      fail("savgol_filter", "modified its input", status);
    if (!wild && kind == FILL_TAME && !all_finite(out, dtype, count))
      fail("savgol_filter", "non-finite output from tame input", status);
    if (!wild && count > 0) {
      void *serial = alloc_output(count, esize);
      status = call_savgol(in, dtype, outer, length, inner, width, fit, polyorder, deriv, delta,
                           mode, cval, serial, count, 1);
      if (status != SWIFTSPEC_OK || !same_values(serial, out, dtype, count))
        fail("savgol_filter", "one thread and several differ", status);
      int64_t line = length * inner;
      status = call_savgol(in, dtype, 1, length, inner, width, fit, polyorder, deriv, delta,
                           mode, cval, serial, line, 1);
      if (status != SWIFTSPEC_OK || !same_values(serial, out, dtype, line))
        fail("savgol_filter", "a batch's first line differs from the line alone", status);
      free(serial);
    }
  }
  drop(&before);
  drop(&fit_before);
  free(out);
  free(in);
  free(fit);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Source s = {data, size};
  uint8_t which = u8(&s);
  /* savgol_filter (ABI 3) takes first bytes no input of the committed seed corpus starts
   * with, so that every seed still drives the function it was chosen for. */
  if (which >= 208 && which < 234) {
    fuzz_savgol_filter(&s);
    return 0;
  }
  switch (which % 13) {
  case 0: fuzz_get_window(&s); break;
  case 1: fuzz_fft_frequencies(&s); break;
  case 2: fuzz_convert_mel(&s); break;
  case 3: fuzz_mel_frequencies(&s); break;
  case 4: fuzz_mel_filter_bank(&s); break;
  case 5: fuzz_dct_matrix(&s); break;
  case 6: fuzz_sizes(&s); break;
  case 7: fuzz_stft(&s); break;
  case 8: fuzz_mel(&s, 0); break;
  case 9: fuzz_mel(&s, 1); break;
  case 10: fuzz_mel(&s, 2); break;
  case 11: fuzz_istft(&s); break;
  default: fuzz_power_to_db(&s); break;
  }
  return 0;
}

#ifdef FUZZ_REPLAY_MAIN
/* Replays inputs without libFuzzer: each argument is a file or a directory of files. */
static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return 0;
  uint8_t buffer[1 << 16];
  size_t n = fread(buffer, 1, sizeof buffer, f);
  fclose(f);
  uint8_t *copy = malloc(n ? n : 1); /* exactly sized, as libFuzzer passes inputs */
  if (copy == NULL) abort();
  memcpy(copy, buffer, n);
  LLVMFuzzerTestOneInput(copy, n);
  free(copy);
  return 1;
}

int main(int argc, char **argv) {
  int count = 0;
  for (int i = 1; i < argc; i++) {
    DIR *dir = opendir(argv[i]);
    if (dir == NULL) {
      count += replay_file(argv[i]);
      continue;
    }
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
      if (entry->d_name[0] == '.') continue;
      char path[4096];
      snprintf(path, sizeof path, "%s/%s", argv[i], entry->d_name);
      count += replay_file(path);
    }
    closedir(dir);
  }
  printf("fuzz_abi replay: %d inputs, no failure\n", count);
  return 0;
}
#endif
