// W8A8 matrix products: int8 activations x int8 weights -> int32 sums -> float, one scale per
// activation row and per weight row. A scalar path for every CPU, and on x86-64 AVX2 / AVX-VNNI /
// AVX-512 VNNI (int8_gemm_avx512.c) paths chosen at run time through sotto_cpu(). All paths accumulate exactly in int32
// and share one rescaling epilogue, so they agree bit for bit.
#include "sotto_int8_gemm.h"
#include "int8_gemm_internal.h"
#include "sotto_cpu.h"
#include <math.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

sotto_int8_path sotto_int8_resolve(sotto_int8_path p) {
#if defined(__x86_64__)
    const sotto_cpu_features *f = sotto_cpu();
    if (p == SOTTO_INT8_AUTO) p = SOTTO_INT8_AVX512VNNI;
    if (p == SOTTO_INT8_AVX512VNNI && !f->avx512vnni) p = SOTTO_INT8_AVXVNNI;
    if (p == SOTTO_INT8_AVXVNNI && !f->avxvnni) p = SOTTO_INT8_AVX2;
    if (p == SOTTO_INT8_AVX2 && !f->avx2) p = SOTTO_INT8_SCALAR;
    return p;
#else
    (void)p;
    return SOTTO_INT8_SCALAR;
#endif
}

// MARK: - Quantization

// 1 / scale, or 0 when that is not a finite number (constant rows, denormal ranges): such rows quantize to 0.
static inline float inverse_scale(float scale) {
    float inv = scale > 0 ? 1.0f / scale : 0.0f;
    return isfinite(inv) ? inv : 0.0f;
}

static inline int8_t quantize_one(float x, float center, float inv) {
    float v = fminf(fmaxf((x - center) * inv, -127.0f), 127.0f);  // clamp first: then any float converts safely
    return (int8_t)nearbyintf(v);                                  // default rounding mode: half to even
}

static void minmax_scalar(const float *x, int64_t n, float *lo, float *hi) {
    float a = x[0], b = x[0];
    for (int64_t i = 1; i < n; i++) {
        a = fminf(a, x[i]);
        b = fmaxf(b, x[i]);
    }
    *lo = a;
    *hi = b;
}

static void quantize_row_scalar(const float *x, int64_t n, float center, float inv, int8_t *q) {
    for (int64_t i = 0; i < n; i++) q[i] = quantize_one(x[i], center, inv);
}

#if defined(__x86_64__)
#define AVX2_TARGET __attribute__((target("avx2,fma")))

// min and max are exact, so any order of comparisons gives the scalar result.
static AVX2_TARGET void minmax_avx2(const float *x, int64_t n, float *lo, float *hi) {
    __m256 a = _mm256_set1_ps(x[0]), b = a;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        a = _mm256_min_ps(a, v);
        b = _mm256_max_ps(b, v);
    }
    float lanes_lo[8], lanes_hi[8], ignored;
    _mm256_storeu_ps(lanes_lo, a);
    _mm256_storeu_ps(lanes_hi, b);
    minmax_scalar(lanes_lo, 8, lo, &ignored);
    minmax_scalar(lanes_hi, 8, &ignored, hi);
    for (; i < n; i++) {
        *lo = fminf(*lo, x[i]);
        *hi = fmaxf(*hi, x[i]);
    }
}

// Same arithmetic as quantize_one: subtract, multiply, clamp in float, convert with the MXCSR default
// (round half to even); the packs cannot saturate because values are already within -127...127.
static AVX2_TARGET void quantize_row_avx2(const float *x, int64_t n, float center, float inv, int8_t *q) {
    const __m256 vinv = _mm256_set1_ps(inv), lo = _mm256_set1_ps(-127.0f), hi = _mm256_set1_ps(127.0f);
    const __m256 vcenter = _mm256_set1_ps(center);
    // packs interleave 128-bit lanes; this permutation restores element order.
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i v[4];
        for (int t = 0; t < 4; t++) {
            __m256 s = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i + 8 * t), vcenter), vinv);
            v[t] = _mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(s, lo), hi));
        }
        __m256i packed = _mm256_packs_epi16(_mm256_packs_epi32(v[0], v[1]), _mm256_packs_epi32(v[2], v[3]));
        _mm256_storeu_si256((__m256i *)(q + i), _mm256_permutevar8x32_epi32(packed, order));
    }
    quantize_row_scalar(x + i, n - i, center, inv, q + i);
}
#endif

// The row's scale and center when it is centered: 253 steps span [lo, hi] (one spare step, since the
// center is rounded to a multiple of the scale so that 0 stays exactly representable; an offset of
// zero that every near-zero value shares would otherwise add up across a product).
static void centered_scale(float lo, float hi, float *scale, float *center) {
    *scale = (hi - lo) / 253.0f;
    float inv = inverse_scale(*scale), mid = 0.5f * lo + 0.5f * hi;
    *center = inv > 0 ? nearbyintf(mid * inv) * *scale : mid;
}

void sotto_int8_quantize_rows(const float *x, int64_t rows, int64_t cols, float static_scale,
                              int8_t *q, float *scales, float *centers, sotto_int8_path path) {
    void (*minmax)(const float *, int64_t, float *, float *) = minmax_scalar;
    void (*quantize_row)(const float *, int64_t, float, float, int8_t *) = quantize_row_scalar;
#if defined(__x86_64__)
    switch (sotto_int8_resolve(path)) {
    case SOTTO_INT8_SCALAR: break;
    case SOTTO_INT8_AVX512VNNI:
        minmax = minmax_avx2;
        quantize_row = sotto_int8_quantize_row_avx512;
        break;
    default:
        minmax = minmax_avx2;
        quantize_row = quantize_row_avx2;
    }
#else
    (void)path;
#endif
    for (int64_t r = 0; r < rows; r++) {
        const float *row = x + r * cols;
        float scale, center = 0;
        if (static_scale > 0) {
            scale = static_scale;
        } else if (cols > 0) {
            float lo, hi;
            minmax(row, cols, &lo, &hi);
            centered_scale(lo, hi, &scale, &center);
        } else {
            scale = 0;
        }
        scales[r] = scale;
        centers[r] = center;
        quantize_row(row, cols, center, inverse_scale(scale), q + r * cols);
    }
}

#if defined(__x86_64__)
static AVX2_TARGET void add_centers_avx2(float *out, int64_t n, float center, const float *sums) {
    const __m256 c = _mm256_set1_ps(center);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _mm256_fmadd_ps(c, _mm256_loadu_ps(sums + i), _mm256_loadu_ps(out + i)));
    for (; i < n; i++) out[i] = fmaf(center, sums[i], out[i]);
}
#endif

void sotto_int8_add_centers(float *out, int64_t ldc, int64_t rows, int64_t o_begin, int64_t o_end,
                            const float *centers, const float *weight_sums) {
    for (int64_t r = 0; r < rows; r++) {
        float *row = out + r * ldc + o_begin;
        const float *sums = weight_sums + o_begin;
#if defined(__x86_64__)
        if (sotto_int8_resolve(SOTTO_INT8_AVX2) != SOTTO_INT8_SCALAR) {
            add_centers_avx2(row, o_end - o_begin, centers[r], sums);
            continue;
        }
#endif
        for (int64_t o = 0; o < o_end - o_begin; o++) row[o] = fmaf(centers[r], sums[o], row[o]);
    }
}

// MARK: - Products

static void linear_scalar(const int8_t *qa, const float *a_scales, int64_t rows, int64_t k,
                          const int8_t *w, const void *w_scales, const float *bias,
                          int64_t o_begin, int64_t o_end, float *out, int64_t ldc) {
    for (int64_t o = o_begin; o < o_end; o++) {
        const int8_t *wrow = w + o * k;
        float ws = sotto_int8_load_le_f32(w_scales, o), b = bias ? bias[o] : 0.0f;
        for (int64_t r = 0; r < rows; r++) {
            const int8_t *arow = qa + r * k;
            int32_t sum = 0;
            for (int64_t i = 0; i < k; i++) sum += (int32_t)arow[i] * (int32_t)wrow[i];
            sotto_int8_store_sum(sum, a_scales[r], ws, b, out + r * ldc + o);
        }
    }
}

#if defined(__x86_64__)
#define TILE_MAX_R 8
#define TILE_MAX_J 4
#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE AVX2_TARGET int32_t hsum_epi32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}

// Eight horizontal sums at once (out[t] = sum of v[t]): two rounds of hadd, then the 128-bit halves.
static ALWAYS_INLINE AVX2_TARGET void hsum8_epi32(const __m256i *v, int32_t *out) {
    __m256i s0123 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[0], v[1]), _mm256_hadd_epi32(v[2], v[3]));
    __m256i s4567 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[4], v[5]), _mm256_hadd_epi32(v[6], v[7]));
    __m256i low = _mm256_permute2x128_si256(s0123, s4567, 0x20), high = _mm256_permute2x128_si256(s0123, s4567, 0x31);
    _mm256_storeu_si256((__m256i *)out, _mm256_add_epi32(low, high));
}

// Signed x signed through an unsigned x signed instruction: |w| (as u8, 0...128) times a * sign(w)
// (s8; a is in -127...127 so the negation is safe) equals a * w. With vpmaddubsw each int16 pair sum
// is at most 2 * 128 * 127 = 32512 < 32767, so it never saturates; vpmaddwd by ones widens to int32.
static ALWAYS_INLINE AVX2_TARGET __m256i dot_avx2(__m256i acc, __m256i abs_w, __m256i signed_a) {
    __m256i pairs = _mm256_maddubs_epi16(abs_w, signed_a);
    return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
}

// vpdpbusd does the same u8 x s8 product but sums groups of four straight into int32.
#define AVXVNNI_TARGET __attribute__((target("avx2,fma,avxvnni")))
static ALWAYS_INLINE AVXVNNI_TARGET __m256i dot_avxvnni(__m256i acc, __m256i abs_w, __m256i signed_a) {
    return _mm256_dpbusd_avx_epi32(acc, abs_w, signed_a);
}

// One register tile: R activation rows x J weight rows over the whole reduction, 32 bytes a step,
// a scalar loop for the k % 32 tail. Called with constant R and J, so the loops unroll and `acc`
// lives in registers. Each ISA instantiates it with its own dot step (C has no templates).
#define DEFINE_TILE(SUFFIX, TARGET, DOT)                                                               \
    static ALWAYS_INLINE TARGET void tile_##SUFFIX(const int8_t *a, const int8_t *w, int64_t k,      \
                                                   int R, int J, int32_t *sums) {                     \
        __m256i acc[TILE_MAX_R * TILE_MAX_J];                                                         \
        for (int t = 0; t < R * J; t++) acc[t] = _mm256_setzero_si256();                              \
        int64_t kv = k & ~(int64_t)31;                                                                \
        for (int64_t p = 0; p < kv; p += 32) {                                                        \
            __m256i wv[TILE_MAX_J], abs_w[TILE_MAX_J];                                                \
            for (int j = 0; j < J; j++) {                                                             \
                wv[j] = _mm256_loadu_si256((const __m256i *)(w + j * k + p));                         \
                abs_w[j] = _mm256_abs_epi8(wv[j]);                                                    \
            }                                                                                         \
            for (int i = 0; i < R; i++) {                                                             \
                __m256i av = _mm256_loadu_si256((const __m256i *)(a + i * k + p));                    \
                for (int j = 0; j < J; j++)                                                           \
                    acc[i * J + j] = DOT(acc[i * J + j], abs_w[j], _mm256_sign_epi8(av, wv[j]));      \
            }                                                                                         \
        }                                                                                             \
        if (R * J == 8) hsum8_epi32(acc, sums);                                                       \
        for (int i = 0; i < R; i++)                                                                   \
            for (int j = 0; j < J; j++) {                                                             \
                int32_t s = R * J == 8 ? sums[i * J + j] : hsum_epi32(acc[i * J + j]);                \
                for (int64_t p = kv; p < k; p++) s += (int32_t)a[i * k + p] * (int32_t)w[j * k + p];  \
                sums[i * J + j] = s;                                                                  \
            }                                                                                         \
    }                                                                                                 \
    static TARGET void tile_##SUFFIX##_any(const int8_t *a, const int8_t *w, int64_t k, int R, int J, \
                                           int32_t *sums) {                                           \
        switch (R * 8 + J) {                                                                          \
        case 1 * 8 + 1: tile_##SUFFIX(a, w, k, 1, 1, sums); return;                                  \
        case 1 * 8 + 2: tile_##SUFFIX(a, w, k, 1, 2, sums); return;                                  \
        case 1 * 8 + 3: tile_##SUFFIX(a, w, k, 1, 3, sums); return;                                  \
        case 1 * 8 + 4: tile_##SUFFIX(a, w, k, 1, 4, sums); return;                                  \
        case 2 * 8 + 1: tile_##SUFFIX(a, w, k, 2, 1, sums); return;                                  \
        case 2 * 8 + 2: tile_##SUFFIX(a, w, k, 2, 2, sums); return;                                  \
        case 2 * 8 + 3: tile_##SUFFIX(a, w, k, 2, 3, sums); return;                                  \
        case 2 * 8 + 4: tile_##SUFFIX(a, w, k, 2, 4, sums); return;                                  \
        case 3 * 8 + 1: tile_##SUFFIX(a, w, k, 3, 1, sums); return;                                  \
        case 3 * 8 + 2: tile_##SUFFIX(a, w, k, 3, 2, sums); return;                                  \
        case 4 * 8 + 1: tile_##SUFFIX(a, w, k, 4, 1, sums); return;                                  \
        case 4 * 8 + 2: tile_##SUFFIX(a, w, k, 4, 2, sums); return;                                  \
        case 5 * 8 + 1: tile_##SUFFIX(a, w, k, 5, 1, sums); return;                                  \
        case 6 * 8 + 1: tile_##SUFFIX(a, w, k, 6, 1, sums); return;                                  \
        case 7 * 8 + 1: tile_##SUFFIX(a, w, k, 7, 1, sums); return;                                  \
        case 8 * 8 + 1: tile_##SUFFIX(a, w, k, 8, 1, sums); return;                                  \
        default:                                                                                      \
            for (int j = 0; j < J; j++)                                                               \
                for (int i = 0; i < R; i++) tile_##SUFFIX(a + i * k, w + j * k, k, 1, 1, sums + i * J + j); \
        }                                                                                             \
    }

DEFINE_TILE(avx2, AVX2_TARGET, dot_avx2)
DEFINE_TILE(avxvnni, AVXVNNI_TARGET, dot_avxvnni)

typedef void (*tile_fn)(const int8_t *, const int8_t *, int64_t, int, int, int32_t *);

// Tile shapes: up to 8 activation rows (decoding steps) are streamed against each weight row once,
// with as many weight rows per tile as keep 8 accumulators. Longer inputs (the encoder) use 4 x 2
// tiles, sweeping every activation row over a block of weight rows that stays in L2.
enum { WEIGHT_BLOCK_ROWS = 32, LARGE_TILE_R = 4, LARGE_TILE_J = 2 };

static void linear_tiled(tile_fn tile, const int8_t *qa, const float *a_scales, int64_t rows, int64_t k,
                         const int8_t *w, const void *w_scales, const float *bias,
                         int64_t o_begin, int64_t o_end, float *out, int64_t ldc) {
    int tile_r = rows <= TILE_MAX_R ? (int)rows : LARGE_TILE_R;
    int tile_j = rows <= TILE_MAX_R ? (8 / tile_r < TILE_MAX_J ? 8 / tile_r : TILE_MAX_J) : LARGE_TILE_J;
    int32_t sums[TILE_MAX_R * TILE_MAX_J];
    for (int64_t ob = o_begin; ob < o_end; ob += WEIGHT_BLOCK_ROWS) {
        int64_t oe = ob + WEIGHT_BLOCK_ROWS < o_end ? ob + WEIGHT_BLOCK_ROWS : o_end;
        for (int64_t r = 0; r < rows; r += tile_r) {
            int R = rows - r < tile_r ? (int)(rows - r) : tile_r;
            for (int64_t o = ob; o < oe; o += tile_j) {
                int J = oe - o < tile_j ? (int)(oe - o) : tile_j;
                tile(qa + r * k, w + o * k, k, R, J, sums);
                for (int j = 0; j < J; j++) {
                    float ws = sotto_int8_load_le_f32(w_scales, o + j), b = bias ? bias[o + j] : 0.0f;
                    for (int i = 0; i < R; i++)
                        sotto_int8_store_sum(sums[i * J + j], a_scales[r + i], ws, b, out + (r + i) * ldc + o + j);
                }
            }
        }
    }
}
#endif

void sotto_int8_linear(const int8_t *qa, const float *a_scales, int64_t rows, int64_t k,
                       const int8_t *w, const void *w_scales, const float *bias,
                       int64_t o_begin, int64_t o_end, float *out, int64_t ldc, sotto_int8_path path) {
    if (rows <= 0 || o_begin >= o_end) return;
#if defined(__x86_64__)
    tile_fn tile = NULL;
    switch (sotto_int8_resolve(path)) {
    case SOTTO_INT8_AVX512VNNI:
        sotto_int8_linear_avx512vnni(qa, a_scales, rows, k, w, w_scales, bias, o_begin, o_end, out, ldc);
        return;
    case SOTTO_INT8_AVXVNNI: tile = tile_avxvnni_any; break;
    case SOTTO_INT8_AVX2: tile = tile_avx2_any; break;
    default: break;
    }
    if (tile) {
        linear_tiled(tile, qa, a_scales, rows, k, w, w_scales, bias, o_begin, o_end, out, ldc);
        return;
    }
#else
    (void)path;
#endif
    linear_scalar(qa, a_scales, rows, k, w, w_scales, bias, o_begin, o_end, out, ldc);
}
