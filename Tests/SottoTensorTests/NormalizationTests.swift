import SottoTensor
import SottoTestSupport
import Testing

@Suite("LayerNorm")
struct NormalizationTests {
    /// Scalar (the portable Swift code) always; the C kernels of AVX2 and AVX-512 where the CPU has them.
    static let paths = WeightKernelPath.allCases.filter { $0 != .automatic && $0.isSupported }

    @Test("matches the double-precision reference on every path", arguments: awkwardSizes, [1, 17, 31, 33, 384])
    func layerNorm(rows: Int, dim: Int) {
        var rng = SeededGenerator(seed: UInt64(rows * 1000 + dim))
        let input = rng.floats(rows * dim, scale: 3).map { $0 + 5 }  // offset mean: tests centring
        let gamma = rng.floats(dim), beta = rng.floats(dim)
        let expected = LayerNorm.forwardReference(input, rows: rows, gamma: gamma, beta: beta)
        for path in Self.paths {
            var output = [Float](repeating: .nan, count: rows * dim + 3)
            LayerNorm.forward(input, rows: rows, gamma: gamma, beta: beta, into: &output, path: path)
            expectClose(Array(output.prefix(rows * dim)), expected, "layerNorm \(rows)x\(dim) path \(path)")
            #expect(output.suffix(3).allSatisfy { $0.isNaN }, "layerNorm \(rows)x\(dim) path \(path) wrote past its output")
        }
    }
}
