import SottoTensor

/// openai/whisper model.py `TextDecoder`: token + positional embeddings, pre-LN blocks with causal
/// self-attention and cross-attention, a final LayerNorm, logits against the tied token embedding.
struct TextDecoder: Sendable {
    let tokenEmbedding: WeightMatrix // [nVocab, nTextState]
    let logitsProjection: Linear     // the same matrix, tied, as the output layer
    let positionalEmbedding: Tensor  // [nTextCtx, nTextState]
    let blocks: [ResidualAttentionBlock]
    let ln: LayerNormWeights
    let dims: ModelDimensions

    init(_ p: Checkpoint, _ dims: ModelDimensions) throws {
        tokenEmbedding = try p.matrix(CheckpointNames.tokenEmbedding)
        logitsProjection = Linear(key: CheckpointNames.tokenEmbedding, weight: tokenEmbedding, bias: nil,
                                  activation: p.activations[CheckpointNames.tokenEmbedding])
        positionalEmbedding = try p.tensor("decoder.positional_embedding")
        blocks = try (0..<dims.nTextLayer).map {
            try ResidualAttentionBlock(p, "decoder.blocks.\($0)", nHead: dims.nTextHead, crossAttention: true)
        }
        ln = try LayerNormWeights(p, "decoder.ln")
        self.dims = dims
    }

    /// Runs `newTokens` tokens per batch row (row-major `[batch, newTokens]` in `tokens`) after the
    /// `length` positions the caches hold; leaves `[batch, nVocab]` logits of each row's last token in
    /// `state.logits`, or with `allPositions` (batch 1) `[newTokens, nVocab]` logits of every new token.
    func callAsFunction(_ tokens: [Int], newTokens: Int, state: DecoderState, allPositions: Bool = false) {
        let (n, batch, length) = (dims.nTextState, state.batchSize, state.length)
        let rows = batch * newTokens
        let w = state.workspace
        w.reserve(rows: rows, state: n)
        // Take the residual buffer out of the state so writing it does not copy (it goes back at the end).
        var x: [Float] = []
        swap(&x, &state.residual)
        if x.count < rows * n { x = [Float](repeating: 0, count: rows * n) }
        // x = token_embedding(tokens) + positional_embedding[length ..< length + newTokens]
        for (r, token) in tokens.enumerated() { tokenEmbedding.copyRow(token, into: &x, offset: r * n) }
        let positions = positionalEmbedding.matrix.rows(length..<length + newTokens)
        for b in 0..<batch { Elementwise.add(&x, offset: b * newTokens * n, positions) }
        let audio = state.audio
        for (i, block) in blocks.enumerated() {
            block(&x, batch: batch, newTokens: newTokens, length: length, cache: &state.caches[i],
                  audio: audio.crossKeysValues[i], w)
        }
        // Decoding needs each row's last position only: [batch, n] -> ln -> x @ token_embedding^T.
        let logitRows = allPositions ? rows : batch
        if allPositions {
            ln(x, rows: rows, into: &w.normed)
        } else {
            Elementwise.copy(MatrixView(x, offset: (newTokens - 1) * n, rows: batch, cols: n, rowStride: newTokens * n),
                             into: &w.projected, offset: 0, rowStride: n)
            ln(w.projected, rows: batch, into: &w.normed)
        }
        if state.logits.count < logitRows * dims.nVocab { state.logits = [Float](repeating: 0, count: logitRows * dims.nVocab) }
        logitsProjection(w.normed, rows: logitRows, into: &state.logits, scratch: &w.int8)
        state.residual = x
    }
}
