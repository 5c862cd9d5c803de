import Foundation
import SottoTensor
import SottoTestSupport
import Testing

@Suite("Error-feedback (GPTQ) quantization")
struct ErrorFeedbackQuantizationTests {
    static let int4Encodings: [WeightEncoding] = [
        .int4Block(size: 32, zeroPoint: false), .int4Block(size: 64, zeroPoint: false), .int4Block(size: 32, zeroPoint: true),
    ]

    /// Inputs with correlated features (a shared component plus noise, a few loud channels), the
    /// structure that error feedback exploits; returns X `[n, cols]` and H = X^T X.
    static func correlatedInputs(n: Int, cols: Int, seed: UInt64) -> (x: [Float], hessian: [Double]) {
        var rng = SeededGenerator(seed: seed)
        var x = [Float](repeating: 0, count: n * cols)
        for r in 0..<n {
            let shared = Float.random(in: -1...1, using: &rng)
            for k in 0..<cols { x[r * cols + k] = shared * Float(1 + k % 3) + 0.3 * Float.random(in: -1...1, using: &rng) * (k % 7 == 0 ? 4 : 1) }
        }
        var hessian = [Double](repeating: 0, count: cols * cols)
        for r in 0..<n {
            for i in 0..<cols { for j in 0..<cols { hessian[i * cols + j] += Double(x[r * cols + i]) * Double(x[r * cols + j]) } }
        }
        return (x, hessian)
    }

    /// Sum over inputs of the squared output error, ||X (W - Q)^T||^2.
    static func outputError(_ x: [Float], n: Int, original: Tensor, _ q: WeightMatrix) -> Double {
        let (rows, cols) = (original.shape[0], original.shape[1])
        let dq = q.dequantized().data
        var total = 0.0
        for r in 0..<n {
            for o in 0..<rows {
                var e = 0.0
                for k in 0..<cols { e += Double(x[r * cols + k]) * Double(original.data[o * cols + k] - dq[o * cols + k]) }
                total += e * e
            }
        }
        return total
    }

    @Test("beats round-to-nearest on the layer's outputs", arguments: int4Encodings, [64, 100])
    func lowerOutputError(encoding: WeightEncoding, cols: Int) throws {
        let tensor = syntheticWeights(rows: 24, cols: cols, seed: UInt64(cols))
        let (x, hessian) = Self.correlatedInputs(n: 400, cols: cols, seed: 7)
        let gptq = try ErrorFeedbackQuantization.quantize(tensor, as: encoding, hessian: hessian)
        let nearest = WeightMatrix.quantize(tensor, as: encoding)
        #expect(gptq.encoding == encoding && gptq.rows == 24 && gptq.cols == cols)
        #expect(gptq.byteCount == nearest.byteCount)
        let (e1, e0) = (Self.outputError(x, n: 400, original: tensor, gptq), Self.outputError(x, n: 400, original: tensor, nearest))
        #expect(e1 < 0.7 * e0, "\(encoding) cols \(cols): GPTQ output error \(e1) vs nearest \(e0)")
    }

    /// Uncorrelated inputs of equal energy leave nothing to feed back: the codes are round-to-nearest's.
    @Test("reduces to round-to-nearest for an identity Hessian", arguments: int4Encodings)
    func identityHessian(encoding: WeightEncoding) throws {
        let cols = 70
        let tensor = syntheticWeights(rows: 9, cols: cols, seed: 3)
        var identity = [Double](repeating: 0, count: cols * cols)
        for i in 0..<cols { identity[i * cols + i] = 5 }
        let gptq = try ErrorFeedbackQuantization.quantize(tensor, as: encoding, hessian: identity)
        let nearest = WeightMatrix.quantize(tensor, as: encoding)
        #expect(gptq.values == nearest.values && gptq.scales == nearest.scales && gptq.zeros == nearest.zeros)
    }

    @Test("an input that never fired zeroes its weights instead of failing")
    func deadInput() throws {
        let cols = 32
        var (_, hessian) = Self.correlatedInputs(n: 100, cols: cols, seed: 5)
        for k in 0..<cols { hessian[3 * cols + k] = 0; hessian[k * cols + 3] = 0 }
        let tensor = syntheticWeights(rows: 4, cols: cols, seed: 9)
        let q = try ErrorFeedbackQuantization.quantize(tensor, as: .int4Block(size: 32, zeroPoint: false), hessian: hessian)
        let dq = q.dequantized().data
        #expect((0..<4).allSatisfy { dq[$0 * cols + 3] == 0 })
        #expect(dq.allSatisfy { $0.isFinite })
    }

    @Test("rejects other encodings and mismatched Hessians")
    func rejectsBadInput() {
        let tensor = syntheticWeights(rows: 2, cols: 32, seed: 1)
        let hessian = [Double](repeating: 0, count: 32 * 32)
        #expect(throws: ErrorFeedbackQuantization.Failure.unsupported(.int8Channel)) {
            try ErrorFeedbackQuantization.quantize(tensor, as: .int8Channel, hessian: hessian)
        }
        #expect(throws: ErrorFeedbackQuantization.Failure.shape(rows: 2, cols: 32, hessianCount: 10)) {
            try ErrorFeedbackQuantization.quantize(tensor, as: .int4Block(size: 32, zeroPoint: false), hessian: [Double](repeating: 1, count: 10))
        }
        var indefinite = [Double](repeating: 0, count: 32 * 32)
        for i in 0..<32 { indefinite[i * 32 + i] = i == 5 ? -1e9 : 1 }
        indefinite[5 * 32 + 5] = 1
        indefinite[5 * 32 + 6] = 50
        indefinite[6 * 32 + 5] = 50
        #expect(throws: ErrorFeedbackQuantization.Failure.notPositiveDefinite) {
            try ErrorFeedbackQuantization.quantize(tensor, as: .int4Block(size: 32, zeroPoint: false), hessian: indefinite)
        }
    }
}
