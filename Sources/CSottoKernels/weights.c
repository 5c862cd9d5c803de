// Quantized weight matrices: path dispatch, scalar dequantization and the scalar fused product.
// The SIMD twins live in weights_avx2.c and weights_avx512.c (the fused products; AVX-512 CPUs
// dequantize BLAS panels with the AVX2 code).
#include "weights_internal.h"
#include "sotto_cpu.h"

int sotto_weights_resolve_path(int requested) {
#if defined(__x86_64__)
    const sotto_cpu_features *cpu = sotto_cpu();
    int best = cpu->avx512 ? SOTTO_PATH_AVX512 : cpu->avx2 ? SOTTO_PATH_AVX2 : SOTTO_PATH_SCALAR;
    if (requested == SOTTO_PATH_AUTO || requested > best) return best;
    return requested < SOTTO_PATH_SCALAR ? SOTTO_PATH_SCALAR : requested;
#else
    (void)requested;
    return SOTTO_PATH_SCALAR;
#endif
}

/// Dequantizes w[o, k0 ..< k1] into out[0 ..< k1 - k0]. Scales and zeros are read once per block.
static void dequantize_span(const sotto_weights *w, ptrdiff_t o, ptrdiff_t k0, ptrdiff_t k1, float *out) {
    const ptrdiff_t cols = w->cols;
    switch (w->kind) {
    case SOTTO_WEIGHTS_F16:
        for (ptrdiff_t k = k0; k < k1; k++) out[k - k0] = sotto_half_to_float(sotto_load_u16(w->values, o * cols + k));
        return;
    case SOTTO_WEIGHTS_F32:
        for (ptrdiff_t k = k0; k < k1; k++) out[k - k0] = sotto_load_f32(w->values, o * cols + k);
        return;
    case SOTTO_WEIGHTS_I8_CHANNEL: {
        const int8_t *q = (const int8_t *)w->values + o * cols;
        const float scale = sotto_load_f32(w->scales, o);
        for (ptrdiff_t k = k0; k < k1; k++) out[k - k0] = (float)q[k] * scale;
        return;
    }
    case SOTTO_WEIGHTS_I8_BLOCK: {
        const int8_t *q = (const int8_t *)w->values + o * cols;
        for (ptrdiff_t start = k0; start < k1;) {
            const ptrdiff_t b = start / w->block, end = (b + 1) * w->block < k1 ? (b + 1) * w->block : k1;
            const float scale = sotto_block_scale(w, o, b);
            for (ptrdiff_t k = start; k < end; k++) out[k - k0] = (float)q[k] * scale;
            start = end;
        }
        return;
    }
    case SOTTO_WEIGHTS_I4_BLOCK:
    case SOTTO_WEIGHTS_I4_BLOCK_ZP: {
        const uint8_t *row = (const uint8_t *)w->values + o * sotto_i4_row_bytes(w);
        for (ptrdiff_t start = k0; start < k1;) {
            const ptrdiff_t b = start / w->block, end = (b + 1) * w->block < k1 ? (b + 1) * w->block : k1;
            const float scale = sotto_block_scale(w, o, b);
            const int zero = sotto_block_zero(w, o, b);
            for (ptrdiff_t k = start; k < end; k++) {
                // Group g = k / 32: byte g*16 + j holds code g*32 + j (low nibble) and g*32 + 16 + j (high).
                const ptrdiff_t lane = k % 32;
                const uint8_t byte = row[k / 32 * 16 + lane % 16];
                const int code = lane < 16 ? (byte & 0x0F) : (byte >> 4);
                out[k - k0] = (float)(code - zero) * scale;
            }
            start = end;
        }
        return;
    }
    default:
        for (ptrdiff_t k = k0; k < k1; k++) out[k - k0] = 0;
    }
}

void sotto_weights_dequantize_scalar(const sotto_weights *w, ptrdiff_t o0, ptrdiff_t o1, float *out, ptrdiff_t ldo) {
    for (ptrdiff_t o = o0; o < o1; o++) dequantize_span(w, o, 0, w->cols, out + (o - o0) * ldo);
}

void sotto_weights_dequantize(const sotto_weights *w, ptrdiff_t o0, ptrdiff_t o1, float *out, ptrdiff_t ldo, int path) {
    if (o0 >= o1) return;
#if defined(__x86_64__)
    if (sotto_weights_resolve_path(path) >= SOTTO_PATH_AVX2) {
        sotto_weights_dequantize_avx2(w, o0, o1, out, ldo);
        return;
    }
#else
    (void)path;
#endif
    sotto_weights_dequantize_scalar(w, o0, o1, out, ldo);
}

enum { SPAN = 256 };

void sotto_weights_linear_scalar(const sotto_weights *w, const float *x, ptrdiff_t nrows, ptrdiff_t ldx,
                                 const float *bias, float *y, ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1) {
    float span[SPAN];
    for (ptrdiff_t o = o0; o < o1; o++) {
        float sums[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (ptrdiff_t k0 = 0; k0 < w->cols; k0 += SPAN) {
            ptrdiff_t k1 = k0 + SPAN < w->cols ? k0 + SPAN : w->cols;
            dequantize_span(w, o, k0, k1, span);
            for (ptrdiff_t r = 0; r < nrows; r++) {
                // Eight partial sums, so the loop is not one long chain of dependent additions.
                const float *xr = x + r * ldx;
                float partial[8] = {0, 0, 0, 0, 0, 0, 0, 0};
                for (ptrdiff_t k = k0; k < k1; k++) partial[(k - k0) % 8] += xr[k] * span[k - k0];
                sums[r] += ((partial[0] + partial[1]) + (partial[2] + partial[3])) + ((partial[4] + partial[5]) + (partial[6] + partial[7]));
            }
        }
        for (ptrdiff_t r = 0; r < nrows; r++) y[r * ldy + o] = (bias ? bias[o] : 0.0f) + sums[r];
    }
}

void sotto_weights_linear(const sotto_weights *w, const float *x, ptrdiff_t nrows, ptrdiff_t ldx,
                          const float *bias, float *y, ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1, int path) {
    if (nrows < 1 || nrows > 8 || o0 >= o1) return;
    switch (sotto_weights_resolve_path(path)) {
#if defined(__x86_64__)
    case SOTTO_PATH_AVX512:
        sotto_weights_linear_avx512(w, x, nrows, ldx, bias, y, ldy, o0, o1);
        return;
    case SOTTO_PATH_AVX2:
        sotto_weights_linear_avx2(w, x, nrows, ldx, bias, y, ldy, o0, o1);
        return;
#endif
    default:
        sotto_weights_linear_scalar(w, x, nrows, ldx, bias, y, ldy, o0, o1);
    }
}
