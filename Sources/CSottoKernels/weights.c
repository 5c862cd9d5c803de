// Quantized weight matrices: path dispatch, scalar dequantization and the scalar fused product.
// The SIMD twins live in weights_avx2.c and weights_avx512.c.
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

/// Dequantizes w[o, k0 ..< k1] into out[0 ..< k1 - k0].
static void dequantize_span(const sotto_weights *w, ptrdiff_t o, ptrdiff_t k0, ptrdiff_t k1, float *out) {
    const ptrdiff_t cols = w->cols;
    switch (w->kind) {
    case SOTTO_WEIGHTS_F16:
        for (ptrdiff_t k = k0; k < k1; k++) out[k - k0] = sotto_half_to_float(sotto_load_u16(w->values, o * cols + k));
        break;
    case SOTTO_WEIGHTS_I8_CHANNEL: {
        const int8_t *q = (const int8_t *)w->values + o * cols;
        float scale = sotto_load_f32(w->scales, o);
        for (ptrdiff_t k = k0; k < k1; k++) out[k - k0] = (float)q[k] * scale;
        break;
    }
    case SOTTO_WEIGHTS_I8_BLOCK: {
        const int8_t *q = (const int8_t *)w->values + o * cols;
        for (ptrdiff_t k = k0; k < k1; k++) out[k - k0] = (float)q[k] * sotto_block_scale(w, o, k / w->block);
        break;
    }
    case SOTTO_WEIGHTS_I4_BLOCK:
    case SOTTO_WEIGHTS_I4_BLOCK_ZP: {
        const uint8_t *row = (const uint8_t *)w->values + o * sotto_i4_row_bytes(w);
        for (ptrdiff_t k = k0; k < k1; k++) {
            // Group g = k / 32: byte g*16 + j holds code g*32 + j (low nibble) and g*32 + 16 + j (high).
            ptrdiff_t lane = k % 32;
            uint8_t byte = row[k / 32 * 16 + lane % 16];
            int code = lane < 16 ? (byte & 0x0F) : (byte >> 4);
            ptrdiff_t b = k / w->block;
            out[k - k0] = (float)(code - sotto_block_zero(w, o, b)) * sotto_block_scale(w, o, b);
        }
        break;
    }
    default:
        for (ptrdiff_t k = k0; k < k1; k++) out[k - k0] = 0;
    }
}

void sotto_weights_dequantize(const sotto_weights *w, ptrdiff_t o0, ptrdiff_t o1, float *out, ptrdiff_t ldo) {
    for (ptrdiff_t o = o0; o < o1; o++) dequantize_span(w, o, 0, w->cols, out + (o - o0) * ldo);
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
                const float *xr = x + r * ldx;
                float sum = 0;
                for (ptrdiff_t k = k0; k < k1; k++) sum += xr[k] * span[k - k0];
                sums[r] += sum;
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
