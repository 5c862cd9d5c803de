import Foundation
import SottoTensor
import SottoTestSupport
import Testing

@Suite("Activations")
struct ActivationTests {
    /// The SIMD erf polynomial is accurate to ~1.5e-7 in erf; GELU scales that by |x| / 2.
    static let geluTolerance: Float = 2e-6

    /// Scalar (the portable Swift SIMD code) always; the C kernels of AVX2 and AVX-512 where the CPU has them.
    static let paths = WeightKernelPath.allCases.filter { $0 != .automatic && $0.isSupported }

    @Test("GELU matches erf GELU on every path", arguments: awkwardSizes + [17, 1_000_000])
    func gelu(count: Int) {
        var rng = SeededGenerator(seed: UInt64(count))
        let x = rng.floats(count, scale: 8)
        let expected = GELU.applyReference(x)
        for path in Self.paths {
            var y = x
            GELU.apply(&y, path: path)
            expectClose(y, expected, tolerance: Self.geluTolerance, "gelu \(count) path \(path)")
        }
    }

    @Test("GELU at known points")
    func geluPoints() {
        var y: [Float] = [0, 1, -1, 3, -3, 20, -20, 0.5, -0.5]
        GELU.apply(&y)
        expectClose(y, [0, 0.841_344_7, -0.158_655_25, 2.995_950_4, -0.004_049_6, 20, 0, 0.345_731_13, -0.154_268_87],
                    tolerance: Self.geluTolerance, "gelu points")
    }

    @Test("softmax matches the reference on every path", arguments: awkwardSizes, [1, 7, 17, 33, 1500])
    func softmax(rows: Int, cols: Int) {
        guard rows * cols <= 1500 * 33 else { return }
        var rng = SeededGenerator(seed: UInt64(rows * 31 + cols))
        let x = rng.floats(rows * cols, scale: 30)
        let expected = Softmax.rowsReference(x, rows: rows, cols: cols)
        for path in Self.paths {
            var y = x
            Softmax.rows(&y, rows: rows, cols: cols, path: path)
            expectClose(y, expected, tolerance: 1e-6, "softmax \(rows)x\(cols) path \(path)")
        }
    }

    @Test("masked (-infinity) scores get probability 0 on every path", arguments: [1, 17, 33])
    func softmaxMasked(cols: Int) {
        var rng = SeededGenerator(seed: UInt64(cols))
        var x = rng.floats(cols, scale: 5)
        for i in stride(from: 1, to: cols, by: 2) { x[i] = -.infinity }
        let expected = Softmax.rowsReference(x, rows: 1, cols: cols)
        for path in Self.paths {
            var y = x
            Softmax.rows(&y, rows: 1, cols: cols, path: path)
            #expect(stride(from: 1, to: cols, by: 2).allSatisfy { y[$0] == 0 }, "path \(path)")
            expectClose(y, expected, tolerance: 1e-6, "masked softmax \(cols) path \(path)")
        }
    }

    /// A decoding step's log-softmax normalizer, with masked (-infinity) logits as the timestamp rules
    /// leave them, against a double-precision log-sum-exp.
    @Test("log normalizer matches log-sum-exp", arguments: [1, 7, 9, 51_865])
    func logNormalizer(count: Int) {
        var rng = SeededGenerator(seed: UInt64(count))
        var logits = rng.floats(count, scale: 30)
        for i in stride(from: 1, to: count, by: 3) { logits[i] = -.infinity }
        let maximum = Double(logits.max()!)
        let expected = maximum + Foundation.log(logits.reduce(0.0) { $0 + Foundation.exp(Double($1) - maximum) })
        #expect(abs(Double(Softmax.logNormalizer(logits)) - expected) <= 1e-5 * max(1, abs(expected)))
        #expect(Softmax.logNormalizer([-.infinity, -.infinity]) == -.infinity)
        #expect(Softmax.logNormalizer([]) == -.infinity)
    }

    @Test("the log names the activation paths that ran")
    func reportPaths() {
        print("Activation (softmax, GELU) paths tested on this CPU: \(Self.paths.map(\.description).joined(separator: ", "))")
        #expect(Self.paths.contains(.scalar))
    }
}
