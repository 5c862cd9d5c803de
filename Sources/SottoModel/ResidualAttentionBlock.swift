import SottoTensor

/// Pre-LayerNorm transformer block (openai/whisper model.py `ResidualAttentionBlock`):
/// `x += attn(attn_ln(x))`, `x += cross_attn(cross_attn_ln(x), audio)` in the decoder,
/// `x += mlp(mlp_ln(x))` with `mlp = Linear(n, 4n) -> GELU -> Linear(4n, n)`.
struct ResidualAttentionBlock: Sendable {
    let attnLn: LayerNormWeights
    let attn: SelfAttention
    let crossAttnLn: LayerNormWeights?
    let crossAttn: CrossAttention?
    let mlpLn: LayerNormWeights
    let mlp0: Linear
    let mlp2: Linear

    init(_ p: Checkpoint, _ key: String, nHead: Int, crossAttention: Bool) throws {
        attnLn = try LayerNormWeights(p, "\(key).attn_ln")
        attn = try SelfAttention(p, "\(key).attn", nHead: nHead)
        crossAttnLn = crossAttention ? try LayerNormWeights(p, "\(key).cross_attn_ln") : nil
        crossAttn = crossAttention ? try CrossAttention(p, "\(key).cross_attn", nHead: nHead) : nil
        mlpLn = try LayerNormWeights(p, "\(key).mlp_ln")
        mlp0 = try Linear(p, "\(key).mlp.0")
        mlp2 = try Linear(p, "\(key).mlp.2")
    }

    private var nState: Int { mlp2.outFeatures }

    /// Encoder block over `[rows, nState]`.
    func callAsFunction(_ x: inout [Float], rows: Int, _ w: Workspace) {
        attnLn(x, rows: rows, into: &w.normed)
        attn(rows: rows, w)
        Elementwise.add(&x, MatrixView(w.projected, rows: rows, cols: nState))
        mlp(&x, rows: rows, w)
    }

    /// Decoder block over `[rows, nState]`, rows being each of `states`' `batchSize x newTokens` in
    /// turn: extends each state's cache of `layer` and reads each state's audio.
    func callAsFunction(_ x: inout [Float], newTokens: Int, states: [DecoderState], layer: Int, _ w: Workspace) {
        let rows = states.reduce(0) { $0 + $1.batchSize } * newTokens
        attnLn(x, rows: rows, into: &w.normed)
        attn(newTokens: newTokens, states: states, layer: layer, w)
        Elementwise.add(&x, MatrixView(w.projected, rows: rows, cols: nState))
        if let crossAttnLn, let crossAttn {
            crossAttnLn(x, rows: rows, into: &w.normed)
            crossAttn(newTokens: newTokens, states: states, layer: layer, w)
            Elementwise.add(&x, MatrixView(w.projected, rows: rows, cols: nState))
        }
        mlp(&x, rows: rows, w)
    }

    private func mlp(_ x: inout [Float], rows: Int, _ w: Workspace) {
        mlpLn(x, rows: rows, into: &w.normed)
        mlp0(w.normed, rows: rows, into: &w.hidden, scratch: &w.int8)
        GELU.apply(&w.hidden, count: rows * mlp0.outFeatures)
        mlp2(w.hidden, rows: rows, into: &w.projected, scratch: &w.int8)
        Elementwise.add(&x, MatrixView(w.projected, rows: rows, cols: nState))
    }
}
