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
                          heads: nHead, into: &w.attention)
        out(w.attention, rows: rows, into: &w.projected, scratch: &w.int8)
    }

    /// Decoder attention with a KV cache: appends this step's keys/values to `cache` at `length`,
    /// then each batch row's new tokens attend causally to everything that row holds.
    func callAsFunction(batch: Int, newTokens: Int, length: Int, cache: inout KVCache, _ w: Workspace) {
        let n = out.outFeatures
        let rows = batch * newTokens
        qkv(w.normed, rows: rows, into: &w.qkv, scratch: &w.int8)
        let fused = MatrixView(w.qkv, rows: rows, cols: 3 * n)
        for b in 0..<batch {
            // this row's new tokens: [newTokens, 3n]; cache row b: [nTextCtx, n]
            let step = fused.rows(b * newTokens..<(b + 1) * newTokens)
            let slot = cache.offset(row: b, position: length)
            Elementwise.copy(step.columns(n..<2 * n), into: &cache.keys, offset: slot, rowStride: n)
            Elementwise.copy(step.columns(2 * n..<3 * n), into: &cache.values, offset: slot, rowStride: n)
            let held = cache.offset(row: b, position: 0)
            Attention.forward(
                query: step.columns(0..<n),
                key: MatrixView(cache.keys, offset: held, rows: length + newTokens, cols: n),
                value: MatrixView(cache.values, offset: held, rows: length + newTokens, cols: n),
                heads: nHead, causalOffset: length, into: &w.attention, outputOffset: b * newTokens * n)
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
        var fused = [Float](repeating: 0, count: frames * kv.outFeatures)
        var scratch = Int8Gemm.Scratch()
        kv(audio, rows: frames, into: &fused, scratch: &scratch)
        return AudioKeysValues(fused: fused, frames: frames, heads: nHead, width: out.outFeatures, precision: precision)
    }

    /// `w.normed` -> `w.projected`; all rows attend to the same audio.
    func callAsFunction(rows: Int, audio: AudioKeysValues, _ w: Workspace) {
        query(w.normed, rows: rows, into: &w.qkv, scratch: &w.int8)
        AudioAttention.forward(query: w.qkv, rows: rows, audio: audio, into: &w.attention)
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
