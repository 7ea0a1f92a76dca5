/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * swiftspec.h: the C ABI of libswiftspec, librosa-compatible spectrograms over FFTW.
 *
 * This hand-written header is the source of truth for the ABI. The Swift shims in
 * Sources/SwiftSpecCABI implement it; python/swiftspec/_ffi.py declares the same
 * prototypes for ctypes; Tests/CABISmoke/smoke.c compiles against it.
 *
 * API conventions
 * ---------------
 * - Every fallible function returns an int32_t status: SWIFTSPEC_OK (0) or one of the
 *   SWIFTSPEC_ERR_* codes below. Codes are pinned and never renumbered or reused.
 *   swiftspec_strerror() turns a code into a static string. There is no global or
 *   thread-local "last error".
 * - Counts are int64_t and must be >= 0 (sizes > 0 where stated); flags and enums are
 *   int32_t (flags are 0 or 1); rates and frequencies are double.
 * - Sample buffers are typed at run time by a swiftspec_dtype: FLOAT32 means float,
 *   FLOAT64 means double. A complex buffer of dtype D holds interleaved (re, im) pairs
 *   of D, like C99 float complex / double complex.
 * - Multichannel input is n_rows contiguous rows of n_samples samples (row-major).
 * - The caller allocates every buffer. Outputs take a capacity `*_cap` in elements
 *   (complex elements for complex buffers); a short capacity returns
 *   SWIFTSPEC_ERR_BUFFER_TOO_SMALL and writes nothing. Size queries give exact sizes.
 * - The library never keeps a pointer after returning and never returns memory that
 *   the caller must free. Inputs must not overlap outputs unless stated.
 * - Nothing is validated lazily: all arguments are checked (null pointers, ranges,
 *   overflow of size products, finiteness of audio) before any output is written.
 * - Functions that plan an FFT (stft, istft and the fused features) need
 *   n_fft <= INT32_MAX (FFTW's limit): a larger n_fft returns
 *   SWIFTSPEC_ERR_FFT_PLAN_FAILED, or SWIFTSPEC_ERR_SIZE_OVERFLOW when n_fft doubles of
 *   window would not even be addressable, before the window is read.
 *
 * Thread safety
 * -------------
 * All swiftspec_* functions are reentrant and may be called concurrently from any
 * number of threads, as long as output buffers do not overlap each other or any input.
 * The only shared state is a process-wide cache of FFTW plans, guarded by a pthread
 * mutex. Planning happens only under that lock; execution uses FFTW's new-array execute
 * functions on per-call aligned scratch buffers.
 *
 * Fork safety: a fork() (from any thread) waits until no thread is inside a swiftspec_*
 * call (pthread_atfork handlers and a writer-preferring lock that every call holds for
 * reading), so a child never inherits a call, a lock or a one-time initialisation half
 * done, and may call the library at once.
 */
#ifndef SWIFTSPEC_H
#define SWIFTSPEC_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a prototype, an enum value or a layout below changes. */
#define SWIFTSPEC_ABI_VERSION 3

/* Status codes: pinned. */
enum {
  SWIFTSPEC_OK = 0,
  SWIFTSPEC_ERR_INVALID_ARGUMENT = 1, /* a value out of its documented range */
  SWIFTSPEC_ERR_NULL_POINTER = 2,     /* a required pointer was NULL */
  SWIFTSPEC_ERR_BUFFER_TOO_SMALL = 3, /* an output capacity is short */
  SWIFTSPEC_ERR_INPUT_TOO_SHORT = 4,  /* the signal is too short for the analysis */
  SWIFTSPEC_ERR_NON_FINITE_INPUT = 5, /* audio contains NaN or +-inf */
  SWIFTSPEC_ERR_OUT_OF_MEMORY = 6,    /* scratch allocation failed */
  SWIFTSPEC_ERR_FFT_PLAN_FAILED = 7,  /* FFTW could not make a plan */
  SWIFTSPEC_ERR_SIZE_OVERFLOW = 8,    /* a size computation overflows int64 */
  SWIFTSPEC_ERR_INTERNAL = 99
};

/* Element types of sample buffers. */
enum { SWIFTSPEC_FLOAT32 = 1, SWIFTSPEC_FLOAT64 = 2 };

/* Padding of the signal ends for centred analysis; numpy.pad semantics. EMPTY leaves
 * the padding unspecified in numpy; swiftspec fills it with zeros. */
enum {
  SWIFTSPEC_PAD_CONSTANT = 0,
  SWIFTSPEC_PAD_EDGE = 1,
  SWIFTSPEC_PAD_REFLECT = 2,
  SWIFTSPEC_PAD_SYMMETRIC = 3,
  SWIFTSPEC_PAD_LINEAR_RAMP = 4,
  SWIFTSPEC_PAD_EMPTY = 5
};

/* FFT precision. EXACT runs FFTW in double precision, as librosa does, and rounds the
 * result to the output type; FAST runs FFTW in single precision on float32 data. */
enum { SWIFTSPEC_PRECISION_EXACT = 0, SWIFTSPEC_PRECISION_FAST = 1 };

/* Windows computed natively, bit-identical to scipy.signal.get_window in float64. */
enum {
  SWIFTSPEC_WINDOW_HANN = 0,
  SWIFTSPEC_WINDOW_HAMMING = 1,
  SWIFTSPEC_WINDOW_BLACKMAN = 2,
  SWIFTSPEC_WINDOW_BOXCAR = 3,
  SWIFTSPEC_WINDOW_BARTLETT = 4,
  SWIFTSPEC_WINDOW_TRIANG = 5
};

/* How swiftspec_savgol_filter extends the ends of a line: scipy.signal.savgol_filter's
 * modes, whose padding is scipy.ndimage's (MIRROR reflects about the end sample without
 * repeating it, numpy's 'reflect'; NEAREST repeats it; WRAP is periodic; CONSTANT pads
 * with cval). INTERP pads nothing: see swiftspec_savgol_filter. */
enum {
  SWIFTSPEC_SAVGOL_INTERP = 0,
  SWIFTSPEC_SAVGOL_NEAREST = 1,
  SWIFTSPEC_SAVGOL_MIRROR = 2,
  SWIFTSPEC_SAVGOL_CONSTANT = 3,
  SWIFTSPEC_SAVGOL_WRAP = 4
};

/* How the decibel reference is chosen. */
enum {
  SWIFTSPEC_REF_SCALAR = 0, /* ref_db is one double for every group */
  SWIFTSPEC_REF_MAX = 1     /* ref = max of each group, like librosa's ref=np.max */
};

/* ---- Library information ------------------------------------------------------- */

/* SWIFTSPEC_ABI_VERSION of the built library; compare it with the header's. */
int32_t swiftspec_abi_version(void);

/* A static, immortal, NUL-terminated description of `status`; unknown codes get a
 * generic message. Never NULL. */
const char *swiftspec_strerror(int32_t status);

/* FFTW's version string, e.g. "fftw-3.3.10-sse2-avx". Never NULL. */
const char *swiftspec_fftw_version(void);

/* The SIMD level of the library's own kernels (windowing, power spectrum, mel product,
 * float32 log10 and dB): "baseline" (x86-64 SSE2), "avx2" or "avx512". Chosen once when
 * the library is loaded: the best the CPU supports, or the level named by the
 * environment variable SWIFTSPEC_SIMD if the CPU supports it (an unknown or unsupported
 * value is ignored). Every level gives bit-identical results. Never NULL. */
const char *swiftspec_simd_level(void);

/* ---- Windows and frequency grids ------------------------------------------------ */

/* Writes window `window` (SWIFTSPEC_WINDOW_*) of length n >= 0 into out[0..n).
 * periodic=1 gives the DFT-even window (scipy's fftbins=True), 0 the symmetric one. */
int32_t swiftspec_get_window(int32_t window, int64_t n, int32_t periodic, double *out,
                             int64_t out_cap);

/* out[k] = k * (sr / n_fft) in double (librosa 1.0.1's fft_frequencies), k = 0 .. n_fft/2.
 * sr > 0 finite, n_fft > 0; out_cap >= n_fft/2 + 1. */
int32_t swiftspec_fft_frequencies(double sr, int64_t n_fft, double *out, int64_t out_cap);

/* Elementwise Hz -> mel (to_mel=1) or mel -> Hz (to_mel=0), Slaney (htk=0) or HTK
 * (htk=1) scale. NaN passes through. in and out may be the same buffer. */
int32_t swiftspec_convert_mel(const double *in, int64_t n, int32_t to_mel, int32_t htk,
                              double *out, int64_t out_cap);

/* n_mels >= 0 frequencies (Hz) evenly spaced on the mel scale from fmin to fmax. */
int32_t swiftspec_mel_frequencies(int64_t n_mels, double fmin, double fmax, int32_t htk,
                                  double *out, int64_t out_cap);

/* The mel filter bank [n_mels][n_fft/2+1] of element type `dtype`, exactly as
 * librosa.filters.mel computes it with norm='slaney' (slaney_norm=1) or norm=None
 * (slaney_norm=0). Sets *n_empty to the number of filters that are all zero although
 * their lower edge is not 0 Hz (librosa warns about these). sr > 0, n_fft > 0,
 * n_mels >= 0, fmin and fmax finite. */
int32_t swiftspec_mel_filter_bank(double sr, int64_t n_fft, int64_t n_mels, double fmin,
                                  double fmax, int32_t htk, int32_t slaney_norm,
                                  int32_t dtype, void *out, int64_t out_cap,
                                  int64_t *n_empty);

/* The DCT matrix [n_out][n] (double) of scipy.fft.dct(x, type=dct_type, norm=...)
 * along one axis: y = M x keeps the first n_out coefficients. dct_type in 1..3;
 * norm 0 = None/"backward", 1 = "ortho", 2 = "forward". Type 1 needs n > 1. */
int32_t swiftspec_dct_matrix(int32_t dct_type, int32_t norm, int64_t n, int64_t n_out,
                             double *out, int64_t out_cap);

/* ---- Short-time Fourier transform ----------------------------------------------- */

/* Number of frames of a (centred) STFT of n_samples samples. center=1 pads n_fft/2 on
 * each side. Returns SWIFTSPEC_ERR_INPUT_TOO_SHORT when not even one frame fits. */
int32_t swiftspec_stft_n_frames(int64_t n_samples, int64_t n_fft, int64_t hop_length,
                                int32_t center, int64_t *n_frames);

/* STFT of n_rows signals of n_samples samples each.
 * in:      [n_rows][n_samples] of in_dtype; all samples finite.
 * window:  n_fft doubles (already centred in n_fft, as librosa's pad_center does).
 * out:     [n_rows][n_frames][n_fft/2+1] complex of out_dtype; out_cap counts complex
 *          elements. A row's frames are contiguous, so row r as a numpy array of shape
 *          (n_frames, bins) transposes to librosa's (bins, n_frames).
 * precision SWIFTSPEC_PRECISION_FAST requires in_dtype = out_dtype = FLOAT32.
 * n_threads: 0 = library default, otherwise the number of threads to use (at most 1024). */
int32_t swiftspec_stft(const void *in, int32_t in_dtype, int64_t n_rows,
                       int64_t n_samples, int64_t n_fft, int64_t hop_length,
                       const double *window, int32_t center, int32_t pad_mode,
                       int32_t precision, void *out, int32_t out_dtype, int64_t out_cap,
                       int32_t n_threads);

/* Inverse STFT (librosa.istft) of n_rows matrices [n_frames][n_bins] complex of dtype
 * `dtype` (n_bins <= n_fft/2+1 are used; missing bins are zero). window: n_fft doubles,
 * centred. The window's squared envelope (librosa's window_sumsquare) is computed
 * internally from these n_fft samples. length < 0 means "natural length". Writes
 * [n_rows][n_out] samples of `dtype`, where n_out is given by swiftspec_istft_length. */
int32_t swiftspec_istft_length(int64_t n_frames, int64_t n_fft, int64_t hop_length,
                               int32_t center, int64_t length, int64_t *n_out);
int32_t swiftspec_istft(const void *in, int32_t dtype, int64_t n_rows, int64_t n_frames,
                        int64_t n_bins, int64_t n_fft, int64_t hop_length,
                        const double *window, int32_t center, int64_t length, void *out,
                        int64_t out_cap, int32_t n_threads);

/* ---- Fused features -------------------------------------------------------------- */

/* Mel spectrogram: for each row and frame, window -> FFT -> |X|^power -> mel basis,
 * without materialising the complex STFT. Arguments as swiftspec_stft, plus:
 * power:     exponent > 0 applied to the magnitude.
 * mel_basis: [n_mels][n_fft/2+1] of out_dtype (from swiftspec_mel_filter_bank or any
 *            non-negative basis).
 * out:       [n_rows][n_mels][n_frames] of out_dtype (C order, like librosa's result). */
int32_t swiftspec_melspectrogram(const void *in, int32_t in_dtype, int64_t n_rows,
                                 int64_t n_samples, int64_t n_fft, int64_t hop_length,
                                 const double *window, int32_t center, int32_t pad_mode,
                                 int32_t precision, double power, const void *mel_basis,
                                 int64_t n_mels, void *out, int32_t out_dtype,
                                 int64_t out_cap, int32_t n_threads);

/* Power spectrogram: for each row and frame, window -> FFT -> |X|^power, without
 * materialising the complex STFT. Arguments as swiftspec_stft, plus:
 * power: exponent > 0 applied to the magnitude.
 * out:   [n_rows][n_fft/2+1][n_frames] of out_dtype (C order, like np.abs(stft)**power). */
int32_t swiftspec_spectrogram(const void *in, int32_t in_dtype, int64_t n_rows,
                              int64_t n_samples, int64_t n_fft, int64_t hop_length,
                              const double *window, int32_t center, int32_t pad_mode,
                              int32_t precision, double power, void *out, int32_t out_dtype,
                              int64_t out_cap, int32_t n_threads);

/* Decibels in place semantics of librosa.power_to_db over n_groups contiguous groups of
 * group_len values of `dtype` (a group is what librosa reduces over: one channel's
 * (n_mels, n_frames) block for axes='auto', the whole array for axes=None):
 *   out = 10*log10(max(amin, in)) - ref_db,  where
 *   ref_db = the double `ref_db` (SWIFTSPEC_REF_SCALAR), or
 *            10*log10(max(amin, max(group))) in dtype arithmetic (SWIFTSPEC_REF_MAX);
 *   then, if has_top_db, out = max(out, max(out over the group) - top_db).
 * NaN propagates as numpy's maximum does. in may equal out. amin > 0, top_db >= 0.
 * Groups are spread over n_threads threads (0 = library default). */
int32_t swiftspec_power_to_db(const void *in, int32_t dtype, int64_t n_groups,
                              int64_t group_len, int32_t ref_mode, double ref_db,
                              double amin, int32_t has_top_db, double top_db, void *out,
                              int64_t out_cap, int32_t n_threads);

/* Log-mel spectrogram: swiftspec_melspectrogram followed by swiftspec_power_to_db on
 * each row (one group per row: librosa 1.0's per-channel semantics). */
int32_t swiftspec_log_melspectrogram(const void *in, int32_t in_dtype, int64_t n_rows,
                                     int64_t n_samples, int64_t n_fft, int64_t hop_length,
                                     const double *window, int32_t center,
                                     int32_t pad_mode, int32_t precision, double power,
                                     const void *mel_basis, int64_t n_mels,
                                     int32_t ref_mode, double ref_db, double amin,
                                     int32_t has_top_db, double top_db, void *out,
                                     int32_t out_dtype, int64_t out_cap, int32_t n_threads);

/* MFCC: the log-mel spectrogram above, then y = dct_matrix x along the mel axis.
 * dct_matrix: [n_mfcc][n_mels] doubles (swiftspec_dct_matrix).
 * out: [n_rows][n_mfcc][n_frames] of out_dtype. */
int32_t swiftspec_mfcc(const void *in, int32_t in_dtype, int64_t n_rows,
                       int64_t n_samples, int64_t n_fft, int64_t hop_length,
                       const double *window, int32_t center, int32_t pad_mode,
                       int32_t precision, double power, const void *mel_basis,
                       int64_t n_mels, double amin, int32_t has_top_db, double top_db,
                       const double *dct_matrix, int64_t n_mfcc, void *out,
                       int32_t out_dtype, int64_t out_cap, int32_t n_threads);

/* ---- Filters ------------------------------------------------------------------------ */

/* Savitzky-Golay derivative filter (scipy.signal.savgol_filter; librosa.feature.delta)
 * along the middle axis of in, n_outer x n_axis x n_inner values of `dtype` (row-major;
 * the axis of a (..., n_bins, n_frames) array and the products of the sizes before and
 * after it). Each output is the deriv-th derivative (divided by delta^deriv) of the
 * polynomial of degree polyorder fitted by least squares to the `width` samples centred
 * on it, the line extended at its ends by `mode` (cval for CONSTANT). With INTERP (which
 * needs n_axis >= width) the outputs within width/2 of an end are instead the derivative
 * of the polynomial fitted to the first (last) width samples, at their own positions.
 * fit: [polyorder + 1][width] finite doubles, row j mapping the samples at positions
 * s = -width/2 .. width/2 to the coefficient of s^j of the fitted polynomial (the
 * pseudo-inverse of that Vandermonde matrix). width odd > 0; 0 <= polyorder < width;
 * deriv >= 0 (above polyorder the result is 0); delta finite and non-zero.
 * out: n_outer * n_axis * n_inner values of `dtype`; in must not overlap it. Computed in
 * double, rounded once. NaN and infinities propagate. Lines are spread over n_threads
 * threads (0 = library default). */
int32_t swiftspec_savgol_filter(const void *in, int32_t dtype, int64_t n_outer,
                                int64_t n_axis, int64_t n_inner, int64_t width,
                                const double *fit, int64_t polyorder, int64_t deriv,
                                double delta, int32_t mode, double cval, void *out,
                                int64_t out_cap, int32_t n_threads);

#ifdef __cplusplus
}
#endif

#endif /* SWIFTSPEC_H */
