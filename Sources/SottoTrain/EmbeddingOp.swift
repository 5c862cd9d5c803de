/// Token + position embeddings (llm.c `encoder_forward` / `encoder_backward`):
/// `out[b, t] = tokenEmbedding[tokens[b, t]] + positionalEmbedding[t]`, out `[batch, length, width]`.
package enum EmbeddingOp {
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    package static func forward<T: TrainScalar>(
        _ out: UnsafeMutablePointer<T>, tokens: [Int], tokenEmbedding: UnsafePointer<T>,
        positionalEmbedding: UnsafePointer<T>, batch: Int, length: Int, width: Int
    ) {
        precondition(tokens.count == batch * length, "\(tokens.count) tokens for [\(batch), \(length)]")
        for b in 0..<batch {
            for t in 0..<length {
                let (y, e, p) = (out + (b * length + t) * width, tokenEmbedding + tokens[b * length + t] * width, positionalEmbedding + t * width)
                for i in 0..<width { y[i] = e[i] + p[i] }
            }
        }
    }

    /// Accumulates each row's gradient into its token's and its position's embedding row (either optional).
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    package static func backward<T: TrainScalar>(
        dTokenEmbedding: UnsafeMutablePointer<T>?, dPositionalEmbedding: UnsafeMutablePointer<T>?,
        dout: UnsafePointer<T>, tokens: [Int], batch: Int, length: Int, width: Int
    ) {
        for b in 0..<batch {
            for t in 0..<length {
                let dy = dout + (b * length + t) * width
                if let de = dTokenEmbedding.map({ $0 + tokens[b * length + t] * width }) {
                    for i in 0..<width { de[i] += dy[i] }
                }
                if let dp = dPositionalEmbedding.map({ $0 + t * width }) {
                    for i in 0..<width { dp[i] += dy[i] }
                }
            }
        }
    }
}
