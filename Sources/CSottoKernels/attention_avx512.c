// AVX-512 VL instantiation of attention_rows.h: the same 256-bit arithmetic with 32 vector registers,
// so each key tile loaded feeds 6 query rows x 3 tiles and each value row 5 query rows.
#include "sotto_attention.h"

#if defined(__x86_64__)
#define ROWS_FN sotto_attention_rows_avx512
#define ROWS_TARGET __attribute__((target("avx2,fma,f16c,avx512f,avx512vl")))
#define SCORE_R 6
#define SCORE_T 3
#define MIX_R 5
#include "attention_rows.h"
#endif
