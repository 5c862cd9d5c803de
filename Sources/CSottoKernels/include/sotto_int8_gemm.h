#ifndef SOTTO_INT8_GEMM_H
#define SOTTO_INT8_GEMM_H

#include <stdint.h>

/// Which kernel family runs. AUTO picks the widest one `sotto_cpu()` reports; asking for a path the CPU
/// lacks falls back to the next narrower one (so tests may name AVX2 on any machine).
typedef enum {
    SOTTO_INT8_AUTO = 0,
    SOTTO_INT8_SCALAR = 1,
    SOTTO_INT8_AVX2 = 2,
    SOTTO_INT8_AVXVNNI = 3,     // vpdpbusd on 256-bit registers (VEX encoding)
    SOTTO_INT8_AVX512VNNI = 4,  // vpdpbusd on 512-bit registers, register-blocked for many rows
} sotto_int8_path;

/// The path AUTO resolves to (or `requested`, lowered to what this CPU runs).
sotto_int8_path sotto_int8_resolve(sotto_int8_path requested);

/// Longest reduction the int32 accumulators take without overflow: |w| <= 128, |a| <= 127.
#define SOTTO_INT8_MAX_K 131072

/// Quantizes `rows` rows of `x` [rows, cols] to q in -127...127:
/// q = clamp(round_half_even((x - center) * (1 / scale)), -127, 127).
/// `static_scale > 0`: that scale for every row, center 0. Otherwise one scale per row: the row's range
/// [lo, hi] over 253 steps, and the center (lo + hi) / 2 rounded to a multiple of the scale, which
/// doubles the resolution of one-sided rows (GELU outputs) against a symmetric absmax / 127. A
/// constant row gets scale 0, center its value and q 0. Writes each row's scale and center.
void sotto_int8_quantize_rows(const float *x, int64_t rows, int64_t cols, float static_scale,
                              int8_t *q, float *scales, float *centers, sotto_int8_path path);

/// The centered rows' missing term: out[r * ldc + o] = fma(centers[r], weight_sums[o], out[r * ldc + o])
/// for o in [o_begin, o_end), where weight_sums[o] = w_scale[o] * sum_k w[o, k].
void sotto_int8_add_centers(float *out, int64_t ldc, int64_t rows, int64_t o_begin, int64_t o_end,
                            const float *centers, const float *weight_sums);

/// out[r * ldc + o] = bias[o] + a_scales[r] * w_scale[o] * sum_k qa[r * k + i] * w[o * k + i]
/// for r in [0, rows) and o in [o_begin, o_end).
/// qa: int8 [rows, k] in -127...127. w: int8 [*, k] row-major, any alignment, values -128...127.
/// w_scales: little-endian float32 [*], any alignment. bias: NULL or float [*]. k <= SOTTO_INT8_MAX_K.
void sotto_int8_linear(const int8_t *qa, const float *a_scales, int64_t rows, int64_t k,
                       const int8_t *w, const void *w_scales, const float *bias,
                       int64_t o_begin, int64_t o_end, float *out, int64_t ldc, sotto_int8_path path);

#endif
