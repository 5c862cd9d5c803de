#ifndef SOTTO_ACTIVATIONS_H
#define SOTTO_ACTIVATIONS_H

#include <stddef.h>
#include <stdint.h>

/// Softmax of n contiguous floats in place; -infinity entries get probability 0. exp is Cephes `expf`
/// (range reduction by ln 2, degree-5 polynomial, relative error about 2e-7), as in SottoTensor's
/// FastMath. `path` is a sotto_path (see sotto_weights.h). Returns 0, having changed nothing, when the
/// path resolves to scalar: the caller then runs its portable code.
int sotto_softmax_row(float *x, ptrdiff_t n, int path);

/// The AVX-512 softmax of n floats with the probabilities rounded to bfloat16 (round to nearest even)
/// into out[0 ..< n] and zeros into out[n ..< padded]; x is left holding the unnormalized exponentials.
/// exp is good to about 5e-5 relative here, a hundredth of the bfloat16 step it is rounded to.
/// Only where the CPU has AVX-512 BF16 (attention_bf16.c's encoder attention).
void sotto_softmax_row_bf16(float *x, ptrdiff_t n, uint16_t *out, ptrdiff_t padded);

/// GELU in its erf form in place, x = 0.5 x (1 + erf(x / sqrt 2)), with erf by Abramowitz & Stegun
/// 7.1.26 (absolute error below 1.5e-7), as in FastMath. Returns 0, having changed nothing, when the
/// path resolves to scalar.
int sotto_gelu(float *x, ptrdiff_t n, int path);

#endif
