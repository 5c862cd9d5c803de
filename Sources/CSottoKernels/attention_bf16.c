// The encoder's self-attention in bfloat16 on AVX-512 BF16 (Zen 4, Cooper Lake, Sapphire Rapids):
// vdpbf16ps multiplies pairs of bfloat16 and accumulates in float32, twice the products per
// instruction of a float32 FMA. Queries, keys, values and the softmax probabilities are rounded to
// bfloat16 (8 significant bits); scores, the softmax and the sums stay float32. Only for models whose
// weights are already below float32 precision (see sotto_attention.h).
//
// Layouts (bfloat16 elements), so that each vdpbf16ps reads one contiguous 64-byte run:
//   keys   tiles of 16 keys; per dimension pair p: key i's (d = 2p, 2p + 1) at ((t * pairs + p) * 16 + i) * 2
//   values pairs of keys; per dimension d: (key 2m, key 2m + 1) at (m * head_dim + d) * 2
// A query row and a probability row are rounded in order, so that reading them as 32-bit words gives
// the matching pairs (q[2p], q[2p + 1]) and (p[2m], p[2m + 1]).
#include <stdlib.h>
#include <string.h>
#include "sotto_attention.h"
#include "sotto_activations.h"
#include "sotto_cpu.h"
#include "sotto_weights.h"

/// Round to nearest even on the bit pattern (NaN kept quiet); the scalar twin of vcvtneps2bf16.
static uint16_t to_bf16(float x) {
    uint32_t bits;
    memcpy(&bits, &x, 4);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((bits >> 16) | 0x40u);
    bits += 0x7FFFu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

static float from_bf16(uint16_t h) {
    const uint32_t bits = (uint32_t)h << 16;
    float x;
    memcpy(&x, &bits, 4);
    return x;
}

ptrdiff_t sotto_bf16_keys_count(ptrdiff_t frames, ptrdiff_t head_dim) { return (frames + 15) / 16 * 16 * head_dim; }
ptrdiff_t sotto_bf16_values_count(ptrdiff_t frames, ptrdiff_t head_dim) { return (frames + 1) / 2 * 2 * head_dim; }

void sotto_attention_pack_bf16_reference(const float *keys, ptrdiff_t key_stride, const float *values,
                                         ptrdiff_t value_stride, ptrdiff_t frames, ptrdiff_t head_dim, uint16_t *keys_out,
                                         uint16_t *values_out) {
    const ptrdiff_t pairs = head_dim / 2;
    memset(keys_out, 0, (size_t)sotto_bf16_keys_count(frames, head_dim) * 2);
    memset(values_out, 0, (size_t)sotto_bf16_values_count(frames, head_dim) * 2);
    for (ptrdiff_t j = 0; j < frames; j++) {
        const ptrdiff_t t = j / 16, i = j % 16;
        for (ptrdiff_t d = 0; d < head_dim; d++) {
            keys_out[((t * pairs + d / 2) * 16 + i) * 2 + d % 2] = to_bf16(keys[j * key_stride + d]);
            values_out[((j / 2) * head_dim + d) * 2 + j % 2] = to_bf16(values[j * value_stride + d]);
        }
    }
}

int sotto_attention_bf16_supported(ptrdiff_t head_dim) {
    return sotto_cpu()->avx512bf16 && head_dim > 0 && head_dim % 64 == 0;
}

/// Pair i of a row of bfloat16 as one 32-bit word (memcpy: no aliasing of uint16_t as uint32_t).
static inline uint32_t pair_word(const uint16_t *row, ptrdiff_t i) {
    uint32_t word;
    memcpy(&word, row + 2 * i, 4);
    return word;
}

#if defined(__x86_64__)
#include <immintrin.h>
#include "row_dispatch.h"

#define BF16 __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq,avx512bf16")))
#define INLINE static inline __attribute__((always_inline))
enum { SCORE_R = 6, SCORE_T = 4, MIX_R = 6 };

/// n floats to bfloat16 in order (vcvtneps2bf16, 16 at a time; the tail by the scalar rounding).
static BF16 void round_row(const float *x, ptrdiff_t n, uint16_t *out) {
    ptrdiff_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm256_storeu_si256((__m256i *)(out + i), (__m256i)_mm512_cvtneps_pbh(_mm512_loadu_ps(x + i)));
    for (; i < n; i++) out[i] = to_bf16(x[i]);
}

/// scores[r * ss + t * 16 + i] for R query rows (as bf16 pairs, `pairs` words per row) and T tiles.
INLINE BF16 void score_block(const uint16_t *q, ptrdiff_t pairs, const uint16_t *kt, const int R, const int T,
                             __m512 scale, float *scores, ptrdiff_t ss) {
    __m512 acc[SCORE_R][SCORE_T];
    for (int r = 0; r < R; r++)
        for (int t = 0; t < T; t++) acc[r][t] = _mm512_setzero_ps();
    for (ptrdiff_t p = 0; p < pairs; p++) {
        __m512bh k[SCORE_T];
        for (int t = 0; t < T; t++) k[t] = (__m512bh)_mm512_loadu_si512(kt + (t * pairs + p) * 32);
        for (int r = 0; r < R; r++) {
            const __m512bh b = (__m512bh)_mm512_set1_epi32((int)pair_word(q, r * pairs + p));
            for (int t = 0; t < T; t++) acc[r][t] = _mm512_dpbf16_ps(acc[r][t], b, k[t]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int t = 0; t < T; t++) _mm512_storeu_ps(scores + r * ss + t * 16, _mm512_mul_ps(acc[r][t], scale));
}

/// out[r * os + d] for R probability rows (bf16 pairs, `key_pairs` words per row) and 64 dimensions
/// (values already moved to the block's first dimension).
INLINE BF16 void mix_block(const uint16_t *p, ptrdiff_t key_pairs, const uint16_t *values, ptrdiff_t hd, const int R,
                           float *out, ptrdiff_t os) {
    __m512 acc[MIX_R][4];
    for (int r = 0; r < R; r++)
        for (int l = 0; l < 4; l++) acc[r][l] = _mm512_setzero_ps();
    for (ptrdiff_t m = 0; m < key_pairs; m++) {
        __m512bh v[4];
        for (int l = 0; l < 4; l++) v[l] = (__m512bh)_mm512_loadu_si512(values + (m * hd + l * 16) * 2);
        for (int r = 0; r < R; r++) {
            const __m512bh b = (__m512bh)_mm512_set1_epi32((int)pair_word(p, r * key_pairs + m));
            for (int l = 0; l < 4; l++) acc[r][l] = _mm512_dpbf16_ps(acc[r][l], b, v[l]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int l = 0; l < 4; l++) _mm512_storeu_ps(out + r * os + l * 16, acc[r][l]);
}

/// One block of at most SCORE_R query rows: scores, softmax, probabilities rounded, sums.
static BF16 void attend_block(const uint16_t *keys, const uint16_t *values, ptrdiff_t frames, ptrdiff_t hd,
                              const float *q, ptrdiff_t qs, int R, float scale, float *scores, uint16_t *q16,
                              uint16_t *p16, float *out, ptrdiff_t os) {
    const ptrdiff_t pairs = hd / 2, tiles = (frames + 15) / 16, stride = tiles * 16, key_pairs = (frames + 1) / 2;
    const __m512 s = _mm512_set1_ps(scale);
    for (int r = 0; r < R; r++) round_row(q + r * qs, hd, q16 + r * hd);
    ptrdiff_t t = 0;
#define SCORE_CALL(n) score_block(q16, pairs, keys + t * pairs * 32, n, SCORE_T, s, scores + t * 16, stride)
#define SCORE_ONE(n) score_block(q16, pairs, keys + t * pairs * 32, n, 1, s, scores + t * 16, stride)
    for (; t + SCORE_T <= tiles; t += SCORE_T) ROWS_DISPATCH(R, SCORE_R, SCORE_CALL)
    for (; t < tiles; t++) ROWS_DISPATCH(R, SCORE_R, SCORE_ONE)
#undef SCORE_CALL
#undef SCORE_ONE
    // An odd last key pairs with a padding probability of 0.
    for (int r = 0; r < R; r++) sotto_softmax_row_bf16(scores + r * stride, frames, p16 + r * key_pairs * 2, key_pairs * 2);
    for (ptrdiff_t d = 0; d < hd; d += 64) {
#define MIX_CALL(n) mix_block(p16, key_pairs, values + d * 2, hd, n, out + d, os)
        ROWS_DISPATCH(R, MIX_R, MIX_CALL)
    }
#undef MIX_CALL
}

BF16 static void rows_bf16(const uint16_t *keys, const uint16_t *values, ptrdiff_t frames, ptrdiff_t hd, const float *q,
                           ptrdiff_t qs, ptrdiff_t rows, float scale, float *scratch, float *out, ptrdiff_t os) {
    const ptrdiff_t stride = (frames + 15) / 16 * 16;
    float *scores = scratch;
    uint16_t *q16 = (uint16_t *)(scores + SCORE_R * stride);
    uint16_t *p16 = q16 + SCORE_R * hd;
    for (ptrdiff_t i = 0; i < rows; i += SCORE_R) {
        const int R = rows - i < SCORE_R ? (int)(rows - i) : SCORE_R;
        attend_block(keys, values, frames, hd, q + i * qs, qs, R, scale, scores, q16, p16, out + i * os, os);
    }
}

/// The packer with vcvtneps2bf16 (bit-identical to the scalar rounding, which was a tenth of the
/// attention's time): each key row is rounded whole and its dimension pairs scattered as 32-bit words
/// into the key tiles; two value rows are rounded 16 dimensions at a time and interleaved. Every
/// element is written, padding keys as zero, so the buffers need no clearing.
static BF16 void pack_bf16(const float *keys, ptrdiff_t key_stride, const float *values, ptrdiff_t value_stride,
                           ptrdiff_t frames, ptrdiff_t head_dim, uint16_t *keys_out, uint16_t *values_out) {
    const ptrdiff_t pairs = head_dim / 2, tiles = (frames + 15) / 16;
    uint16_t row[head_dim];
    for (ptrdiff_t j = 0; j < tiles * 16; j++) {
        const ptrdiff_t t = j / 16, i = j % 16;
        if (j < frames) {
            round_row(keys + j * key_stride, head_dim, row);
        } else {
            memset(row, 0, sizeof(row));
        }
        for (ptrdiff_t p = 0; p < pairs; p++) memcpy(keys_out + ((t * pairs + p) * 16 + i) * 2, row + 2 * p, 4);
    }
    for (ptrdiff_t m = 0; m < (frames + 1) / 2; m++) {
        const float *even = values + 2 * m * value_stride, *odd = even + value_stride;
        const int has_odd = 2 * m + 1 < frames;
        for (ptrdiff_t d = 0; d < head_dim; d += 16) {
            const __m256i a = (__m256i)_mm512_cvtneps_pbh(_mm512_loadu_ps(even + d));
            const __m256i b = has_odd ? (__m256i)_mm512_cvtneps_pbh(_mm512_loadu_ps(odd + d)) : _mm256_setzero_si256();
            // Word k holds (even[k], odd[k]): the pair one vdpbf16ps lane of the mix reads.
            const __m512i words = _mm512_or_si512(_mm512_cvtepu16_epi32(a), _mm512_slli_epi32(_mm512_cvtepu16_epi32(b), 16));
            _mm512_storeu_si512(values_out + (m * head_dim + d) * 2, words);
        }
    }
}
#endif

void sotto_attention_pack_bf16(const float *keys, ptrdiff_t key_stride, const float *values, ptrdiff_t value_stride,
                               ptrdiff_t frames, ptrdiff_t head_dim, uint16_t *keys_out, uint16_t *values_out) {
#if defined(__x86_64__)
    if (sotto_attention_bf16_supported(head_dim)) {
        pack_bf16(keys, key_stride, values, value_stride, frames, head_dim, keys_out, values_out);
        return;
    }
#endif
    sotto_attention_pack_bf16_reference(keys, key_stride, values, value_stride, frames, head_dim, keys_out, values_out);
}

ptrdiff_t sotto_attention_bf16_scratch_count(ptrdiff_t frames, ptrdiff_t head_dim) {
    const ptrdiff_t stride = (frames + 15) / 16 * 16;
    // scores, then the rounded query rows and probability rows (two bfloat16 per float)
    return 6 * stride + (6 * head_dim + 6 * (stride + 2)) / 2 + 1;
}

int sotto_attention_rows_bf16(const uint16_t *keys, const uint16_t *values, ptrdiff_t frames, ptrdiff_t head_dim,
                              const float *q, ptrdiff_t q_stride, ptrdiff_t rows, float scale, float *scratch,
                              float *out, ptrdiff_t out_stride) {
#if defined(__x86_64__)
    if (!sotto_attention_bf16_supported(head_dim)) return 0;
    if (rows > 0 && frames > 0) rows_bf16(keys, values, frames, head_dim, q, q_stride, rows, scale, scratch, out, out_stride);
    return 1;
#else
    (void)keys, (void)values, (void)frames, (void)head_dim, (void)q, (void)q_stride, (void)rows, (void)scale;
    (void)scratch, (void)out, (void)out_stride;
    return 0;
#endif
}

void sotto_attention_rows_bf16_reference(const uint16_t *keys, const uint16_t *values, ptrdiff_t frames,
                                         ptrdiff_t head_dim, const float *q, ptrdiff_t q_stride, ptrdiff_t rows,
                                         float scale, double *out, ptrdiff_t out_stride) {
    const ptrdiff_t pairs = head_dim / 2;
    for (ptrdiff_t i = 0; i < rows; i++) {
        double maximum = -1e300, sum = 0.0;
        double *scores = malloc(sizeof(double) * (size_t)frames);
        for (ptrdiff_t j = 0; j < frames; j++) {
            double dot = 0.0;
            for (ptrdiff_t d = 0; d < head_dim; d++) {
                const float k = from_bf16(keys[(((j / 16) * pairs + d / 2) * 16 + j % 16) * 2 + d % 2]);
                dot += (double)from_bf16(to_bf16(q[i * q_stride + d])) * k;
            }
            scores[j] = dot * scale;
            maximum = scores[j] > maximum ? scores[j] : maximum;
        }
        for (ptrdiff_t j = 0; j < frames; j++) sum += (scores[j] = __builtin_exp(scores[j] - maximum));
        for (ptrdiff_t d = 0; d < head_dim; d++) out[i * out_stride + d] = 0.0;
        for (ptrdiff_t j = 0; j < frames; j++) {
            const double p = from_bf16(to_bf16((float)(scores[j] / sum)));
            for (ptrdiff_t d = 0; d < head_dim; d++)
                out[i * out_stride + d] += p * from_bf16(values[((j / 2) * head_dim + d) * 2 + j % 2]);
        }
        free(scores);
    }
}
