#ifndef SOTTO_WEIGHTS_INTERNAL_H
#define SOTTO_WEIGHTS_INTERNAL_H

#include "sotto_weights.h"
#include <stdint.h>
#include <string.h>

// Shared by the per-path kernel files; not part of the module's public headers.

static inline ptrdiff_t sotto_blocks_per_row(const sotto_weights *w) { return (w->cols + w->block - 1) / w->block; }

/// Bytes per packed int4 row: the row is padded to a multiple of 32 codes, two codes per byte.
static inline ptrdiff_t sotto_i4_row_bytes(const sotto_weights *w) { return (w->cols + 31) / 32 * 16; }

static inline uint16_t sotto_load_u16(const void *base, ptrdiff_t index) {
    uint16_t v;
    memcpy(&v, (const unsigned char *)base + index * 2, 2);
    return v;
}

static inline float sotto_load_f32(const void *base, ptrdiff_t index) {
    float v;
    memcpy(&v, (const unsigned char *)base + index * 4, 4);
    return v;
}

/// IEEE half to float, exact for every input (subnormals, infinities, NaN payloads).
static inline float sotto_half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1Fu;
    uint32_t mantissa = h & 0x3FFu;
    uint32_t bits;
    if (exponent == 0) {
        // Zero or subnormal: mantissa * 2^-24 is exact in float.
        float magnitude = (float)mantissa * 0x1p-24f;
        return sign ? -magnitude : magnitude;
    } else if (exponent == 31) {
        bits = sign | 0x7F800000u | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/// Scale of block `b` of row `o` (I8_BLOCK and I4 kinds).
static inline float sotto_block_scale(const sotto_weights *w, ptrdiff_t o, ptrdiff_t b) {
    return sotto_half_to_float(sotto_load_u16(w->scales, o * sotto_blocks_per_row(w) + b));
}

/// Zero point of block `b` of row `o` (0 for the symmetric kinds, whose codes are offset by 8 instead).
static inline int sotto_block_zero(const sotto_weights *w, ptrdiff_t o, ptrdiff_t b) {
    if (w->kind != SOTTO_WEIGHTS_I4_BLOCK_ZP) return 8;
    return ((const uint8_t *)w->zeros)[o * sotto_blocks_per_row(w) + b];
}

void sotto_weights_linear_scalar(const sotto_weights *w, const float *x, ptrdiff_t nrows, ptrdiff_t ldx,
                                 const float *bias, float *y, ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1);
void sotto_weights_dequantize_scalar(const sotto_weights *w, ptrdiff_t o0, ptrdiff_t o1, float *out, ptrdiff_t ldo);
#if defined(__x86_64__)
void sotto_weights_dequantize_avx2(const sotto_weights *w, ptrdiff_t o0, ptrdiff_t o1, float *out, ptrdiff_t ldo);
void sotto_weights_linear_avx2(const sotto_weights *w, const float *x, ptrdiff_t nrows, ptrdiff_t ldx,
                               const float *bias, float *y, ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1);
void sotto_weights_linear_avx512(const sotto_weights *w, const float *x, ptrdiff_t nrows, ptrdiff_t ldx,
                                 const float *bias, float *y, ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1);
#endif

#endif
