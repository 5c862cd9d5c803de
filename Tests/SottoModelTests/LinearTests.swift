import Foundation
import SottoModel
import SottoTensor
import Testing

/// A W8A8 layer runs decoding-step rows through the weight-only kernels (float activations) and
/// encoder-sized inputs through the int8 x int8 product.
@Suite struct LinearTests {
    static let (outFeatures, inFeatures) = (48, 72)

    static func randomValues(_ count: Int, seed: UInt64) -> [Float] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in Float(random.nextUnit() * 2 - 1) }
    }

    static let weight = WeightMatrix.quantize(
        Tensor(shape: [outFeatures, inFeatures], data: randomValues(outFeatures * inFeatures, seed: 7)), as: .int8Channel)
    static let bias = randomValues(outFeatures, seed: 8)

    static func run(_ layer: Linear, _ input: [Float], rows: Int) -> [Float] {
        var output = [Float](repeating: 0, count: rows * outFeatures)
        var scratch = Int8Gemm.Scratch()
        layer(input, rows: rows, into: &output, scratch: &scratch)
        return output
    }

    static func integerProducts(_ input: [Float], rows: Int) -> [Float] {
        Int8Gemm.linearReference(input, rows: rows, weights: weight.values, weightScales: weight.scales,
                                 outFeatures: outFeatures, inFeatures: inFeatures, bias: bias, staticScale: nil)
    }

    @Test(arguments: [1, 2, 5, Linear.maximumFloatActivationRows])
    func decodingRowsKeepFloatActivations(rows: Int) {
        let input = Self.randomValues(rows * Self.inFeatures, seed: UInt64(rows))
        let dynamic = Linear(key: "w", weight: Self.weight, bias: Self.bias, activation: .dynamic)
        let weightOnly = Linear(key: "w", weight: Self.weight, bias: Self.bias, activation: nil)
        let output = Self.run(dynamic, input, rows: rows)
        #expect(output == Self.run(weightOnly, input, rows: rows))
        // The quantized-activation product differs, so the test tells the two paths apart.
        #expect(output != Self.integerProducts(input, rows: rows))
    }

    @Test(arguments: [Linear.maximumFloatActivationRows + 1, 40])
    func manyRowsRunInIntegers(rows: Int) {
        let input = Self.randomValues(rows * Self.inFeatures, seed: UInt64(100 + rows))
        let dynamic = Linear(key: "w", weight: Self.weight, bias: Self.bias, activation: .dynamic)
        let output = Self.run(dynamic, input, rows: rows)
        let reference = Self.integerProducts(input, rows: rows)
        let largest = zip(output, reference).map { abs($0 - $1) }.max() ?? 0
        #expect(largest <= 1e-6, "kernel against the scalar W8A8 reference: \(largest)")
        #expect(output != Self.run(Linear(key: "w", weight: Self.weight, bias: Self.bias, activation: nil), input, rows: rows))
    }
}
