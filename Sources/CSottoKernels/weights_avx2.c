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

/// Blocks whose scales are converted to float at once, before their weights are read: a conversion per
/// block inside the weight loop costs as much as the block's arithmetic.
enum { SCALE_CHUNK = 256 };

INLINE AVX2 float half_scale(const unsigned char *scales, ptrdiff_t b) { return _cvtsh_ss(sotto_load_u16(scales, b)); }

/// out[i] = half scales[i] for i < count, reading exactly count halves.
INLINE AVX2 void convert_scales(const unsigned char *scales, ptrdiff_t count, float *out) {
    ptrdiff_t i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(scales + 2 * i))));
    for (; i < count; i++) out[i] = _cvtsh_ss(sotto_load_u16(scales, i));
}

INLINE AVX2 __m256 f16x8(const unsigned char *p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)); }

INLINE AVX2 __m256 i8x8(const int8_t *p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}

/// Eight weights from k of a float row: float16 converted (half) or float32 as stored.
INLINE AVX2 __m256 float_weights8(const unsigned char *q, ptrdiff_t k, const int half) {
    return half ? f16x8(q + 2 * k) : _mm256_loadu_ps((const float *)(q + 4 * k));
}

INLINE AVX2 float float_weight(const unsigned char *q, ptrdiff_t k, const int half) {
    return half ? sotto_half_to_float(sotto_load_u16(q, k)) : sotto_load_f32(q, k);
}

/// Float16 and float32 rows share one loop; `half` is a constant in each instantiation below.
INLINE AVX2 void float_rows(const sotto_weights *w, const float *x, ptrdiff_t ldx, const float *bias, float *y,
                            ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1, const int nr, const int half) {
    const ptrdiff_t cols = w->cols, width = half ? 2 : 4;
    for (ptrdiff_t o = o0; o < o1; o++) {
        const unsigned char *q = (const unsigned char *)w->values + o * cols * width;
        DECLARE_ACCUMULATORS
        ptrdiff_t k = 0;
        for (; k + 32 <= cols; k += 32) {
            __m256 w0 = float_weights8(q, k, half), w1 = float_weights8(q, k + 8, half);
            __m256 w2 = float_weights8(q, k + 16, half), w3 = float_weights8(q, k + 24, half);
            ACCUMULATE(0, w0, x + k, ldx) ACCUMULATE(1, w1, x + k + 8, ldx)
            ACCUMULATE(2, w2, x + k + 16, ldx) ACCUMULATE(3, w3, x + k + 24, ldx)
        }
        for (; k + 8 <= cols; k += 8) { __m256 w0 = float_weights8(q, k, half); ACCUMULATE(0, w0, x + k, ldx) }
        float tail[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (; k < cols; k++) {
            float wk = float_weight(q, k, half);
            for (int r = 0; r < nr; r++) tail[r] += wk * x[r * ldx + k];
        }
        STORE_OUTPUTS(1.0f)
    }
}

INLINE AVX2 void f16_rows(const sotto_weights *w, const float *x, ptrdiff_t ldx, const float *bias, float *y,
                          ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1, const int nr) {
    float_rows(w, x, ldx, bias, y, ldy, o0, o1, nr, 1);
}

INLINE AVX2 void f32_rows(const sotto_weights *w, const float *x, ptrdiff_t ldx, const float *bias, float *y,
                          ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1, const int nr) {
    float_rows(w, x, ldx, bias, y, ldy, o0, o1, nr, 0);
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
    float sc[SCALE_CHUNK];
    for (ptrdiff_t o = o0; o < o1; o++) {
        const int8_t *q = (const int8_t *)w->values + o * cols;
        const unsigned char *scales = (const unsigned char *)w->scales + o * blocks * 2;
        DECLARE_ACCUMULATORS
        float tail[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (ptrdiff_t b0 = 0; b0 < blocks; b0 += SCALE_CHUNK) {
            const ptrdiff_t b1 = b0 + SCALE_CHUNK < blocks ? b0 + SCALE_CHUNK : blocks;
            convert_scales(scales + 2 * b0, b1 - b0, sc);
            for (ptrdiff_t b = b0; b < b1; b++) {
                const ptrdiff_t start = b * size, end = start + size < cols ? start + size : cols;
                if (size % 32 == 0 && end - start == size) {
                    // A whole block of a multiple of 32 (q8_0's 32 above all): no remainder loops.
                    const __m256 sv = _mm256_broadcast_ss(&sc[b - b0]);
                    for (ptrdiff_t k = start; k < end; k += 32) {
                        __m256 w0 = _mm256_mul_ps(i8x8(q + k), sv), w1 = _mm256_mul_ps(i8x8(q + k + 8), sv);
                        __m256 w2 = _mm256_mul_ps(i8x8(q + k + 16), sv), w3 = _mm256_mul_ps(i8x8(q + k + 24), sv);
                        ACCUMULATE(0, w0, x + k, ldx) ACCUMULATE(1, w1, x + k + 8, ldx)
                        ACCUMULATE(2, w2, x + k + 16, ldx) ACCUMULATE(3, w3, x + k + 24, ldx)
                    }
                } else {
                    I8_SPAN(q, start, end, sc[b - b0])
                }
            }
        }
        STORE_OUTPUTS(1.0f)
    }
}

/// One group of 32 int4 codes -> four vectors of int32 codes in code order. The 16 bytes are broadcast
/// to both 128-bit lanes so in-lane byte shuffles (cheaper than lane-crossing sign extensions) widen
/// codes 0-7 and 8-15 (low nibbles), 16-23 and 24-31 (high nibbles) to 32 bits.
INLINE AVX2 void i4_codes(const unsigned char *p, __m256i *out) {
    const __m256i mask = _mm256_set1_epi8(0x0F);
    const __m256i first = _mm256_setr_epi8(0, -1, -1, -1, 1, -1, -1, -1, 2, -1, -1, -1, 3, -1, -1, -1,
                                           4, -1, -1, -1, 5, -1, -1, -1, 6, -1, -1, -1, 7, -1, -1, -1);
    const __m256i second = _mm256_setr_epi8(8, -1, -1, -1, 9, -1, -1, -1, 10, -1, -1, -1, 11, -1, -1, -1,
                                            12, -1, -1, -1, 13, -1, -1, -1, 14, -1, -1, -1, 15, -1, -1, -1);
    __m256i v = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)p));
    __m256i lo = _mm256_and_si256(v, mask);
    __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), mask);
    out[0] = _mm256_shuffle_epi8(lo, first);
    out[1] = _mm256_shuffle_epi8(lo, second);
    out[2] = _mm256_shuffle_epi8(hi, first);
    out[3] = _mm256_shuffle_epi8(hi, second);
}

/// One group of 32 int4 codes -> four vectors of (code - zero) * scale in code order, computed as
/// fma(code, scale, -zero * scale): exact, as (code - zero) * scale needs at most 4 + 11 significant bits.
INLINE AVX2 void i4_group(const unsigned char *p, __m256 scale, __m256 negZeroScale, __m256 *out) {
    __m256i codes[4];
    i4_codes(p, codes);
    for (int j = 0; j < 4; j++) out[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(codes[j]), scale, negZeroScale);
}

/// Adds the four dequantized vectors of one int4 group times x[r][0 ..< 32] (row stride xs) to acc.
#define I4_ACCUMULATE(p, scale, negZeroScale, xp, xs)                                                \
    {                                                                                                \
        __m256 wv[4];                                                                                \
        i4_group((p), (scale), (negZeroScale), wv);                                                  \
        ACCUMULATE(0, wv[0], (xp), (xs)) ACCUMULATE(1, wv[1], (xp) + 8, (xs))                        \
        ACCUMULATE(2, wv[2], (xp) + 16, (xs)) ACCUMULATE(3, wv[3], (xp) + 24, (xs))                  \
    }

/// Converts the scales (and -zero * scale) with flat indices [first, last) of an int4 matrix, 8 at a
/// time: consecutive rows' scales are contiguous, so one window serves several short rows.
INLINE AVX2 void i4_scale_window(const sotto_weights *w, ptrdiff_t first, ptrdiff_t last, float *sc, float *nzs) {
    const int zeroPoint = w->kind == SOTTO_WEIGHTS_I4_BLOCK_ZP;
    const unsigned char *scales = (const unsigned char *)w->scales + first * 2;
    const uint8_t *zeros = zeroPoint ? (const uint8_t *)w->zeros + first : NULL;
    const ptrdiff_t count = last - first;
    ptrdiff_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 s = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(scales + 2 * i)));
        __m256 z = zeroPoint ? _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(zeros + i))))
                             : _mm256_set1_ps(8.0f);
        _mm256_storeu_ps(sc + i, s);
        _mm256_storeu_ps(nzs + i, _mm256_mul_ps(_mm256_sub_ps(_mm256_setzero_ps(), z), s));
    }
    for (; i < count; i++) {
        sc[i] = _cvtsh_ss(sotto_load_u16(scales, i));
        nzs[i] = -(float)(zeroPoint ? zeros[i] : 8) * sc[i];
    }
}

INLINE AVX2 void i4_rows(const sotto_weights *w, const float *x, ptrdiff_t ldx, const float *bias, float *y,
                         ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1, const int nr) {
    const ptrdiff_t cols = w->cols, rowBytes = sotto_i4_row_bytes(w), blocks = sotto_blocks_per_row(w);
    const ptrdiff_t groupsPerBlock = w->block / 32, fullGroups = cols / 32;
    // The last, partial group multiplies zero-padded copies of the inputs' last columns, so padding
    // codes meet zeros and no input is read past its row.
    float padded[8][32];
    const ptrdiff_t tailStart = fullGroups * 32;
    for (int r = 0; r < nr; r++)
        for (ptrdiff_t j = 0; j < 32; j++) padded[r][j] = tailStart + j < cols ? x[r * ldx + tailStart + j] : 0.0f;
    float sc[SCALE_CHUNK], nzs[SCALE_CHUNK];
    ptrdiff_t window = 0, windowEnd = 0;  // flat scale indices held in sc/nzs
    for (ptrdiff_t o = o0; o < o1; o++) {
        const unsigned char *row = (const unsigned char *)w->values + o * rowBytes;
        DECLARE_ACCUMULATORS
        float tail[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (ptrdiff_t b = 0; b < blocks; b++) {
            const ptrdiff_t index = o * blocks + b;
            if (index >= windowEnd) {
                window = index;
                windowEnd = index + SCALE_CHUNK < o1 * blocks ? index + SCALE_CHUNK : o1 * blocks;
                i4_scale_window(w, window, windowEnd, sc, nzs);
            }
            const __m256 scale = _mm256_broadcast_ss(&sc[index - window]), negZeroScale = _mm256_broadcast_ss(&nzs[index - window]);
            const ptrdiff_t g0 = b * groupsPerBlock;
            const ptrdiff_t g1 = g0 + groupsPerBlock < fullGroups ? g0 + groupsPerBlock : fullGroups;
            for (ptrdiff_t g = g0; g < g1; g++) I4_ACCUMULATE(row + g * 16, scale, negZeroScale, x + g * 32, ldx)
            if (b == blocks - 1 && tailStart < cols)
                I4_ACCUMULATE(row + fullGroups * 16, scale, negZeroScale, &padded[0][0], 32)
        }
        STORE_OUTPUTS(1.0f)
    }
}

/// One group of 32 int4 codes minus `zero` (eight equal int32 lanes) -> four float vectors in code order,
/// exact: the subtraction happens on integers, before the conversion.
INLINE AVX2 void i4_centered_codes(const unsigned char *p, __m256i zero, __m256 *out) {
    __m256i codes[4];
    i4_codes(p, codes);
    for (int j = 0; j < 4; j++) out[j] = _mm256_cvtepi32_ps(_mm256_sub_epi32(codes[j], zero));
}

/// One input row (a decoding step): the scale multiplies each group's summed products once instead
/// of every weight, which takes three of every eight FMAs off the two FMA ports. With more input rows
/// the shared per-weight dequantization of `i4_rows` is cheaper.
INLINE AVX2 void i4_single_row(const sotto_weights *w, const float *x, const float *bias, float *y, ptrdiff_t o0, ptrdiff_t o1) {
    const ptrdiff_t cols = w->cols, rowBytes = sotto_i4_row_bytes(w), blocks = sotto_blocks_per_row(w);
    const ptrdiff_t groupsPerBlock = w->block / 32, groups = (cols + 31) / 32;
    const int zeroPoint = w->kind == SOTTO_WEIGHTS_I4_BLOCK_ZP;
    // The inputs zero-padded to whole groups, so padding codes meet zeros.
    float padded[32];
    const ptrdiff_t tailStart = cols / 32 * 32;
    for (ptrdiff_t j = 0; j < 32; j++) padded[j] = tailStart + j < cols ? x[tailStart + j] : 0.0f;
    float sc[SCALE_CHUNK];
    ptrdiff_t window = 0, windowEnd = 0;
    for (ptrdiff_t o = o0; o < o1; o++) {
        const unsigned char *row = (const unsigned char *)w->values + o * rowBytes;
        __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
        for (ptrdiff_t g = 0; g < groups; g++) {
            const ptrdiff_t b = g / groupsPerBlock, index = o * blocks + b;
            if (index >= windowEnd) {
                window = index;
                windowEnd = index + SCALE_CHUNK < o1 * blocks ? index + SCALE_CHUNK : o1 * blocks;
                convert_scales((const unsigned char *)w->scales + 2 * window, windowEnd - window, sc);
            }
            const __m256i zero = _mm256_set1_epi32(zeroPoint ? ((const uint8_t *)w->zeros)[index] : 8);
            const float *xg = g * 32 < tailStart ? x + g * 32 : padded;
            __m256 c[4];
            i4_centered_codes(row + g * 16, zero, c);
            __m256 t = _mm256_fmadd_ps(c[1], _mm256_loadu_ps(xg + 8), _mm256_mul_ps(c[0], _mm256_loadu_ps(xg)));
            __m256 u = _mm256_fmadd_ps(c[3], _mm256_loadu_ps(xg + 24), _mm256_mul_ps(c[2], _mm256_loadu_ps(xg + 16)));
            acc[g & 3] = _mm256_fmadd_ps(_mm256_add_ps(t, u), _mm256_broadcast_ss(&sc[index - window]), acc[g & 3]);
        }
        __m256 total = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
        y[o] = (bias ? bias[o] : 0.0f) + hsum(total);
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
static AVX2 void f32_avx2(const sotto_weights *w, const float *x, ptrdiff_t nrows, ptrdiff_t ldx, const float *bias,
                          float *y, ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1) { DISPATCH(f32_rows) }
static AVX2 void i8_channel_avx2(const sotto_weights *w, const float *x, ptrdiff_t nrows, ptrdiff_t ldx, const float *bias,
                                 float *y, ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1) { DISPATCH(i8_channel_rows) }
static AVX2 void i8_block_avx2(const sotto_weights *w, const float *x, ptrdiff_t nrows, ptrdiff_t ldx, const float *bias,
                               float *y, ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1) { DISPATCH(i8_block_rows) }
static AVX2 void i4_avx2(const sotto_weights *w, const float *x, ptrdiff_t nrows, ptrdiff_t ldx, const float *bias,
                         float *y, ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1) {
    if (nrows == 1) {
        i4_single_row(w, x, bias, y, o0, o1);
        return;
    }
    DISPATCH(i4_rows)
}

/// Row-by-row dequantization for the BLAS panels: the same per-register decoding as the fused kernels.
AVX2 void sotto_weights_dequantize_avx2(const sotto_weights *w, ptrdiff_t o0, ptrdiff_t o1, float *out, ptrdiff_t ldo) {
    const ptrdiff_t cols = w->cols, blocks = sotto_blocks_per_row(w);
    for (ptrdiff_t o = o0; o < o1; o++) {
        float *dst = out + (o - o0) * ldo;
        ptrdiff_t k = 0;
        switch (w->kind) {
        case SOTTO_WEIGHTS_F16: {
            const unsigned char *q = (const unsigned char *)w->values + o * cols * 2;
            for (; k + 8 <= cols; k += 8) _mm256_storeu_ps(dst + k, f16x8(q + 2 * k));
            for (; k < cols; k++) dst[k] = _cvtsh_ss(sotto_load_u16(q, k));
            break;
        }
        case SOTTO_WEIGHTS_F32:
            memcpy(dst, (const unsigned char *)w->values + o * cols * 4, (size_t)cols * 4);
            break;
        case SOTTO_WEIGHTS_I8_CHANNEL:
        case SOTTO_WEIGHTS_I8_BLOCK: {
            const int8_t *q = (const int8_t *)w->values + o * cols;
            const int channel = w->kind == SOTTO_WEIGHTS_I8_CHANNEL;
            const unsigned char *scales = channel ? NULL : (const unsigned char *)w->scales + o * blocks * 2;
            const ptrdiff_t size = channel ? cols : w->block;
            for (ptrdiff_t b = 0, start = 0; start < cols; b++, start += size) {
                const float s = channel ? sotto_load_f32(w->scales, o) : half_scale(scales, b);
                const __m256 sv = _mm256_set1_ps(s);
                const ptrdiff_t end = start + size < cols ? start + size : cols;
                for (k = start; k + 8 <= end; k += 8) _mm256_storeu_ps(dst + k, _mm256_mul_ps(i8x8(q + k), sv));
                for (; k < end; k++) dst[k] = (float)q[k] * s;
            }
            break;
        }
        case SOTTO_WEIGHTS_I4_BLOCK:
        case SOTTO_WEIGHTS_I4_BLOCK_ZP: {
            const unsigned char *row = (const unsigned char *)w->values + o * sotto_i4_row_bytes(w);
            const unsigned char *scales = (const unsigned char *)w->scales + o * blocks * 2;
            const ptrdiff_t groupsPerBlock = w->block / 32, groups = (cols + 31) / 32;
            for (ptrdiff_t g = 0; g < groups; g++) {
                const ptrdiff_t b = g / groupsPerBlock;
                const float s = half_scale(scales, b);
                const int zero = w->kind == SOTTO_WEIGHTS_I4_BLOCK_ZP ? ((const uint8_t *)w->zeros)[o * blocks + b] : 8;
                __m256 wv[4];
                i4_group(row + g * 16, _mm256_set1_ps(s), _mm256_set1_ps(-(float)zero * s), wv);
                if (g * 32 + 32 <= cols) {
                    for (int j = 0; j < 4; j++) _mm256_storeu_ps(dst + g * 32 + 8 * j, wv[j]);
                } else {
                    float last[32];
                    for (int j = 0; j < 4; j++) _mm256_storeu_ps(last + 8 * j, wv[j]);
                    for (ptrdiff_t j = 0; g * 32 + j < cols; j++) dst[g * 32 + j] = last[j];
                }
            }
            break;
        }
        default:
            for (; k < cols; k++) dst[k] = 0;
        }
    }
}

void sotto_weights_linear_avx2(const sotto_weights *w, const float *x, ptrdiff_t nrows, ptrdiff_t ldx,
                               const float *bias, float *y, ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1) {
    switch (w->kind) {
    case SOTTO_WEIGHTS_F16: f16_avx2(w, x, nrows, ldx, bias, y, ldy, o0, o1); break;
    case SOTTO_WEIGHTS_F32: f32_avx2(w, x, nrows, ldx, bias, y, ldy, o0, o1); break;
    case SOTTO_WEIGHTS_I8_CHANNEL: i8_channel_avx2(w, x, nrows, ldx, bias, y, ldy, o0, o1); break;
    case SOTTO_WEIGHTS_I8_BLOCK: i8_block_avx2(w, x, nrows, ldx, bias, y, ldy, o0, o1); break;
    case SOTTO_WEIGHTS_I4_BLOCK:
    case SOTTO_WEIGHTS_I4_BLOCK_ZP: i4_avx2(w, x, nrows, ldx, bias, y, ldy, o0, o1); break;
    default: sotto_weights_linear_scalar(w, x, nrows, ldx, bias, y, ldy, o0, o1);
    }
}
#endif
