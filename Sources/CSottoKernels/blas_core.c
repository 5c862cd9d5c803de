// OpenBLAS core selection (see sotto_blas_core.h). OpenBLAS is reached through dlsym so this target
// does not link it: the symbols resolve in whatever OpenBLAS the process already loaded.
#define _GNU_SOURCE
#include "sotto_blas_core.h"
#include "sotto_cpuid.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct { const char *name; int rank; } known_cores[] = {
    {"Prescott", 1}, {"Core2", 1}, {"Penryn", 1}, {"Dunnington", 1}, {"Nehalem", 1}, {"Atom", 1},
    {"Nano", 1}, {"Opteron", 1}, {"Opteron_SSE3", 1}, {"Barcelona", 1}, {"Bobcat", 1},
    {"Sandybridge", 2}, {"Bulldozer", 2}, {"Piledriver", 2},
    {"Haswell", 3}, {"Zen", 3}, {"Steamroller", 3}, {"Excavator", 3},
    {"SkylakeX", 4}, {"Cooperlake", 4}, {"SapphireRapids", 4},
};

int sotto_blas_core_rank(const char *name) {
    if (!name) return 0;
    for (size_t i = 0; i < sizeof known_cores / sizeof known_cores[0]; i++)
        if (strcasecmp(name, known_cores[i].name) == 0) return known_cores[i].rank;
    return 0;
}

/// The strongest OpenBLAS core the CPU's features (not its model number) allow.
static const char *best_core_for_cpu(void) {
    const sotto_cpu_raw f = sotto_cpu_raw_features();
    if (f.avx512f && f.avx512dq && f.avx512cd && f.avx512bw && f.avx512vl)
        return f.avx512bf16 ? "Cooperlake" : "SkylakeX";
    if (f.avx2 && f.fma) return "Haswell";
    if (f.avx) return "Sandybridge";
    return "";
}

static sotto_blas_core_status status = {"", "", "", 0, ""};
static char chosen_copy[32];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static const char *current_core(void) {
    char *(*corename)(void) = (char *(*)(void))dlsym(RTLD_DEFAULT, "openblas_get_corename");
    return corename ? corename() : NULL;
}

/// Points OpenBLAS at another core: its DYNAMIC_ARCH build exports the pair that runs at load, and
/// the init half reads OPENBLAS_CORETYPE again. Safe only before the first product.
static int reselect(const char *core) {
    void (*quit)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit");
    void (*init)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init");
    if (!quit || !init) return 0;
    setenv("OPENBLAS_CORETYPE", core, 1);
    quit();
    init();
    const char *now = current_core();
    return now && strcasecmp(now, core) == 0;
}

/// Tries `target`, then weaker cores that still beat OpenBLAS's pick (an older OpenBLAS may lack the
/// newest core and would fall back to Prescott); restores the original pick when none takes.
static int reselect_from(const char *target, const char *chosen) {
    static const char *ladder[] = {"Cooperlake", "SkylakeX", "Haswell", "Sandybridge"};
    if (reselect(target)) return 1;
    for (size_t i = 0; i < sizeof ladder / sizeof ladder[0]; i++) {
        const int rank = sotto_blas_core_rank(ladder[i]);
        if (rank >= sotto_blas_core_rank(target) || rank <= sotto_blas_core_rank(chosen)) continue;
        if (reselect(ladder[i])) return 1;
    }
    reselect(chosen);
    return 0;
}

static void prepare(void) {
    const char *chosen = current_core();
    if (!chosen) { status.note = "OpenBLAS is not loaded"; return; }
    strncpy(chosen_copy, chosen, sizeof chosen_copy - 1);
    status.chosen_by_blas = chosen_copy;
    status.cpu_best = best_core_for_cpu();
    const char *request = getenv("SOTTO_BLAS_CORE");
    if (request && strcmp(request, "keep") == 0) {
        status.note = "SOTTO_BLAS_CORE=keep";
    } else if (request && *request) {
        if (sotto_blas_core_rank(request) == 0) status.note = "SOTTO_BLAS_CORE names no known OpenBLAS core";
        else if (strcasecmp(request, chosen) != 0) {
            if (reselect(request)) status.replaced = 1;
            else { reselect(chosen); status.note = "this OpenBLAS cannot run the requested core"; }
        }
    } else if (sotto_blas_core_rank(chosen) == 0) {
        status.note = "OpenBLAS core not recognised";
    } else if (*status.cpu_best && sotto_blas_core_rank(chosen) < sotto_blas_core_rank(status.cpu_best)) {
        if (reselect_from(status.cpu_best, chosen)) status.replaced = 1;
        else status.note = "this OpenBLAS cannot re-select its core (not a DYNAMIC_ARCH build?)";
    }
    const char *now = current_core();
    status.in_use = now ? now : chosen_copy;
}

const sotto_blas_core_status *sotto_blas_core_prepare(void) {
    pthread_once(&once, prepare);
    return &status;
}
