import SottoTensor
import SottoTestSupport
import Testing

@Suite("Activations")
struct ActivationTests {
    /// The SIMD erf polynomial is accurate to ~1.5e-7 in erf; GELU scales that by |x| / 2.
    static let geluTolerance: Float = 2e-6

    @Test("GELU matches erf GELU", arguments: awkwardSizes + [1_000_000])
    func gelu(count: Int) {
        var rng = SeededGenerator(seed: UInt64(count))
        let x = rng.floats(count, scale: 8)
        var y = x
        GELU.apply(&y)
        expectClose(y, GELU.applyReference(x), tolerance: Self.geluTolerance, "gelu \(count)")
    }

    @Test("GELU at known points")
    func geluPoints() {
        var y: [Float] = [0, 1, -1, 3, -3, 20, -20, 0.5, -0.5]
        GELU.apply(&y)
        expectClose(y, [0, 0.841_344_7, -0.158_655_25, 2.995_950_4, -0.004_049_6, 20, 0, 0.345_731_13, -0.154_268_87],
                    tolerance: Self.geluTolerance, "gelu points")
    }

    @Test("softmax matches the reference", arguments: awkwardSizes, [1, 7, 33, 1500])
    func softmax(rows: Int, cols: Int) {
        guard rows * cols <= 1500 * 33 else { return }
        var rng = SeededGenerator(seed: UInt64(rows * 31 + cols))
        let x = rng.floats(rows * cols, scale: 30)
        var y = x
        Softmax.rows(&y, rows: rows, cols: cols)
        expectClose(y, Softmax.rowsReference(x, rows: rows, cols: cols), tolerance: 1e-6, "softmax \(rows)x\(cols)")
    }
}
