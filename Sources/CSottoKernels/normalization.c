// Layer normalization rows on AVX2 + FMA and AVX-512 registers. The Swift code in SottoTensor's
// Normalization.swift (a serial float sum per row) is the portable path; LayerNorm.forwardReference
// (double precision) is the twin both are tested against. Sums here run in 8 or 16 independent lanes.
#include "sotto_normalization.h"
#include "sotto_weights.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>

#define AVX2 __attribute__((target("avx2,fma")))
#define AVX512 __attribute__((target("avx2,fma,avx512f,avx512dq")))

static AVX2 float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}

static AVX2 void layer_norm_avx2(const float *x, float *y, ptrdiff_t n, const float *gamma, const float *beta, float epsilon) {
    const ptrdiff_t end = n & ~(ptrdiff_t)7;
    __m256 sums = _mm256_setzero_ps();
    for (ptrdiff_t i = 0; i < end; i += 8) sums = _mm256_add_ps(sums, _mm256_loadu_ps(x + i));
    float total = hsum8(sums);
    for (ptrdiff_t i = end; i < n; i++) total += x[i];
    const float mean = total / (float)n;
    const __m256 m = _mm256_set1_ps(mean);
    __m256 squares = _mm256_setzero_ps();
    for (ptrdiff_t i = 0; i < end; i += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), m);
        squares = _mm256_fmadd_ps(d, d, squares);
    }
    float variance = hsum8(squares);
    for (ptrdiff_t i = end; i < n; i++) variance += (x[i] - mean) * (x[i] - mean);
    const float inverse = 1.0f / sqrtf(variance / (float)n + epsilon);
    const __m256 inv = _mm256_set1_ps(inverse);
    for (ptrdiff_t i = 0; i < end; i += 8) {
        __m256 normed = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), m), inv);
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(normed, _mm256_loadu_ps(gamma + i), _mm256_loadu_ps(beta + i)));
    }
    for (ptrdiff_t i = end; i < n; i++) y[i] = (x[i] - mean) * inverse * gamma[i] + beta[i];
}

static inline __attribute__((always_inline)) AVX512 __mmask16 mask_for(ptrdiff_t left) {
    return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
}

static AVX512 void layer_norm_avx512(const float *x, float *y, ptrdiff_t n, const float *gamma, const float *beta, float epsilon) {
    __m512 sums = _mm512_setzero_ps();
    for (ptrdiff_t i = 0; i < n; i += 16) sums = _mm512_add_ps(sums, _mm512_maskz_loadu_ps(mask_for(n - i), x + i));
    const float mean = _mm512_reduce_add_ps(sums) / (float)n;
    const __m512 m = _mm512_set1_ps(mean);
    __m512 squares = _mm512_setzero_ps();
    for (ptrdiff_t i = 0; i < n; i += 16) {
        const __mmask16 k = mask_for(n - i);
        __m512 d = _mm512_maskz_sub_ps(k, _mm512_maskz_loadu_ps(k, x + i), m);  // masked lanes: 0
        squares = _mm512_fmadd_ps(d, d, squares);
    }
    const __m512 inv = _mm512_set1_ps(1.0f / sqrtf(_mm512_reduce_add_ps(squares) / (float)n + epsilon));
    for (ptrdiff_t i = 0; i < n; i += 16) {
        const __mmask16 k = mask_for(n - i);
        __m512 normed = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), m), inv);
        __m512 out = _mm512_fmadd_ps(normed, _mm512_maskz_loadu_ps(k, gamma + i), _mm512_maskz_loadu_ps(k, beta + i));
        _mm512_mask_storeu_ps(y + i, k, out);
    }
}
#endif

int sotto_layer_norm_row(const float *x, float *y, ptrdiff_t n, const float *gamma, const float *beta, float epsilon,
                         int path) {
#if defined(__x86_64__)
    if (n <= 0) return 1;
    switch (sotto_weights_resolve_path(path)) {
    case SOTTO_PATH_AVX512: layer_norm_avx512(x, y, n, gamma, beta, epsilon); return 1;
    case SOTTO_PATH_AVX2: layer_norm_avx2(x, y, n, gamma, beta, epsilon); return 1;
    default: return 0;
    }
#else
    (void)x, (void)y, (void)n, (void)gamma, (void)beta, (void)epsilon, (void)path;
    return 0;
#endif
}
