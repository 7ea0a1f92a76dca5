// SPDX-License-Identifier: GPL-2.0-or-later
// The per-frame kernels (see ckernels.h). Each kernel's body is written once, as an
// always-inline function, and instantiated three times: for baseline x86-64 (SSE2), for
// AVX2 and for AVX-512, through per-function target attributes, so the library as a
// whole still runs on any x86-64. The compiler vectorises each body across independent
// outputs (bins, samples, frames of a block); with FMA contraction off (the pragma below,
// in this file itself so that no build flag is needed) and no fast-math, every lane
// performs the scalar code's operations in the scalar code's order, hence identical bits
// at every level.
#pragma clang fp contract(off)

#include "ckernels.h"

#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define INLINE static inline __attribute__((always_inline))

// ---- Kernel bodies ----------------------------------------------------------------------

#define WINDOW_BODY(name, S, W)                                                         \
  INLINE void name(const W *restrict window, const S *samples, W *out, ptrdiff_t count) { \
    for (ptrdiff_t i = 0; i < count; i++) out[i] = window[i] * (W)samples[i];           \
  }
WINDOW_BODY(window_ff, float, float)
WINDOW_BODY(window_fd, float, double)
WINDOW_BODY(window_dd, double, double)

// `spectrum` is read through a component rounded to O first (librosa stores the STFT in
// the output's complex type), then widened back to F for the power. The strided stores
// dominate; the compiler keeps this loop scalar, and computing a vector of powers first
// and storing its lanes one by one measured slower.
#define POWER_BODY(name, F, O, SQRT)                                                    \
  INLINE void name(const F *restrict spectrum, ptrdiff_t bins, int magnitude,           \
                   O *restrict out, ptrdiff_t stride) {                                 \
    if (magnitude) {                                                                    \
      for (ptrdiff_t k = 0; k < bins; k++) {                                            \
        F re = (F)(O)spectrum[2 * k], im = (F)(O)spectrum[2 * k + 1];                   \
        out[k * stride] = (O)SQRT(re * re + im * im);                                   \
      }                                                                                 \
    } else {                                                                            \
      for (ptrdiff_t k = 0; k < bins; k++) {                                            \
        F re = (F)(O)spectrum[2 * k], im = (F)(O)spectrum[2 * k + 1];                   \
        out[k * stride] = (O)(re * re + im * im);                                       \
      }                                                                                 \
    }                                                                                   \
  }
// The element-wise builtin is IEEE sqrt without errno (libm's sqrt sets errno for a
// negative argument, which would keep the loop from vectorising).
POWER_BODY(power_ff, float, float, __builtin_elementwise_sqrt)
POWER_BODY(power_df, double, float, __builtin_elementwise_sqrt)
POWER_BODY(power_dd, double, double, __builtin_elementwise_sqrt)

// One filter at a time; the lanes are the frames of the block, each summed over the
// filter's bins in order. A vector type keeps the sums in a register (an array of sums
// was stored through a call to memcpy per filter).
typedef float mel_vf __attribute__((vector_size(SSPEC_MEL_LANES * sizeof(float))));
typedef double mel_vd __attribute__((vector_size(SSPEC_MEL_LANES * sizeof(double))));
#define MEL_BODY(name, T, V)                                                            \
  INLINE void name(const T *restrict powers, ptrdiff_t count, T *restrict out,          \
                   ptrdiff_t stride, ptrdiff_t mel_count, const ptrdiff_t *first_bin,   \
                   const ptrdiff_t *width, const ptrdiff_t *offset,                     \
                   const T *restrict weights) {                                         \
    for (ptrdiff_t m = 0; m < mel_count; m++) {                                         \
      V sum = {0};                                                                      \
      const T *w = weights + offset[m];                                                 \
      const T *column = powers + first_bin[m] * SSPEC_MEL_LANES;                        \
      for (ptrdiff_t k = 0; k < width[m]; k++, column += SSPEC_MEL_LANES) {             \
        V p;                                                                            \
        memcpy(&p, column, sizeof p);                                                   \
        sum += w[k] * p;                                                                \
      }                                                                                 \
      T *target = out + m * stride;                                                     \
      if (count == SSPEC_MEL_LANES) {                                                   \
        memcpy(target, &sum, sizeof sum);                                               \
      } else {                                                                          \
        for (ptrdiff_t j = 0; j < count; j++) target[j] = sum[j];                       \
      }                                                                                 \
    }                                                                                   \
  }
MEL_BODY(mel_f, float, mel_vf)
MEL_BODY(mel_d, double, mel_vd)

// log10 rounded to float: x = 2^e m with m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s),
// s = (m - 1) / (m + 1), as an odd series in float64 (truncation below 1e-10 relative,
// far under float32's 6e-8), so the result is the correctly rounded logarithm but in
// rare ties. Branch-free (selects), so it vectorises; zero, subnormals, infinities and
// NaN take the same path.
INLINE float log10_series(float x) {
  const double log10_of_2 = 0.30102999566398119521;
  const double log10_of_e = 0.43429448190325182765;
  int subnormal = x < 1.17549435e-38f;
  float scaled = subnormal ? x * 16777216.0f : x;  // 2^24 rescales subnormals
  uint32_t bits;
  memcpy(&bits, &scaled, sizeof bits);
  double exponent = (double)((int32_t)((bits >> 23) & 0xff) - (subnormal ? 151 : 127));
  uint32_t mantissa_bits = (bits & 0x007fffff) | 0x3f800000;
  float mantissa;
  memcpy(&mantissa, &mantissa_bits, sizeof mantissa);
  double m = (double)mantissa;
  int high = m > 1.4142135623730951;
  m = high ? m * 0.5 : m;
  exponent = high ? exponent + 1 : exponent;
  double s = (m - 1) / (m + 1);
  double s2 = s * s;
  double series =
      2 + s2 * (2.0 / 3 + s2 * (2.0 / 5 + s2 * (2.0 / 7 + s2 * (2.0 / 9 + s2 * (2.0 / 11)))));
  float result = (float)(exponent * log10_of_2 + s * series * log10_of_e);
  // log10(0) = -inf; log10(+inf) = +inf; NaN and negatives give NaN.
  return x == 0 ? -INFINITY : (x == INFINITY ? x : (x > 0 ? result : NAN));
}

INLINE void log10_f(float *values, ptrdiff_t count) {
  for (ptrdiff_t i = 0; i < count; i++) values[i] = log10_series(values[i]);
}

// In place: with separate input and output pointers the compiler must allow for partial
// overlap and falls back to scalar code when they are equal, the common case.
INLINE void db_f(float *values, ptrdiff_t count, float floor, double ref_db) {
  for (ptrdiff_t i = 0; i < count; i++) {
    float x = values[i];
    float clamped = x != x ? x : (floor > x ? floor : x);  // numpy's maximum(floor, x)
    values[i] = (float)((double)(10.0f * log10_series(clamped)) - ref_db);
  }
}

// numpy's maximum: NaN if either is NaN.
INLINE float nan_max(float a, float b) { return a != a ? a : (b != b ? b : (a > b ? a : b)); }

// Sixteen running maxima (lane j takes the elements i = j mod 16), then their maximum:
// the same partial maxima at every SIMD level.
INLINE float max_f(const float *values, ptrdiff_t count) {
  float lanes[16];
  for (int j = 0; j < 16; j++) lanes[j] = -INFINITY;
  ptrdiff_t i = 0;
  for (; i + 16 <= count; i += 16) {
    for (int j = 0; j < 16; j++) lanes[j] = nan_max(lanes[j], values[i + j]);
  }
  float result = -INFINITY;
  for (int j = 0; j < 16; j++) result = nan_max(result, lanes[j]);
  for (; i < count; i++) result = nan_max(result, values[i]);
  return result;
}

INLINE void clamp_f(float *values, ptrdiff_t count, float threshold) {
  for (ptrdiff_t i = 0; i < count; i++) values[i] = nan_max(values[i], threshold);
}

// AVX-512 power kernels: the operations of power_ff/df/dd, 16 or 8 bins per vector,
// stored with a scatter (the compiler leaves those loops scalar because of the strided
// stores, and a scatter measured a third faster than scalar stores in the pipeline).
#define AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl")))

AVX512 static void power_ff_scatter(const float *restrict spectrum, ptrdiff_t bins,
                                    int magnitude, float *restrict out, ptrdiff_t stride) {
  if (stride > INT32_MAX / 16) {  // lane offsets are 32-bit
    power_ff(spectrum, bins, magnitude, out, stride);
    return;
  }
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26,
                                         28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  const __m512i lanes = _mm512_mullo_epi32(
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
      _mm512_set1_epi32((int)stride));
  ptrdiff_t k = 0;
  for (; k + 16 <= bins; k += 16) {
    __m512 a = _mm512_loadu_ps(spectrum + 2 * k);
    __m512 b = _mm512_loadu_ps(spectrum + 2 * k + 16);
    __m512 re = _mm512_permutex2var_ps(a, even, b);
    __m512 im = _mm512_permutex2var_ps(a, odd, b);
    __m512 sq = _mm512_add_ps(_mm512_mul_ps(re, re), _mm512_mul_ps(im, im));
    if (magnitude) sq = _mm512_sqrt_ps(sq);
    _mm512_i32scatter_ps(out + k * stride, lanes, sq, 4);
  }
  power_ff(spectrum + 2 * k, bins - k, magnitude, out + k * stride, stride);
}

// Eight bins of a double spectrum: re and im, each rounded to O first when O is float.
#define LOAD_BINS_D(spectrum, k, round, re, im)                                         \
  do {                                                                                  \
    const __m512i even = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);                  \
    const __m512i odd = _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15);                   \
    __m512d a = _mm512_loadu_pd(spectrum + 2 * k);                                      \
    __m512d b = _mm512_loadu_pd(spectrum + 2 * k + 8);                                  \
    if (round) {                                                                        \
      a = _mm512_cvtps_pd(_mm512_cvtpd_ps(a));                                          \
      b = _mm512_cvtps_pd(_mm512_cvtpd_ps(b));                                          \
    }                                                                                   \
    re = _mm512_permutex2var_pd(a, even, b);                                            \
    im = _mm512_permutex2var_pd(a, odd, b);                                             \
  } while (0)

AVX512 static void power_df_scatter(const double *restrict spectrum, ptrdiff_t bins,
                                    int magnitude, float *restrict out, ptrdiff_t stride) {
  if (stride > INT32_MAX / 16) {  // lane offsets are 32-bit
    power_df(spectrum, bins, magnitude, out, stride);
    return;
  }
  const __m256i lanes = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                           _mm256_set1_epi32((int)stride));
  ptrdiff_t k = 0;
  for (; k + 8 <= bins; k += 8) {
    __m512d re, im;
    LOAD_BINS_D(spectrum, k, 1, re, im);
    __m512d sq = _mm512_add_pd(_mm512_mul_pd(re, re), _mm512_mul_pd(im, im));
    if (magnitude) sq = _mm512_sqrt_pd(sq);
    _mm256_i32scatter_ps(out + k * stride, lanes, _mm512_cvtpd_ps(sq), 4);
  }
  power_df(spectrum + 2 * k, bins - k, magnitude, out + k * stride, stride);
}

AVX512 static void power_dd_scatter(const double *restrict spectrum, ptrdiff_t bins,
                                    int magnitude, double *restrict out, ptrdiff_t stride) {
  if (stride > INT32_MAX / 16) {  // lane offsets are 32-bit
    power_dd(spectrum, bins, magnitude, out, stride);
    return;
  }
  const __m256i lanes = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                           _mm256_set1_epi32((int)stride));
  ptrdiff_t k = 0;
  for (; k + 8 <= bins; k += 8) {
    __m512d re, im;
    LOAD_BINS_D(spectrum, k, 0, re, im);
    __m512d sq = _mm512_add_pd(_mm512_mul_pd(re, re), _mm512_mul_pd(im, im));
    if (magnitude) sq = _mm512_sqrt_pd(sq);
    _mm512_i32scatter_pd(out + k * stride, lanes, sq, 8);
  }
  power_dd(spectrum + 2 * k, bins - k, magnitude, out + k * stride, stride);
}

// ---- Variants ---------------------------------------------------------------------------

#define BASELINE_TARGET
#define AVX2_TARGET __attribute__((target("avx2")))
#define AVX512_TARGET AVX512 __attribute__((min_vector_width(512)))

// The power kernels of each level: the scatter versions for AVX-512.
#define POWER_FF_baseline power_ff
#define POWER_DF_baseline power_df
#define POWER_DD_baseline power_dd
#define POWER_FF_avx2 power_ff
#define POWER_DF_avx2 power_df
#define POWER_DD_avx2 power_dd
#define POWER_FF_avx512 power_ff_scatter
#define POWER_DF_avx512 power_df_scatter
#define POWER_DD_avx512 power_dd_scatter

// One set of entry points per level, each calling the inlined bodies.
#define VARIANTS(suffix, TARGET)                                                          \
  TARGET static void window_ff_##suffix(const float *w, const float *s, float *o,         \
                                        ptrdiff_t n) { window_ff(w, s, o, n); }           \
  TARGET static void window_fd_##suffix(const double *w, const float *s, double *o,       \
                                        ptrdiff_t n) { window_fd(w, s, o, n); }           \
  TARGET static void window_dd_##suffix(const double *w, const double *s, double *o,      \
                                        ptrdiff_t n) { window_dd(w, s, o, n); }           \
  TARGET static void power_ff_##suffix(const float *x, ptrdiff_t n, int mag, float *o,    \
                                       ptrdiff_t st) { POWER_FF_##suffix(x, n, mag, o, st); } \
  TARGET static void power_df_##suffix(const double *x, ptrdiff_t n, int mag, float *o,   \
                                       ptrdiff_t st) { POWER_DF_##suffix(x, n, mag, o, st); } \
  TARGET static void power_dd_##suffix(const double *x, ptrdiff_t n, int mag, double *o,  \
                                       ptrdiff_t st) { POWER_DD_##suffix(x, n, mag, o, st); } \
  TARGET static void mel_f_##suffix(const float *p, ptrdiff_t c, float *o, ptrdiff_t st,  \
                                    ptrdiff_t mc, const ptrdiff_t *fb,                    \
                                    const ptrdiff_t *wd, const ptrdiff_t *of,             \
                                    const float *w) { mel_f(p, c, o, st, mc, fb, wd, of, w); } \
  TARGET static void mel_d_##suffix(const double *p, ptrdiff_t c, double *o,              \
                                    ptrdiff_t st, ptrdiff_t mc, const ptrdiff_t *fb,      \
                                    const ptrdiff_t *wd, const ptrdiff_t *of,             \
                                    const double *w) { mel_d(p, c, o, st, mc, fb, wd, of, w); } \
  TARGET static void log10_f_##suffix(float *v, ptrdiff_t n) { log10_f(v, n); }           \
  TARGET static void db_f_##suffix(float *v, ptrdiff_t n, float fl, double r) {            \
    db_f(v, n, fl, r);                                                                    \
  }                                                                                       \
  TARGET static float max_f_##suffix(const float *v, ptrdiff_t n) { return max_f(v, n); } \
  TARGET static void clamp_f_##suffix(float *v, ptrdiff_t n, float t) {                   \
    clamp_f(v, n, t);                                                                     \
  }                                                                                       \
  static const struct kernels kernels_##suffix = {                                        \
    window_ff_##suffix, window_fd_##suffix, window_dd_##suffix, power_ff_##suffix,        \
    power_df_##suffix,  power_dd_##suffix,  mel_f_##suffix,     mel_d_##suffix,           \
    log10_f_##suffix,   db_f_##suffix,      max_f_##suffix,     clamp_f_##suffix,         \
  };

struct kernels {
  void (*window_ff)(const float *, const float *, float *, ptrdiff_t);
  void (*window_fd)(const double *, const float *, double *, ptrdiff_t);
  void (*window_dd)(const double *, const double *, double *, ptrdiff_t);
  void (*power_ff)(const float *, ptrdiff_t, int, float *, ptrdiff_t);
  void (*power_df)(const double *, ptrdiff_t, int, float *, ptrdiff_t);
  void (*power_dd)(const double *, ptrdiff_t, int, double *, ptrdiff_t);
  void (*mel_f)(const float *, ptrdiff_t, float *, ptrdiff_t, ptrdiff_t, const ptrdiff_t *,
                const ptrdiff_t *, const ptrdiff_t *, const float *);
  void (*mel_d)(const double *, ptrdiff_t, double *, ptrdiff_t, ptrdiff_t,
                const ptrdiff_t *, const ptrdiff_t *, const ptrdiff_t *, const double *);
  void (*log10_f)(float *, ptrdiff_t);
  void (*db_f)(float *, ptrdiff_t, float, double);
  float (*max_f)(const float *, ptrdiff_t);
  void (*clamp_f)(float *, ptrdiff_t, float);
};

VARIANTS(baseline, BASELINE_TARGET)
VARIANTS(avx2, AVX2_TARGET)
VARIANTS(avx512, AVX512_TARGET)

// ---- Dispatch ---------------------------------------------------------------------------

// SIMD levels, in increasing order.
enum { SSPEC_SIMD_BASELINE = 0, SSPEC_SIMD_AVX2 = 1, SSPEC_SIMD_AVX512 = 2 };

static const char *const level_names[] = {"baseline", "avx2", "avx512"};
static const struct kernels *const tables[] = {&kernels_baseline, &kernels_avx2,
                                                &kernels_avx512};

// Filled before any call can run: a constructor runs when the library is loaded, before
// dlopen returns, so no later thread ever sees it change.
static int level = SSPEC_SIMD_BASELINE;
static const struct kernels *active = &kernels_baseline;

static int best_supported_level(void) {
  __builtin_cpu_init();  // constructors may run before libgcc's own CPU probe
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    return SSPEC_SIMD_AVX512;
  if (__builtin_cpu_supports("avx2")) return SSPEC_SIMD_AVX2;
  return SSPEC_SIMD_BASELINE;
}

__attribute__((constructor)) static void choose_level(void) {
  int best = best_supported_level();
  int chosen = best;
  const char *request = getenv("SWIFTSPEC_SIMD");
  if (request) {
    for (int i = SSPEC_SIMD_BASELINE; i <= SSPEC_SIMD_AVX512; i++) {
      // A level above what the CPU supports falls back to the best supported.
      if (strcmp(request, level_names[i]) == 0) chosen = i < best ? i : best;
    }
  }
  level = chosen;
  active = tables[chosen];
}

const char *sspec_simd_level_name(void) { return level_names[level]; }

// ---- Entry points -----------------------------------------------------------------------

void sspec_window_ff(const float *w, const float *s, float *o, ptrdiff_t n) {
  active->window_ff(w, s, o, n);
}
void sspec_window_fd(const double *w, const float *s, double *o, ptrdiff_t n) {
  active->window_fd(w, s, o, n);
}
void sspec_window_dd(const double *w, const double *s, double *o, ptrdiff_t n) {
  active->window_dd(w, s, o, n);
}
void sspec_power_ff(const float *x, ptrdiff_t n, int mag, float *o, ptrdiff_t st) {
  active->power_ff(x, n, mag, o, st);
}
void sspec_power_df(const double *x, ptrdiff_t n, int mag, float *o, ptrdiff_t st) {
  active->power_df(x, n, mag, o, st);
}
void sspec_power_dd(const double *x, ptrdiff_t n, int mag, double *o, ptrdiff_t st) {
  active->power_dd(x, n, mag, o, st);
}
void sspec_mel_f(const float *p, ptrdiff_t c, float *o, ptrdiff_t st, ptrdiff_t mc,
                 const ptrdiff_t *fb, const ptrdiff_t *wd, const ptrdiff_t *of, const float *w) {
  active->mel_f(p, c, o, st, mc, fb, wd, of, w);
}
void sspec_mel_d(const double *p, ptrdiff_t c, double *o, ptrdiff_t st, ptrdiff_t mc,
                 const ptrdiff_t *fb, const ptrdiff_t *wd, const ptrdiff_t *of,
                 const double *w) {
  active->mel_d(p, c, o, st, mc, fb, wd, of, w);
}
void sspec_log10_f(float *v, ptrdiff_t n) { active->log10_f(v, n); }
void sspec_db_f(const float *in, float *out, ptrdiff_t n, float floor, double ref_db) {
  if (in != out) memmove(out, in, (size_t)n * sizeof *out);
  active->db_f(out, n, floor, ref_db);
}
float sspec_max_f(const float *v, ptrdiff_t n) { return active->max_f(v, n); }
void sspec_clamp_f(float *v, ptrdiff_t n, float threshold) { active->clamp_f(v, n, threshold); }

// Not dispatched: a scan of memory that baseline vectors already keep up with.
ptrdiff_t sspec_leading_zero_bytes(const void *data, ptrdiff_t bytes) {
  const unsigned char *p = data;
  ptrdiff_t i = 0;
  for (; i + 64 <= bytes; i += 64) {
    unsigned char any = 0;
    for (int j = 0; j < 64; j++) any |= p[i + j];
    if (any) break;
  }
  while (i < bytes && p[i] == 0) i++;
  return i;
}

ptrdiff_t sspec_trailing_zero_bytes(const void *data, ptrdiff_t bytes) {
  const unsigned char *p = data;
  ptrdiff_t i = bytes;
  for (; i - 64 >= 0; i -= 64) {
    unsigned char any = 0;
    for (int j = 0; j < 64; j++) any |= p[i - 64 + j];
    if (any) break;
  }
  while (i > 0 && p[i - 1] == 0) i--;
  return bytes - i;
}
