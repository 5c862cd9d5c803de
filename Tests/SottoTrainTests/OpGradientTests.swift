import SottoTrain
import Testing

/// Every backward function against float64 finite differences, on small awkward shapes.
@Suite("op gradients")
struct OpGradientTests {
    typealias Check = GradientCheck

    @Test("linear", arguments: [(1, 3, 5), (4, 7, 2), (3, 16, 9)])
    func linear(rows: Int, inFeatures: Int, outFeatures: Int) {
        let inp = Check.random(rows * inFeatures, seed: 1), weight = Check.random(outFeatures * inFeatures, seed: 2)
        let bias = Check.random(outFeatures, seed: 3), r = Check.random(rows * outFeatures, seed: 4)
        let out = TrainBuffer<Double>(rows * outFeatures)
        func loss() -> Double {
            LinearOp.forward(out.pointer, inp.pointer, weight: weight.pointer, bias: bias.pointer, rows: rows,
                             inFeatures: inFeatures, outFeatures: outFeatures)
            return Check.dot(out.pointer, r)
        }
        let (dinp, dweight, dbias) = (TrainBuffer<Double>(inp.count), TrainBuffer<Double>(weight.count), TrainBuffer<Double>(outFeatures))
        LinearOp.backward(dinp: dinp.pointer, dweight: dweight.pointer, dbias: dbias.pointer, dout: r.pointer, inp: inp.pointer,
                          weight: weight.pointer, rows: rows, inFeatures: inFeatures, outFeatures: outFeatures)
        Check.expect("dinp", analytic: dinp.array, wrt: inp, loss: loss)
        Check.expect("dweight", analytic: dweight.array, wrt: weight, loss: loss)
        Check.expect("dbias", analytic: dbias.array, wrt: bias, loss: loss)
    }

    @Test("layer norm", arguments: [(1, 5), (3, 8), (2, 33)])
    func layerNorm(rows: Int, dim: Int) {
        let inp = Check.random(rows * dim, seed: 5, scale: 2), weight = Check.random(dim, seed: 6)
        let bias = Check.random(dim, seed: 7), r = Check.random(rows * dim, seed: 8)
        let (out, mean, rstd) = (TrainBuffer<Double>(rows * dim), TrainBuffer<Double>(rows), TrainBuffer<Double>(rows))
        func loss() -> Double {
            LayerNormOp.forward(out.pointer, mean: mean.pointer, rstd: rstd.pointer, inp.pointer, weight: weight.pointer,
                                bias: bias.pointer, rows: rows, dim: dim)
            return Check.dot(out.pointer, r)
        }
        _ = loss()
        let (dinp, dweight, dbias) = (TrainBuffer<Double>(inp.count), TrainBuffer<Double>(dim), TrainBuffer<Double>(dim))
        LayerNormOp.backward(dinp: dinp.pointer, dweight: dweight.pointer, dbias: dbias.pointer, dout: r.pointer, inp: inp.pointer,
                             weight: weight.pointer, mean: mean.pointer, rstd: rstd.pointer, rows: rows, dim: dim)
        Check.expect("dinp", analytic: dinp.array, wrt: inp, loss: loss)
        Check.expect("dweight", analytic: dweight.array, wrt: weight, loss: loss)
        Check.expect("dbias", analytic: dbias.array, wrt: bias, loss: loss)
    }

    @Test("GELU (erf)")
    func gelu() {
        let inp = Check.random(37, seed: 9, scale: 4), r = Check.random(37, seed: 10)
        let out = TrainBuffer<Double>(37)
        func loss() -> Double {
            GELUOp.forward(out.pointer, inp.pointer, count: 37)
            return Check.dot(out.pointer, r)
        }
        let dinp = TrainBuffer<Double>(37)
        GELUOp.backward(dinp: dinp.pointer, dout: r.pointer, inp: inp.pointer, count: 37)
        Check.expect("dinp", analytic: dinp.array, wrt: inp, loss: loss)
    }

    /// Self-attention reads q|k|v from one fused row (stride 3 · width); cross-attention reads queries
    /// of stride width and keys|values of stride 2 · width from another sequence.
    @Test("attention", arguments: [(2, 3, 3, true), (1, 1, 1, true), (2, 4, 5, false), (1, 3, 7, false)])
    func attention(batch: Int, queries: Int, keys: Int, causal: Bool) {
        let (heads, width) = (2, 6)
        let fused = causal
        let qStride = fused ? 3 * width : width, kvStride = fused ? 3 * width : 2 * width
        let q = Check.random(batch * queries * qStride, seed: 11)
        let kv = fused ? q : Check.random(batch * keys * kvStride, seed: 12)
        let (kOffset, vOffset) = fused ? (width, 2 * width) : (0, width)
        let shape = AttentionShape(batch: batch, queries: queries, keys: keys, heads: heads, width: width, causal: causal,
                                   queryStride: qStride, keyStride: kvStride, valueStride: kvStride)
        let r = Check.random(batch * queries * width, seed: 13)
        let (out, probabilities) = (TrainBuffer<Double>(r.count), TrainBuffer<Double>(shape.probabilityCount))
        func loss() -> Double {
            AttentionOp.forward(out.pointer, probabilities: probabilities.pointer, q: q.pointer, k: kv.pointer + kOffset,
                                v: kv.pointer + vOffset, shape)
            return Check.dot(out.pointer, r)
        }
        _ = loss()
        let dq = TrainBuffer<Double>(q.count)
        let dkv = fused ? dq : TrainBuffer<Double>(kv.count)
        let scratch = TrainBuffer<Double>(shape.probabilityCount)
        AttentionOp.backward(dq: dq.pointer, dk: dkv.pointer + kOffset, dv: dkv.pointer + vOffset, dout: r.pointer,
                             probabilities: probabilities.pointer, scratch: scratch.pointer,
                             q: q.pointer, k: kv.pointer + kOffset, v: kv.pointer + vOffset, shape)
        withExtendedLifetime(scratch) {}
        Check.expect("dq", analytic: dq.array, wrt: q, loss: loss)
        if !fused { Check.expect("dkv", analytic: dkv.array, wrt: kv, loss: loss) }
    }

    @Test("causal attention ignores the future")
    func causalMask() {
        let shape = AttentionShape(batch: 1, queries: 3, keys: 3, heads: 1, width: 2, causal: true,
                                   queryStride: 6, keyStride: 6, valueStride: 6)
        let qkv = Check.random(18, seed: 14)
        let (out, p) = (TrainBuffer<Double>(6), TrainBuffer<Double>(9))
        AttentionOp.forward(out.pointer, probabilities: p.pointer, q: qkv.pointer, k: qkv.pointer + 2, v: qkv.pointer + 4, shape)
        #expect(p[1] == 0 && p[2] == 0 && p[5] == 0 && abs(p[0] - 1) < 1e-15)
    }

    @Test("token and position embeddings")
    func embedding() {
        let (batch, length, width, vocab) = (2, 3, 4, 5)
        let tokens = [1, 4, 1, 0, 2, 4]
        let wte = Check.random(vocab * width, seed: 15), wpe = Check.random(length * width, seed: 16)
        let r = Check.random(batch * length * width, seed: 17)
        let out = TrainBuffer<Double>(r.count)
        func loss() -> Double {
            EmbeddingOp.forward(out.pointer, tokens: tokens, tokenEmbedding: wte.pointer, positionalEmbedding: wpe.pointer,
                                batch: batch, length: length, width: width)
            return Check.dot(out.pointer, r)
        }
        let (dwte, dwpe) = (TrainBuffer<Double>(wte.count), TrainBuffer<Double>(wpe.count))
        EmbeddingOp.backward(dTokenEmbedding: dwte.pointer, dPositionalEmbedding: dwpe.pointer, dout: r.pointer, tokens: tokens,
                             batch: batch, length: length, width: width)
        Check.expect("dtoken", analytic: dwte.array, wrt: wte, loss: loss)
        Check.expect("dposition", analytic: dwpe.array, wrt: wpe, loss: loss)
    }

    @Test("conv1d", arguments: [(1, 7), (2, 8), (2, 5)])
    func conv1d(stride: Int, length: Int) {
        let s = ConvShape(length: length, inChannels: 3, outChannels: 4, stride: stride)
        let inp = Check.random(length * 3, seed: 18), weight = Check.random(4 * 3 * 3, seed: 19), bias = Check.random(4, seed: 20)
        let r = Check.random(s.outLength * 4, seed: 21)
        let (out, columns) = (TrainBuffer<Double>(r.count), TrainBuffer<Double>(s.outLength * s.columnWidth))
        func loss() -> Double {
            Conv1DOp.forward(out.pointer, columns: columns.pointer, inp.pointer, weight: weight.pointer, bias: bias.pointer, s)
            return Check.dot(out.pointer, r)
        }
        _ = loss()
        let (dinp, dweight, dbias) = (TrainBuffer<Double>(inp.count), TrainBuffer<Double>(weight.count), TrainBuffer<Double>(4))
        let scratch = TrainBuffer<Double>(s.outLength * s.columnWidth)
        Conv1DOp.backward(dinp: dinp.pointer, dweight: dweight.pointer, dbias: dbias.pointer, dout: r.pointer,
                          columns: columns.pointer, weight: weight.pointer, scratch: scratch.pointer, s)
        withExtendedLifetime(scratch) {}
        Check.expect("dinp", analytic: dinp.array, wrt: inp, loss: loss)
        Check.expect("dweight", analytic: dweight.array, wrt: weight, loss: loss)
        Check.expect("dbias", analytic: dbias.array, wrt: bias, loss: loss)
    }

    /// CE alone, KL alone, and the distillation mix, with a padded row in the middle.
    @Test("cross-entropy and KL with temperature", arguments: [
        LossWeights(crossEntropy: 1, kl: 0, temperature: 1), LossWeights(crossEntropy: 0, kl: 1, temperature: 2),
        LossWeights(crossEntropy: 0.8, kl: 1, temperature: 2),
    ])
    func loss(weights: LossWeights) {
        let (rows, vocab) = (4, 9)
        let targets = [3, LossOp.ignoreIndex, 0, 8]
        let logits = Check.random(rows * vocab, seed: 22, scale: 3), teacher = Check.random(rows * vocab, seed: 23, scale: 3)
        let scratch = TrainBuffer<Double>(rows * vocab)
        func loss() -> Double {
            LossOp.forwardBackward(dlogits: scratch.pointer, logits: logits.pointer, targets: targets, teacher: teacher.pointer,
                                   rows: rows, vocab: vocab, weights: weights).total
        }
        let values = LossOp.forwardBackward(dlogits: scratch.pointer, logits: logits.pointer, targets: targets,
                                            teacher: teacher.pointer, rows: rows, vocab: vocab, weights: weights)
        #expect(values.rows == 3)
        let analytic = scratch.array
        #expect(analytic[vocab..<2 * vocab].allSatisfy { $0 == 0 }, "the padded row gets no gradient")
        Check.expect("dlogits", analytic: analytic, wrt: logits, loss: loss)
    }

    /// The encoder-output MSE's gradient, accumulated onto what is already in the buffer.
    @Test("encoder-output MSE", arguments: [1, 31, 2 * 6])
    func encoderMSE(count: Int) {
        let student = Check.random(count, seed: 24, scale: 2), teacher = Check.random(count, seed: 25, scale: 2)
        let weight = 0.7
        func loss() -> Double {
            weight * EncoderMSEOp.forwardBackward(dout: nil, student: student.pointer, teacher: teacher.pointer, count: count, weight: weight)
        }
        let existing = Check.random(count, seed: 26)
        let dout = TrainBuffer(existing.array)
        _ = EncoderMSEOp.forwardBackward(dout: dout.pointer, student: student.pointer, teacher: teacher.pointer, count: count, weight: weight)
        Check.expect("dstudent", analytic: zip(dout.array, existing.array).map { $0 - $1 }, wrt: student, loss: loss)
    }
}
