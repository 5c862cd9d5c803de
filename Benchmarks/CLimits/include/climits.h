// Instruction-throughput and memory-read loops for LimitsBench: what one core of this CPU can do at
// most, to set Sotto's kernels against. Each peak loop runs `iterations` rounds of 24 independent
// accumulator chains (enough to cover any x86 FMA latency) and returns a value derived from them so
// the work cannot be removed. A peak for an ISA the CPU lacks must not be called (check features).
#pragma once
#include <stddef.h>

/// 24 x 8-lane float32 FMAs per iteration (AVX2 + FMA).
float climits_fma_ymm(long iterations);
/// 24 x 16-lane float32 FMAs per iteration (AVX-512 F).
float climits_fma_zmm(long iterations);
/// 24 vpdpbusd (64 int8 products each) per iteration (AVX-512 VNNI).
int climits_vnni_zmm(long iterations);
/// 24 vdpbf16ps (32 bfloat16 products each) per iteration (AVX-512 BF16).
float climits_bf16_zmm(long iterations);
/// Reads `count` floats (a multiple of 32, 64-byte aligned) and returns their sum.
float climits_read(const float *data, size_t count);
