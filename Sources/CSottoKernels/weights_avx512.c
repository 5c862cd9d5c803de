// AVX-512 (F + BW + VL) fused products for one input row (a greedy decoding step), twins of
// sotto_weights_linear_scalar. On an AMD EPYC (Zen 4), which runs 512-bit arithmetic as two 256-bit
// halves, these beat weights_avx2.c only where the wider registers save instructions that are not
// FMAs: int4 rows (one zero-extension of 16 bytes gives codes 0-15 and 16-31 in order, where AVX2
// needs four byte shuffles). An AVX-512 int8 per-channel row kernel won by 15-20% on a matrix that
// stays in cache (WeightKernelBench repeats one) but lost 15-30% in decoding steps, where every
// matrix streams from memory (DecoderStepBench, base and tiny.en int8-dynamic, 1 and 2 threads), so
// int8 rows run the AVX2 kernel. Every other kind and row count runs the AVX2 kernels too.
#include "weights_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq")))
#define INLINE static inline __attribute__((always_inline))

INLINE AVX512 __mmask16 tail_mask(ptrdiff_t left) { return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1); }

/// Blocks whose scales are converted at once, before their weights are read.
enum { SCALE_CHUNK = 256 };

/// out[i] = half scales[i] for i < count, reading exactly count halves.
INLINE AVX512 void convert_scales(const unsigned char *scales, ptrdiff_t count, float *out) {
    for (ptrdiff_t i = 0; i < count; i += 16) {
        const __mmask16 m = tail_mask(count - i);
        _mm512_mask_storeu_ps(out + i, m, _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, scales + 2 * i)));
    }
}

/// One group of 32 int4 codes: codes 0-15 (low nibbles) and 16-31 (high nibbles) as int32 lanes.
INLINE AVX512 void i4_codes(const unsigned char *p, __m512i *low, __m512i *high) {
    __m512i bytes = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)p));
    *low = _mm512_and_si512(bytes, _mm512_set1_epi32(0x0F));
    *high = _mm512_srli_epi32(bytes, 4);
}

/// One input row: the scale multiplies each group's summed products once (see weights_avx2.c).
static AVX512 void i4_single_row(const sotto_weights *w, const float *x, const float *bias, float *y, ptrdiff_t o0, ptrdiff_t o1) {
    const ptrdiff_t cols = w->cols, rowBytes = sotto_i4_row_bytes(w), blocks = sotto_blocks_per_row(w);
    const ptrdiff_t groupsPerBlock = w->block / 32, groups = (cols + 31) / 32, tailStart = cols / 32 * 32;
    const int zeroPoint = w->kind == SOTTO_WEIGHTS_I4_BLOCK_ZP;
    float padded[32];
    for (ptrdiff_t j = 0; j < 32; j++) padded[j] = tailStart + j < cols ? x[tailStart + j] : 0.0f;
    float sc[SCALE_CHUNK];
    ptrdiff_t window = 0, windowEnd = 0;
    for (ptrdiff_t o = o0; o < o1; o++) {
        const unsigned char *row = (const unsigned char *)w->values + o * rowBytes;
        __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
        for (ptrdiff_t g = 0; g < groups; g++) {
            const ptrdiff_t b = g / groupsPerBlock, index = o * blocks + b;
            if (index >= windowEnd) {
                window = index;
                windowEnd = index + SCALE_CHUNK < o1 * blocks ? index + SCALE_CHUNK : o1 * blocks;
                convert_scales((const unsigned char *)w->scales + 2 * window, windowEnd - window, sc);
            }
            const __m512i zero = _mm512_set1_epi32(zeroPoint ? ((const uint8_t *)w->zeros)[index] : 8);
            const float *xg = g * 32 < tailStart ? x + g * 32 : padded;
            __m512i lo, hi;
            i4_codes(row + g * 16, &lo, &hi);
            __m512 c0 = _mm512_cvtepi32_ps(_mm512_sub_epi32(lo, zero)), c1 = _mm512_cvtepi32_ps(_mm512_sub_epi32(hi, zero));
            __m512 t = _mm512_fmadd_ps(c1, _mm512_loadu_ps(xg + 16), _mm512_mul_ps(c0, _mm512_loadu_ps(xg)));
            acc[g & 3] = _mm512_fmadd_ps(t, _mm512_set1_ps(sc[index - window]), acc[g & 3]);
        }
        __m512 total = _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3]));
        y[o] = (bias ? bias[o] : 0.0f) + _mm512_reduce_add_ps(total);
    }
}

void sotto_weights_linear_avx512(const sotto_weights *w, const float *x, ptrdiff_t nrows, ptrdiff_t ldx,
                                 const float *bias, float *y, ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1) {
    if (nrows == 1 && (w->kind == SOTTO_WEIGHTS_I4_BLOCK || w->kind == SOTTO_WEIGHTS_I4_BLOCK_ZP)) {
        i4_single_row(w, x, bias, y, o0, o1);
    } else {
        sotto_weights_linear_avx2(w, x, nrows, ldx, bias, y, ldy, o0, o1);
    }
}
#endif
