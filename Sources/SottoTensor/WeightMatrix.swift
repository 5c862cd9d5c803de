import CSottoKernels
import Foundation

/// Why stored weight parts cannot form a `WeightMatrix`.
public enum WeightMatrixError: Error, Equatable, CustomStringConvertible {
    /// A part ("values", "scales" or "zeros") has the wrong byte count for the shape and encoding.
    case badSize(part: String, expected: Int, actual: Int)
    /// A shape, encoding or stored value the kernels cannot use.
    case unsupported(String)

    public var description: String {
        switch self {
        case .badSize(let part, let expected, let actual): "weight \(part): expected \(expected) bytes, found \(actual)"
        case .unsupported(let what): "unsupported weights: \(what)"
        }
    }
}

/// An immutable weight matrix `[rows = outFeatures, cols = inFeatures]` in one of the `WeightEncoding`
/// layouts (documented there), with the parts exactly as stored on disk. `values`, `scales` and `zeros`
/// may be slices of a memory-mapped file at any offset; every reader uses unaligned loads.
public struct WeightMatrix: Sendable {
    /// Output features (the weight's first dimension).
    public let rows: Int
    /// Input features (the weight's second dimension).
    public let cols: Int
    public let encoding: WeightEncoding
    public let values: Data
    public let scales: Data
    public let zeros: Data
    /// Residuals added onto some rows (see `RowCorrection`); nil for a plain matrix.
    public let correction: RowCorrection?

    /// Checks every part's byte count (and zero points) against the shape and encoding, so the kernels
    /// can trust them; throws `WeightMatrixError` for data read from a bad file.
    public init(rows: Int, cols: Int, encoding: WeightEncoding, values: Data, scales: Data = Data(), zeros: Data = Data()) throws {
        guard rows >= 0, cols >= 0 else { throw WeightMatrixError.unsupported("shape [\(rows), \(cols)]") }
        guard encoding.isValid else { throw WeightMatrixError.unsupported("encoding \(encoding)") }
        let sizes = try Self.partSizes(rows: rows, cols: cols, encoding: encoding)
        for (part, expected, actual) in [("values", sizes.values, values.count), ("scales", sizes.scales, scales.count),
                                         ("zeros", sizes.zeros, zeros.count)] where expected != actual {
            throw WeightMatrixError.badSize(part: part, expected: expected, actual: actual)
        }
        if let index = zeros.firstIndex(where: { $0 > 15 }) {
            throw WeightMatrixError.unsupported("zero point \(zeros[index]) at \(index - zeros.startIndex) is above 15")
        }
        self.init(unchecked: rows, cols: cols, encoding: encoding, values: values, scales: scales, zeros: zeros)
    }

    /// For parts built by this module, whose sizes are right by construction.
    init(unchecked rows: Int, cols: Int, encoding: WeightEncoding, values: Data, scales: Data, zeros: Data) {
        self.rows = rows
        self.cols = cols
        self.encoding = encoding
        self.values = values
        self.scales = scales
        self.zeros = zeros
        correction = nil
    }

    private init(_ matrix: WeightMatrix, correction: RowCorrection?) {
        (rows, cols, encoding) = (matrix.rows, matrix.cols, matrix.encoding)
        (values, scales, zeros) = (matrix.values, matrix.scales, matrix.zeros)
        self.correction = correction
    }

    /// This matrix with `correction` added onto its rows (replacing any it had); throws when the
    /// correction does not fit the shape.
    public func corrected(by correction: RowCorrection?) throws -> WeightMatrix {
        if let correction {
            guard correction.corrections.cols == cols, correction.rows.last.map({ Int($0) < rows }) ?? true else {
                throw WeightMatrixError.unsupported("row correction of [\(correction.corrections.rows), \(correction.corrections.cols)] "
                                                    + "does not fit a [\(rows), \(cols)] matrix")
            }
        }
        return WeightMatrix(self, correction: correction)
    }

    /// The stored layout in words: the encoding, and the corrected row count if any.
    public var layoutDescription: String {
        guard let correction else { return encoding.description }
        return "\(encoding) +\(correction.rows.count) rows \(correction.corrections.encoding)"
    }

    /// A float32 matrix holding `tensor` (2-D, `[outFeatures, inFeatures]`).
    public init(_ tensor: Tensor) {
        precondition(tensor.shape.count == 2, "WeightMatrix needs a 2-D tensor, got \(tensor.shape)")
        let bytes = tensor.data.withUnsafeBytes { Data($0) }
        self.init(unchecked: tensor.shape[0], cols: tensor.shape[1], encoding: .float32, values: bytes, scales: Data(), zeros: Data())
    }

    /// Byte counts of the parts, with overflow checks (shapes may come from a file).
    static func partSizes(rows: Int, cols: Int, encoding: WeightEncoding) throws -> (values: Int, scales: Int, zeros: Int) {
        func product(_ a: Int, _ b: Int) throws -> Int {
            let (result, overflow) = a.multipliedReportingOverflow(by: b)
            guard !overflow else { throw WeightMatrixError.unsupported("shape [\(rows), \(cols)] is too large") }
            return result
        }
        guard cols <= Int.max / 8 else { throw WeightMatrixError.unsupported("shape [\(rows), \(cols)] is too large") }
        let values = try product(rows, encoding.valueBytesPerRow(cols: cols))
        let blocks = try product(rows, encoding.blocksPerRow(cols: cols))
        return (values, try product(blocks, encoding.scaleByteWidth), encoding.hasZeroPoints ? blocks : 0)
    }

    /// values + scales + zeros (+ the correction's bytes).
    public var byteCount: Int { values.count + scales.count + zeros.count + (correction?.byteCount ?? 0) }

    /// `[rows, cols]`; int4: `[rows, packedBytesPerRow]`.
    public var valuesShape: [Int] {
        if case .int4Block = encoding { return [rows, encoding.valueBytesPerRow(cols: cols)] }
        return [rows, cols]
    }

    /// `[]` for float encodings, `[rows]` for int8Channel, `[rows, blocksPerRow]` for block encodings.
    public var scalesShape: [Int] {
        switch encoding {
        case .float32, .float16: []
        case .int8Channel: [rows]
        case .int8Block, .int4Block: [rows, encoding.blocksPerRow(cols: cols)]
        }
    }

    /// `[rows, blocksPerRow]` with zero points, else `[]`.
    public var zerosShape: [Int] { encoding.hasZeroPoints ? [rows, encoding.blocksPerRow(cols: cols)] : [] }

    /// The whole matrix in float32, `[rows, cols]`.
    public func dequantized() -> Tensor { dequantized(path: .automatic) }

    /// `dequantized()` through the C path `path` (every path gives bit-identical values).
    package func dequantized(path: WeightKernelPath) -> Tensor {
        var data = [Float](repeating: 0, count: rows * cols)
        data.withUnsafeMutableBufferPointer { out in
            guard let base = out.baseAddress else { return }
            Compute.parallelFor(rows, minimumPerTask: max(1, 65536 / max(cols, 1))) { range in
                dequantizeRows(range, into: base + range.lowerBound * cols, rowStride: cols, path: path)
            }
        }
        return Tensor(shape: [rows, cols], data: data)
    }

    /// Writes dequantized row `row` to `output[offset ..< offset + cols]` (an embedding lookup).
    public func copyRow(_ row: Int, into output: inout [Float], offset: Int) {
        precondition(row >= 0 && row < rows, "copyRow: row \(row) outside 0..<\(rows)")
        precondition(offset >= 0 && offset + cols <= output.count, "copyRow: output too small")
        output.withUnsafeMutableBufferPointer { out in
            guard let base = out.baseAddress else { return }
            dequantizeRows(row..<(row + 1), into: base + offset, rowStride: cols)
        }
    }

    /// Dequantizes `range` of rows into `output[(o - range.lowerBound) * rowStride + k]`; `corrected`
    /// false leaves out the row correction.
    func dequantizeRows(_ range: Range<Int>, into output: UnsafeMutablePointer<Float>, rowStride: Int,
                        path: WeightKernelPath = .automatic, corrected: Bool = true) {
        guard !range.isEmpty, cols > 0 else { return }
        if encoding == .float32 {
            values.withUnsafeBytes { bytes in
                for o in range {
                    // The host is little-endian (x86-64, arm64), so stored floats copy as they are.
                    memcpy(output + (o - range.lowerBound) * rowStride, bytes.baseAddress! + o * cols * 4, cols * 4)
                }
            }
        } else {
            withKernelWeights { weights in
                sotto_weights_dequantize(weights, range.lowerBound, range.upperBound, output, rowStride, path.rawValue)
            }
        }
        if corrected { correction?.addRows(range, into: output, rowStride: rowStride) }
    }

    /// The C kernels' view of the parts; only valid inside `body`.
    func withKernelWeights<Result>(_ body: (UnsafePointer<sotto_weights>) -> Result) -> Result {
        let kind: sotto_weights_kind = switch encoding {
        case .float32: SOTTO_WEIGHTS_F32
        case .float16: SOTTO_WEIGHTS_F16
        case .int8Channel: SOTTO_WEIGHTS_I8_CHANNEL
        case .int8Block: SOTTO_WEIGHTS_I8_BLOCK
        case .int4Block(_, let zeroPoint): zeroPoint ? SOTTO_WEIGHTS_I4_BLOCK_ZP : SOTTO_WEIGHTS_I4_BLOCK
        }
        return values.withUnsafeBytes { v in
            scales.withUnsafeBytes { s in
                zeros.withUnsafeBytes { z in
                    var weights = sotto_weights(
                        kind: Int32(kind.rawValue), rows: rows, cols: cols, block: encoding.blockSize ?? 1,
                        values: v.baseAddress, scales: s.baseAddress, zeros: z.baseAddress)
                    return withUnsafePointer(to: &weights) { body($0) }
                }
            }
        }
    }
}
