import SottoTensor

/// openai/whisper model.py `AudioEncoder`: two GELU convolutions (the second halves time),
/// sinusoidal positions, pre-LN blocks, a final LayerNorm.
struct AudioEncoder: Sendable {
    let conv1: Tensor            // [nAudioState, nMels, 3]
    let conv1Bias: [Float]
    let conv2: Tensor            // [nAudioState, nAudioState, 3]
    let conv2Bias: [Float]
    let positionalEmbedding: Tensor  // [nAudioCtx, nAudioState]
    let blocks: [ResidualAttentionBlock]
    let lnPost: LayerNormWeights
    let dims: ModelDimensions
    /// Element type of the self-attention products (see `WhisperModel.encoderAttentionPrecision`).
    var attentionPrecision = Attention.Precision.float32

    init(_ p: Checkpoint, _ dims: ModelDimensions) throws {
        conv1 = try p.tensor("encoder.conv1.weight")
        conv1Bias = try p.tensor("encoder.conv1.bias").data
        conv2 = try p.tensor("encoder.conv2.weight")
        conv2Bias = try p.tensor("encoder.conv2.bias").data
        positionalEmbedding = try p.tensor("encoder.positional_embedding")
        blocks = try (0..<dims.nAudioLayer).map {
            try ResidualAttentionBlock(p, "encoder.blocks.\($0)", nHead: dims.nAudioHead, crossAttention: false)
        }
        lnPost = try LayerNormWeights(p, "encoder.ln_post")
        self.dims = dims
    }

    /// Whether any encoder matrix is quantized (float16 weights count as float: they compute in float32).
    var hasReducedPrecisionWeights: Bool {
        blocks.contains { block in
            [block.attn.qkv, block.attn.out, block.mlp0, block.mlp2].contains { !$0.weight.encoding.isFloat }
        }
    }

    /// mel `[nMels, 2 · audioFrames]` -> audio features `[audioFrames, nAudioState]`; `audioFrames` is
    /// `nAudioCtx` for a whole 30 s window, fewer for a model trained to attend to its audio alone.
    func callAsFunction(mel: [Float], audioFrames: Int) -> [Float] {
        precondition((1...dims.nAudioCtx).contains(audioFrames), "audioFrames \(audioFrames) outside 1...\(dims.nAudioCtx)")
        let melFrames = 2 * audioFrames
        precondition(mel.count == dims.nMels * melFrames, "mel must be [\(dims.nMels), \(melFrames)], got \(mel.count) values")
        // [nMels, frames] -> [frames, nMels]: the convolutions run time-major.
        let frames = Elementwise.transpose(mel, rows: dims.nMels, cols: melFrames)
        var (x, length) = Conv1D.forward(frames, length: melFrames, weight: conv1, bias: conv1Bias, stride: 1, padding: 1)
        GELU.apply(&x)
        (x, length) = Conv1D.forward(x, length: length, weight: conv2, bias: conv2Bias, stride: 2, padding: 1)
        GELU.apply(&x)
        precondition(length == audioFrames, "conv stem produced \(length) frames")
        Elementwise.add(&x, positionalEmbedding.matrix.rows(0..<length))
        let w = Workspace()
        w.reserve(rows: length, state: dims.nAudioState)
        w.attentionPrecision = attentionPrecision
        for block in blocks { block(&x, rows: length, w) }
        var out = [Float](repeating: 0, count: x.count)
        lnPost(x, rows: length, into: &out)
        return out
    }
}
