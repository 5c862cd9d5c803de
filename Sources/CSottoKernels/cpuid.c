#include "sotto_cpuid.h"
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>

/// XCR0: the register states the OS saves on a context switch. A CPU may have AVX-512 or AMX that
/// the OS has not enabled, and then their instructions fault.
static unsigned long long os_saved_states(void) {
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

static int bit(unsigned int word, int n) { return (word >> n) & 1; }

sotto_cpu_raw sotto_cpu_raw_features(void) {
    sotto_cpu_raw f;
    memset(&f, 0, sizeof f);
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !bit(c, 27)) return f;  // no OSXSAVE: no xgetbv
    const unsigned long long xcr0 = os_saved_states();
    const int ymm = (xcr0 & 0x6) == 0x6, zmm = ymm && (xcr0 & 0xe0) == 0xe0;
    const int tiles = (xcr0 & 0x60000) == 0x60000;
    f.avx = ymm && bit(c, 28);
    f.fma = f.avx && bit(c, 12);
    f.f16c = f.avx && bit(c, 29);
    unsigned int max_leaf = __get_cpuid_max(0, NULL);
    if (max_leaf < 7 || !f.avx) return f;
    unsigned int b7, c7, d7, a71 = 0, x1, x2, x3;
    __cpuid_count(7, 0, a, b7, c7, d7);
    if (a >= 1) __cpuid_count(7, 1, a71, x1, x2, x3);
    f.avx2 = bit(b7, 5);
    f.avxvnni = bit(a71, 4);
    if (zmm) {
        f.avx512f = bit(b7, 16);
        f.avx512dq = f.avx512f && bit(b7, 17);
        f.avx512cd = f.avx512f && bit(b7, 28);
        f.avx512bw = f.avx512f && bit(b7, 30);
        f.avx512vl = f.avx512f && bit(b7, 31);
        f.avx512vnni = f.avx512f && bit(c7, 11);
        f.avx512bf16 = f.avx512f && bit(a71, 5);
    }
    if (tiles) {
        f.amx_bf16 = bit(d7, 22);
        f.amx_tile = bit(d7, 24);
        f.amx_int8 = bit(d7, 25);
    }
    return f;
}
#else
sotto_cpu_raw sotto_cpu_raw_features(void) {
    sotto_cpu_raw f;
    memset(&f, 0, sizeof f);
    return f;
}
#endif
