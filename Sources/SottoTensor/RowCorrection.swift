import Foundation

/// A second, small weight matrix added onto chosen rows of a quantized matrix:
/// `w[rows[i], k] = main[rows[i], k] + corrections[i, k]`. Storing the rounding residual of the rows
/// that matter most (the vocabulary's likely tokens in the tied output projection) buys most of a
/// higher precision's accuracy for a few percent of the matrix. A final class because a
/// `WeightMatrix` holds one and holds a `WeightMatrix` (value types cannot nest themselves).
public final class RowCorrection: Sendable {
    /// Corrected rows of the main matrix, strictly ascending.
    public let rows: [Int32]
    /// `[rows.count, cols]`, row `i` added onto main row `rows[i]`.
    public let corrections: WeightMatrix

    /// Checks the row list and shape against a main matrix of `mainRows` x `cols` (data read from a file).
    public init(rows: [Int32], corrections: WeightMatrix, mainRows: Int, cols: Int) throws {
        guard corrections.rows == rows.count, corrections.cols == cols, corrections.correction == nil else {
            throw WeightMatrixError.unsupported(
                "row correction of \(rows.count) rows is [\(corrections.rows), \(corrections.cols)], expected [\(rows.count), \(cols)]")
        }
        for (i, row) in rows.enumerated() {
            guard row >= 0, Int(row) < mainRows else {
                throw WeightMatrixError.unsupported("corrected row \(row) outside 0..<\(mainRows)")
            }
            guard i == 0 || rows[i - 1] < row else {
                throw WeightMatrixError.unsupported("corrected rows not strictly ascending at \(i) (\(rows[i - 1]), \(row))")
            }
        }
        self.rows = rows
        self.corrections = corrections
    }

    /// The residual `float - main` on `rows`, encoded as `encoding`.
    public static func residual(of float: Tensor, after main: WeightMatrix, rows: [Int], as encoding: WeightEncoding) -> RowCorrection {
        precondition(float.shape == [main.rows, main.cols], "residual: float shape \(float.shape) vs [\(main.rows), \(main.cols)]")
        let sorted = Array(Set(rows)).sorted()
        let cols = main.cols
        var residual = [Float](repeating: 0, count: sorted.count * cols)
        residual.withUnsafeMutableBufferPointer { out in
            for (i, row) in sorted.enumerated() {
                main.dequantizeRows(row..<(row + 1), into: out.baseAddress! + i * cols, rowStride: cols)
                for k in 0..<cols { out[i * cols + k] = float.data[row * cols + k] - out[i * cols + k] }
            }
        }
        let corrections = WeightMatrix.quantize(Tensor(shape: [sorted.count, cols], data: residual), as: encoding)
        return try! RowCorrection(rows: sorted.map(Int32.init), corrections: corrections, mainRows: main.rows, cols: cols)
    }

    public var byteCount: Int { corrections.byteCount + rows.count * MemoryLayout<Int32>.size }

    /// The first index whose row is at least `row`.
    private func firstIndex(atLeast row: Int) -> Int {
        var (low, high) = (0, rows.count)
        while low < high {
            let middle = (low + high) / 2
            if Int(rows[middle]) < row { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Adds the corrections of main rows `range` into `output[(o - range.lowerBound) * rowStride + k]`.
    func addRows(_ range: Range<Int>, into output: UnsafeMutablePointer<Float>, rowStride: Int) {
        let cols = corrections.cols
        var i = firstIndex(atLeast: range.lowerBound)
        guard i < rows.count, Int(rows[i]) < range.upperBound else { return }
        var row = [Float](repeating: 0, count: cols)
        row.withUnsafeMutableBufferPointer { buffer in
            while i < rows.count, Int(rows[i]) < range.upperBound {
                corrections.dequantizeRows(i..<(i + 1), into: buffer.baseAddress!, rowStride: cols)
                let target = output + (Int(rows[i]) - range.lowerBound) * rowStride
                for k in 0..<cols { target[k] += buffer[k] }
                i += 1
            }
        }
    }

    /// Adds `x · corrections^T` into the corrected columns of `y` (`[inputRows, mainRows]`).
    func addProducts(_ x: UnsafePointer<Float>, rows inputRows: Int, into y: UnsafeMutablePointer<Float>, mainRows: Int,
                     path: WeightKernelPath) {
        guard !rows.isEmpty else { return }
        var products = [Float](repeating: 0, count: inputRows * rows.count)
        products.withUnsafeMutableBufferPointer { p in
            corrections.linear(x, rows: inputRows, bias: nil, into: p.baseAddress!, path: path)
            for r in 0..<inputRows {
                for (i, row) in rows.enumerated() { y[r * mainRows + Int(row)] += p[r * rows.count + i] }
            }
        }
    }
}
