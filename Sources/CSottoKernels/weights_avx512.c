#include "weights_internal.h"
#if defined(__x86_64__)
void sotto_weights_linear_avx512(const sotto_weights *w, const float *x, ptrdiff_t nrows, ptrdiff_t ldx,
                                 const float *bias, float *y, ptrdiff_t ldy, ptrdiff_t o0, ptrdiff_t o1) {
    sotto_weights_linear_avx2(w, x, nrows, ldx, bias, y, ldy, o0, o1);
}
#endif
