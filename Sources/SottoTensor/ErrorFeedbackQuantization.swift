import COpenBLAS
import Foundation

/// GPTQ-style quantization (Frantar et al., "GPTQ", 2022) for block-wise int4: each row is quantized
/// one column at a time and each column's rounding error is spread over the row's columns still to come,
/// weighted by the inverse Hessian of the layer's inputs, so that the layer's outputs on calibration
/// inputs move as little as possible rather than each weight on its own. Rows are independent, so they
/// run in parallel; a block's scale is chosen when the row reaches the block, from the weights as the
/// earlier errors left them.
public enum ErrorFeedbackQuantization {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unsupported(WeightEncoding)
        case shape(rows: Int, cols: Int, hessianCount: Int)
        case notPositiveDefinite

        public var description: String {
            switch self {
            case .unsupported(let encoding): "error-feedback quantization covers int4 block encodings, not \(encoding)"
            case .shape(let rows, let cols, let count):
                "a [\(rows), \(cols)] matrix needs a \(cols)x\(cols) input Hessian, got \(count) values"
            case .notPositiveDefinite: "the dampened input Hessian is not positive definite"
            }
        }
    }

    /// `hessian`: `[cols, cols]`, the sum of `x^T x` over the calibration inputs `x` of this matrix.
    /// `dampening` adds that fraction of the mean diagonal to the diagonal (GPTQ's 1%), which keeps the
    /// inverse well conditioned when calibration audio leaves some input directions unexplored.
    public static func quantize(_ tensor: Tensor, as encoding: WeightEncoding, hessian: [Double],
                                dampening: Double = 0.01) throws -> WeightMatrix {
        guard case .int4Block(let size, let zeroPoint) = encoding, encoding.isValid else { throw Failure.unsupported(encoding) }
        precondition(tensor.shape.count == 2, "quantize needs a 2-D tensor, got \(tensor.shape)")
        let (rows, cols) = (tensor.shape[0], tensor.shape[1])
        guard hessian.count == cols * cols else { throw Failure.shape(rows: rows, cols: cols, hessianCount: hessian.count) }
        var weights = tensor.data
        let factor = try inverseCholeskyUpper(hessian, cols: cols, dampening: dampening, deadColumns: { dead in
            // An input that never fired carries no information: its weights cannot matter, zero them.
            for r in 0..<rows { weights[r * cols + dead] = 0 }
        })
        let blocks = encoding.blocksPerRow(cols: cols)
        let rowBytes = encoding.valueBytesPerRow(cols: cols)
        return weights.withUnsafeBufferPointer { w in
            factor.withUnsafeBufferPointer { u in
                WeightMatrix.encodedRows(rows: rows, cols: cols, encoding: encoding, minimumPerTask: 8) { range, parts in
                    var row = [Float](repeating: 0, count: cols)
                    var codes = [UInt8](repeating: 0, count: WeightEncoding.paddedColumns(cols))
                    for r in range {
                        for k in 0..<cols { row[k] = w[r * cols + k] }
                        for b in 0..<blocks {
                            let columns = (b * size)..<min(cols, (b + 1) * size)
                            let block = row.withUnsafeMutableBufferPointer { feedBack(block: columns, of: $0, zeroPoint: zeroPoint, factor: u, codes: &codes) }
                            WeightQuantizer.storeInt4(block, row: r, block: b, blocks: blocks, zeroPoint: zeroPoint,
                                                      codes: &codes, cols: cols, into: parts)
                        }
                        WeightQuantizer.packInt4(codes, into: parts.values, at: r * rowBytes)
                    }
                }
            }
        }
    }

    /// Chooses one block's scale from the row as the earlier errors left it, then codes its columns,
    /// each column's error spread over the columns after it: `x[j] -= err * U[k, j]`.
    private static func feedBack(block columns: Range<Int>, of x: UnsafeMutableBufferPointer<Float>, zeroPoint: Bool,
                                 factor u: UnsafeBufferPointer<Float>, codes: inout [UInt8]) -> Int4Block {
        let cols = x.count
        let block = WeightQuantizer.int4Block(UnsafeBufferPointer(rebasing: x[columns]), zeroPoint: zeroPoint)
        for k in columns {
            codes[k] = block.code(x[k])
            let error = (x[k] - block.value(codes[k])) / u[k * cols + k]
            let rest = cols - k - 1
            if rest > 0, error != 0 { Vector.axpy(-error, u.baseAddress! + k * cols + k + 1, x.baseAddress! + k + 1, rest) }
        }
        return block
    }

    /// The upper Cholesky factor `U` of `(H + damp I)^-1` (`U^T U = H^-1`), row-major, as float. Columns
    /// whose diagonal is 0 get a unit diagonal and are reported to `deadColumns`.
    static func inverseCholeskyUpper(_ hessian: [Double], cols n: Int, dampening: Double,
                                     deadColumns: (Int) -> Void) throws -> [Float] {
        var h = hessian
        for i in 0..<n where h[i * n + i] <= 0 {
            h[i * n + i] = 1
            deadColumns(i)
        }
        let meanDiagonal = (0..<n).reduce(0.0) { $0 + h[$1 * n + $1] } / Double(max(n, 1))
        for i in 0..<n { h[i * n + i] += dampening * meanDiagonal }
        // LAPACK is column-major; H is symmetric, so "U" of the column-major array is the row-major
        // lower triangle. Factor, invert, then factor the inverse.
        Compute.ensureBLASConfigured()
        var order = Int32(n), info: Int32 = 0
        var lower = CChar(UInt8(ascii: "L"))
        dpotrf_(&lower, &order, &h, &order, &info)
        guard info == 0 else { throw Failure.notPositiveDefinite }
        dpotri_(&lower, &order, &h, &order, &info)
        guard info == 0 else { throw Failure.notPositiveDefinite }
        // dpotri filled one triangle of the symmetric inverse (column-major lower = row-major upper);
        // mirror it, then take the factor whose row-major upper triangle is U.
        for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { h[j * n + i] = h[i * n + j] } }
        dpotrf_(&lower, &order, &h, &order, &info)
        guard info == 0 else { throw Failure.notPositiveDefinite }
        var factor = [Float](repeating: 0, count: n * n)
        // Column-major lower L (H^-1 = L L^T) is row-major upper U = L^T with U^T U = H^-1.
        for i in 0..<n { for j in i..<n { factor[i * n + j] = Float(h[i * n + j]) } }
        return factor
    }
}
