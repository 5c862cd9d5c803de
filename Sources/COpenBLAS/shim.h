// Debian's libopenblas-dev installs OpenBLAS's cblas.h (with openblas_set_num_threads).
#include <cblas.h>

// LAPACK's Cholesky routines (part of libopenblas; Debian ships no LAPACKE header with it), Fortran
// calling convention: every argument by pointer, 32-bit integers.
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
void dpotri_(const char *uplo, const int *n, double *a, const int *lda, int *info);
