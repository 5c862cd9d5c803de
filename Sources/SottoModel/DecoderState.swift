import SottoTensor

/// Per-request decoding state: the self-attention KV caches of every decoder layer for `batchSize`
/// rows (beams or a batch of prompts) plus reusable activation buffers. Not shared across threads.
public final class DecoderState {
    /// Tokens held per row.
    public private(set) var length: Int = 0
    public let batchSize: Int
    /// Tokens the caches can hold per row (nTextCtx).
    public let capacity: Int
    let audio: EncoderOutput
    var caches: [KVCache]
    let workspace = Workspace()
    var residual: [Float] = []  // [batch * newTokens, nTextState]
    var logits: [Float] = []    // [batch, nVocab]
    /// Set only for word-timestamp alignment (see `CrossAttentionCapture`).
    var crossAttentionCapture: CrossAttentionCapture?

    init(audio: EncoderOutput, batchSize: Int, dims: ModelDimensions) {
        precondition(batchSize >= 1, "batch size must be at least 1")
        self.audio = audio
        self.batchSize = batchSize
        capacity = dims.nTextCtx
        caches = (0..<dims.nTextLayer).map { _ in
            KVCache(batch: batchSize, context: dims.nTextCtx, state: dims.nTextState)
        }
    }

    func advance(by tokens: Int) { length += tokens }

    /// Beam search: row i of the new cache is old row `sourceRows[i]` (rows may repeat).
    public func reorder(_ sourceRows: [Int]) {
        precondition(sourceRows.count == batchSize && sourceRows.allSatisfy { (0..<batchSize).contains($0) },
                     "reorder needs \(batchSize) rows in 0..<\(batchSize), got \(sourceRows)")
        guard sourceRows != Array(0..<batchSize), length > 0 else { return }
        for i in caches.indices {
            let (context, state) = (caches[i].context, caches[i].state)
            reorder(&caches[i].keys, sourceRows, context: context, state: state)
            reorder(&caches[i].values, sourceRows, context: context, state: state)
        }
    }

    /// Gathers the held positions of each source row into the workspace, then writes them back in order.
    private func reorder(_ buffer: inout [Float], _ sourceRows: [Int], context: Int, state: Int) {
        let rowFloats = length * state
        if workspace.hidden.count < batchSize * rowFloats {
            workspace.hidden = [Float](repeating: 0, count: batchSize * rowFloats)
        }
        for (i, source) in sourceRows.enumerated() {
            let held = MatrixView(buffer, offset: source * context * state, rows: 1, cols: rowFloats)
            Elementwise.copy(held, into: &workspace.hidden, offset: i * rowFloats, rowStride: rowFloats)
        }
        for i in 0..<batchSize {
            let gathered = MatrixView(workspace.hidden, offset: i * rowFloats, rows: 1, cols: rowFloats)
            Elementwise.copy(gathered, into: &buffer, offset: i * context * state, rowStride: rowFloats)
        }
    }
}
