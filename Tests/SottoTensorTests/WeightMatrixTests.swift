import Foundation
import SottoTensor
import SottoTestSupport
import Testing

@Suite("WeightMatrix")
struct WeightMatrixTests {
    @Test("parts have the documented shapes and byte counts", arguments: testedWeightEncodings)
    func shapes(encoding: WeightEncoding) {
        let (rows, cols) = (3, 100)
        let w = WeightMatrix.quantize(syntheticWeights(rows: rows, cols: cols, seed: 1), as: encoding)
        let blocks = encoding.blocksPerRow(cols: cols)
        switch encoding {
        case .float32:
            #expect(w.valuesShape == [3, 100] && w.scalesShape == [] && w.byteCount == 1200)
        case .float16:
            #expect(w.valuesShape == [3, 100] && w.scalesShape == [] && w.byteCount == 600)
        case .int8Channel:
            #expect(w.valuesShape == [3, 100] && w.scalesShape == [3] && w.byteCount == 300 + 12)
        case .int8Block:
            #expect(w.valuesShape == [3, 100] && w.scalesShape == [3, blocks] && w.byteCount == 300 + 6 * blocks)
        case .int4Block(_, let zeroPoint):
            // 100 columns pad to 128 codes, 64 bytes per row.
            #expect(w.valuesShape == [3, 64] && w.scalesShape == [3, blocks])
            #expect(w.byteCount == 192 + 6 * blocks + (zeroPoint ? 3 * blocks : 0))
        }
        #expect(w.zerosShape == (encoding.hasZeroPoints ? [3, blocks] : []))
        #expect(w.values.count == w.valuesShape.reduce(1, *) * (encoding == .float32 ? 4 : encoding == .float16 ? 2 : 1))
    }

    @Test("parts with the wrong size are rejected, naming the part")
    func badSizes() throws {
        let good = WeightMatrix.quantize(syntheticWeights(rows: 4, cols: 33, seed: 2), as: .int4Block(size: 32, zeroPoint: true))
        let make = { (values: Data, scales: Data, zeros: Data) in
            try WeightMatrix(rows: 4, cols: 33, encoding: good.encoding, values: values, scales: scales, zeros: zeros)
        }
        _ = try make(good.values, good.scales, good.zeros)
        #expect(throws: WeightMatrixError.badSize(part: "values", expected: 128, actual: 127)) { try make(good.values.dropLast(), good.scales, good.zeros) }
        #expect(throws: WeightMatrixError.badSize(part: "scales", expected: 16, actual: 18)) { try make(good.values, good.scales + [0, 0], good.zeros) }
        #expect(throws: WeightMatrixError.badSize(part: "zeros", expected: 8, actual: 0)) { try make(good.values, good.scales, Data()) }
        var badZeros = good.zeros
        badZeros[badZeros.startIndex + 3] = 16
        #expect(throws: WeightMatrixError.self) { try make(good.values, good.scales, badZeros) }
        #expect(throws: WeightMatrixError.badSize(part: "scales", expected: 0, actual: 4)) {
            try WeightMatrix(rows: 1, cols: 1, encoding: .float16, values: Data([0, 0]), scales: Data([0, 0, 0, 0]))
        }
    }

    @Test("unsupported shapes and encodings are errors, not traps")
    func unsupported() {
        #expect(throws: WeightMatrixError.self) { try WeightMatrix(rows: -1, cols: 4, encoding: .float32, values: Data()) }
        #expect(throws: WeightMatrixError.self) { try WeightMatrix(rows: 1, cols: 48, encoding: .int4Block(size: 48, zeroPoint: false), values: Data()) }
        #expect(throws: WeightMatrixError.self) { try WeightMatrix(rows: Int.max / 2, cols: Int.max / 2, encoding: .int8Channel, values: Data()) }
        #expect(throws: WeightMatrixError.self) { try WeightMatrix(rows: 1 << 40, cols: Int.max / 16, encoding: .float32, values: Data()) }
    }

    @Test("dequantized and copyRow match the scalar reference exactly", arguments: testedWeightEncodings, [1, 31, 100])
    func dequantize(encoding: WeightEncoding, cols: Int) {
        let w = WeightMatrix.quantize(syntheticWeights(rows: 5, cols: cols, seed: UInt64(cols)), as: encoding)
        let reference = w.referenceDequantized()
        let tensor = w.dequantized()
        #expect(tensor.shape == [5, cols])
        #expect(tensor.data == reference)
        for path in WeightKernelPath.allCases where path.isSupported {
            #expect(w.dequantized(path: path).data == reference, "path \(path)")
        }
        var row = [Float](repeating: .nan, count: cols + 2)
        w.copyRow(3, into: &row, offset: 1)
        #expect(Array(row[1...cols]) == Array(reference[(3 * cols)..<(4 * cols)]))
        #expect(row.first!.isNaN && row.last!.isNaN, "copyRow wrote outside its row")
    }

    @Test("parts may sit at any byte offset (slices of a mapped file)", arguments: testedWeightEncodings)
    func unaligned(encoding: WeightEncoding) throws {
        let original = WeightMatrix.quantize(syntheticWeights(rows: 33, cols: 31, seed: 3), as: encoding)
        func shifted(_ data: Data) -> Data { (Data([0xAA]) + data).dropFirst() }
        let w = try WeightMatrix(rows: 33, cols: 31, encoding: encoding, values: shifted(original.values),
                                 scales: shifted(original.scales), zeros: shifted(original.zeros))
        #expect(w.dequantized() == original.dequantized())
        var rng = SeededGenerator(seed: 4)
        for inputRows in [1, 9] {
            let input = rng.floats(inputRows * 31)
            var output = [Float](repeating: .nan, count: inputRows * 33)
            w.linear(input, rows: inputRows, bias: nil, into: &output)
            expectClose(output, original.linearReference(input, rows: inputRows, bias: nil), "\(encoding) rows \(inputRows)")
        }
    }

    @Test("a float32 matrix holds the tensor as is")
    func float32() {
        let tensor = syntheticWeights(rows: 3, cols: 5, seed: 5)
        let w = WeightMatrix(tensor)
        #expect(w.encoding == .float32 && w.rows == 3 && w.cols == 5)
        #expect(w.dequantized() == tensor)
    }

    @Test("empty matrices: no rows, or no columns (the output is the bias)")
    func empty() {
        let none = WeightMatrix.quantize(Tensor(zeros: [0, 7]), as: .int4Block(size: 32, zeroPoint: false))
        var output: [Float] = []
        none.linear([Float](repeating: 1, count: 7), rows: 1, bias: nil, into: &output)
        #expect(none.dequantized().shape == [0, 7])
        let narrow = WeightMatrix.quantize(Tensor(zeros: [2, 0]), as: .int8Block(size: 32))
        output = [.nan, .nan, .nan]
        narrow.linear([], rows: 1, bias: [3, 4], into: &output)
        #expect(Array(output.prefix(2)) == [3, 4] && output[2].isNaN)
    }
}
