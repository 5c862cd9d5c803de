import SottoTensor

/// Self-attention with CTranslate2's fused projection (openai/whisper model.py `MultiHeadAttention`
/// with `query`, `key`, `value` stacked: key has no bias in Whisper, CTranslate2 stores zeros there).
struct SelfAttention: Sendable {
    let nHead: Int
    let qkv: Linear   // [3 * nState, nState]
    let out: Linear   // [nState, nState]

    init(_ p: Checkpoint, _ key: String, nHead: Int) throws {
        self.nHead = nHead
        qkv = try Linear(p, "\(key).qkv")
        out = try Linear(p, "\(key).out")
    }

    /// Encoder attention: every frame sees every frame. `w.normed` -> `w.projected`.
    func callAsFunction(rows: Int, _ w: Workspace) {
        let n = out.outFeatures
        qkv(w.normed, rows: rows, into: &w.qkv, scratch: &w.int8)
        // [rows, 3n] -> q, k, v column blocks of [rows, n]
        let fused = MatrixView(w.qkv, rows: rows, cols: 3 * n)
        Attention.forward(query: fused.columns(0..<n), key: fused.columns(n..<2 * n), value: fused.columns(2 * n..<3 * n),
                          heads: nHead, into: &w.attention, precision: w.attentionPrecision)
        out(w.attention, rows: rows, into: &w.projected, scratch: &w.int8)
    }

    /// Decoder attention with KV caches: rows are `states` one after another, each state's
    /// `batchSize x newTokens` rows; appends this step's keys/values to each state's cache of `layer`
    /// at that state's length, then each row's new tokens attend causally to everything it holds.
    func callAsFunction(newTokens: Int, states: [DecoderState], layer: Int, _ w: Workspace) {
        let n = out.outFeatures
        let rows = states.reduce(0) { $0 + $1.batchSize } * newTokens
        qkv(w.normed, rows: rows, into: &w.qkv, scratch: &w.int8)
        let fused = MatrixView(w.qkv, rows: rows, cols: 3 * n)
        var firstRow = 0
        for state in states {
            let length = state.length
            for b in 0..<state.batchSize {
                // this row's new tokens: [newTokens, 3n]; cache row b: [nTextCtx, n]
                let step = fused.rows(firstRow..<firstRow + newTokens)
                let slot = state.caches[layer].offset(row: b, position: length)
                Elementwise.copy(step.columns(n..<2 * n), into: &state.caches[layer].keys, offset: slot, rowStride: n)
                Elementwise.copy(step.columns(2 * n..<3 * n), into: &state.caches[layer].values, offset: slot, rowStride: n)
                let held = state.caches[layer].offset(row: b, position: 0)
                Attention.forward(
                    query: step.columns(0..<n),
                    key: MatrixView(state.caches[layer].keys, offset: held, rows: length + newTokens, cols: n),
                    value: MatrixView(state.caches[layer].values, offset: held, rows: length + newTokens, cols: n),
                    heads: nHead, causalOffset: length, into: &w.attention, outputOffset: firstRow * n)
                firstRow += newTokens
            }
        }
        out(w.attention, rows: rows, into: &w.projected, scratch: &w.int8)
    }
}

/// Cross-attention from text to audio; the audio keys/values are computed once per window.
struct CrossAttention: Sendable {
    let nHead: Int
    let query: Linear  // [nTextState, nTextState]
    let kv: Linear     // [2 * nTextState, nAudioState]: key | value, key bias zero
    let out: Linear

    init(_ p: Checkpoint, _ key: String, nHead: Int) throws {
        self.nHead = nHead
        query = try Linear(p, "\(key).query")
        kv = try Linear(p, "\(key).kv")
        out = try Linear(p, "\(key).out")
    }

    /// `[nAudioCtx, nAudioState]` -> this layer's audio keys and values, stored at `precision`.
    func keysValues(_ audio: [Float], frames: Int, precision: AudioKeysValues.Precision) -> AudioKeysValues {
        // The product writes every element, so the 1500-row buffer is not cleared first.
        let count = frames * kv.outFeatures
        var fused = [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        var scratch = Int8Gemm.Scratch()
        kv(audio, rows: frames, into: &fused, scratch: &scratch)
        return AudioKeysValues(fused: fused, frames: frames, heads: nHead, width: out.outFeatures, precision: precision)
    }

    /// `w.normed` -> `w.projected`; each state's rows attend to that state's window (layer `layer`).
    func callAsFunction(newTokens: Int, states: [DecoderState], layer: Int, _ w: Workspace) {
        let rows = states.reduce(0) { $0 + $1.batchSize } * newTokens
        query(w.normed, rows: rows, into: &w.qkv, scratch: &w.int8)
        if let capture = states[0].crossAttentionCapture {
            capture.record(layer: layer, query: w.qkv, rows: rows, audio: states[0].audio.crossKeysValues[layer])
        }
        var firstRow = 0
        for state in states {
            let stateRows = state.batchSize * newTokens
            AudioAttention.forward(query: w.qkv, firstRow: firstRow, rows: stateRows,
                                   audio: state.audio.crossKeysValues[layer], into: &w.attention)
            firstRow += stateRows
        }
        out(w.attention, rows: rows, into: &w.projected, scratch: &w.int8)
    }
}

/// One decoder layer's self-attention cache: `[batch, nTextCtx, nTextState]` keys and values.
struct KVCache {
    var keys: [Float]
    var values: [Float]
    let context: Int
    let state: Int

    init(batch: Int, context: Int, state: Int) {
        keys = [Float](repeating: 0, count: batch * context * state)
        values = keys
        self.context = context
        self.state = state
    }

    func offset(row: Int, position: Int) -> Int { (row * context + position) * state }
}
