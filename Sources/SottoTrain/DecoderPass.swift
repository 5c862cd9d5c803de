/// The decoder's activations, sized once for up to `capacityBatch` rows of `capacityLength` tokens;
/// each forward uses the front of every buffer for its own `[batch, length]`.
package final class DecoderActivations<T: TrainScalar> {
    package let capacityBatch, capacityLength: Int
    package private(set) var batch, length: Int
    /// Audio rows per batch item the cross-attention reads in the next forward (at most `nAudioCtx`).
    package private(set) var audioFrames: Int
    private let capacityFrames: Int
    package internal(set) var tokens: [Int] = []
    let blocks: [BlockActivations<T>]
    let output: TrainBuffer<T>                // [rows, nTextState] residual after the last block
    let lnf, lnfMean, lnfRstd: TrainBuffer<T> // decoder.ln
    /// `[rows, nVocab]` logits after the forward; the loss overwrites them with their gradient.
    package let logits: TrainBuffer<T>
    let gradients: BlockGradients<T>

    package init(_ model: TrainingModel<T>, batch: Int, length: Int) {
        let d = model.dims
        let rows = batch * length
        (self.batch, self.length, capacityBatch, capacityLength) = (batch, length, batch, length)
        (audioFrames, capacityFrames) = (d.nAudioCtx, d.nAudioCtx)
        blocks = (0..<d.nTextLayer).map { _ in
            BlockActivations(batch: batch, length: length, width: d.nTextState, heads: d.nTextHead, audioFrames: d.nAudioCtx)
        }
        output = TrainBuffer(rows * d.nTextState)
        (lnf, lnfMean, lnfRstd) = (TrainBuffer(rows * d.nTextState), TrainBuffer(rows), TrainBuffer(rows))
        logits = TrainBuffer(rows * d.nVocab)
        gradients = BlockGradients(batch: batch, length: length, width: d.nTextState, heads: d.nTextHead, audioFrames: d.nAudioCtx)
    }

    /// Sets the shape of the next forward (within the capacity); `audioFrames` nil: whole windows.
    package func prepare(batch: Int, length: Int, audioFrames: Int? = nil) {
        let frames = audioFrames ?? capacityFrames
        precondition(batch <= capacityBatch && length <= capacityLength && (1...capacityFrames).contains(frames),
                     "[\(batch), \(length)] x \(frames) frames exceeds the activations' [\(capacityBatch), \(capacityLength)] x \(capacityFrames)")
        (self.batch, self.length, self.audioFrames) = (batch, length, frames)
    }
}

extension TrainingModel {
    func blockShape(decoder a: DecoderActivations<T>) -> BlockShape {
        BlockShape(batch: a.batch, length: a.length, width: dims.nTextState, heads: dims.nTextHead,
                   audioFrames: a.audioFrames, audioWidth: dims.nAudioState, causal: true)
    }

    /// Teacher-forced decoder forward: tokens `[batch, length]` attending to `audio`
    /// `[batch · a.audioFrames, nAudioState]` (buffers, not pointers, so they live through the call); leaves logits `[batch · length, nVocab]` in `a.logits`.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    package func decoderForward(_ a: DecoderActivations<T>, tokens: [Int], audio: TrainBuffer<T>) {
        let (n, rows, v) = (dims.nTextState, a.batch * a.length, dims.nVocab)
        precondition(tokens.count == rows, "\(tokens.count) tokens for [\(a.batch), \(a.length)]")
        precondition(a.length <= dims.nTextCtx, "\(a.length) tokens exceed the text context \(dims.nTextCtx)")
        precondition(tokens.allSatisfy { (0..<v).contains($0) }, "token id out of range")
        a.tokens = tokens
        EmbeddingOp.forward(a.blocks.first?.input.pointer ?? a.output.pointer, tokens: tokens,
                            tokenEmbedding: parameter("decoder.token_embedding.weight"),
                            positionalEmbedding: parameter("decoder.positional_embedding"),
                            batch: a.batch, length: a.length, width: n)
        let shape = blockShape(decoder: a)
        for (i, block) in a.blocks.enumerated() {
            let out = i + 1 < a.blocks.count ? a.blocks[i + 1].input.pointer : a.output.pointer
            blockForward("decoder.blocks.\(i)", block, shape, audio: audio.pointer, out: out)
        }
        layerNorm("decoder.ln", a.lnf.pointer, a.lnfMean.pointer, a.lnfRstd.pointer, a.output.pointer, rows: rows, dim: n)
        // Tied output layer: logits = ln(x) · token_embedding^T
        LinearOp.forward(a.logits.pointer, a.lnf.pointer, weight: parameter("decoder.token_embedding.weight"), bias: nil,
                         rows: rows, inFeatures: n, outFeatures: v)
    }

    /// With `a.logits` holding d(loss)/d(logits), accumulates every trained decoder parameter's
    /// gradient and, when `daudio` is given, d(loss)/d(audio) `[batch · a.audioFrames, nAudioState]`.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    package func decoderBackward(_ a: DecoderActivations<T>, audio: TrainBuffer<T>, daudio: TrainBuffer<T>?) {
        let (n, rows, v) = (dims.nTextState, a.batch * a.length, dims.nVocab)
        let g = a.gradients
        zero(g.normed, g.residual)
        LinearOp.backward(dinp: g.normed.pointer, dweight: gradient("decoder.token_embedding.weight"), dbias: nil,
                          dout: a.logits.pointer, inp: a.lnf.pointer, weight: parameter("decoder.token_embedding.weight"),
                          rows: rows, inFeatures: n, outFeatures: v)
        layerNormBackward("decoder.ln", dout: g.normed.pointer, inp: a.output.pointer, a.lnfMean.pointer, a.lnfRstd.pointer,
                          into: g.residual.pointer, rows: rows, dim: n)
        let shape = blockShape(decoder: a)
        for (i, block) in a.blocks.enumerated().reversed() {
            blockBackward("decoder.blocks.\(i)", block, shape, g, audio: audio.pointer, daudio: daudio?.pointer)
        }
        EmbeddingOp.backward(dTokenEmbedding: gradient("decoder.token_embedding.weight"),
                             dPositionalEmbedding: gradient("decoder.positional_embedding"), dout: g.residual.pointer,
                             tokens: a.tokens, batch: a.batch, length: a.length, width: n)
    }
}
