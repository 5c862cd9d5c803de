// Attention over a cached head (the decoder's audio keys/values, the encoder's frames): scalar twins
// and path dispatch. The SIMD versions live in attention_avx2.c, attention_avx512.c and attention_rows.h.
#include <math.h>
#include <string.h>
#include "sotto_attention.h"
#include "sotto_weights.h"
#include "weights_internal.h"

void sotto_attention_scores_avx2(const sotto_kv_head *kv, const float *q, float scale, float *scores);
void sotto_attention_mix_avx2(const sotto_kv_head *kv, const float *p, float *out);
void sotto_f32_to_f16_avx2(const float *x, uint16_t *out, ptrdiff_t n);
void sotto_attention_rows_avx2(const sotto_kv_head *kv, const float *q, ptrdiff_t q_stride, ptrdiff_t rows, float scale,
                               float *scratch, float *out, ptrdiff_t out_stride, int path);
void sotto_attention_rows_avx512(const sotto_kv_head *kv, const float *q, ptrdiff_t q_stride, ptrdiff_t rows, float scale,
                                 float *scratch, float *out, ptrdiff_t out_stride, int path);

static inline float kv_load(const sotto_kv_head *kv, const void *base, ptrdiff_t index) {
    return kv->kind == SOTTO_KV_F16 ? sotto_half_to_float(sotto_load_u16(base, index)) : sotto_load_f32(base, index);
}

static void scores_scalar(const sotto_kv_head *kv, const float *q, float scale, float *scores) {
    for (ptrdiff_t j = 0; j < kv->stride; j++) {
        float sum = 0.0f;
        for (ptrdiff_t d = 0; d < kv->head_dim; d++) sum += q[d] * kv_load(kv, kv->keys_t, ((j / 8) * kv->head_dim + d) * 8 + j % 8);
        scores[j] = sum * scale;
    }
}

static void mix_scalar(const sotto_kv_head *kv, const float *p, float *out) {
    for (ptrdiff_t d = 0; d < kv->head_dim; d++) out[d] = 0.0f;
    for (ptrdiff_t j = 0; j < kv->keys; j++)
        for (ptrdiff_t d = 0; d < kv->head_dim; d++) out[d] += p[j] * kv_load(kv, kv->values, j * kv->head_dim + d);
}

/// The AVX2 kernels need whole vectors per value row and per key column.
static int use_avx2(const sotto_kv_head *kv, int path) {
    return sotto_weights_resolve_path(path) >= SOTTO_PATH_AVX2 && kv->head_dim % 8 == 0 && kv->stride % 8 == 0;
}

void sotto_attention_scores(const sotto_kv_head *kv, const float *q, float scale, float *scores, int path) {
#if defined(__x86_64__)
    if (use_avx2(kv, path)) return sotto_attention_scores_avx2(kv, q, scale, scores);
#endif
    scores_scalar(kv, q, scale, scores);
}

void sotto_attention_mix(const sotto_kv_head *kv, const float *p, float *out, int path) {
#if defined(__x86_64__)
    if (use_avx2(kv, path)) return sotto_attention_mix_avx2(kv, p, out);
#endif
    mix_scalar(kv, p, out);
}

/// Softmax of n floats in place with libm's expf (the scalar twin's, independent of the SIMD kernels).
static void softmax_scalar(float *x, ptrdiff_t n) {
    float maximum = x[0];
    for (ptrdiff_t j = 1; j < n; j++) maximum = x[j] > maximum ? x[j] : maximum;
    float sum = 0.0f;
    for (ptrdiff_t j = 0; j < n; j++) sum += (x[j] = expf(x[j] - maximum));
    for (ptrdiff_t j = 0; j < n; j++) x[j] /= sum;
}

static void rows_scalar(const sotto_kv_head *kv, const float *q, ptrdiff_t q_stride, ptrdiff_t rows, float scale,
                        float *scratch, float *out, ptrdiff_t out_stride) {
    for (ptrdiff_t i = 0; i < rows; i++) {
        float *scores = scratch + i * kv->stride;
        scores_scalar(kv, q + i * q_stride, scale, scores);
        softmax_scalar(scores, kv->keys);
        mix_scalar(kv, scores, out + i * out_stride);
    }
}

void sotto_attention_rows(const sotto_kv_head *kv, const float *q, ptrdiff_t q_stride, ptrdiff_t rows, float scale,
                          float *scratch, float *out, ptrdiff_t out_stride, int path) {
    if (rows <= 0 || kv->keys <= 0) return;
#if defined(__x86_64__)
    if (kv->kind == SOTTO_KV_F32 && use_avx2(kv, path)) {
        if (sotto_weights_resolve_path(path) >= SOTTO_PATH_AVX512)
            return sotto_attention_rows_avx512(kv, q, q_stride, rows, scale, scratch, out, out_stride, path);
        return sotto_attention_rows_avx2(kv, q, q_stride, rows, scale, scratch, out, out_stride, path);
    }
#endif
    rows_scalar(kv, q, q_stride, rows, scale, scratch, out, out_stride);
}

/// Round-to-nearest-even float to half on the bit pattern, for CPUs without F16C.
static uint16_t float_to_half(float value) {
    uint32_t bits;
    memcpy(&bits, &value, 4);
    const uint32_t sign = (bits >> 16) & 0x8000u;
    const uint32_t magnitude = bits & 0x7FFFFFFFu;
    if (magnitude >= 0x7F800000u) return (uint16_t)(sign | 0x7C00u | (magnitude > 0x7F800000u ? 0x200u : 0));
    if (magnitude >= 0x477FF000u) return (uint16_t)(sign | 0x7C00u);  // rounds past 65504
    if (magnitude < 0x38800000u) {
        // Half subnormal or zero: value / 2^-24 rounded to an integer, ties to even.
        float scaled;
        uint32_t m = magnitude;
        memcpy(&scaled, &m, 4);
        scaled *= 0x1p24f;
        uint32_t integer = (uint32_t)scaled;
        float rest = scaled - (float)integer;
        if (rest > 0.5f || (rest == 0.5f && (integer & 1))) integer++;
        return (uint16_t)(sign | integer);
    }
    uint32_t half = ((magnitude - 0x38000000u) >> 13);
    const uint32_t dropped = magnitude & 0x1FFFu;
    if (dropped > 0x1000u || (dropped == 0x1000u && (half & 1))) half++;
    return (uint16_t)(sign | half);
}

void sotto_f32_to_f16(const float *x, uint16_t *out, ptrdiff_t n, int path) {
#if defined(__x86_64__)
    if (sotto_weights_resolve_path(path) >= SOTTO_PATH_AVX2) return sotto_f32_to_f16_avx2(x, out, n);
#endif
    for (ptrdiff_t i = 0; i < n; i++) out[i] = float_to_half(x[i]);
}

void sotto_kv_layout(const float *keys, ptrdiff_t key_stride, const float *values, ptrdiff_t value_stride,
                     ptrdiff_t frames, ptrdiff_t head_dim, ptrdiff_t stride, int kind, void *keys_out, void *values_out) {
    float tile[8 * head_dim];
    for (ptrdiff_t t = 0; t < stride / 8; t++) {
        for (ptrdiff_t i = 0; i < 8; i++) {
            const ptrdiff_t j = t * 8 + i;
            const float *key = keys + j * key_stride;
            for (ptrdiff_t d = 0; d < head_dim; d++) tile[d * 8 + i] = j < frames ? key[d] : 0.0f;
        }
        if (kind == SOTTO_KV_F16) {
            sotto_f32_to_f16(tile, (uint16_t *)keys_out + t * 8 * head_dim, 8 * head_dim, 0);
        } else {
            memcpy((float *)keys_out + t * 8 * head_dim, tile, sizeof(tile));
        }
    }
    for (ptrdiff_t j = 0; j < frames; j++) {
        if (kind == SOTTO_KV_F16) {
            sotto_f32_to_f16(values + j * value_stride, (uint16_t *)values_out + j * head_dim, head_dim, 0);
        } else {
            memcpy((float *)values_out + j * head_dim, values + j * value_stride, sizeof(float) * (size_t)head_dim);
        }
    }
}
