// AVX2 + FMA + F16C fused small-batch products (the twin of sotto_weights_linear_scalar).
// Each kernel streams one weight row at a time, dequantizes 8 weights per register and multiplies them
// into `nr` input rows at once; `nr` is a compile-time constant in every instantiation (see DISPATCH), so
// the accumulators stay in registers. With few input rows each row gets several accumulators to hide
// the FMA latency.
#include "weights_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma,f16c")))
#define INLINE static inline __attribute__((always_inline))
#define LANES_PER_ROW(nr) ((nr) == 1 ? 4 : (nr) <= 3 ? 2 : 1)

/// acc[r][j % lanes] += wv * x[r][k ..< k+8] for every input row r.
#define ACCUMULATE(j, wv, xp, xs)                                                                    \
    for (int r = 0; r < nr; r++)                                                                     \
        acc[r][(j) % lanes] = _mm256_fmadd_ps((wv), _mm256_loadu_ps((xp) + r * (xs)), acc[r][(j) % lanes]);

#define DECLARE_ACCUMULATORS                                                                         \
    const int lanes = LANES_PER_ROW(nr);                                                             \
    __m256 acc[8][4];                                                                                \
    for (int r = 0; r < nr; r++)                                                                     \
        for (int j = 0; j < lanes; j++) acc[r][j] = _mm256_setzero_ps();

INLINE AVX2 float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// y[r][o] = bias[o] + scale * (sum of acc[r][*] + tail[r]).
#define STORE_OUTPUTS(scale)                                                                         \
    for (int r = 0; r < nr; r++) {                                                                   \
        __m256 total = acc[r][0];                                                                    \
        for (int j = 1; j < lanes; j++) total = _mm256_add_ps(total, acc[r][j]);                     \
        y[r * ldy + o] = (bias ? bias[o] : 0.0f) + (scale) * (hsum(total) + tail[r]);                \
    }

INLINE AVX2 __m256 f16x8(const unsigned char *p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)); }

INLINE AVX2 __m256 i8x8(const int8_t *p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}

INLINE AVX2 void f16_rows(const sotto_weights *w, const float *x, ptrdiff_t ldx, const float *bias, float *y,
                          ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1, const int nr) {
    const ptrdiff_t cols = w->cols;
    for (ptrdiff_t o = o0; o < o1; o++) {
        const unsigned char *q = (const unsigned char *)w->values + o * cols * 2;
        DECLARE_ACCUMULATORS
        ptrdiff_t k = 0;
        for (; k + 32 <= cols; k += 32) {
            __m256 w0 = f16x8(q + 2 * k), w1 = f16x8(q + 2 * k + 16), w2 = f16x8(q + 2 * k + 32), w3 = f16x8(q + 2 * k + 48);
            ACCUMULATE(0, w0, x + k, ldx) ACCUMULATE(1, w1, x + k + 8, ldx)
            ACCUMULATE(2, w2, x + k + 16, ldx) ACCUMULATE(3, w3, x + k + 24, ldx)
        }
        for (; k + 8 <= cols; k += 8) { __m256 w0 = f16x8(q + 2 * k); ACCUMULATE(0, w0, x + k, ldx) }
        float tail[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (; k < cols; k++) {
            float wk = sotto_half_to_float(sotto_load_u16(q, k));
            for (int r = 0; r < nr; r++) tail[r] += wk * x[r * ldx + k];
        }
        STORE_OUTPUTS(1.0f)
    }
}

/// Adds scale * q[k] * x[r][k] for k in [k0, end) to acc (8 at a time) and tail (the rest).
#define I8_SPAN(q, k0, end, scale)                                                                   \
    {                                                                                                \
        const float s = (scale);                                                                     \
        const __m256 sv = _mm256_set1_ps(s);                                                         \
        ptrdiff_t k = (k0);                                                                          \
        for (; k + 32 <= (end); k += 32) {                                                           \
            __m256 w0 = _mm256_mul_ps(i8x8((q) + k), sv), w1 = _mm256_mul_ps(i8x8((q) + k + 8), sv); \
            __m256 w2 = _mm256_mul_ps(i8x8((q) + k + 16), sv), w3 = _mm256_mul_ps(i8x8((q) + k + 24), sv); \
            ACCUMULATE(0, w0, x + k, ldx) ACCUMULATE(1, w1, x + k + 8, ldx)                          \
            ACCUMULATE(2, w2, x + k + 16, ldx) ACCUMULATE(3, w3, x + k + 24, ldx)                    \
        }                                                                                            \
        for (; k + 8 <= (end); k += 8) {                                                             \
            __m256 w0 = _mm256_mul_ps(i8x8((q) + k), sv);                                            \
            ACCUMULATE(0, w0, x + k, ldx)                                                            \
        }                                                                                            \
        for (; k < (end); k++)                                                                       \
            for (int r = 0; r < nr; r++) tail[r] += s * (float)(q)[k] * x[r * ldx + k];        \
    }

INLINE AVX2 void i8_channel_rows(const sotto_weights *w, const float *x, ptrdiff_t ldx, const float *bias, float *y,
                                 ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1, const int nr) {
    const ptrdiff_t cols = w->cols;
    for (ptrdiff_t o = o0; o < o1; o++) {
        const int8_t *q = (const int8_t *)w->values + o * cols;
        DECLARE_ACCUMULATORS
        float tail[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        // The row scale is applied once to the finished dot product.
        I8_SPAN(q, 0, cols, 1.0f)
        STORE_OUTPUTS(sotto_load_f32(w->scales, o))
    }
}

INLINE AVX2 void i8_block_rows(const sotto_weights *w, const float *x, ptrdiff_t ldx, const float *bias, float *y,
                               ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1, const int nr) {
    const ptrdiff_t cols = w->cols, size = w->block, blocks = sotto_blocks_per_row(w);
    for (ptrdiff_t o = o0; o < o1; o++) {
        const int8_t *q = (const int8_t *)w->values + o * cols;
        DECLARE_ACCUMULATORS
        float tail[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (ptrdiff_t b = 0; b < blocks; b++) {
            ptrdiff_t end = (b + 1) * size < cols ? (b + 1) * size : cols;
            I8_SPAN(q, b * size, end, sotto_block_scale(w, o, b))
        }
        STORE_OUTPUTS(1.0f)
    }
}

/// One group of 32 int4 codes -> four vectors of (code - zero) * scale, in code order.
INLINE AVX2 void i4_group(const unsigned char *p, __m128i zero, __m256 scale, __m256 *out) {
    const __m128i mask = _mm_set1_epi8(0x0F);
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    __m128i lo = _mm_sub_epi8(_mm_and_si128(v, mask), zero);                    // codes 0..15
    __m128i hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(v, 4), mask), zero); // codes 16..31
    out[0] = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(lo)), scale);
    out[1] = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_unpackhi_epi64(lo, lo))), scale);
    out[2] = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(hi)), scale);
    out[3] = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_unpackhi_epi64(hi, hi))), scale);
}

INLINE AVX2 void i4_rows(const sotto_weights *w, const float *x, ptrdiff_t ldx, const float *bias, float *y,
                         ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1, const int nr) {
    const ptrdiff_t cols = w->cols, rowBytes = sotto_i4_row_bytes(w);
    const ptrdiff_t groupsPerBlock = w->block / 32, fullGroups = cols / 32;
    // The last, partial group multiplies zero-padded copies of the inputs' last columns, so padding
    // codes meet zeros and no input is read past its row.
    float padded[8][32];
    const ptrdiff_t tailStart = fullGroups * 32;
    for (int r = 0; r < nr; r++)
        for (ptrdiff_t j = 0; j < 32; j++) padded[r][j] = tailStart + j < cols ? x[r * ldx + tailStart + j] : 0.0f;
    const ptrdiff_t groups = tailStart < cols ? fullGroups + 1 : fullGroups;
    for (ptrdiff_t o = o0; o < o1; o++) {
        const unsigned char *row = (const unsigned char *)w->values + o * rowBytes;
        DECLARE_ACCUMULATORS
        float tail[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (ptrdiff_t g = 0; g < groups; g++) {
            ptrdiff_t b = g / groupsPerBlock;
            __m256 wv[4];
            i4_group(row + g * 16, _mm_set1_epi8((char)sotto_block_zero(w, o, b)),
                     _mm256_set1_ps(sotto_block_scale(w, o, b)), wv);
            const float *xp = g < fullGroups ? x + g * 32 : &padded[0][0];
            const ptrdiff_t xs = g < fullGroups ? ldx : 32;
            ACCUMULATE(0, wv[0], xp, xs) ACCUMULATE(1, wv[1], xp + 8, xs)
            ACCUMULATE(2, wv[2], xp + 16, xs) ACCUMULATE(3, wv[3], xp + 24, xs)
        }
        STORE_OUTPUTS(1.0f)
    }
}

/// Instantiates `kernel` for each input-row count 1...8 so `nr` is a constant inside it.
#define DISPATCH(kernel)                                                                             \
    switch (nrows) {                                                                                 \
    case 1: kernel(w, x, ldx, bias, y, ldy, o0, o1, 1); break;                                       \
    case 2: kernel(w, x, ldx, bias, y, ldy, o0, o1, 2); break;                                       \
    case 3: kernel(w, x, ldx, bias, y, ldy, o0, o1, 3); break;                                       \
    case 4: kernel(w, x, ldx, bias, y, ldy, o0, o1, 4); break;                                       \
    case 5: kernel(w, x, ldx, bias, y, ldy, o0, o1, 5); break;                                       \
    case 6: kernel(w, x, ldx, bias, y, ldy, o0, o1, 6); break;                                       \
    case 7: kernel(w, x, ldx, bias, y, ldy, o0, o1, 7); break;                                       \
    default: kernel(w, x, ldx, bias, y, ldy, o0, o1, 8); break;                                      \
    }

static AVX2 void f16_avx2(const sotto_weights *w, const float *x, ptrdiff_t nrows, ptrdiff_t ldx, const float *bias,
                          float *y, ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1) { DISPATCH(f16_rows) }
static AVX2 void i8_channel_avx2(const sotto_weights *w, const float *x, ptrdiff_t nrows, ptrdiff_t ldx, const float *bias,
                                 float *y, ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1) { DISPATCH(i8_channel_rows) }
static AVX2 void i8_block_avx2(const sotto_weights *w, const float *x, ptrdiff_t nrows, ptrdiff_t ldx, const float *bias,
                               float *y, ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1) { DISPATCH(i8_block_rows) }
static AVX2 void i4_avx2(const sotto_weights *w, const float *x, ptrdiff_t nrows, ptrdiff_t ldx, const float *bias,
                         float *y, ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1) { DISPATCH(i4_rows) }

void sotto_weights_linear_avx2(const sotto_weights *w, const float *x, ptrdiff_t nrows, ptrdiff_t ldx,
                               const float *bias, float *y, ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1) {
    switch (w->kind) {
    case SOTTO_WEIGHTS_F16: f16_avx2(w, x, nrows, ldx, bias, y, ldy, o0, o1); break;
    case SOTTO_WEIGHTS_I8_CHANNEL: i8_channel_avx2(w, x, nrows, ldx, bias, y, ldy, o0, o1); break;
    case SOTTO_WEIGHTS_I8_BLOCK: i8_block_avx2(w, x, nrows, ldx, bias, y, ldy, o0, o1); break;
    case SOTTO_WEIGHTS_I4_BLOCK:
    case SOTTO_WEIGHTS_I4_BLOCK_ZP: i4_avx2(w, x, nrows, ldx, bias, y, ldy, o0, o1); break;
    default: sotto_weights_linear_scalar(w, x, nrows, ldx, bias, y, ldy, o0, o1);
    }
}
#endif
