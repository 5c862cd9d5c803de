#include "sotto_cpu.h"
#include <stdlib.h>
#include <string.h>

static sotto_cpu_features detect(void) {
    sotto_cpu_features f = {0, 0, 0, 0, 0};
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    f.avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    f.avx512 = f.avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vl");
    f.avx512vnni = f.avx512 && __builtin_cpu_supports("avx512vnni");
    f.avxvnni = f.avx2 && __builtin_cpu_supports("avxvnni");
    f.avx512bf16 = f.avx512 && __builtin_cpu_supports("avx512bf16");
#endif
    // bfloat16 rounds the encoder attention of quantized models; SOTTO_BF16=0 keeps it float32 (to
    // compare the two on the same model).
    const char *bf16 = getenv("SOTTO_BF16");
    if (bf16 && strcmp(bf16, "0") == 0) f.avx512bf16 = 0;
    const char *cap = getenv("SOTTO_CPU");
    if (cap && strcmp(cap, "scalar") == 0) {
        f.avx2 = f.avx512 = f.avx512vnni = f.avxvnni = f.avx512bf16 = 0;
    } else if (cap && strcmp(cap, "avx2") == 0) {
        f.avx512 = f.avx512vnni = f.avxvnni = f.avx512bf16 = 0;
    }
    return f;
}

const sotto_cpu_features *sotto_cpu(void) {
    // Racing first calls compute the same value; the struct is written whole before `ready` is set.
    static sotto_cpu_features features;
    static volatile int ready = 0;
    if (!ready) {
        features = detect();
        __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    }
    return &features;
}

const char *sotto_cpu_path(void) {
    const sotto_cpu_features *f = sotto_cpu();
    if (f->avx512vnni) return "avx512vnni";
    if (f->avx512) return "avx512";
    if (f->avx2) return "avx2";
    return "scalar";
}
