import SottoTensor
import SottoTestSupport
import Testing

@Suite("Gemm")
struct GemmTests {
    @Test("linear matches the scalar reference", arguments: [(1, 31, 33), (31, 33, 1), (33, 1, 31), (1500, 31, 33), (2, 384, 1500)], [true, false])
    func linear(shape: (Int, Int, Int), withBias: Bool) {
        let (rows, inFeatures, outFeatures) = shape
        var rng = SeededGenerator(seed: UInt64(rows * 7 + inFeatures))
        let input = rng.floats(rows * inFeatures)
        let weight = Tensor(shape: [outFeatures, inFeatures], data: rng.floats(outFeatures * inFeatures))
        let bias = withBias ? rng.floats(outFeatures) : nil
        var output = [Float](repeating: .nan, count: rows * outFeatures + 3)
        Gemm.linear(input, rows: rows, weight: weight, bias: bias, into: &output)
        expectClose(Array(output.prefix(rows * outFeatures)), Gemm.linearReference(input, rows: rows, weight: weight, bias: bias),
                    "linear \(shape) bias \(withBias)")
        let tail = output.suffix(3).filter { !$0.isNaN }
        #expect(tail.isEmpty, "linear wrote past its output")
    }
}
