// Debian's libopenblas-dev installs OpenBLAS's cblas.h (with openblas_set_num_threads).
#include <cblas.h>
