// SPDX-License-Identifier: GPL-2.0-or-later
// Internal to libswiftspec.so (not exported: see exports.map): the per-frame kernels,
// each compiled for baseline x86-64, AVX2 and AVX-512 and chosen once at run time.
//
// Every variant computes each output element with the same IEEE operations in the same
// order (no FMA contraction, no reassociation; vectors run across independent outputs),
// so all levels give identical bits. Tests force each level through SWIFTSPEC_SIMD.
#ifndef SWIFTSPEC_CKERNELS_H
#define SWIFTSPEC_CKERNELS_H

#include <stddef.h>

/* The level in use, "baseline", "avx2" or "avx512": the best the CPU supports, or the
 * lower level named by the environment variable SWIFTSPEC_SIMD. Read once, when the
 * library is loaded. A level above the CPU's gets the best supported one; any other
 * value ("auto", unknown) the best; the Python package warns when the level differs
 * from a request. */
const char *sspec_simd_level_name(void);

/* out[i] = window[i] * samples[i], i < count; out may equal samples.
 * Suffix: sample type, then window/output type (f = float, d = double). */
void sspec_window_ff(const float *window, const float *samples, float *out, ptrdiff_t count);
void sspec_window_fd(const double *window, const float *samples, double *out, ptrdiff_t count);
void sspec_window_dd(const double *window, const double *samples, double *out,
                     ptrdiff_t count);

/* |X|^2 (power 2) or |X| (power 1) of `bins` interleaved complex values of the FFT type,
 * each component first rounded to the output type, the power taken in the FFT type and
 * rounded to the output type, written to out[k * stride].
 * Suffix: FFT type, then output type. */
void sspec_power_ff(const float *spectrum, ptrdiff_t bins, int magnitude, float *out,
                    ptrdiff_t stride);
void sspec_power_df(const double *spectrum, ptrdiff_t bins, int magnitude, float *out,
                    ptrdiff_t stride);
void sspec_power_dd(const double *spectrum, ptrdiff_t bins, int magnitude, double *out,
                    ptrdiff_t stride);

/* Lanes of the mel product: frames per block. Four, although AVX-512 could take 16: the
 * power kernel stores each frame's powers bin-major with this stride, one store per bin,
 * and with 8 or 16 frames a block's powers (32 or 64 KB at n_fft 2048) no longer stay in
 * the L1 cache beside the frame, its spectrum and the window; those strided stores then
 * cost more than the wider mel product saves (measured with perf at n_fft 2048). */
enum { SSPEC_MEL_LANES = 4 };

/* out[m * stride + j] = sum over k < width[m] of weights[offset[m] + k] *
 * powers[(first_bin[m] + k) * SSPEC_MEL_LANES + j], summed in order of k, for
 * j < count <= SSPEC_MEL_LANES and m < mel_count. */
void sspec_mel_f(const float *powers, ptrdiff_t count, float *out, ptrdiff_t stride,
                 ptrdiff_t mel_count, const ptrdiff_t *first_bin, const ptrdiff_t *width,
                 const ptrdiff_t *offset, const float *weights);
void sspec_mel_d(const double *powers, ptrdiff_t count, double *out, ptrdiff_t stride,
                 ptrdiff_t mel_count, const ptrdiff_t *first_bin, const ptrdiff_t *width,
                 const ptrdiff_t *offset, const double *weights);

/* values[i] = log10(values[i]) rounded to float (see sspec_db_f). */
void sspec_log10_f(float *values, ptrdiff_t count);

/* out[i] = (float)((double)(10.0f * log10f(max(floor, in[i]))) - ref_db), with NaN
 * propagating as numpy's maximum; in may equal out. log10f is a float64 series that is
 * correctly rounded but in rare ties. */
void sspec_db_f(const float *in, float *out, ptrdiff_t count, float floor, double ref_db);

/* The maximum of count values (-inf if none), NaN if any is NaN (numpy's max). */
float sspec_max_f(const float *values, ptrdiff_t count);

/* values[i] = max(values[i], threshold), NaN propagating as numpy's maximum. */
void sspec_clamp_f(float *values, ptrdiff_t count, float threshold);

/* The number of zero bytes at the start (at the end) of data[0..bytes). */
ptrdiff_t sspec_leading_zero_bytes(const void *data, ptrdiff_t bytes);
ptrdiff_t sspec_trailing_zero_bytes(const void *data, ptrdiff_t bytes);

#endif
