// The blocked many-query attention kernel (sotto_attention_rows), written once over 256-bit vectors and
// compiled per instruction set: attention_avx2.c includes it for AVX2 (16 vector registers) and
// attention_avx512.c for AVX-512 VL, whose 32 registers hold larger blocks of accumulators. Zen 4 runs
// 256-bit and 512-bit FMAs at the same rate, so the register count, not the vector width, is what the
// second instantiation buys. The includer defines:
//   ROWS_FN      the exported name        ROWS_TARGET  the target attribute
//   SCORE_R      query rows per score block, SCORE_T key tiles (of 8) per score block
//   MIX_R        query rows per block of the weighted sum (32 value dimensions at a time)
// Each block's scores stay in scratch rows (a few KB per row) and are read back while still cached,
// instead of a [queries, keys] matrix written to memory and read again, which sgemm + softmax + sgemm did.
#include <immintrin.h>
#include "sotto_attention.h"
#include "sotto_activations.h"
#include "row_dispatch.h"

#define ROWS_INLINE static inline __attribute__((always_inline))

/// scores[r * ss + t * 8 + l] = scale * q_r . key (tile t, lane l) for r < R, t < T; kt = first tile.
ROWS_INLINE ROWS_TARGET void score_block(const float *kt, ptrdiff_t hd, const float *q, ptrdiff_t qs, const int R,
                                         const int T, __m256 scale, float *scores, ptrdiff_t ss) {
    __m256 acc[SCORE_R][SCORE_T];
    for (int r = 0; r < R; r++)
        for (int t = 0; t < T; t++) acc[r][t] = _mm256_setzero_ps();
    for (ptrdiff_t d = 0; d < hd; d++) {
        __m256 k[SCORE_T];
        for (int t = 0; t < T; t++) k[t] = _mm256_loadu_ps(kt + (t * hd + d) * 8);
        for (int r = 0; r < R; r++) {
            const __m256 b = _mm256_broadcast_ss(q + r * qs + d);
            for (int t = 0; t < T; t++) acc[r][t] = _mm256_fmadd_ps(b, k[t], acc[r][t]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int t = 0; t < T; t++) _mm256_storeu_ps(scores + r * ss + t * 8, _mm256_mul_ps(acc[r][t], scale));
}

/// One score block of R rows over every tile: whole groups of SCORE_T tiles, then single tiles.
ROWS_INLINE ROWS_TARGET void score_rows(const sotto_kv_head *kv, const float *q, ptrdiff_t qs, const int R,
                                        __m256 scale, float *scores) {
    const float *keys_t = (const float *)kv->keys_t;
    const ptrdiff_t hd = kv->head_dim, tiles = kv->stride / 8;
    ptrdiff_t t = 0;
    for (; t + SCORE_T <= tiles; t += SCORE_T)
        score_block(keys_t + t * hd * 8, hd, q, qs, R, SCORE_T, scale, scores + t * 8, kv->stride);
    for (; t < tiles; t++) score_block(keys_t + t * hd * 8, hd, q, qs, R, 1, scale, scores + t * 8, kv->stride);
}

/// out[r * os + l * 8 ..] = sum_j p[r * ps + j] * values[j * hd + l * 8 ..] for r < R, l < L (values
/// already moved to the first dimension of the block).
ROWS_INLINE ROWS_TARGET void mix_block(const float *values, ptrdiff_t hd, ptrdiff_t keys, const float *p, ptrdiff_t ps,
                                       const int R, const int L, float *out, ptrdiff_t os) {
    __m256 acc[MIX_R][4];
    for (int r = 0; r < R; r++)
        for (int l = 0; l < L; l++) acc[r][l] = _mm256_setzero_ps();
    for (ptrdiff_t j = 0; j < keys; j++) {
        __m256 v[4];
        for (int l = 0; l < L; l++) v[l] = _mm256_loadu_ps(values + j * hd + l * 8);
        for (int r = 0; r < R; r++) {
            const __m256 b = _mm256_broadcast_ss(p + r * ps + j);
            for (int l = 0; l < L; l++) acc[r][l] = _mm256_fmadd_ps(b, v[l], acc[r][l]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int l = 0; l < L; l++) _mm256_storeu_ps(out + r * os + l * 8, acc[r][l]);
}

/// The weighted sums of R rows: 32 dimensions at a time, then 8.
ROWS_INLINE ROWS_TARGET void mix_rows(const sotto_kv_head *kv, const float *p, const int R, float *out, ptrdiff_t os) {
    const float *values = (const float *)kv->values;
    const ptrdiff_t hd = kv->head_dim;
    ptrdiff_t d = 0;
    for (; d + 32 <= hd; d += 32) mix_block(values + d, hd, kv->keys, p, kv->stride, R, 4, out + d, os);
    for (; d < hd; d += 8) mix_block(values + d, hd, kv->keys, p, kv->stride, R, 1, out + d, os);
}

ROWS_TARGET void ROWS_FN(const sotto_kv_head *kv, const float *q, ptrdiff_t q_stride, ptrdiff_t rows, float scale,
                         float *scratch, float *out, ptrdiff_t out_stride, int path) {
    const __m256 s = _mm256_set1_ps(scale);
    for (ptrdiff_t i = 0; i < rows; i += SCORE_R) {
        const int R = rows - i < SCORE_R ? (int)(rows - i) : SCORE_R;
        float *scores = scratch + i * kv->stride;
#define SCORE_CALL(n) score_rows(kv, q + i * q_stride, q_stride, n, s, scores)
        ROWS_DISPATCH(R, SCORE_R, SCORE_CALL)
#undef SCORE_CALL
        for (int r = 0; r < R; r++) sotto_softmax_row(scores + r * kv->stride, kv->keys, path);
        for (int r0 = 0; r0 < R; r0 += MIX_R) {
            const int M = R - r0 < MIX_R ? R - r0 : MIX_R;
#define MIX_CALL(n) mix_rows(kv, scores + r0 * kv->stride, n, out + (i + r0) * out_stride, out_stride)
            ROWS_DISPATCH(M, MIX_R, MIX_CALL)
#undef MIX_CALL
        }
    }
}
