#ifndef SOTTO_CPUID_H
#define SOTTO_CPUID_H

/// Every instruction-set extension Sotto reports, read straight from cpuid and checked against the
/// register states the OS saves (XCR0). Unlike sotto_cpu(), never capped by SOTTO_CPU: this is what
/// the hardware can do, used for reports and for choosing the OpenBLAS core.
typedef struct {
    int avx, avx2, fma, f16c;
    int avx512f, avx512dq, avx512cd, avx512bw, avx512vl, avx512vnni, avx512bf16;
    int avxvnni;
    int amx_tile, amx_bf16, amx_int8;
} sotto_cpu_raw;

sotto_cpu_raw sotto_cpu_raw_features(void);

#endif
