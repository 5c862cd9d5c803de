import SottoTensor

/// Multi-head scaled dot-product attention (llm.c `attention_forward` / `attention_backward`, with
/// the products through BLAS). Queries, keys and values are column blocks of wider rows, as the fused
/// projections write them; `rowStride` is each one's row length. Self-attention has as many keys as
/// queries (causal in the decoder); cross-attention has the audio frames as keys.
package struct AttentionShape: Sendable {
    package let batch, queries, keys, heads, width: Int
    package let causal: Bool
    package let queryStride, keyStride, valueStride: Int

    package init(batch: Int, queries: Int, keys: Int, heads: Int, width: Int, causal: Bool,
                 queryStride: Int, keyStride: Int, valueStride: Int) {
        precondition(width % heads == 0, "width \(width) is not a multiple of \(heads) heads")
        precondition(!causal || queries == keys, "causal attention needs as many keys as queries")
        (self.batch, self.queries, self.keys, self.heads, self.width, self.causal) = (batch, queries, keys, heads, width, causal)
        (self.queryStride, self.keyStride, self.valueStride) = (queryStride, keyStride, valueStride)
    }

    package var headDim: Int { width / heads }
    /// Elements of the saved probabilities `[batch, heads, queries, keys]`.
    package var probabilityCount: Int { batch * heads * queries * keys }
}

package enum AttentionOp {
    /// q `[batch, queries, queryStride]`, k `[batch, keys, keyStride]`, v `[batch, keys, valueStride]`
    /// (head h in columns h·d ..< (h+1)·d); out `[batch, queries, width]`; saves the softmax
    /// probabilities in `probabilities` `[batch, heads, queries, keys]`.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    package static func forward<T: TrainScalar>(
        _ out: UnsafeMutablePointer<T>, probabilities: UnsafeMutablePointer<T>,
        q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>, _ s: AttentionShape
    ) {
        let d = s.headDim
        let scale = 1 / T(d).squareRoot()
        Compute.parallelFor(s.batch * s.heads) { range in
            for task in range {
                let (b, h) = (task / s.heads, task % s.heads)
                let p = probabilities + task * s.queries * s.keys
                let qh = q + b * s.queries * s.queryStride + h * d
                let kh = k + b * s.keys * s.keyStride + h * d
                let vh = v + b * s.keys * s.valueStride + h * d
                // scores [queries, keys] = q_h · k_h^T / √d
                T.gemm(qh, lda: s.queryStride, transposeA: false, kh, ldb: s.keyStride, transposeB: true,
                       p, ldc: s.keys, m: s.queries, n: s.keys, k: d, alpha: scale, beta: 0)
                for i in 0..<s.queries { softmaxRow(p + i * s.keys, count: s.causal ? i + 1 : s.keys, total: s.keys) }
                // out_h [queries, d] = p · v_h
                T.gemm(p, lda: s.keys, transposeA: false, vh, ldb: s.valueStride, transposeB: false,
                       out + b * s.queries * s.width + h * d, ldc: s.width, m: s.queries, n: d, k: s.keys, alpha: 1, beta: 0)
            }
        }
    }

    /// Softmax over the first `count` of `total` entries; the rest (future positions) get 0.
    private static func softmaxRow<T: TrainScalar>(_ row: UnsafeMutablePointer<T>, count: Int, total: Int) {
        var maximum = -T.infinity
        for j in 0..<count { maximum = max(maximum, row[j]) }
        var sum: T = 0
        for j in 0..<count {
            row[j] = T.exponential(row[j] - maximum)
            sum += row[j]
        }
        let inverse = 1 / sum
        for j in 0..<count { row[j] *= inverse }
        for j in count..<total { row[j] = 0 }
    }

    /// Accumulates dq, dk, dv (same layouts as q, k, v; dk/dv nil when nothing upstream trains).
    /// `scratch` holds `batch · heads · queries · keys` values.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    package static func backward<T: TrainScalar>(
        dq: UnsafeMutablePointer<T>, dk: UnsafeMutablePointer<T>?, dv: UnsafeMutablePointer<T>?,
        dout: UnsafePointer<T>, probabilities: UnsafePointer<T>, scratch: UnsafeMutablePointer<T>,
        q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>, _ s: AttentionShape
    ) {
        let d = s.headDim
        let scale = 1 / T(d).squareRoot()
        Compute.parallelFor(s.batch * s.heads) { range in
            for task in range {
                let (b, h) = (task / s.heads, task % s.heads)
                let p = probabilities + task * s.queries * s.keys
                let dp = scratch + task * s.queries * s.keys
                let (qOffset, kOffset, vOffset) = (b * s.queries * s.queryStride + h * d, b * s.keys * s.keyStride + h * d,
                                                   b * s.keys * s.valueStride + h * d)
                let douth = dout + b * s.queries * s.width + h * d
                // dp [queries, keys] = dout_h · v_h^T ; dv_h += p^T · dout_h
                T.gemm(douth, lda: s.width, transposeA: false, v + vOffset, ldb: s.valueStride, transposeB: true,
                       dp, ldc: s.keys, m: s.queries, n: s.keys, k: d, alpha: 1, beta: 0)
                if let dv {
                    T.gemm(p, lda: s.keys, transposeA: true, douth, ldb: s.width, transposeB: false,
                           dv + vOffset, ldc: s.valueStride, m: s.keys, n: d, k: s.queries, alpha: 1, beta: 1)
                }
                // softmax backward: dscores = p ⊙ (dp − Σ_j p dp), then the 1/√d of the scores
                for i in 0..<s.queries {
                    let (pr, dr) = (p + i * s.keys, dp + i * s.keys)
                    var dot: T = 0
                    for j in 0..<s.keys { dot += pr[j] * dr[j] }
                    for j in 0..<s.keys { dr[j] = pr[j] * (dr[j] - dot) * scale }
                }
                // dq_h += dscores · k_h ; dk_h += dscores^T · q_h
                T.gemm(dp, lda: s.keys, transposeA: false, k + kOffset, ldb: s.keyStride, transposeB: false,
                       dq + qOffset, ldc: s.queryStride, m: s.queries, n: d, k: s.keys, alpha: 1, beta: 1)
                if let dk {
                    T.gemm(dp, lda: s.keys, transposeA: true, q + qOffset, ldb: s.queryStride, transposeB: false,
                           dk + kOffset, ldc: s.keyStride, m: s.keys, n: d, k: s.queries, alpha: 1, beta: 1)
                }
            }
        }
    }
}
