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

/// Scores of the keys one tile at a time: a tile (8 keys x head_dim) is one contiguous run, read in
/// order by four accumulator chains over d mod 4. Reading four tiles side by side instead (four short
/// streams) made a decoding step's score pass half as fast per byte as its mix pass.
AVX2 void sotto_attention_scores_avx2(const sotto_kv_head *kv, const float *q, float scale, float *scores) {
    const int kind = kv->kind;
    const ptrdiff_t hd = kv->head_dim;
    const __m256 s = _mm256_set1_ps(scale);
    for (ptrdiff_t j = 0; j < kv->stride; j += 8) {
        const ptrdiff_t tile = j / 8 * hd * 8;
        __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
        ptrdiff_t d = 0;
        for (; d + 4 <= hd; d += 4)
            for (int c = 0; c < 4; c++)
                acc[c] = _mm256_fmadd_ps(_mm256_set1_ps(q[d + c]), load8(kind, kv->keys_t, tile + (d + c) * 8), acc[c]);
        for (; d < hd; d++) acc[0] = _mm256_fmadd_ps(_mm256_set1_ps(q[d]), load8(kind, kv->keys_t, tile + d * 8), acc[0]);
        const __m256 total = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
        _mm256_storeu_ps(scores + j, _mm256_mul_ps(total, s));
    }
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
