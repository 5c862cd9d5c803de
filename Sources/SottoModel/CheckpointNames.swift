/// One parameter of our model: its name (openai/whisper's state-dict name, with CTranslate2's fused
/// projections), where a CTranslate2 checkpoint stores it, and the shape it must have.
package struct ParameterName: Sendable {
    package let key: String
    package let ctranslate2: String
    package let shape: [Int]

    /// Weight matrices (linear layers and the token embedding, `[out, in]`) can be stored quantized;
    /// everything else (biases, norms, convolutions, position tables) is stored as floats.
    package var isMatrix: Bool {
        shape.count == 2 && key.hasSuffix(".weight")
    }
}

/// The name table: every parameter the architecture reads, in one place. The loader walks it; a
/// new checkpoint format adds a column here, not names scattered through the model.
package enum CheckpointNames {
    /// The token embedding, which is also the output projection (tied weights).
    package static let tokenEmbedding = "decoder.token_embedding.weight"

    package static func parameters(_ d: ModelDimensions) -> [ParameterName] {
        let (a, t) = (d.nAudioState, d.nTextState)
        var rows: [ParameterName] = [
            .init(key: "encoder.conv1.weight", ctranslate2: "encoder/conv1/weight", shape: [a, d.nMels, 3]),
            .init(key: "encoder.conv1.bias", ctranslate2: "encoder/conv1/bias", shape: [a]),
            .init(key: "encoder.conv2.weight", ctranslate2: "encoder/conv2/weight", shape: [a, a, 3]),
            .init(key: "encoder.conv2.bias", ctranslate2: "encoder/conv2/bias", shape: [a]),
            .init(key: "encoder.positional_embedding", ctranslate2: "encoder/position_encodings/encodings", shape: [d.nAudioCtx, a]),
        ]
        for i in 0..<d.nAudioLayer {
            let (ours, theirs) = ("encoder.blocks.\(i)", "encoder/layer_\(i)")
            rows += layerNorm("\(ours).attn_ln", "\(theirs)/self_attention/layer_norm", a)
            rows += linear("\(ours).attn.qkv", "\(theirs)/self_attention/linear_0", out: 3 * a, in: a)
            rows += linear("\(ours).attn.out", "\(theirs)/self_attention/linear_1", out: a, in: a)
            rows += mlp(ours, theirs, a)
        }
        rows += layerNorm("encoder.ln_post", "encoder/layer_norm", a)
        rows += [
            .init(key: tokenEmbedding, ctranslate2: "decoder/embeddings/weight", shape: [d.nVocab, t]),
            .init(key: "decoder.positional_embedding", ctranslate2: "decoder/position_encodings/encodings", shape: [d.nTextCtx, t]),
        ]
        for i in 0..<d.nTextLayer {
            let (ours, theirs) = ("decoder.blocks.\(i)", "decoder/layer_\(i)")
            rows += layerNorm("\(ours).attn_ln", "\(theirs)/self_attention/layer_norm", t)
            rows += linear("\(ours).attn.qkv", "\(theirs)/self_attention/linear_0", out: 3 * t, in: t)
            rows += linear("\(ours).attn.out", "\(theirs)/self_attention/linear_1", out: t, in: t)
            rows += layerNorm("\(ours).cross_attn_ln", "\(theirs)/attention/layer_norm", t)
            rows += linear("\(ours).cross_attn.query", "\(theirs)/attention/linear_0", out: t, in: t)
            rows += linear("\(ours).cross_attn.kv", "\(theirs)/attention/linear_1", out: 2 * t, in: a)
            rows += linear("\(ours).cross_attn.out", "\(theirs)/attention/linear_2", out: t, in: t)
            rows += mlp(ours, theirs, t)
        }
        rows += layerNorm("decoder.ln", "decoder/layer_norm", t)
        return rows
    }

    private static func linear(_ ours: String, _ theirs: String, out: Int, in inFeatures: Int) -> [ParameterName] {
        [.init(key: "\(ours).weight", ctranslate2: "\(theirs)/weight", shape: [out, inFeatures]),
         .init(key: "\(ours).bias", ctranslate2: "\(theirs)/bias", shape: [out])]
    }

    private static func layerNorm(_ ours: String, _ theirs: String, _ n: Int) -> [ParameterName] {
        [.init(key: "\(ours).weight", ctranslate2: "\(theirs)/gamma", shape: [n]),
         .init(key: "\(ours).bias", ctranslate2: "\(theirs)/beta", shape: [n])]
    }

    private static func mlp(_ ours: String, _ theirs: String, _ n: Int) -> [ParameterName] {
        layerNorm("\(ours).mlp_ln", "\(theirs)/ffn/layer_norm", n)
            + linear("\(ours).mlp.0", "\(theirs)/ffn/linear_0", out: 4 * n, in: n)
            + linear("\(ours).mlp.2", "\(theirs)/ffn/linear_1", out: n, in: 4 * n)
    }

    /// Reads the dimensions from a CTranslate2 file's shapes: widths from the convolution and the
    /// embeddings, contexts from the position tables, layers by counting `layer_N` scopes, heads
    /// from the `num_heads` scalars (or width / 64, Whisper's head size, when absent).
    static func dimensions(_ file: CTranslate2File) throws -> ModelDimensions {
        func shape(_ name: String, rank: Int) throws -> [Int] {
            guard let v = file.variable(name) else { throw ModelError.missingTensor(key: name, file: file.fileName) }
            guard v.shape.count == rank else {
                throw ModelError.shapeMismatch(key: name, expected: [Int](repeating: -1, count: rank), actual: v.shape, file: file.fileName)
            }
            return v.shape
        }
        func layers(_ scope: String) -> Int {
            var n = 0
            while file.variables.keys.contains(where: { $0.hasPrefix("\(scope)/layer_\(n)/") }) { n += 1 }
            return n
        }
        let conv1 = try shape("encoder/conv1/weight", rank: 3)
        let audioPosition = try shape("encoder/position_encodings/encodings", rank: 2)
        let embedding = try shape("decoder/embeddings/weight", rank: 2)
        let textPosition = try shape("decoder/position_encodings/encodings", rank: 2)
        let audioHeads = try file.integer("encoder/num_heads") ?? max(1, conv1[0] / 64)
        let textHeads = try file.integer("decoder/num_heads") ?? max(1, embedding[1] / 64)
        return ModelDimensions(
            nMels: conv1[1], nAudioCtx: audioPosition[0], nAudioState: conv1[0], nAudioHead: audioHeads,
            nAudioLayer: layers("encoder"), nVocab: embedding[0], nTextCtx: textPosition[0],
            nTextState: embedding[1], nTextHead: textHeads, nTextLayer: layers("decoder"))
    }
}
