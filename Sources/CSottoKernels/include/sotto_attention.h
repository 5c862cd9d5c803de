#ifndef SOTTO_ATTENTION_H
#define SOTTO_ATTENTION_H

#include <stddef.h>
#include <stdint.h>

/// Element types of a cached head's keys and values.
typedef enum {
    SOTTO_KV_F32 = 0,
    SOTTO_KV_F16 = 1   // IEEE half, converted to float in registers
} sotto_kv_kind;

/// One attention head's keys and values laid out for single-query decoding (the audio that every
/// decoder step attends to). Keys are transposed in tiles of 8 keys, so that a tile is one contiguous
/// run: key j, dimension d at `keys_t[((j / 8) * head_dim + d) * 8 + j % 8]` for j < stride (stride >=
/// keys, a multiple of 8; keys keys..<stride are zero). Values are row-major, `values[j * head_dim + d]`.
/// Both element types are `kind`; pointers need no alignment.
typedef struct {
    int kind;
    ptrdiff_t keys;
    ptrdiff_t stride;
    ptrdiff_t head_dim;
    const void *keys_t;
    const void *values;
} sotto_kv_head;

/// scores[j] = scale * sum_d q[d] * key[j][d] for every j < stride (the padding keys score 0).
/// `path` is a sotto_path (see sotto_weights.h).
void sotto_attention_scores(const sotto_kv_head *kv, const float *q, float scale, float *scores, int path);

/// out[d] = sum_{j < keys} p[j] * value[j][d] for d < head_dim.
void sotto_attention_mix(const sotto_kv_head *kv, const float *p, float *out, int path);

/// Rounds n floats to IEEE half (round to nearest even; overflow gives infinity).
void sotto_f32_to_f16(const float *x, uint16_t *out, ptrdiff_t n, int path);

#endif
