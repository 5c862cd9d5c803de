import CSottoKernels
import SottoTensor
import SottoTestSupport
import Testing

@Suite("Attention")
struct AttentionTests {
    /// (queries, keys, causal offset): both the per-query path (< 64 keys) and the BLAS path.
    static let cases: [(Int, Int, Int?)] = [
        (1, 1, nil), (1, 31, nil), (31, 33, nil), (33, 1500, nil), (1, 1500, nil), (1500, 33, nil),
        (1, 1, 0), (1, 33, 32), (31, 31, 0), (3, 33, 30), (33, 100, 67), (1, 100, 99), (70, 70, 0),
    ]

    @Test("matches the scalar reference", arguments: cases, [(1, 8), (3, 11), (6, 64)])
    func attention(problem: (Int, Int, Int?), heads: (Int, Int)) {
        let (queries, keys, causalOffset) = problem
        let (nHead, headDim) = heads
        let width = nHead * headDim
        guard queries * keys * width <= 33 * 1500 * 64 else { return }
        var rng = SeededGenerator(seed: UInt64(queries * 10_000 + keys * 10 + nHead))
        // q | k | v fused with a padded row, as the model's qkv projection lays them out.
        let stride = 3 * width + 5
        let queryStorage = rng.floats(queries * stride, scale: 2)
        let kvStorage = rng.floats(keys * stride, scale: 2)
        let q = MatrixView(queryStorage, rows: queries, cols: width, rowStride: stride)
        let kv = MatrixView(kvStorage, rows: keys, cols: 3 * width, rowStride: stride)
        let (k, v) = (kv.columns(width..<2 * width), kv.columns(2 * width..<3 * width))
        var output = [Float](repeating: .nan, count: queries * width)
        Attention.forward(query: q, key: k, value: v, heads: nHead, causalOffset: causalOffset, into: &output)
        let expected = Attention.forwardReference(query: q, key: k, value: v, heads: nHead, causalOffset: causalOffset)
        let label = "attention q\(queries) k\(keys) causal \(causalOffset ?? -1) heads \(nHead)x\(headDim)"
        expectClose(output, expected, label)
    }

    /// Every key visible, many queries: the blocked kernel on each path this CPU runs (score blocks of 6
    /// rows and 2-3 key tiles, sums of 2-5 rows over 32 or 8 dimensions, 60-row tasks), and the sgemm
    /// kernel it replaced.
    @Test("blocked kernel matches the reference on every path",
          arguments: [(2, 64), (7, 67), (61, 200), (130, 1500)], [(1, 8), (2, 24), (3, 11), (6, 64)])
    func blocked(problem: (Int, Int), heads: (Int, Int)) {
        let (queries, keys) = problem
        let (nHead, headDim) = heads
        guard queries * keys * nHead * headDim <= 130 * 1500 * 64 else { return }
        let width = nHead * headDim
        let (q, k, v) = Self.fusedQKV(queries: queries, keys: keys, width: width, seed: UInt64(queries * 1000 + keys + headDim))
        let expected = Attention.forwardReference(query: q, key: k, value: v, heads: nHead)
        for path in WeightKernelPath.allCases where path.isSupported {
            var output = [Float](repeating: .nan, count: queries * width)
            Attention.forward(query: q, key: k, value: v, heads: nHead, into: &output, path: path)
            expectClose(output, expected, "blocked attention \(path) q\(queries) k\(keys) heads \(nHead)x\(headDim)")
        }
        var output = [Float](repeating: .nan, count: queries * width)
        Attention.forward(query: q, key: k, value: v, heads: nHead, into: &output, kernel: .gemm)
        expectClose(output, expected, "sgemm attention q\(queries) k\(keys) heads \(nHead)x\(headDim)")
    }

    /// The bfloat16 kernel sums what its reference sums (the same rounded operands in double; a
    /// probability that the float32 softmax leaves at a rounding boundary may round the other way,
    /// one bfloat16 step of p times |v|, hence 5e-4), and stays near float32 attention: rounding to 8
    /// significant bits moves outputs by up to about 1% of their scale. Where the CPU lacks AVX-512
    /// BF16 the request runs float32 exactly.
    @Test("bfloat16 kernel matches its reference and stays near float32",
          arguments: [(2, 64), (7, 67), (61, 200), (130, 1500)], [(1, 64), (3, 128), (6, 64)])
    func bfloat16(problem: (Int, Int), heads: (Int, Int)) {
        let (queries, keys) = problem
        let (nHead, headDim) = heads
        let width = nHead * headDim
        let (q, k, v) = Self.fusedQKV(queries: queries, keys: keys, width: width, seed: UInt64(queries * 1000 + keys + headDim))
        var output = [Float](repeating: .nan, count: queries * width)
        Attention.forward(query: q, key: k, value: v, heads: nHead, into: &output, precision: .bfloat16)
        let float32 = Attention.forwardReference(query: q, key: k, value: v, heads: nHead)
        let label = "bfloat16 attention q\(queries) k\(keys) heads \(nHead)x\(headDim)"
        guard Attention.Precision.bfloat16Runs(headDim: headDim) else {
            expectClose(output, float32, "\(label) (float32 on this CPU)")
            return
        }
        expectClose(output, bfloat16Reference(q, k, v, heads: nHead), tolerance: 5e-4, label)
        expectClose(output, float32, tolerance: 0.05, "\(label) against float32")
        #expect(Closeness(output, float32).maxAbsError > 1e-4, "\(label): no rounding seen, is it float32?")
    }

    /// The vector packer writes every element of both buffers exactly as the scalar one (rounding,
    /// tile and pair layout, zero padding), over frame counts around the 16-key tiles and 2-key pairs.
    @Test("bfloat16 packer equals its scalar twin", arguments: [1, 2, 15, 16, 17, 33, 1500], [64, 128])
    func bfloat16Packing(frames: Int, headDim: Int) {
        let (_, k, v) = Self.fusedQKV(queries: 1, keys: frames, width: 2 * headDim, seed: UInt64(frames + headDim))
        let (keysCount, valuesCount) = (sotto_bf16_keys_count(frames, headDim), sotto_bf16_values_count(frames, headDim))
        var (keys, values) = ([UInt16](repeating: 0xFFFF, count: keysCount), [UInt16](repeating: 0xFFFF, count: valuesCount))
        var (expectedKeys, expectedValues) = ([UInt16](repeating: 0, count: keysCount), [UInt16](repeating: 0, count: valuesCount))
        k.storage.withUnsafeBufferPointer { kp in
            v.storage.withUnsafeBufferPointer { vp in
                // The second head's columns: a row stride larger than the head.
                let (keyStart, valueStart) = (kp.baseAddress! + k.offset + headDim, vp.baseAddress! + v.offset + headDim)
                sotto_attention_pack_bf16(keyStart, k.rowStride, valueStart, v.rowStride, frames, headDim, &keys, &values)
                sotto_attention_pack_bf16_reference(keyStart, k.rowStride, valueStart, v.rowStride, frames, headDim,
                                                    &expectedKeys, &expectedValues)
            }
        }
        #expect(keys == expectedKeys, "keys, \(frames) frames x \(headDim)")
        #expect(values == expectedValues, "values, \(frames) frames x \(headDim)")
    }

    /// Query, key and value views of one random fused projection laid out as the model's qkv rows
    /// (`[rows, 3 * width]` with a padded stride).
    static func fusedQKV(queries: Int, keys: Int, width: Int, seed: UInt64) -> (MatrixView, MatrixView, MatrixView) {
        var rng = SeededGenerator(seed: seed)
        let (rows, stride) = (max(queries, keys), 3 * width + 3)
        let fused = MatrixView(rng.floats(rows * stride, scale: 2), rows: rows, cols: 3 * width, rowStride: stride)
        return (fused.rows(0..<queries).columns(0..<width), fused.rows(0..<keys).columns(width..<2 * width),
                fused.rows(0..<keys).columns(2 * width..<3 * width))
    }

    /// Packs each head with the scalar packer and sums it with the C reference.
    private func bfloat16Reference(_ q: MatrixView, _ k: MatrixView, _ v: MatrixView, heads: Int) -> [Float] {
        let headDim = q.cols / heads
        var out = [Float](repeating: 0, count: q.rows * q.cols)
        for h in 0..<heads {
            var keys = [UInt16](repeating: 0, count: sotto_bf16_keys_count(k.rows, headDim))
            var values = [UInt16](repeating: 0, count: sotto_bf16_values_count(k.rows, headDim))
            var head = [Double](repeating: 0, count: q.rows * headDim)
            k.storage.withUnsafeBufferPointer { kp in
                v.storage.withUnsafeBufferPointer { vp in
                    sotto_attention_pack_bf16_reference(kp.baseAddress! + k.offset + h * headDim, k.rowStride,
                                                        vp.baseAddress! + v.offset + h * headDim, v.rowStride, k.rows,
                                                        headDim, &keys, &values)
                }
            }
            q.storage.withUnsafeBufferPointer { qp in
                sotto_attention_rows_bf16_reference(keys, values, k.rows, headDim, qp.baseAddress! + q.offset + h * headDim,
                                                    q.rowStride, q.rows, 1 / Float(headDim).squareRoot(), &head, headDim)
            }
            for i in 0..<q.rows {
                for d in 0..<headDim { out[i * q.cols + h * headDim + d] = Float(head[i * headDim + d]) }
            }
        }
        return out
    }

    @Test("writes into a strided output at an offset")
    func stridedOutput() {
        var rng = SeededGenerator(seed: 5)
        let x = MatrixView(rng.floats(4 * 8), rows: 4, cols: 8)
        var output = [Float](repeating: -7, count: 2 + 4 * 10)
        Attention.forward(query: x, key: x, value: x, heads: 2, into: &output, outputOffset: 2, outputRowStride: 10)
        let expected = Attention.forwardReference(query: x, key: x, value: x, heads: 2)
        var written: [Float] = []
        for r in 0..<4 { written += output[(2 + r * 10)..<(2 + r * 10 + 8)] }
        expectClose(written, expected, "strided attention")
        #expect(output[0] == -7 && output[10] == -7 && output[11] == -7, "attention wrote outside its rows")
    }
}
