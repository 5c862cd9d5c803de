#ifndef SOTTO_BLAS_CORE_H
#define SOTTO_BLAS_CORE_H

/// Which OpenBLAS kernel set ("core") runs the matrix products, and whether Sotto had to replace the
/// one OpenBLAS picked. Debian's OpenBLAS is built with DYNAMIC_ARCH: at load it maps the CPU's
/// family/model numbers to a core and falls back to generic SSE3 kernels ("Prescott") on models it
/// does not know, e.g. Intel Xeons newer than the library (4-9x slower sgemm). Sotto compares that
/// choice with the CPU's instruction sets and, when it is weaker, selects the right core again through
/// OpenBLAS's own re-initialisation entry points before the first product.
typedef struct {
    const char *chosen_by_blas;  // the core OpenBLAS picked at load ("" when OpenBLAS is not loaded)
    const char *in_use;          // the core running now
    const char *cpu_best;        // the strongest core this CPU's features allow ("" when unknown)
    int replaced;                // 1 when Sotto re-selected the core
    const char *note;            // why nothing was replaced, or ""
} sotto_blas_core_status;

/// Checks the core once (thread-safe) and re-selects it when OpenBLAS's pick is weaker than the CPU.
/// Must run before the first BLAS call. `SOTTO_BLAS_CORE=keep` leaves OpenBLAS's pick alone;
/// `SOTTO_BLAS_CORE=<name>` (an OpenBLAS core such as Haswell) forces one, for benchmarks.
const sotto_blas_core_status *sotto_blas_core_prepare(void);

/// Instruction-set rank of an OpenBLAS core name: 1 SSE, 2 AVX, 3 AVX2, 4 AVX-512; 0 for a name
/// Sotto does not know.
int sotto_blas_core_rank(const char *name);

#endif
