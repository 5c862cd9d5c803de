#ifndef SOTTO_NORMALIZATION_H
#define SOTTO_NORMALIZATION_H

#include <stddef.h>

/// Layer normalization of one row of n floats (biased variance, two passes as PyTorch):
/// y[i] = (x[i] - mean) / sqrt(variance + epsilon) * gamma[i] + beta[i]. x and y may not overlap.
/// `path` is a sotto_path (see sotto_weights.h). Returns 0, having written nothing, when the path
/// resolves to scalar: the caller then runs its portable code.
int sotto_layer_norm_row(const float *x, float *y, ptrdiff_t n, const float *gamma, const float *beta, float epsilon,
                         int path);

#endif
