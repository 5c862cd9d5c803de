/// One pre-LN residual block (openai/whisper `ResidualAttentionBlock`), forward and backward over a
/// `BlockActivations`: `x += attn(attn_ln(x))`, in the decoder `x += cross_attn(cross_attn_ln(x), audio)`,
/// then `x += mlp(mlp_ln(x))`. Whisper's key projections have no bias; CTranslate2's fused q|k|v
/// stores zeros for it, which the layout keeps (a frozen zero would also do: its gradient is unused).
package struct BlockShape: Sendable {
    package let batch, length, width, heads: Int
    /// Audio frames per batch item and their width, for a decoder block's cross-attention.
    package let audioFrames: Int?
    package let audioWidth: Int
    package let causal: Bool
    package var rows: Int { batch * length }

    func selfAttention() -> AttentionShape {
        AttentionShape(batch: batch, queries: length, keys: length, heads: heads, width: width, causal: causal,
                       queryStride: 3 * width, keyStride: 3 * width, valueStride: 3 * width)
    }

    func crossAttention() -> AttentionShape {
        AttentionShape(batch: batch, queries: length, keys: audioFrames ?? 0, heads: heads, width: width, causal: false,
                       queryStride: width, keyStride: 2 * width, valueStride: 2 * width)
    }
}

extension TrainingModel {
    /// `a.input` holds the block's input; writes its output to `out` `[rows, width]`. `audio` is
    /// `[batch · audioFrames, audioWidth]` for decoder blocks.
    func blockForward(_ key: String, _ a: BlockActivations<T>, _ s: BlockShape, audio: UnsafePointer<T>?,
                      out: UnsafeMutablePointer<T>) {
        let (n, rows) = (s.width, s.rows)
        layerNorm("\(key).attn_ln", a.ln1.pointer, a.ln1Mean.pointer, a.ln1Rstd.pointer, a.input.pointer, rows: rows, dim: n)
        linear("\(key).attn.qkv", a.qkv.pointer, a.ln1.pointer, rows: rows, inFeatures: n, outFeatures: 3 * n)
        AttentionOp.forward(a.attention.pointer, probabilities: a.probabilities.pointer, q: a.qkv.pointer,
                            k: a.qkv.pointer + n, v: a.qkv.pointer + 2 * n, s.selfAttention())
        linear("\(key).attn.out", a.afterAttention.pointer, a.attention.pointer, rows: rows, inFeatures: n, outFeatures: n)
        add(a.afterAttention.pointer, a.input.pointer, rows * n)
        var residual = a.afterAttention.pointer
        if let audio, let frames = s.audioFrames {
            layerNorm("\(key).cross_attn_ln", a.ln2.pointer, a.ln2Mean.pointer, a.ln2Rstd.pointer, residual, rows: rows, dim: n)
            linear("\(key).cross_attn.query", a.crossQuery.pointer, a.ln2.pointer, rows: rows, inFeatures: n, outFeatures: n)
            linear("\(key).cross_attn.kv", a.crossKeysValues.pointer, audio, rows: s.batch * frames, inFeatures: s.audioWidth,
                   outFeatures: 2 * n)
            AttentionOp.forward(a.crossAttention.pointer, probabilities: a.crossProbabilities.pointer, q: a.crossQuery.pointer,
                                k: a.crossKeysValues.pointer, v: a.crossKeysValues.pointer + n, s.crossAttention())
            linear("\(key).cross_attn.out", a.afterCross.pointer, a.crossAttention.pointer, rows: rows, inFeatures: n, outFeatures: n)
            add(a.afterCross.pointer, residual, rows * n)
            residual = a.afterCross.pointer
        }
        layerNorm("\(key).mlp_ln", a.ln3.pointer, a.ln3Mean.pointer, a.ln3Rstd.pointer, residual, rows: rows, dim: n)
        linear("\(key).mlp.0", a.hidden.pointer, a.ln3.pointer, rows: rows, inFeatures: n, outFeatures: 4 * n)
        GELUOp.forward(a.hiddenGELU.pointer, a.hidden.pointer, count: rows * 4 * n)
        linear("\(key).mlp.2", out, a.hiddenGELU.pointer, rows: rows, inFeatures: 4 * n, outFeatures: n)
        add(out, residual, rows * n)
    }

    /// `g.residual` holds d(output) on entry and d(input) on return. `daudio` (optional) accumulates
    /// the gradient of the audio rows through the cross-attention keys and values.
    func blockBackward(_ key: String, _ a: BlockActivations<T>, _ s: BlockShape, _ g: BlockGradients<T>,
                       audio: UnsafePointer<T>?, daudio: UnsafeMutablePointer<T>?) {
        let (n, rows) = (s.width, s.rows)
        let hasCross = audio != nil && s.audioFrames != nil
        let mlpInput = hasCross ? a.afterCross.pointer : a.afterAttention.pointer
        // mlp: out = residual + mlp.2(gelu(mlp.0(mlp_ln(residual))))
        zero(g.hiddenGELU, g.hidden, g.normed)
        linearBackward("\(key).mlp.2", dinp: g.hiddenGELU.pointer, dout: g.residual.pointer, inp: a.hiddenGELU.pointer,
                       rows: rows, inFeatures: 4 * n, outFeatures: n)
        GELUOp.backward(dinp: g.hidden.pointer, dout: g.hiddenGELU.pointer, inp: a.hidden.pointer, count: rows * 4 * n)
        linearBackward("\(key).mlp.0", dinp: g.normed.pointer, dout: g.hidden.pointer, inp: a.ln3.pointer,
                       rows: rows, inFeatures: n, outFeatures: 4 * n)
        layerNormBackward("\(key).mlp_ln", dout: g.normed.pointer, inp: mlpInput, a.ln3Mean.pointer, a.ln3Rstd.pointer,
                          into: g.residual.pointer, rows: rows, dim: n)
        if hasCross, let audio, let frames = s.audioFrames {
            zero(g.attention, g.crossQuery, g.normed, g.crossKeysValues)
            linearBackward("\(key).cross_attn.out", dinp: g.attention.pointer, dout: g.residual.pointer,
                           inp: a.crossAttention.pointer, rows: rows, inFeatures: n, outFeatures: n)
            let keysValuesTrain = daudio != nil || gradient("\(key).cross_attn.kv.weight") != nil
            AttentionOp.backward(dq: g.crossQuery.pointer, dk: keysValuesTrain ? g.crossKeysValues.pointer : nil,
                                 dv: keysValuesTrain ? g.crossKeysValues.pointer + n : nil, dout: g.attention.pointer,
                                 probabilities: a.crossProbabilities.pointer, scratch: g.scores.pointer,
                                 q: a.crossQuery.pointer, k: a.crossKeysValues.pointer, v: a.crossKeysValues.pointer + n,
                                 s.crossAttention())
            if keysValuesTrain {
                linearBackward("\(key).cross_attn.kv", dinp: daudio, dout: g.crossKeysValues.pointer, inp: audio,
                               rows: s.batch * frames, inFeatures: s.audioWidth, outFeatures: 2 * n)
            }
            linearBackward("\(key).cross_attn.query", dinp: g.normed.pointer, dout: g.crossQuery.pointer, inp: a.ln2.pointer,
                           rows: rows, inFeatures: n, outFeatures: n)
            layerNormBackward("\(key).cross_attn_ln", dout: g.normed.pointer, inp: a.afterAttention.pointer,
                              a.ln2Mean.pointer, a.ln2Rstd.pointer, into: g.residual.pointer, rows: rows, dim: n)
        }
        zero(g.attention, g.qkv, g.normed)
        linearBackward("\(key).attn.out", dinp: g.attention.pointer, dout: g.residual.pointer, inp: a.attention.pointer,
                       rows: rows, inFeatures: n, outFeatures: n)
        AttentionOp.backward(dq: g.qkv.pointer, dk: g.qkv.pointer + n, dv: g.qkv.pointer + 2 * n, dout: g.attention.pointer,
                             probabilities: a.probabilities.pointer, scratch: g.scores.pointer, q: a.qkv.pointer,
                             k: a.qkv.pointer + n, v: a.qkv.pointer + 2 * n, s.selfAttention())
        linearBackward("\(key).attn.qkv", dinp: g.normed.pointer, dout: g.qkv.pointer, inp: a.ln1.pointer,
                       rows: rows, inFeatures: n, outFeatures: 3 * n)
        layerNormBackward("\(key).attn_ln", dout: g.normed.pointer, inp: a.input.pointer, a.ln1Mean.pointer, a.ln1Rstd.pointer,
                          into: g.residual.pointer, rows: rows, dim: n)
    }
}
