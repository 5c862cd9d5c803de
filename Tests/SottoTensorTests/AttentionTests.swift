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
