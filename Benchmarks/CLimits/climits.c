// See climits.h. The empty asm statements keep the compiler from hoisting or folding the loops.
#include "climits.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define CHAINS 24

/// The timed part of every peak: `iterations` rounds of CHAINS independent updates of acc[i]; the
/// empty asm makes the operands a and b opaque, so nothing is hoisted. `reg` is their register class.
#define PEAK_LOOP(iterations, reg, update)                                                           \
    for (long n = 0; n < (iterations); n++) {                                                        \
        for (int i = 0; i < CHAINS; i++) acc[i] = (update);                                          \
        __asm__ volatile("" : "+" reg(a), "+" reg(b));                                               \
    }

__attribute__((target("avx2,fma"))) float climits_fma_ymm(long iterations) {
    __m256 acc[CHAINS];
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_set1_ps((float)i);
    __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(1e-3f);
    PEAK_LOOP(iterations, "x", _mm256_fmadd_ps(acc[i], a, b))
    float s = 0, out[8];
    for (int i = 0; i < CHAINS; i++) { _mm256_storeu_ps(out, acc[i]); s += out[0]; }
    return s;
}

__attribute__((target("avx512f"))) float climits_fma_zmm(long iterations) {
    __m512 acc[CHAINS];
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_set1_ps((float)i);
    __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(1e-3f);
    PEAK_LOOP(iterations, "v", _mm512_fmadd_ps(acc[i], a, b))
    float s = 0;
    for (int i = 0; i < CHAINS; i++) s += _mm512_reduce_add_ps(acc[i]);
    return s;
}

__attribute__((target("avx512f,avx512bw,avx512vnni"))) int climits_vnni_zmm(long iterations) {
    __m512i acc[CHAINS];
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_set1_epi32(i);
    __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-5);
    PEAK_LOOP(iterations, "v", _mm512_dpbusd_epi32(acc[i], a, b))
    int s = 0;
    for (int i = 0; i < CHAINS; i++) s += _mm512_reduce_add_epi32(acc[i]);
    return s;
}

__attribute__((target("avx512f,avx512bw,avx512bf16"))) float climits_bf16_zmm(long iterations) {
    __m512 acc[CHAINS];
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_set1_ps((float)i);
    __m512i a = _mm512_set1_epi16(0x3F80), b = _mm512_set1_epi16(0x3A83);  // 1.0 and about 1e-3
    PEAK_LOOP(iterations, "v", _mm512_dpbf16_ps(acc[i], (__m512bh)a, (__m512bh)b))
    float s = 0;
    for (int i = 0; i < CHAINS; i++) s += _mm512_reduce_add_ps(acc[i]);
    return s;
}

// Four independent sums of 32-byte loads: AVX2 is enough to saturate a memory channel and runs on
// every CPU Sotto supports.
__attribute__((target("avx2"))) float climits_read(const float *data, size_t count) {
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (size_t i = 0; i + 32 <= count; i += 32) {
        s0 = _mm256_add_ps(s0, _mm256_load_ps(data + i));
        s1 = _mm256_add_ps(s1, _mm256_load_ps(data + i + 8));
        s2 = _mm256_add_ps(s2, _mm256_load_ps(data + i + 16));
        s3 = _mm256_add_ps(s3, _mm256_load_ps(data + i + 24));
    }
    float out[8];
    _mm256_storeu_ps(out, _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    return out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6] + out[7];
}
#else
float climits_fma_ymm(long iterations) { (void)iterations; return 0; }
float climits_fma_zmm(long iterations) { (void)iterations; return 0; }
int climits_vnni_zmm(long iterations) { (void)iterations; return 0; }
float climits_bf16_zmm(long iterations) { (void)iterations; return 0; }
float climits_read(const float *data, size_t count) { (void)data, (void)count; return 0; }
#endif
