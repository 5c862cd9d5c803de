// AVX2 + FMA + F16C twins of attention.c's scalar kernels. Keys are stored in transposed tiles of 8 so
// that eight keys' scores are one vertical FMA per dimension over one contiguous run; values row-major
// so that one value row is head_dim / 8 vertical FMAs. Both stream the 1500-frame audio of a window.
#include "sotto_attention.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma,f16c")))
#define INLINE static inline __attribute__((always_inline))

INLINE AVX2 __m256 load8(int kind, const void *base, ptrdiff_t index) {
    if (kind == SOTTO_KV_F16)
        return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const uint16_t *)base + index)));
    return _mm256_loadu_ps((const float *)base + index);
}

/// Scores of keys [j, j + 8 * lanes) (tiles j / 8 ...) with `lanes` independent accumulators.
#define SCORE_BLOCK(lanes)                                                                             \
    do {                                                                                               \
        __m256 acc[lanes];                                                                             \
        for (int l = 0; l < (lanes); l++) acc[l] = _mm256_setzero_ps();                                \
        for (ptrdiff_t d = 0; d < kv->head_dim; d++) {                                                 \
            const __m256 qd = _mm256_set1_ps(q[d]);                                                    \
            for (int l = 0; l < (lanes); l++)                                                          \
                acc[l] = _mm256_fmadd_ps(qd, load8(kind, kv->keys_t, ((j / 8 + l) * kv->head_dim + d) * 8), acc[l]); \
        }                                                                                              \
        for (int l = 0; l < (lanes); l++) _mm256_storeu_ps(scores + j + 8 * l, _mm256_mul_ps(acc[l], s)); \
    } while (0)

AVX2 void sotto_attention_scores_avx2(const sotto_kv_head *kv, const float *q, float scale, float *scores) {
    const int kind = kv->kind;
    const __m256 s = _mm256_set1_ps(scale);
    ptrdiff_t j = 0;
    for (; j + 32 <= kv->stride; j += 32) SCORE_BLOCK(4);
    for (; j < kv->stride; j += 8) SCORE_BLOCK(1);
}

/// out[d0 ..< d0 + 8 * lanes] over every key; with 8 lanes (head_dim 64) the chains hide FMA latency.
#define MIX_BLOCK(lanes)                                                                               \
    do {                                                                                               \
        __m256 acc[lanes];                                                                             \
        for (int l = 0; l < (lanes); l++) acc[l] = _mm256_setzero_ps();                                \
        for (ptrdiff_t j = 0; j < kv->keys; j++) {                                                     \
            const __m256 pj = _mm256_set1_ps(p[j]);                                                    \
            for (int l = 0; l < (lanes); l++)                                                          \
                acc[l] = _mm256_fmadd_ps(pj, load8(kind, kv->values, j * hd + d0 + 8 * l), acc[l]);     \
        }                                                                                              \
        for (int l = 0; l < (lanes); l++) _mm256_storeu_ps(out + d0 + 8 * l, acc[l]);                  \
    } while (0)

AVX2 void sotto_attention_mix_avx2(const sotto_kv_head *kv, const float *p, float *out) {
    const int kind = kv->kind;
    const ptrdiff_t hd = kv->head_dim;
    ptrdiff_t d0 = 0;
    for (; d0 + 64 <= hd; d0 += 64) MIX_BLOCK(8);
    for (; d0 + 32 <= hd; d0 += 32) MIX_BLOCK(4);
    for (; d0 < hd; d0 += 8) MIX_BLOCK(1);
}

AVX2 void sotto_f32_to_f16_avx2(const float *x, uint16_t *out, ptrdiff_t n) {
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(out + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    if (i < n) {
        float tail[8] = {0};
        uint16_t halves[8];
        for (ptrdiff_t t = i; t < n; t++) tail[t - i] = x[t];
        _mm_storeu_si128((__m128i *)halves, _mm256_cvtps_ph(_mm256_loadu_ps(tail), _MM_FROUND_TO_NEAREST_INT));
        for (ptrdiff_t t = i; t < n; t++) out[t] = halves[t - i];
    }
}

// Blocked many-query attention: 6 x 2 tiles of score accumulators and 2 x 32 dims of sums fill the 16
// registers with the operands.
#define ROWS_FN sotto_attention_rows_avx2
#define ROWS_TARGET AVX2
#define SCORE_R 6
#define SCORE_T 2
#define MIX_R 2
#include "attention_rows.h"

#endif
