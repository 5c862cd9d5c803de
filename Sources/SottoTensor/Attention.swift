import Foundation

/// Multi-head scaled dot-product attention over 2-D views whose columns hold the heads side by side
/// (`[n, nHead * headDim]`, head h in columns h*headDim ..< (h+1)*headDim).
public enum Attention {
    /// `output[i, h] = sum_j softmax_j(q[i, h] . k[j, h] / sqrt(headDim)) * v[j, h]`.
    /// With `causalOffset = c`, query i sees keys `0...c + i` only (query i sits at position c + i).
    /// output is written at `outputOffset + i * outputRowStride + h * headDim`.
    public static func forward(
        query: MatrixView, key: MatrixView, value: MatrixView, heads: Int, causalOffset: Int? = nil,
        into output: inout [Float], outputOffset: Int = 0, outputRowStride: Int? = nil
    ) {
        let width = query.cols
        let rowStride = outputRowStride ?? width
        precondition(key.cols == width && value.cols == width && key.rows == value.rows && width % heads == 0, "attention shapes")
        precondition(causalOffset.map { $0 + query.rows <= key.rows } ?? true, "causal attention needs a key per position")
        precondition(query.rows == 0 || outputOffset + (query.rows - 1) * rowStride + width <= output.count, "attention output")
        let problem = Problem(queries: query.rows, keys: key.rows, heads: heads, headDim: width / heads,
                              causalOffset: causalOffset, outputOffset: outputOffset, outputRowStride: rowStride)
        guard problem.queries > 0, problem.keys > 0 else { return }
        query.storage.withUnsafeBufferPointer { q in
            key.storage.withUnsafeBufferPointer { k in
                value.storage.withUnsafeBufferPointer { v in
                    output.withUnsafeMutableBufferPointer { o in
                        let operands = Operands(
                            q: q.baseAddress! + query.offset, qStride: query.rowStride,
                            k: k.baseAddress! + key.offset, kStride: key.rowStride,
                            v: v.baseAddress! + value.offset, vStride: value.rowStride,
                            out: o.baseAddress! + outputOffset)
                        if problem.keys >= 64 {
                            forwardWithGemm(problem, operands)
                        } else {
                            forwardPerQuery(problem, operands)
                        }
                    }
                }
            }
        }
    }

    struct Problem {
        let queries, keys, heads, headDim: Int
        let causalOffset: Int?
        let outputOffset, outputRowStride: Int
        var scale: Float { 1 / Float(headDim).squareRoot() }
        func visibleKeys(_ query: Int) -> Int { causalOffset.map { min(keys, $0 + query + 1) } ?? keys }
    }

    /// Base pointers already moved to each view's offset; valid for the duration of one call.
    struct Operands {
        let q: UnsafePointer<Float>, qStride: Int
        let k: UnsafePointer<Float>, kStride: Int
        let v: UnsafePointer<Float>, vStride: Int
        let out: UnsafeMutablePointer<Float>
    }

    /// Many keys (encoder, cross-attention, long caches): per head, scores = Q K^T and out = P V
    /// through BLAS (gemv for a single query, which skips sgemm's packing). Per head rather than all
    /// heads at once: one head's scores stay cache-sized (measured faster on the 1500-frame encoder).
    private static func forwardWithGemm(_ p: Problem, _ x: Operands) {
        var scores = [Float](repeating: 0, count: p.queries * p.keys)
        scores.withUnsafeMutableBufferPointer { s in
            let scores = s.baseAddress!
            for h in 0..<p.heads {
                let column = h * p.headDim
                // [nq, hd] x [nk, hd]^T -> [nq, nk]
                if p.queries == 1 {
                    Gemm.sgemv(x.k + column, lda: x.kStride, transpose: false, rows: p.keys, cols: p.headDim,
                               x.q + column, scores, alpha: p.scale)
                } else {
                    Gemm.sgemm(x.q + column, lda: x.qStride, transposeA: false, x.k + column, ldb: x.kStride, transposeB: true,
                               scores, ldc: p.keys, m: p.queries, n: p.keys, k: p.headDim, alpha: p.scale, beta: 0)
                }
                Compute.parallelFor(p.queries, minimumPerTask: 8) { range in
                    for i in range {
                        let row = scores + i * p.keys
                        let visible = p.visibleKeys(i)
                        for j in visible..<p.keys { row[j] = -.infinity }
                        Softmax.row(row, p.keys)
                    }
                }
                // [nq, nk] x [nk, hd] -> [nq, hd] into head h's columns
                if p.queries == 1 {
                    Gemm.sgemv(x.v + column, lda: x.vStride, transpose: true, rows: p.keys, cols: p.headDim,
                               scores, x.out + column, alpha: 1)
                } else {
                    Gemm.sgemm(scores, lda: p.keys, transposeA: false, x.v + column, ldb: x.vStride, transposeB: false,
                               x.out + column, ldc: p.outputRowStride, m: p.queries, n: p.headDim, k: p.keys, alpha: 1, beta: 0)
                }
            }
        }
    }

    /// Few keys (the first decoding steps): one (query, head) pair per task with SIMD dot products.
    private static func forwardPerQuery(_ p: Problem, _ x: Operands) {
        Compute.parallelFor(p.queries * p.heads, minimumPerTask: 2) { range in
            var scores = [Float](repeating: 0, count: p.keys)
            scores.withUnsafeMutableBufferPointer { s in
                for item in range {
                    let (i, h) = item.quotientAndRemainder(dividingBy: p.heads)
                    let column = h * p.headDim
                    let visible = p.visibleKeys(i)
                    let q = x.q + i * x.qStride + column
                    for j in 0..<visible { s[j] = Vector.dot(q, x.k + j * x.kStride + column, p.headDim) * p.scale }
                    Softmax.row(s.baseAddress!, visible)
                    let out = x.out + i * p.outputRowStride + column
                    out.update(repeating: 0, count: p.headDim)
                    for j in 0..<visible { Vector.axpy(s[j], x.v + j * x.vStride + column, out, p.headDim) }
                }
            }
        }
    }

    /// Scalar twin in double precision; returns dense `[queries, width]`.
    public static func forwardReference(
        query: MatrixView, key: MatrixView, value: MatrixView, heads: Int, causalOffset: Int? = nil
    ) -> [Float] {
        let width = query.cols
        let headDim = width / heads
        var out = [Float](repeating: 0, count: query.rows * width)
        for i in 0..<query.rows {
            let visible = causalOffset.map { min(key.rows, $0 + i + 1) } ?? key.rows
            for h in 0..<heads {
                let cols = (h * headDim)..<((h + 1) * headDim)
                var logits = [Double](repeating: 0, count: visible)
                for j in 0..<visible {
                    logits[j] = cols.reduce(0.0) { $0 + Double(query[i, $1]) * Double(key[j, $1]) } / Double(headDim).squareRoot()
                }
                let maximum = logits.max() ?? 0
                let weights = logits.map { Foundation.exp($0 - maximum) }
                let total = weights.reduce(0, +)
                for c in cols {
                    var sum = 0.0
                    for j in 0..<visible { sum += weights[j] / total * Double(value[j, c]) }
                    out[i * width + c] = Float(sum)
                }
            }
        }
        return out
    }
}
