#ifndef SOTTO_CPU_H
#define SOTTO_CPU_H

/// CPU features the kernels dispatch on, read once at run time (never assumed at compile time).
typedef struct {
    int avx2;        // AVX2 + FMA + F16C (the x86-64-v3 level the AVX2 kernels need)
    int avx512;      // AVX-512 F + BW + VL
    int avx512vnni;  // AVX-512 VNNI (vpdpbusd on 512-bit registers)
    int avxvnni;     // AVX-VNNI (vpdpbusd on 256-bit registers)
    int avx512bf16;  // AVX-512 BF16 (vdpbf16ps: bfloat16 pairs accumulated in float32)
} sotto_cpu_features;

/// The features of this CPU; `SOTTO_CPU=scalar|avx2` in the environment caps them (for tests and
/// benchmarks that compare paths), and `SOTTO_BF16=0` turns off the bfloat16 kernels alone.
const sotto_cpu_features *sotto_cpu(void);

/// A name for the widest path in use: "avx512vnni", "avx512", "avx2" or "scalar".
const char *sotto_cpu_path(void);

#endif
