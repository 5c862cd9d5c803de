// AVX-512 VNNI W8A8 products, the twin of linear_scalar in int8_gemm.c (bit-identical results).
//
// vpdpbusd multiplies unsigned bytes by signed bytes, four per int32 lane. Weights are made unsigned
// by flipping their sign bit (w ^ 0x80 = w + 128) and activations stay signed, so every sum carries an
// extra 128 * sum_k a, which the epilogue subtracts: sum_k a * w = sum_k a * (w + 128) - 128 * sum_k a.
// vpdpbusd does not saturate; its int32 lanes wrap modulo 2^32 and the true sum fits in int32
// (k <= SOTTO_INT8_MAX_K), so the difference is exact.
//
// Two shapes of work:
// - many input rows (the encoder): weights are packed per call into 64-column panels in the order the
//   micro-kernel reads them (gathers, about 1% of a 1500-row product on Zen 4), one cache block of
//   the reduction at a time; a 6-row x 64-column micro-kernel keeps 24 zmm accumulators. Packing at
//   load time would save that 1% for a second copy of every int8 matrix, so it is not done.
// - a few input rows (decoding steps): each weight row is read once, 64 bytes a step, against up to 4
//   input rows; the sums are reduced horizontally once per weight row.
#include "int8_gemm_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <stdlib.h>

#define VNNI512 __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")))
#define INLINE static inline __attribute__((always_inline))
// Loops over accumulator arrays must unroll completely, or the arrays stay in memory.
#define UNROLL _Pragma("clang loop unroll(full)")

// Reduction bytes per cache block: a 64 x 1024 panel block (64 KB) stays in L2. On Zen 4 (1 MB L2)
// blocks of 768-4096 measured alike and 256-384 up to 20% slower. -DKC_MAX=... overrides it for tuning.
#ifndef KC_MAX
#define KC_MAX 1024
#endif

enum {
    MR = 6,        // input rows per micro-kernel
    NB = 4,        // 16-column registers per micro-kernel: 6 x 4 = 24 of the 32 zmm registers accumulate
    NR = 16 * NB,  // output columns per packed panel
    STREAM_MR = 4, // input rows per streaming tile
};

// MARK: - Activation quantization

INLINE VNNI512 __mmask16 lane_mask(int64_t left) { return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1); }

/// Subtract the center, multiply, clamp in float, convert with the MXCSR default (round half to even), as quantize_one;
/// the saturating packs never saturate because values are already within -127...127.
VNNI512 void sotto_int8_quantize_row_avx512(const float *x, int64_t n, float center, float inv, int8_t *q) {
    const __m512 vinv = _mm512_set1_ps(inv), lo = _mm512_set1_ps(-127.0f), hi = _mm512_set1_ps(127.0f);
    const __m512 vcenter = _mm512_set1_ps(center);
    // The packs work within 128-bit lanes: packed dword d holds the four bytes of v[d % 4]'s 128-bit
    // chunk d / 4; this permutation restores element order.
    const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    int64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512i v[4];
        for (int t = 0; t < 4; t++) {
            __m512 s = _mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(x + i + 16 * t), vcenter), vinv);
            v[t] = _mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(s, lo), hi));
        }
        __m512i packed = _mm512_packs_epi16(_mm512_packs_epi32(v[0], v[1]), _mm512_packs_epi32(v[2], v[3]));
        _mm512_storeu_si512(q + i, _mm512_permutexvar_epi32(order, packed));
    }
    for (; i < n; i += 16) {
        const __mmask16 k = lane_mask(n - i);
        __m512 s = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), vcenter), vinv);
        _mm512_mask_cvtsepi32_storeu_epi8(q + i, k, _mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(s, lo), hi)));
    }
}

// MARK: - Shared steps

/// sums[r] = sum_k qa[r, k], with vpdpbusd against bytes of 1.
static VNNI512 void row_sums(const int8_t *qa, int64_t rows, int64_t k, int32_t *sums) {
    const __m512i ones = _mm512_set1_epi8(1);
    for (int64_t r = 0; r < rows; r++) {
        const int8_t *a = qa + r * k;
        __m512i acc = _mm512_setzero_si512();
        int64_t p = 0;
        for (; p + 64 <= k; p += 64) acc = _mm512_dpbusd_epi32(acc, ones, _mm512_loadu_si512(a + p));
        if (p < k) acc = _mm512_dpbusd_epi32(acc, ones, _mm512_maskz_loadu_epi8((__mmask64)-1 >> (64 - (k - p)), a + p));
        sums[r] = _mm512_reduce_add_epi32(acc);
    }
}

/// The correction each sum of row r carries: 128 * sum_k a, wrapping like the int32 lanes.
static inline int32_t offset_correction(int32_t row_sum) { return (int32_t)((uint32_t)row_sum * 128u); }

// MARK: - Packed GEMM (many input rows)

INLINE __mmask16 column_mask(int64_t ncols, int j) {
    int64_t left = ncols - 16 * j;
    return left >= 16 ? (__mmask16)0xFFFF : left <= 0 ? 0 : (__mmask16)((1u << left) - 1);
}

/// Packs weight rows [o0, o0 + ncols) x reduction [k0, k0 + kc) into one panel:
/// dst[g * 4 * NR + 4 * c + b] = w[o0 + c, k0 + 4 * g + b] ^ 0x80, so group g of four reduction bytes
/// is NB registers of 16 columns. Columns past ncols and bytes past kc are 0x80 (a weight of 0).
/// One gather collects a group from 16 weight rows; a partial last group is copied byte by byte so
/// nothing past a row (or the matrix) is read.
static VNNI512 void pack_panel(const int8_t *w, int64_t k, int64_t o0, int64_t ncols, int64_t k0, int64_t kc, uint8_t *dst) {
    const int64_t full = kc / 4, groups = (kc + 3) / 4;
    const __m512i flip = _mm512_set1_epi8((char)0x80);
    const __m512i rows = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                            _mm512_set1_epi32((int)k));
    for (int j = 0; j < NB; j++) {
        const __mmask16 m = column_mask(ncols, j);
        uint8_t *d = dst + 64 * j;
        if (!m) {
            for (int64_t g = 0; g < groups; g++) _mm512_store_si512(d + g * 4 * NR, flip);
            continue;
        }
        const int8_t *base = w + (o0 + 16 * j) * k + k0;
        for (int64_t g = 0; g < full; g++)
            _mm512_store_si512(d + g * 4 * NR, _mm512_xor_si512(_mm512_mask_i32gather_epi32(_mm512_setzero_si512(), m, rows, base + 4 * g, 1), flip));
        if (groups == full) continue;
        for (int c = 0; c < 16; c++) {
            uint32_t v = 0;
            if (16 * j + c < ncols) memcpy(&v, base + c * k + 4 * full, (size_t)(kc - 4 * full));
            v ^= 0x80808080u;
            memcpy(d + full * 4 * NR + 4 * c, &v, 4);
        }
    }
}

/// What every micro-kernel call of one product shares.
typedef struct {
    const int8_t *qa;
    int64_t k;
    const float *a_scales;
    const int32_t *a_sums;
    const void *w_scales;
    const float *bias;
    float *out;
    int64_t ldc;
} product;

/// The final rescale of R x NB accumulators at (row r, column col), with the scalar epilogue's steps.
INLINE VNNI512 void epilogue(const product *P, const int R, int64_t r, int64_t col, int64_t ncols, const __m512i *c) {
    UNROLL for (int j = 0; j < NB; j++) {
        __mmask16 m = column_mask(ncols, j);
        __m512 ws = _mm512_maskz_loadu_ps(m, (const float *)P->w_scales + col + 16 * j);
        __m512 bias = P->bias ? _mm512_maskz_loadu_ps(m, P->bias + col + 16 * j) : _mm512_setzero_ps();
        UNROLL for (int i = 0; i < R; i++) {
            __m512i sum = _mm512_sub_epi32(c[i * NB + j], _mm512_set1_epi32(offset_correction(P->a_sums[r + i])));
            __m512 scale = _mm512_mul_ps(_mm512_set1_ps(P->a_scales[r + i]), ws);
            __m512 product = _mm512_mul_ps(_mm512_cvtepi32_ps(sum), scale);
            _mm512_mask_storeu_ps(P->out + (r + i) * P->ldc + col + 16 * j, m, _mm512_add_ps(product, bias));
        }
    }
}

/// R input rows from r x one panel over reduction [k0, k0 + kc). Between cache blocks the int32 sums
/// wait in the output itself (same size as float); the last block rescales them to floats.
INLINE VNNI512 void micro_kernel(const product *P, const int R, int64_t r, int64_t col, int64_t ncols, int64_t k0,
                                 int64_t kc, const uint8_t *panel, int first, int last) {
    __m512i c[MR * NB];
    float *o = P->out + r * P->ldc + col;
    UNROLL for (int i = 0; i < R; i++)
        UNROLL for (int j = 0; j < NB; j++)
            c[i * NB + j] = first ? _mm512_setzero_si512() : _mm512_maskz_loadu_epi32(column_mask(ncols, j), o + i * P->ldc + 16 * j);
    const int8_t *a = P->qa + r * P->k + k0;
    const int64_t full = kc / 4;
    for (int64_t g = 0; g < full; g++) {
        const __m512i *b = (const __m512i *)(panel + g * 4 * NR);
        __m512i b0 = _mm512_load_si512(b), b1 = _mm512_load_si512(b + 1), b2 = _mm512_load_si512(b + 2), b3 = _mm512_load_si512(b + 3);
        UNROLL for (int i = 0; i < R; i++) {
            int32_t v;
            memcpy(&v, a + i * P->k + 4 * g, 4);
            __m512i av = _mm512_set1_epi32(v);
            c[i * NB + 0] = _mm512_dpbusd_epi32(c[i * NB + 0], b0, av);
            c[i * NB + 1] = _mm512_dpbusd_epi32(c[i * NB + 1], b1, av);
            c[i * NB + 2] = _mm512_dpbusd_epi32(c[i * NB + 2], b2, av);
            c[i * NB + 3] = _mm512_dpbusd_epi32(c[i * NB + 3], b3, av);
        }
    }
    if (kc % 4) {  // the reduction's last partial group: missing activation bytes are 0
        const __m512i *b = (const __m512i *)(panel + full * 4 * NR);
        UNROLL for (int i = 0; i < R; i++) {
            int32_t v = 0;
            memcpy(&v, a + i * P->k + 4 * full, (size_t)(kc % 4));
            __m512i av = _mm512_set1_epi32(v);
            UNROLL for (int j = 0; j < NB; j++) c[i * NB + j] = _mm512_dpbusd_epi32(c[i * NB + j], _mm512_load_si512(b + j), av);
        }
    }
    if (last) {
        epilogue(P, R, r, col, ncols, c);
        return;
    }
    UNROLL for (int i = 0; i < R; i++)
        UNROLL for (int j = 0; j < NB; j++) _mm512_mask_storeu_epi32(o + i * P->ldc + 16 * j, column_mask(ncols, j), c[i * NB + j]);
}

static VNNI512 void micro_kernel_any(const product *P, int R, int64_t r, int64_t col, int64_t ncols, int64_t k0,
                                     int64_t kc, const uint8_t *panel, int first, int last) {
    switch (R) {
    case 6: micro_kernel(P, 6, r, col, ncols, k0, kc, panel, first, last); return;
    case 5: micro_kernel(P, 5, r, col, ncols, k0, kc, panel, first, last); return;
    case 4: micro_kernel(P, 4, r, col, ncols, k0, kc, panel, first, last); return;
    case 3: micro_kernel(P, 3, r, col, ncols, k0, kc, panel, first, last); return;
    case 2: micro_kernel(P, 2, r, col, ncols, k0, kc, panel, first, last); return;
    default: micro_kernel(P, 1, r, col, ncols, k0, kc, panel, first, last); return;
    }
}

/// Returns 0 (having written nothing) when its buffers cannot be allocated.
static VNNI512 int linear_packed(const product *base, const int8_t *w, int64_t rows, int64_t o_begin, int64_t o_end) {
    const int64_t k = base->k;
    const int64_t blocks = (k + KC_MAX - 1) / KC_MAX;
    const int64_t kc_step = ((k + blocks - 1) / blocks + 3) & ~(int64_t)3;  // even blocks of whole groups
    // Allocated per call (a 1500-row product takes milliseconds; decoding steps take the streaming
    // kernel, which allocates nothing): thread-local buffers would leak when the pool retires a thread.
    int32_t *a_sums = malloc((size_t)rows * sizeof(int32_t));
    uint8_t *panel = aligned_alloc(64, (size_t)NR * (size_t)kc_step);  // a multiple of 64 bytes
    if (!a_sums || !panel) {
        free(a_sums);
        free(panel);
        return 0;
    }
    row_sums(base->qa, rows, k, a_sums);
    product P = *base;
    P.a_sums = a_sums;
    // Panel by panel: its partial sums (rows x 64 int32) stay in L2 across the reduction blocks, and
    // each block of it stays in L1 while every input row passes over it.
    for (int64_t col = o_begin; col < o_end; col += NR) {
        const int64_t width = o_end - col < NR ? o_end - col : NR;
        for (int64_t k0 = 0; k0 < k; k0 += kc_step) {
            const int64_t kc = k - k0 < kc_step ? k - k0 : kc_step;
            const int first = k0 == 0, last = k0 + kc == k;
            pack_panel(w, k, col, width, k0, kc, panel);
            for (int64_t r = 0; r < rows; r += MR)
                micro_kernel_any(&P, rows - r < MR ? (int)(rows - r) : MR, r, col, width, k0, kc, panel, first, last);
        }
    }
    free(a_sums);
    free(panel);
    return 1;
}

// MARK: - Streaming (a few input rows)

/// out[t] = sum of the lanes of v[t], t < 4: 128-bit chunks are added across registers first, so four
/// sums cost 14 instructions.
INLINE VNNI512 __m128i reduce4(__m512i a, __m512i b, __m512i c, __m512i d) {
    // [a0+a2, a1+a3, b0+b2, b1+b3] in 128-bit chunks, then [a, b, c, d].
    __m512i ab = _mm512_add_epi32(_mm512_shuffle_i64x2(a, b, 0x44), _mm512_shuffle_i64x2(a, b, 0xEE));
    __m512i cd = _mm512_add_epi32(_mm512_shuffle_i64x2(c, d, 0x44), _mm512_shuffle_i64x2(c, d, 0xEE));
    __m512i s = _mm512_add_epi32(_mm512_shuffle_i64x2(ab, cd, 0x88), _mm512_shuffle_i64x2(ab, cd, 0xDD));
    s = _mm512_add_epi32(s, _mm512_shuffle_epi32(s, _MM_PERM_BADC));
    s = _mm512_add_epi32(s, _mm512_shuffle_epi32(s, _MM_PERM_CDAB));
    return _mm512_castsi512_si128(_mm512_permutexvar_epi32(_mm512_setr_epi32(0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), s));
}

/// sums[i * J + j] = sum_k a[i, k] * (w[j, k] + 128) for R input rows and J weight rows (J = 1 or 4),
/// 64 reduction bytes a step; the k % 64 tail is read with masked loads (missing bytes are 0).
INLINE VNNI512 void stream_tile(const int8_t *a, const int8_t *w, int64_t k, const int R, const int J, int32_t *sums) {
    __m512i acc[STREAM_MR * 4];
    UNROLL for (int t = 0; t < R * J; t++) acc[t] = _mm512_setzero_si512();
    const __m512i flip = _mm512_set1_epi8((char)0x80);
    int64_t p = 0;
    for (; p + 64 <= k; p += 64) {
        __m512i wv[4];
        // The next block of weight rows (a prefetch past the matrix is a hint and never faults).
        UNROLL for (int j = 0; j < J; j++) _mm_prefetch((const char *)(w + (J + j) * k + p), _MM_HINT_T0);
        UNROLL for (int j = 0; j < J; j++) wv[j] = _mm512_xor_si512(_mm512_loadu_si512(w + j * k + p), flip);
        UNROLL for (int i = 0; i < R; i++) {
            __m512i av = _mm512_loadu_si512(a + i * k + p);
            UNROLL for (int j = 0; j < J; j++) acc[i * J + j] = _mm512_dpbusd_epi32(acc[i * J + j], wv[j], av);
        }
    }
    if (p < k) {
        const __mmask64 m = (__mmask64)-1 >> (64 - (k - p));
        __m512i wv[4];
        UNROLL for (int j = 0; j < J; j++) wv[j] = _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, w + j * k + p), flip);
        UNROLL for (int i = 0; i < R; i++) {
            __m512i av = _mm512_maskz_loadu_epi8(m, a + i * k + p);
            UNROLL for (int j = 0; j < J; j++) acc[i * J + j] = _mm512_dpbusd_epi32(acc[i * J + j], wv[j], av);
        }
    }
    UNROLL for (int i = 0; i < R; i++) {
        if (J == 1) {
            sums[i] = _mm512_reduce_add_epi32(acc[i]);
            continue;
        }
        UNROLL for (int j = 0; j < J; j += 4)
            _mm_storeu_si128((__m128i *)(sums + i * J + j),
                             reduce4(acc[i * J + j], acc[i * J + j + 1], acc[i * J + j + 2], acc[i * J + j + 3]));
    }
}

#define STREAM_CASES(R)                                                                               \
    case R * 16 + 4: stream_tile(a, w, k, R, 4, sums); return;                                        \
    case R * 16 + 1: stream_tile(a, w, k, R, 1, sums); return;

static VNNI512 void stream_tile_any(const int8_t *a, const int8_t *w, int64_t k, int R, int J, int32_t *sums) {
    switch (R * 16 + J) {
        STREAM_CASES(1)
        STREAM_CASES(2)
        STREAM_CASES(3)
        STREAM_CASES(4)
    default: return;
    }
}

/// Weight rows in blocks of 4: each block is read from memory once (the next one prefetched) and stays
/// in L1 while the input rows pass over it in groups of up to STREAM_MR. On the 51864 x 384 logits
/// matrix (20 MB, past L2) blocks of 8 without the prefetch were 10-25% slower; with one input row
/// this kernel is then within the noise of the AVX2 one (memory-bound), with 5 rows slightly faster.
static VNNI512 void linear_stream(const product *P, const int8_t *w, int64_t rows, int64_t o_begin, int64_t o_end) {
    const int64_t k = P->k;
    int32_t a_sums[SOTTO_INT8_PACKED_MIN_ROWS], sums[STREAM_MR * 4];
    row_sums(P->qa, rows, k, a_sums);
    for (int64_t o = o_begin; o < o_end;) {
        const int J = o_end - o >= 4 ? 4 : 1;
        for (int64_t r = 0; r < rows; r += STREAM_MR) {
            const int R = rows - r < STREAM_MR ? (int)(rows - r) : STREAM_MR;
            stream_tile_any(P->qa + r * k, w + o * k, k, R, J, sums);
            for (int j = 0; j < J; j++) {
                float ws = sotto_int8_load_le_f32(P->w_scales, o + j), b = P->bias ? P->bias[o + j] : 0.0f;
                for (int i = 0; i < R; i++) {
                    int32_t sum = (int32_t)((uint32_t)sums[i * J + j] - (uint32_t)offset_correction(a_sums[r + i]));
                    sotto_int8_store_sum(sum, P->a_scales[r + i], ws, b, P->out + (r + i) * P->ldc + o + j);
                }
            }
        }
        o += J;
    }
}

void sotto_int8_linear_avx512vnni(const int8_t *qa, const float *a_scales, int64_t rows, int64_t k,
                                  const int8_t *w, const void *w_scales, const float *bias,
                                  int64_t o_begin, int64_t o_end, float *out, int64_t ldc) {
    product P = {qa, k, a_scales, NULL, w_scales, bias, out, ldc};
    if (rows >= SOTTO_INT8_PACKED_MIN_ROWS && k > 0 && linear_packed(&P, w, rows, o_begin, o_end)) return;
    for (int64_t r = 0; r < rows; r += SOTTO_INT8_PACKED_MIN_ROWS - 1) {
        // Row blocks keep the streaming kernel's row sums on the stack.
        int64_t n = rows - r < SOTTO_INT8_PACKED_MIN_ROWS - 1 ? rows - r : SOTTO_INT8_PACKED_MIN_ROWS - 1;
        product block = P;
        block.qa = qa + r * k;
        block.a_scales = a_scales + r;
        block.out = out + r * ldc;
        linear_stream(&block, w, n, o_begin, o_end);
    }
}

#endif
