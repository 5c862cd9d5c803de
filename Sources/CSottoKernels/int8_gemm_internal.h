#ifndef SOTTO_INT8_GEMM_INTERNAL_H
#define SOTTO_INT8_GEMM_INTERNAL_H

// Shared by int8_gemm.c and its per-ISA files; not part of the module's public headers.
#include <math.h>
#include <stdint.h>
#include <string.h>

// Weight scales come straight from a (possibly memory-mapped, unaligned) little-endian file.
static inline float sotto_int8_load_le_f32(const void *base, int64_t i) {
    uint32_t bits;
    memcpy(&bits, (const char *)base + 4 * i, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    bits = __builtin_bswap32(bits);
#endif
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

// The one rescaling step every path uses. Separate statements keep the compiler from fusing the
// multiply and add, so all paths (and the Swift reference) round identically.
static inline void sotto_int8_store_sum(int32_t sum, float a_scale, float w_scale, float bias, float *out) {
    float scale = a_scale * w_scale;
    float product = (float)sum * scale;
    *out = product + bias;
}

/// Input rows from which the AVX-512 VNNI path packs weight panels per call (a register-blocked GEMM);
/// below, it streams each weight row once against all input rows (decoding steps).
#define SOTTO_INT8_PACKED_MIN_ROWS 16

#if defined(__x86_64__)
/// The row quantization of int8_gemm.c's quantize_one on 16 lanes (int8_gemm_avx512.c; the same
/// arithmetic, so bit-identical to the scalar code).
void sotto_int8_quantize_row_avx512(const float *x, int64_t n, float center, float inv, int8_t *q);

/// The AVX-512 VNNI products (int8_gemm_avx512.c); same contract as sotto_int8_linear.
void sotto_int8_linear_avx512vnni(const int8_t *qa, const float *a_scales, int64_t rows, int64_t k,
                                  const int8_t *w, const void *w_scales, const float *bias,
                                  int64_t o_begin, int64_t o_end, float *out, int64_t ldc);
#endif

#endif
