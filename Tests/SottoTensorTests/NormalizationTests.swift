import SottoTensor
import SottoTestSupport
import Testing

@Suite("LayerNorm")
struct NormalizationTests {
    @Test("matches the double-precision reference", arguments: awkwardSizes, [1, 31, 33, 384])
    func layerNorm(rows: Int, dim: Int) {
        var rng = SeededGenerator(seed: UInt64(rows * 1000 + dim))
        let input = rng.floats(rows * dim, scale: 3).map { $0 + 5 }  // offset mean: tests centring
        let gamma = rng.floats(dim), beta = rng.floats(dim)
        var output = [Float](repeating: 0, count: rows * dim)
        LayerNorm.forward(input, rows: rows, gamma: gamma, beta: beta, into: &output)
        expectClose(output, LayerNorm.forwardReference(input, rows: rows, gamma: gamma, beta: beta), "layerNorm \(rows)x\(dim)")
    }
}
