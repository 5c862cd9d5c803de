import CSottoKernels
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
        forward(query: query, key: key, value: value, heads: heads, causalOffset: causalOffset, into: &output,
                outputOffset: outputOffset, outputRowStride: outputRowStride, path: .automatic)
    }

    /// Which kernel computes many queries over many keys (benchmarks and tests compare them).
    package enum Kernel: Sendable {
        /// The blocked kernel where every key is visible, BLAS products otherwise.
        case automatic
        /// sgemm + softmax + sgemm per head: the kernel before the blocked one.
        case gemm
    }

    /// Element type of the products where every key is visible.
    public enum Precision: String, Sendable {
        case float32
        /// Queries, keys, values and probabilities rounded to bfloat16, products accumulated in float32
        /// (AVX-512 BF16: twice float32's products per instruction). Float32 where the CPU lacks it.
        case bfloat16

        /// Whether `bfloat16` runs as bfloat16 on this CPU for heads of `headDim`.
        public static func bfloat16Runs(headDim: Int) -> Bool { sotto_attention_bf16_supported(headDim) != 0 }
    }

    /// `forward` with the blocked kernel pinned to `path`, or the products forced to `kernel`; `precision`
    /// applies where every key is visible.
    package static func forward(
        query: MatrixView, key: MatrixView, value: MatrixView, heads: Int, causalOffset: Int? = nil,
        into output: inout [Float], outputOffset: Int = 0, outputRowStride: Int? = nil,
        path: WeightKernelPath = .automatic, kernel: Kernel = .automatic, precision: Precision = .float32
    ) {
        let width = query.cols
        let rowStride = outputRowStride ?? width
        precondition(key.cols == width && value.cols == width && key.rows == value.rows && width % heads == 0, "attention shapes")
        precondition(causalOffset.map { $0 + query.rows <= key.rows } ?? true, "causal attention needs a key per position")
        precondition(query.rows == 0 || outputOffset + (query.rows - 1) * rowStride + width <= output.count, "attention output")
        let problem = Problem(queries: query.rows, keys: key.rows, heads: heads, headDim: width / heads,
                              causalOffset: causalOffset, outputOffset: outputOffset, outputRowStride: rowStride)
        guard problem.queries > 0, problem.keys > 0 else { return }
        if kernel == .automatic, causalOffset == nil, problem.queries > 1, problem.keys >= 64 {
            if precision == .bfloat16, Precision.bfloat16Runs(headDim: problem.headDim) {
                return forwardBFloat16(problem, query: query, key: key, value: value, into: &output)
            }
            return forwardBlocked(problem, query: query, key: key, value: value, into: &output, path: path)
        }
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

    /// Query rows per task of the blocked kernel: enough to amortise a task, few enough that the two
    /// threads share tiny's 6 heads x 1500 frames evenly.
    static let blockedRows = 60

    /// Many queries, every key visible (the encoder): each head's keys and values packed once, then
    /// blocks of query rows, each block's scores kept in cache (sotto_attention_rows). Measured against
    /// sgemm + softmax + sgemm below, which writes and re-reads a [queries, keys] matrix per head.
    private static func forwardBlocked(_ p: Problem, query: MatrixView, key: MatrixView, value: MatrixView,
                                       into output: inout [Float], path: WeightKernelPath) {
        let packed = AudioKeysValues(keys: key, values: value, heads: p.heads, precision: .float32)
        let blocks = (p.queries + blockedRows - 1) / blockedRows
        let scale = p.scale
        query.storage.withUnsafeBufferPointer { q in
            output.withUnsafeMutableBufferPointer { o in
                Compute.parallelFor(p.heads * blocks) { range in
                    var scratch = [Float](repeating: 0, count: blockedRows * packed.stride)
                    for item in range {
                        let (h, block) = item.quotientAndRemainder(dividingBy: blocks)
                        let first = block * blockedRows
                        let rows = min(blockedRows, p.queries - first)
                        let queryStart = q.baseAddress! + query.offset + first * query.rowStride + h * p.headDim
                        let outputStart = o.baseAddress! + p.outputOffset + first * p.outputRowStride + h * p.headDim
                        packed.withHead(h) { head in
                            sotto_attention_rows(&head, queryStart, query.rowStride, rows, scale, &scratch, outputStart,
                                                 p.outputRowStride, path.rawValue)
                        }
                    }
                }
            }
        }
    }

    /// `forwardBlocked` in bfloat16 (attention_bf16.c): each head packed once, then blocks of query rows.
    private static func forwardBFloat16(_ p: Problem, query: MatrixView, key: MatrixView, value: MatrixView,
                                        into output: inout [Float]) {
        let keysCount = sotto_bf16_keys_count(p.keys, p.headDim), valuesCount = sotto_bf16_values_count(p.keys, p.headDim)
        let perHead = keysCount + valuesCount
        // The packer writes every element (padding included), so the buffer is not cleared first.
        var packed = [UInt16](unsafeUninitializedCapacity: p.heads * perHead) { _, count in count = p.heads * perHead }
        key.storage.withUnsafeBufferPointer { k in
            value.storage.withUnsafeBufferPointer { v in
                packed.withUnsafeMutableBufferPointer { target in
                    Compute.parallelFor(p.heads) { range in
                        for h in range {
                            let headKeys = target.baseAddress! + h * perHead
                            sotto_attention_pack_bf16(k.baseAddress! + key.offset + h * p.headDim, key.rowStride,
                                                      v.baseAddress! + value.offset + h * p.headDim, value.rowStride,
                                                      p.keys, p.headDim, headKeys, headKeys + keysCount)
                        }
                    }
                }
            }
        }
        let blocks = (p.queries + blockedRows - 1) / blockedRows
        let (scale, scratchCount) = (p.scale, sotto_attention_bf16_scratch_count(p.keys, p.headDim))
        packed.withUnsafeBufferPointer { heads in
            query.storage.withUnsafeBufferPointer { q in
                output.withUnsafeMutableBufferPointer { o in
                    Compute.parallelFor(p.heads * blocks) { range in
                        var scratch = [Float](repeating: 0, count: scratchCount)
                        for item in range {
                            let (h, block) = item.quotientAndRemainder(dividingBy: blocks)
                            let first = block * blockedRows
                            let headKeys = heads.baseAddress! + h * perHead
                            let ran = sotto_attention_rows_bf16(
                                headKeys, headKeys + keysCount, p.keys, p.headDim,
                                q.baseAddress! + query.offset + first * query.rowStride + h * p.headDim, query.rowStride,
                                min(blockedRows, p.queries - first), scale, &scratch,
                                o.baseAddress! + p.outputOffset + first * p.outputRowStride + h * p.headDim, p.outputRowStride)
                            precondition(ran != 0, "bfloat16 attention ran on a CPU without it")
                        }
                    }
                }
            }
        }
    }

    /// Many keys (causal decoder prefills, long caches): per head, scores = Q K^T and out = P V
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
