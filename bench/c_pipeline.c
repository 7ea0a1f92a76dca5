// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The floor swiftspec's log-mel is measured against: a plain C pipeline in float with FFTW,
 * written the straightforward way a careful C programmer would (no hand-written SIMD).
 *
 * Per clip: centre padding with zeros (librosa's pad_mode="constant"), window, r2c FFT
 * with a float FFTW plan, |X|^2, a sparse mel projection (only the non-zero bins of each
 * filter), 10 log10(max(amin, S)), then the top_db cut-off below the clip's maximum
 * (ref = 1). The window and the mel filter bank come from the caller, so both sides of
 * the comparison use identical coefficients.
 *
 * Frames go through in blocks of BLOCK: the FFT of each frame of a block, then the power
 * of the block stored bin-major, so that the mel projection's inner loop runs across the
 * frames of the block — contiguous, independent sums that the compiler vectorises at -O3
 * without -ffast-math (a dot product along the bins would not vectorise: reordering a
 * float sum needs -ffast-math).
 *
 * Built by bench/bench.py as a shared library loaded with ctypes, once against Debian's
 * libfftw3f.a and once against a SIMD build of FFTW when present. Only the symbols below
 * are exported, so the two copies of FFTW (and swiftspec's own) stay apart in one process.
 */

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))
#define BLOCK 16

typedef struct {
    int n_fft, hop, n_bins, n_mels;
    fftwf_plan plan;
    float *frame;           // one windowed frame, the plan's input
    fftwf_complex *spectrum; // the plan's output
    float *power;           // n_bins x BLOCK, bin-major
    float *window;          // n_fft
    float *basis;           // n_mels x n_bins
    int *first_bin, *end_bin; // the non-zero range [first, end) of each mel filter
} Pipeline;

EXPORT void c_pipeline_destroy(Pipeline *p) {
    if (!p) return;
    if (p->plan) fftwf_destroy_plan(p->plan);
    fftwf_free(p->frame);
    fftwf_free(p->spectrum);
    free(p->power);
    free(p->window);
    free(p->basis);
    free(p->first_bin);
    free(p->end_bin);
    free(p);
}

/* plan_flags: FFTW_ESTIMATE, FFTW_MEASURE, ... (planning happens here, outside any timing). */
EXPORT Pipeline *c_pipeline_create(int n_fft, int hop, const float *window, const float *basis,
                                   int n_mels, unsigned plan_flags) {
    if (n_fft < 2 || hop < 1 || n_mels < 1) return NULL;
    Pipeline *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->n_fft = n_fft;
    p->hop = hop;
    p->n_bins = n_fft / 2 + 1;
    p->n_mels = n_mels;
    p->frame = fftwf_malloc(sizeof(float) * (size_t)n_fft);
    p->spectrum = fftwf_malloc(sizeof(fftwf_complex) * (size_t)p->n_bins);
    p->power = malloc(sizeof(float) * (size_t)p->n_bins * BLOCK);
    p->window = malloc(sizeof(float) * (size_t)n_fft);
    p->basis = malloc(sizeof(float) * (size_t)n_mels * (size_t)p->n_bins);
    p->first_bin = malloc(sizeof(int) * (size_t)n_mels);
    p->end_bin = malloc(sizeof(int) * (size_t)n_mels);
    if (!p->frame || !p->spectrum || !p->power || !p->window || !p->basis || !p->first_bin ||
        !p->end_bin) {
        c_pipeline_destroy(p);
        return NULL;
    }
    memcpy(p->window, window, sizeof(float) * (size_t)n_fft);
    memcpy(p->basis, basis, sizeof(float) * (size_t)n_mels * (size_t)p->n_bins);
    for (int m = 0; m < n_mels; m++) {
        const float *row = p->basis + (size_t)m * p->n_bins;
        int first = 0, end = p->n_bins;
        while (first < end && row[first] == 0.0f) first++;
        while (end > first && row[end - 1] == 0.0f) end--;
        p->first_bin[m] = first;
        p->end_bin[m] = end;
    }
    p->plan = fftwf_plan_dft_r2c_1d(n_fft, p->frame, p->spectrum, plan_flags);
    if (!p->plan) {
        c_pipeline_destroy(p);
        return NULL;
    }
    return p;
}

static void window_frame(const Pipeline *p, const float *clip, long clip_len, long start) {
    float *restrict frame = p->frame;
    const float *restrict window = p->window;
    const int n_fft = p->n_fft;
    if (start >= 0 && start + n_fft <= clip_len) {  // most frames: a branch-free loop
        const float *restrict samples = clip + start;
        for (int i = 0; i < n_fft; i++) frame[i] = samples[i] * window[i];
        return;
    }
    // The first and last frames reach into the centre padding, which is zeros.
    for (int i = 0; i < n_fft; i++) {
        long at = start + i;
        frame[i] = (at >= 0 && at < clip_len) ? clip[at] * window[i] : 0.0f;
    }
}

static void block_power(const Pipeline *p, int b) {
    const fftwf_complex *restrict spectrum = p->spectrum;
    float *restrict power = p->power + b;
    for (int k = 0; k < p->n_bins; k++) {
        const float re = spectrum[k][0], im = spectrum[k][1];
        power[(size_t)k * BLOCK] = re * re + im * im;
    }
}

static void mel_block(const Pipeline *p, int count, float *out, long n_frames, long first_frame) {
    for (int m = 0; m < p->n_mels; m++) {
        float sums[BLOCK] = {0};
        const float *restrict row = p->basis + (size_t)m * p->n_bins;
        const float *restrict power = p->power;
        for (int k = p->first_bin[m]; k < p->end_bin[m]; k++) {
            const float weight = row[k];
            for (int b = 0; b < BLOCK; b++) sums[b] += weight * power[(size_t)k * BLOCK + b];
        }
        float *dest = out + (size_t)m * n_frames + first_frame;
        for (int b = 0; b < count; b++) dest[b] = sums[b];
    }
}

static void to_db(float *S, size_t count, float amin, float top_db) {
    float peak = -INFINITY;
    for (size_t i = 0; i < count; i++) {
        S[i] = 10.0f * log10f(S[i] > amin ? S[i] : amin);
        if (S[i] > peak) peak = S[i];
    }
    const float floor_db = peak - top_db;
    for (size_t i = 0; i < count; i++)
        if (S[i] < floor_db) S[i] = floor_db;
}

/* audio: n_clips x clip_len; out: n_clips x n_mels x (1 + clip_len / hop). */
EXPORT void c_pipeline_run(const Pipeline *p, const float *audio, long n_clips, long clip_len,
                           float amin, float top_db, float *out) {
    const long n_frames = 1 + clip_len / p->hop;
    const size_t out_per_clip = (size_t)p->n_mels * (size_t)n_frames;
    for (long c = 0; c < n_clips; c++) {
        const float *clip = audio + (size_t)c * (size_t)clip_len;
        float *clip_out = out + (size_t)c * out_per_clip;
        for (long t0 = 0; t0 < n_frames; t0 += BLOCK) {
            const int count = n_frames - t0 < BLOCK ? (int)(n_frames - t0) : BLOCK;
            for (int b = 0; b < count; b++) {
                window_frame(p, clip, clip_len, (t0 + b) * p->hop - p->n_fft / 2);
                fftwf_execute(p->plan);
                block_power(p, b);
            }
            mel_block(p, count, clip_out, n_frames, t0);
        }
        to_db(clip_out, out_per_clip, amin, top_db);
    }
}

EXPORT const char *c_pipeline_fftw_version(void) { return fftwf_version; }
