import Foundation
import SottoTensor
import SottoTestSupport
import Testing

/// Round-trip bounds of each encoding, from the stored scales. A Float16 scale is off by at most 2^-11
/// relative; multiplied by the at most 15 steps between the block's extremes that is below absmax * 2^-10
/// (zero point: range * 2^-10), which every bound below adds as `scaleRounding`. `arithmetic` covers the
/// float32 divisions and products of quantizer and dequantizer.
@Suite("Weight quantization")
struct WeightQuantizationTests {
    static let arithmetic: Float = 1e-6

    @Test("every weight is within the encoding's bound", arguments: testedWeightEncodings, [1, 31, 33, 100])
    func roundTrip(encoding: WeightEncoding, cols: Int) {
        let tensor = syntheticWeights(rows: 6, cols: cols, seed: UInt64(cols) + 11)
        let w = WeightMatrix.quantize(tensor, as: encoding)
        let dequantized = w.dequantized().data
        var worst = (excess: -Float.infinity, index: 0, bound: Float(0))
        for o in 0..<6 {
            for k in 0..<cols {
                let i = o * cols + k
                let bound = Self.bound(w, original: tensor.data, row: o, col: k) + Self.arithmetic * abs(tensor.data[i])
                let excess = abs(tensor.data[i] - dequantized[i]) - bound
                if excess > worst.excess { worst = (excess, i, bound) }
            }
        }
        #expect(worst.excess <= 0, """
            \(encoding) cols \(cols): weight \(tensor.data[worst.index]) at [\(worst.index)] came back as \
            \(dequantized[worst.index]), bound \(worst.bound)
            """)
    }

    /// The error bound of weight (row, col) given the stored scale of its block.
    static func bound(_ w: WeightMatrix, original: [Float], row: Int, col: Int) -> Float {
        let cols = w.cols
        let blocks = w.encoding.blocksPerRow(cols: cols)
        let size = w.encoding.blockSize ?? cols
        let block = Array(original[(row * cols + col / size * size)..<(row * cols + min(cols, (col / size + 1) * size))])
        let absmax = block.map(abs).max() ?? 0
        let scaleRounding = absmax * 0x1p-10
        switch w.encoding {
        case .float32: return 0
        case .float16: return abs(original[row * cols + col]) * 0x1p-11
        case .int8Channel: return float(w.scales, row) / 2
        case .int8Block: return abs(half(w.scales, row * blocks + col / size)) / 2 + scaleRounding
        case .int4Block(_, false):
            // Values beyond 7.5 steps on the side with seven levels clamp (see quantizeInt4Symmetric).
            let s = abs(half(w.scales, row * blocks + col / size))
            return max(s / 2, absmax - 7 * s) + scaleRounding
        case .int4Block(_, true):
            let range = max(block.max()!, 0) - min(block.min()!, 0)
            return half(w.scales, row * blocks + col / size) / 2 + range * 0x1p-10
        }
    }

    @Test("all-zero rows store zero scales and dequantize to zero", arguments: testedWeightEncodings)
    func zeroRows(encoding: WeightEncoding) {
        let w = WeightMatrix.quantize(Tensor(zeros: [2, 70]), as: encoding)
        #expect(w.dequantized().data.allSatisfy { $0 == 0 })
        #expect(w.scales.allSatisfy { $0 == 0 })
    }

    @Test("int8 codes stay within -127...127", arguments: [WeightEncoding.int8Channel, .int8Block(size: 32)])
    func int8Range(encoding: WeightEncoding) {
        let w = WeightMatrix.quantize(syntheticWeights(rows: 8, cols: 100, seed: 6), as: encoding)
        #expect(!w.values.contains(0x80))
        #expect(w.values.contains(0x7F) || w.values.contains(0x81), "the block maximum maps to ±127")
    }

    @Test("int4 padding codes dequantize to exactly zero", arguments: [false, true])
    func int4Padding(zeroPoint: Bool) {
        // 33 columns: the second group holds one code and 31 padding codes.
        let w = WeightMatrix.quantize(syntheticWeights(rows: 3, cols: 33, seed: 7), as: .int4Block(size: 32, zeroPoint: zeroPoint))
        for row in 0..<3 {
            let zero = zeroPoint ? w.zeros[w.zeros.startIndex + row * 2 + 1] : 8
            let group = w.values[(w.values.startIndex + row * 32 + 16)..<(w.values.startIndex + row * 32 + 32)]
            for (j, byte) in group.enumerated() {
                if j > 0 { #expect(byte & 0x0F == zero, "row \(row) padding code \(32 + j)") }
                #expect(byte >> 4 == zero, "row \(row) padding code \(48 + j)")
            }
        }
    }

    @Test("non-finite weights quantize without trapping", arguments: testedWeightEncodings)
    func nonFinite(encoding: WeightEncoding) {
        var data = [Float](repeating: 0.5, count: 64)
        data[3] = .nan
        data[40] = .infinity
        let w = WeightMatrix.quantize(Tensor(shape: [2, 32], data: data), as: encoding)
        #expect(w.dequantized().shape == [2, 32])
    }

    static func half(_ data: Data, _ index: Int) -> Float {
        let i = data.startIndex + 2 * index
        return Float(Float16(bitPattern: UInt16(data[i]) | UInt16(data[i + 1]) << 8))
    }

    static func float(_ data: Data, _ index: Int) -> Float {
        let i = data.startIndex + 4 * index
        return Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(data[i + $1]) << (8 * $1) })
    }
}
