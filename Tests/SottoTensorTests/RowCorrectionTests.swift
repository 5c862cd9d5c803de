import SottoTensor
import SottoTestSupport
import Testing

/// A matrix with a row correction behaves, through every kernel, like the dense matrix its parts add
/// up to; the residual makes corrected rows far more precise; bad row lists are errors.
@Suite struct RowCorrectionTests {
    static let int4 = WeightEncoding.int4Block(size: 32, zeroPoint: false)

    static func corrected(rows: Int, cols: Int, main: WeightEncoding, correction: WeightEncoding,
                          corrected picked: [Int]) -> (float: Tensor, matrix: WeightMatrix) {
        let float = syntheticWeights(rows: rows, cols: cols, seed: UInt64(rows * 31 + cols))
        let plain = WeightMatrix.quantize(float, as: main)
        let residual = RowCorrection.residual(of: float, after: plain, rows: picked, as: correction)
        return (float, try! plain.corrected(by: residual))
    }

    @Test(arguments: [(37, 70, [0, 5, 17, 36]), (9, 33, [8, 2, 2]), (1500, 64, Array(stride(from: 3, to: 1500, by: 7)))])
    func kernelsSeeTheCorrectedMatrix(rows: Int, cols: Int, picked: [Int]) throws {
        for main in [Self.int4, .int8Channel, .float32] {
            let (_, matrix) = Self.corrected(rows: rows, cols: cols, main: main, correction: Self.int4, corrected: picked)
            #expect(matrix.correction?.rows == Set(picked).sorted().map(Int32.init))
            let dense = matrix.referenceDequantized()
            expectClose(matrix.dequantized().data, dense, "dequantized \(main)")
            var row = [Float](repeating: 0, count: cols)
            matrix.copyRow(picked[0], into: &row, offset: 0)
            expectClose(row, Array(dense[(picked[0] * cols)..<((picked[0] + 1) * cols)]), "copyRow \(main)")
            // 1 and 3 input rows take the fused kernels, 20 the dequantized panels.
            for inputRows in [1, 3, 20] {
                var rng = SeededGenerator(seed: UInt64(inputRows))
                let input = rng.floats(inputRows * cols)
                let bias = rng.floats(rows)
                var output = [Float](repeating: .nan, count: inputRows * rows)
                matrix.linear(input, rows: inputRows, bias: bias, into: &output)
                expectClose(output, matrix.linearReference(input, rows: inputRows, bias: bias), tolerance: 1e-3,
                            "linear \(main) x\(inputRows)")
            }
        }
    }

    @Test func correctedRowsAreFarMorePrecise() {
        let picked = Array(0..<16)
        let (float, matrix) = Self.corrected(rows: 64, cols: 256, main: Self.int4, correction: Self.int4, corrected: picked)
        let plain = try! matrix.corrected(by: nil)
        func error(_ m: WeightMatrix, rows: Range<Int>) -> Double {
            let values = m.dequantized().data
            return rows.flatMap { r in (0..<256).map { Double(values[r * 256 + $0] - float.data[r * 256 + $0]) } }
                .reduce(0) { $0 + $1 * $1 }
        }
        #expect(error(matrix, rows: 0..<16) < error(plain, rows: 0..<16) / 50)
        #expect(error(matrix, rows: 16..<64) == error(plain, rows: 16..<64))
        #expect(matrix.byteCount == plain.byteCount + matrix.correction!.corrections.byteCount + 16 * 4)
        #expect(matrix.layoutDescription == "int4-g32 +16 rows int4-g32")
    }

    @Test func badRowListsAreErrors() throws {
        let corrections = WeightMatrix.quantize(syntheticWeights(rows: 3, cols: 32, seed: 1), as: Self.int4)
        for (rows, mainRows, cols, message) in [([0, 2, 1], 10, 32, "ascending"), ([0, 1, 1], 10, 32, "ascending"),
                                                 ([0, 1, 10], 10, 32, "outside"), ([-1, 1, 2], 10, 32, "outside"),
                                                 ([0, 1], 10, 32, "expected [2, 32]"), ([0, 1, 2], 10, 64, "expected [3, 64]")]
            as [([Int32], Int, Int, String)] {
            #expect { try RowCorrection(rows: rows, corrections: corrections, mainRows: mainRows, cols: cols) } throws: {
                String(describing: $0).contains(message)
            }
        }
        let correction = try RowCorrection(rows: [0, 4, 9], corrections: corrections, mainRows: 10, cols: 32)
        let small = WeightMatrix.quantize(syntheticWeights(rows: 5, cols: 32, seed: 2), as: Self.int4)
        #expect(throws: WeightMatrixError.self) { try small.corrected(by: correction) }
    }
}
