#ifndef SOTTO_WEIGHTS_H
#define SOTTO_WEIGHTS_H

#include <stddef.h>

/// Storage kinds of a weight matrix [rows = outFeatures, cols = inFeatures]; the layouts are documented
/// next to `WeightEncoding` in SottoTensor/WeightEncoding.swift. All parts are little-endian and may sit
/// at any byte offset (a slice of a memory-mapped file): the kernels only use unaligned loads.
typedef enum {
    SOTTO_WEIGHTS_F16 = 1,        // values: rows*cols IEEE half
    SOTTO_WEIGHTS_I8_CHANNEL = 2, // values: rows*cols int8; scales: rows float32
    SOTTO_WEIGHTS_I8_BLOCK = 3,   // values: rows*cols int8; scales: rows*blocksPerRow half
    SOTTO_WEIGHTS_I4_BLOCK = 4,   // values: rows*roundUp(cols,32)/2 nibble pairs; scales: rows*blocksPerRow half
    SOTTO_WEIGHTS_I4_BLOCK_ZP = 5, // as I4_BLOCK plus zeros: rows*blocksPerRow uint8
    SOTTO_WEIGHTS_F32 = 6          // values: rows*cols float32 (the fused products of decoding steps)
} sotto_weights_kind;

/// A read-only view of one quantized matrix. The caller (WeightMatrix) has checked every part's size,
/// that `block` is a positive multiple of 8 (I8_BLOCK) or of 32 (I4 kinds), and rows, cols > 0.
typedef struct {
    int kind;
    ptrdiff_t rows;
    ptrdiff_t cols;
    ptrdiff_t block;
    const void *values;
    const void *scales;
    const void *zeros;
} sotto_weights;

/// Kernel paths; a request the CPU (or this build) cannot run falls back to the widest path below it.
/// SOTTO_PATH_AVX512 (F + BW + VL) has its own fused products and blocked encoder attention; its
/// dequantization and the single-query attention kernels run the AVX2 code.
typedef enum {
    SOTTO_PATH_AUTO = 0,
    SOTTO_PATH_SCALAR = 1,
    SOTTO_PATH_AVX2 = 2,
    SOTTO_PATH_AVX512 = 3
} sotto_path;

/// The path a request resolves to on this CPU (never SOTTO_PATH_AUTO).
int sotto_weights_resolve_path(int requested);

/// Fused small-batch product for output rows [o0, o1):
/// y[r * ldy + o] = (bias ? bias[o] : 0) + sum_k x[r * ldx + k] * w[o, k] for r < nrows, 1 <= nrows <= 8.
/// Each weight row is read once and dequantized in registers; the nrows input rows stay in cache.
void sotto_weights_linear(const sotto_weights *w, const float *x, ptrdiff_t nrows, ptrdiff_t ldx,
                          const float *bias, float *y, ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1, int path);

/// Dequantizes rows [o0, o1) to float32: out[(o - o0) * ldo + k] = w[o, k] for k < cols. Every path gives
/// bit-identical results.
void sotto_weights_dequantize(const sotto_weights *w, ptrdiff_t o0, ptrdiff_t o1, float *out, ptrdiff_t ldo, int path);

#endif
