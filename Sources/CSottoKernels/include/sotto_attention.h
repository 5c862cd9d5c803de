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

/// Writes one head's keys (`frames` rows at keys + j * key_stride) and values into the layout above, in
/// float32 or float16 (`kind`, rounded to nearest even): keys_out holds stride * head_dim elements,
/// values_out frames * head_dim. One pass over the head, instead of a float32 layout then a conversion.
void sotto_kv_layout(const float *keys, ptrdiff_t key_stride, const float *values, ptrdiff_t value_stride,
                     ptrdiff_t frames, ptrdiff_t head_dim, ptrdiff_t stride, int kind, void *keys_out, void *values_out);

/// scores[j] = scale * sum_d q[d] * key[j][d] for every j < stride (the padding keys score 0).
/// `path` is a sotto_path (see sotto_weights.h).
void sotto_attention_scores(const sotto_kv_head *kv, const float *q, float scale, float *scores, int path);

/// out[d] = sum_{j < keys} p[j] * value[j][d] for d < head_dim.
void sotto_attention_mix(const sotto_kv_head *kv, const float *p, float *out, int path);

/// Many queries over one head (the encoder's self-attention, 1500 frames attending to 1500): for each
/// of `rows` query rows (row i at q + i * q_stride), scores over every key, softmax, and the weighted
/// sum of values into out + i * out_stride. Blocks of query rows keep their scores in cache instead of
/// writing a [rows, keys] matrix out and reading it back. Float32 heads only (kind SOTTO_KV_F32);
/// `scratch` holds rows * kv->stride floats.
void sotto_attention_rows(const sotto_kv_head *kv, const float *q, ptrdiff_t q_stride, ptrdiff_t rows, float scale,
                          float *scratch, float *out, ptrdiff_t out_stride, int path);

/// The encoder's self-attention in bfloat16 (attention_bf16.c): one head's keys and values packed by
/// sotto_attention_pack_bf16 into buffers of sotto_bf16_keys_count / sotto_bf16_values_count elements,
/// then sotto_attention_rows_bf16 as sotto_attention_rows, with queries, keys, values and probabilities
/// rounded to bfloat16 (scores, softmax and sums in float32). It returns 0, having done nothing, where
/// the CPU lacks AVX-512 BF16 or head_dim is not a multiple of 64 (sotto_attention_bf16_supported).
/// `scratch` holds sotto_attention_bf16_scratch_count floats.
ptrdiff_t sotto_bf16_keys_count(ptrdiff_t frames, ptrdiff_t head_dim);
ptrdiff_t sotto_bf16_values_count(ptrdiff_t frames, ptrdiff_t head_dim);
ptrdiff_t sotto_attention_bf16_scratch_count(ptrdiff_t frames, ptrdiff_t head_dim);
int sotto_attention_bf16_supported(ptrdiff_t head_dim);
void sotto_attention_pack_bf16(const float *keys, ptrdiff_t key_stride, const float *values, ptrdiff_t value_stride,
                               ptrdiff_t frames, ptrdiff_t head_dim, uint16_t *keys_out, uint16_t *values_out);
/// The packer's scalar twin (the vector packer runs where AVX-512 BF16 does; tests compare the two).
void sotto_attention_pack_bf16_reference(const float *keys, ptrdiff_t key_stride, const float *values,
                                         ptrdiff_t value_stride, ptrdiff_t frames, ptrdiff_t head_dim, uint16_t *keys_out,
                                         uint16_t *values_out);
int sotto_attention_rows_bf16(const uint16_t *keys, const uint16_t *values, ptrdiff_t frames, ptrdiff_t head_dim,
                              const float *q, ptrdiff_t q_stride, ptrdiff_t rows, float scale, float *scratch,
                              float *out, ptrdiff_t out_stride);
/// The same in double precision from the same packed buffers, with the queries and probabilities
/// rounded as the kernel rounds them (tests compare the kernel's summation with it).
void sotto_attention_rows_bf16_reference(const uint16_t *keys, const uint16_t *values, ptrdiff_t frames,
                                         ptrdiff_t head_dim, const float *q, ptrdiff_t q_stride, ptrdiff_t rows,
                                         float scale, double *out, ptrdiff_t out_stride);

/// Rounds n floats to IEEE half (round to nearest even; overflow gives infinity).
void sotto_f32_to_f16(const float *x, uint16_t *out, ptrdiff_t n, int path);

#endif
