// Softmax rows and GELU on AVX2 + FMA and AVX-512 registers: the same formulas as SottoTensor's
// FastMath (whose Swift SIMD code is the portable path), evaluated with fused multiply-adds on 8 or 16
// lanes. Swift's SIMD8 compiles for baseline x86-64 (SSE2, no FMA), which made these the slowest part of
// attention rows. The reference twins are Softmax.rowsReference and GELU.applyReference (double libm).
#include "sotto_activations.h"
#include "sotto_weights.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>

#define AVX2 __attribute__((target("avx2,fma")))
#define AVX512 __attribute__((target("avx2,fma,avx512f,avx512dq")))
#define INLINE static inline __attribute__((always_inline))

// Cephes expf constants and A&S 7.1.26 erf constants (see FastMath.swift).
#define EXP_LOW -87.3f
#define EXP_HIGH 88.3f
#define ROUND_MAGIC 12582912.0f  // 1.5 * 2^23: adding it rounds to an integer in the low mantissa bits
#define LOG2E 1.44269504f
#define LN2_HIGH 0.693359375f
#define LN2_LOW -2.12194440e-4f
static const float exp_poly[6] = {1.98756915e-4f, 1.39819995e-3f, 8.3334519e-3f, 4.16657959e-2f, 1.66666655e-1f, 5.00000012e-1f};
#define ERF_P 0.3275911f
static const float erf_poly[5] = {1.061405429f, -1.453152027f, 1.421413741f, -0.284496736f, 0.254829592f};
#define FRAC_1_SQRT2 0.707106781f

// MARK: - AVX2

/// exp(x); x below EXP_LOW (and -infinity) gives exactly 0, NaN stays NaN.
INLINE AVX2 __m256 exp8(__m256 x) {
    // max/min return their second operand when it is NaN, so NaN passes through.
    __m256 c = _mm256_min_ps(_mm256_set1_ps(EXP_HIGH), _mm256_max_ps(_mm256_set1_ps(EXP_LOW), x));
    const __m256 magic = _mm256_set1_ps(ROUND_MAGIC);
    __m256 shifted = _mm256_fmadd_ps(c, _mm256_set1_ps(LOG2E), magic);
    __m256 n = _mm256_sub_ps(shifted, magic);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(LN2_HIGH), c);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(LN2_LOW), r);
    __m256 p = _mm256_set1_ps(exp_poly[0]);
    for (int i = 1; i < 6; i++) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(exp_poly[i]));
    __m256 y = _mm256_fmadd_ps(_mm256_mul_ps(p, r), r, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i bits = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_set1_epi32(0x4B400000));
    __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(bits, _mm256_set1_epi32(127)), 23));
    return _mm256_andnot_ps(_mm256_cmp_ps(x, _mm256_set1_ps(EXP_LOW), _CMP_LT_OQ), _mm256_mul_ps(y, scale));
}

INLINE AVX2 float hmax8(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    return _mm_cvtss_f32(_mm_max_ss(m, _mm_movehdup_ps(m)));
}

INLINE AVX2 float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}

/// The last n % 8 values, padded with `fill`, so tails take the vector code.
INLINE void load_tail(const float *x, ptrdiff_t count, float fill, float *padded) {
    for (int i = 0; i < 8; i++) padded[i] = i < count ? x[i] : fill;
}

static AVX2 void softmax_avx2(float *x, ptrdiff_t n) {
    const ptrdiff_t end = n & ~(ptrdiff_t)7;
    float tail[8];
    load_tail(x + end, n - end, -INFINITY, tail);
    __m256 m = _mm256_loadu_ps(tail);
    for (ptrdiff_t i = 0; i < end; i += 8) m = _mm256_max_ps(m, _mm256_loadu_ps(x + i));
    const __m256 maximum = _mm256_set1_ps(hmax8(m));
    __m256 sums = _mm256_setzero_ps();
    for (ptrdiff_t i = 0; i < end; i += 8) {
        __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), maximum));
        _mm256_storeu_ps(x + i, e);
        sums = _mm256_add_ps(sums, e);
    }
    __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(tail), maximum));  // padding: exp(-inf) = 0
    _mm256_storeu_ps(tail, e);
    const __m256 inverse = _mm256_set1_ps(1.0f / hsum8(_mm256_add_ps(sums, e)));
    for (ptrdiff_t i = 0; i < end; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), inverse));
    for (ptrdiff_t i = end; i < n; i++) x[i] = tail[i - end] * _mm256_cvtss_f32(inverse);
}

INLINE AVX2 __m256 gelu8(__m256 v) {
    __m256 x = _mm256_mul_ps(v, _mm256_set1_ps(FRAC_1_SQRT2));
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 a = _mm256_andnot_ps(sign, x);
    __m256 t = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_fmadd_ps(a, _mm256_set1_ps(ERF_P), _mm256_set1_ps(1.0f)));
    __m256 p = _mm256_set1_ps(erf_poly[0]);
    for (int i = 1; i < 5; i++) p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(erf_poly[i]));
    __m256 y = _mm256_fnmadd_ps(_mm256_mul_ps(p, t), exp8(_mm256_xor_ps(sign, _mm256_mul_ps(a, a))), _mm256_set1_ps(1.0f));
    __m256 erf = _mm256_xor_ps(y, _mm256_and_ps(sign, x));  // erf is odd: flip y where x < 0
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), v), _mm256_add_ps(_mm256_set1_ps(1.0f), erf));
}

static AVX2 void gelu_avx2(float *x, ptrdiff_t n) {
    const ptrdiff_t end = n & ~(ptrdiff_t)7;
    for (ptrdiff_t i = 0; i < end; i += 8) _mm256_storeu_ps(x + i, gelu8(_mm256_loadu_ps(x + i)));
    if (end == n) return;
    float tail[8];
    load_tail(x + end, n - end, 0.0f, tail);
    _mm256_storeu_ps(tail, gelu8(_mm256_loadu_ps(tail)));
    for (ptrdiff_t i = end; i < n; i++) x[i] = tail[i - end];
}

// MARK: - AVX-512 (masked tails instead of padded copies)

INLINE AVX512 __m512 exp16(__m512 x) {
    __m512 c = _mm512_min_ps(_mm512_set1_ps(EXP_HIGH), _mm512_max_ps(_mm512_set1_ps(EXP_LOW), x));
    const __m512 magic = _mm512_set1_ps(ROUND_MAGIC);
    __m512 shifted = _mm512_fmadd_ps(c, _mm512_set1_ps(LOG2E), magic);
    __m512 n = _mm512_sub_ps(shifted, magic);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(LN2_HIGH), c);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(LN2_LOW), r);
    __m512 p = _mm512_set1_ps(exp_poly[0]);
    for (int i = 1; i < 6; i++) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(exp_poly[i]));
    __m512 y = _mm512_fmadd_ps(_mm512_mul_ps(p, r), r, _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    __m512i bits = _mm512_sub_epi32(_mm512_castps_si512(shifted), _mm512_set1_epi32(0x4B400000));
    __m512 scale = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(bits, _mm512_set1_epi32(127)), 23));
    __mmask16 below = _mm512_cmp_ps_mask(x, _mm512_set1_ps(EXP_LOW), _CMP_LT_OQ);
    return _mm512_maskz_mul_ps((__mmask16)~below, y, scale);
}

/// exp(x) for x <= 0 to about 5e-5 relative (Taylor degree 4 on |r| <= ln 2 / 2, vscalefps for 2^n):
/// for probabilities that are rounded to bfloat16 next (a step of 4e-3), at half exp16's instructions.
/// x below EXP_LOW gives about 1e-38 instead of 0.
INLINE AVX512 __m512 exp16_coarse(__m512 x) {
    const __m512 c = _mm512_max_ps(x, _mm512_set1_ps(EXP_LOW));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(c, _mm512_set1_ps(LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693147181f), c);
    __m512 p = _mm512_fmadd_ps(r, _mm512_set1_ps(1.0f / 24), _mm512_set1_ps(1.0f / 6));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, n);
}

INLINE AVX512 __mmask16 mask_for(ptrdiff_t left) { return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1); }

/// x[i] = exp(x[i] - max x); returns 1 / sum of them (the normalization, left to the caller).
/// `coarse` (a constant at each call) takes exp16_coarse.
INLINE AVX512 float exponentiate_avx512(float *x, ptrdiff_t n, const int coarse) {
    const __m512 negInf = _mm512_set1_ps(-INFINITY);
    __m512 m = negInf;
    for (ptrdiff_t i = 0; i < n; i += 16) m = _mm512_max_ps(m, _mm512_mask_loadu_ps(negInf, mask_for(n - i), x + i));
    const __m512 maximum = _mm512_set1_ps(_mm512_reduce_max_ps(m));
    __m512 sums = _mm512_setzero_ps();
    for (ptrdiff_t i = 0; i < n; i += 16) {
        const __mmask16 k = mask_for(n - i);
        const __m512 shifted = _mm512_sub_ps(_mm512_mask_loadu_ps(negInf, k, x + i), maximum);
        __m512 e = coarse ? _mm512_maskz_mov_ps(k, exp16_coarse(shifted)) : exp16(shifted);  // masked lanes: 0
        _mm512_mask_storeu_ps(x + i, k, e);
        sums = _mm512_add_ps(sums, e);
    }
    return 1.0f / _mm512_reduce_add_ps(sums);
}

static AVX512 void softmax_avx512(float *x, ptrdiff_t n) {
    const __m512 inverse = _mm512_set1_ps(exponentiate_avx512(x, n, 0));
    for (ptrdiff_t i = 0; i < n; i += 16) {
        const __mmask16 k = mask_for(n - i);
        _mm512_mask_storeu_ps(x + i, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, x + i), inverse));
    }
}

/// The normalizing pass writes bfloat16 directly (one pass over the row instead of normalizing it in
/// place and rounding it after), and the exponentials are only as exact as that rounding needs.
__attribute__((target("avx2,fma,avx512f,avx512dq,avx512bw,avx512vl,avx512bf16")))
void sotto_softmax_row_bf16(float *x, ptrdiff_t n, uint16_t *out, ptrdiff_t padded) {
    const __m512 inverse = _mm512_set1_ps(exponentiate_avx512(x, n, 1));
    for (ptrdiff_t i = 0; i < padded; i += 16) {
        const __mmask16 k = i < n ? mask_for(n - i) : 0;
        const __m512 p = _mm512_mul_ps(_mm512_maskz_loadu_ps(k, x + i), inverse);  // lanes past n: 0
        _mm256_mask_storeu_epi16(out + i, mask_for(padded - i), (__m256i)_mm512_cvtneps_pbh(p));
    }
}

INLINE AVX512 __m512 gelu16(__m512 v) {
    __m512 x = _mm512_mul_ps(v, _mm512_set1_ps(FRAC_1_SQRT2));
    const __m512 sign = _mm512_set1_ps(-0.0f);
    __m512 a = _mm512_andnot_ps(sign, x);
    __m512 t = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_fmadd_ps(a, _mm512_set1_ps(ERF_P), _mm512_set1_ps(1.0f)));
    __m512 p = _mm512_set1_ps(erf_poly[0]);
    for (int i = 1; i < 5; i++) p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(erf_poly[i]));
    __m512 y = _mm512_fnmadd_ps(_mm512_mul_ps(p, t), exp16(_mm512_xor_ps(sign, _mm512_mul_ps(a, a))), _mm512_set1_ps(1.0f));
    __m512 erf = _mm512_xor_ps(y, _mm512_and_ps(sign, x));
    return _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), v), _mm512_add_ps(_mm512_set1_ps(1.0f), erf));
}

static AVX512 void gelu_avx512(float *x, ptrdiff_t n) {
    for (ptrdiff_t i = 0; i < n; i += 16) {
        const __mmask16 k = mask_for(n - i);
        _mm512_mask_storeu_ps(x + i, k, gelu16(_mm512_maskz_loadu_ps(k, x + i)));
    }
}
#endif

int sotto_softmax_row(float *x, ptrdiff_t n, int path) {
#if defined(__x86_64__)
    if (n <= 0) return 1;
    switch (sotto_weights_resolve_path(path)) {
    case SOTTO_PATH_AVX512: softmax_avx512(x, n); return 1;
    case SOTTO_PATH_AVX2: softmax_avx2(x, n); return 1;
    default: return 0;
    }
#else
    (void)x, (void)n, (void)path;
    return 0;
#endif
}

int sotto_gelu(float *x, ptrdiff_t n, int path) {
#if defined(__x86_64__)
    if (n <= 0) return 1;
    switch (sotto_weights_resolve_path(path)) {
    case SOTTO_PATH_AVX512: gelu_avx512(x, n); return 1;
    case SOTTO_PATH_AVX2: gelu_avx2(x, n); return 1;
    default: return 0;
    }
#else
    (void)x, (void)n, (void)path;
    return 0;
#endif
}
