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

    /// Runs `newTokens` tokens per row after the positions each state's caches hold. Rows are the
    /// states' rows one state after another (row-major `[rows, newTokens]` in `tokens`); each state
    /// has its own length, KV cache and audio window. Leaves `[rows, nVocab]` logits of each row's
    /// last token in the first state's `logits`, or with `allPositions` (one state, batch 1)
    /// `[newTokens, nVocab]` logits of every new token. The first state lends its buffers.
    func callAsFunction(_ tokens: [Int], newTokens: Int, states: [DecoderState], allPositions: Bool = false) {
        let n = dims.nTextState
        let batch = states.reduce(0) { $0 + $1.batchSize }
        let rows = batch * newTokens
        let lead = states[0]
        let w = lead.workspace
        w.reserve(rows: rows, state: n)
        // Take the residual buffer out of the state so writing it does not copy (it goes back at the end).
        var x: [Float] = []
        swap(&x, &lead.residual)
        if x.count < rows * n { x = [Float](repeating: 0, count: rows * n) }
        // x = token_embedding(tokens) + positional_embedding[length ..< length + newTokens], per state
        for (r, token) in tokens.enumerated() { tokenEmbedding.copyRow(token, into: &x, offset: r * n) }
        var firstRow = 0
        for state in states {
            let positions = positionalEmbedding.matrix.rows(state.length..<state.length + newTokens)
            for b in 0..<state.batchSize { Elementwise.add(&x, offset: (firstRow + b * newTokens) * n, positions) }
            firstRow += state.batchSize * newTokens
        }
        for (i, block) in blocks.enumerated() {
            block(&x, newTokens: newTokens, states: states, layer: i, w)
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
        if lead.logits.count < logitRows * dims.nVocab { lead.logits = [Float](repeating: 0, count: logitRows * dims.nVocab) }
        logitsProjection(w.normed, rows: logitRows, into: &lead.logits, scratch: &w.int8)
        lead.residual = x
    }
}
