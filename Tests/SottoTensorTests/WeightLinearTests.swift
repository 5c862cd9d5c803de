import SottoTensor
import SottoTestSupport
import Testing

/// The reference multiplies the same dequantized weights in double precision, so kernels differ from it
/// only by float32 summation: at most about n·ε of the sum of |products| for n sequential additions
/// (n ≤ 1500 / 8 per SIMD lane, 256 per span in the scalar kernel), which this bounds with room to spare.
let weightKernelRelativeTolerance: Float = 2e-5

@Suite("WeightMatrix.linear")
struct WeightLinearTests {
    static let outFeatureCounts = [1, 33, 257]
    static let inputRowCounts = [1, 2, 5, 8, 9, 33]

    @Test("every path matches the reference on awkward shapes", arguments: testedWeightEncodings, [1, 31, 33, 100, 1500])
    func matchesReference(encoding: WeightEncoding, cols: Int) {
        let paths = Self.pathsToCompare()
        for outFeatures in Self.outFeatureCounts {
            let w = WeightMatrix.quantize(syntheticWeights(rows: outFeatures, cols: cols, seed: UInt64(outFeatures * 31 + cols)), as: encoding)
            let weights = w.referenceDequantized()
            var rng = SeededGenerator(seed: UInt64(cols * 7 + outFeatures))
            for inputRows in Self.inputRowCounts {
                let input = rng.floats(inputRows * cols)
                for bias in [nil, rng.floats(outFeatures)] {
                    let expected = w.linearReference(input, rows: inputRows, bias: bias)
                    let magnitudes = Self.magnitudes(input, weights, rows: inputRows, outFeatures: outFeatures, cols: cols, bias: bias)
                    for path in paths {
                        var output = [Float](repeating: .nan, count: inputRows * outFeatures + 3)
                        w.linear(input, rows: inputRows, bias: bias, into: &output, path: path)
                        let what = "\(encoding) [\(outFeatures), \(cols)] rows \(inputRows) bias \(bias != nil) path \(path)"
                        Self.expectWithinTolerance(Array(output.prefix(inputRows * outFeatures)), expected, magnitudes, what)
                        let untouched = output.suffix(3).allSatisfy { $0.isNaN }
                        #expect(untouched, "\(what): wrote past its output")
                    }
                }
            }
        }
    }

    @Test("the scalar and AVX2 kernels agree on the same data", arguments: testedWeightEncodings)
    func scalarAgreesWithAVX2(encoding: WeightEncoding) throws {
        try #require(WeightKernelPath.avx2.isSupported, "this CPU has no AVX2+FMA+F16C: only the scalar kernels were tested")
        let (outFeatures, cols, inputRows) = (257, 1500, 5)
        let w = WeightMatrix.quantize(syntheticWeights(rows: outFeatures, cols: cols, seed: 9), as: encoding)
        var rng = SeededGenerator(seed: 10)
        let input = rng.floats(inputRows * cols)
        var scalar = [Float](repeating: .nan, count: inputRows * outFeatures)
        var avx2 = scalar
        w.linear(input, rows: inputRows, bias: nil, into: &scalar, path: .scalar)
        w.linear(input, rows: inputRows, bias: nil, into: &avx2, path: .avx2)
        let magnitudes = Self.magnitudes(input, w.referenceDequantized(), rows: inputRows, outFeatures: outFeatures, cols: cols, bias: nil)
        Self.expectWithinTolerance(avx2, scalar, magnitudes, "\(encoding) avx2 vs scalar")
    }

    @Test("the log names the weight kernel paths tested on this CPU")
    func reportPaths() {
        let tested = Self.pathsToCompare().filter { $0 != .automatic }.map(\.description)
        // AVX-512 has its own kernels for one input row of int8 per-channel and int4 weights; the rest run AVX2.
        print("Weight kernel paths tested on this CPU: \(tested.joined(separator: ", ")); automatic runs \(WeightKernelPath.best)")
        #expect(tested.contains("scalar"))
    }

    /// Scalar always; AVX2 and AVX-512 where the CPU has them (the scalar path alone is still a full test).
    static func pathsToCompare() -> [WeightKernelPath] {
        [.automatic, .scalar, .avx2, .avx512].filter(\.isSupported)
    }

    /// |bias[o]| + sum_k |x[r, k] w[o, k]|: the scale of the rounding errors of output (r, o).
    static func magnitudes(_ input: [Float], _ weights: [Float], rows: Int, outFeatures: Int, cols: Int, bias: [Float]?) -> [Float] {
        var out = [Float](repeating: 0, count: rows * outFeatures)
        for r in 0..<rows {
            for o in 0..<outFeatures {
                var sum = abs(bias?[o] ?? 0)
                for k in 0..<cols { sum += abs(input[r * cols + k] * weights[o * cols + k]) }
                out[r * outFeatures + o] = sum
            }
        }
        return out
    }

    static func expectWithinTolerance(_ actual: [Float], _ expected: [Float], _ magnitudes: [Float], _ what: String) {
        let excess = zip(zip(actual, expected), magnitudes).map { pair, magnitude in
            let error = abs(pair.0 - pair.1)
            return error.isNaN ? Float.infinity : error - weightKernelRelativeTolerance * magnitude
        }
        #expect(excess.allSatisfy { $0 <= 0 }, "\(what): \(Closeness(actual, expected))")
    }
}
