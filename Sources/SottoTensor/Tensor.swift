/// A dense row-major float32 tensor: `data[i0 * stride0 + ...]` with the last dimension contiguous.
/// Value semantics (copy-on-write through `Array`), so weights built from it are immutable and `Sendable`.
public struct Tensor: Sendable, Equatable {
    public let shape: [Int]
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count, "shape \(shape) does not match \(data.count) elements")
        self.shape = shape
        self.data = data
    }

    public init(zeros shape: [Int]) {
        self.init(shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    public var count: Int { data.count }

    /// A 2-D view of the whole tensor, with every leading dimension folded into rows.
    public var matrix: MatrixView {
        let cols = shape.last ?? 1
        return MatrixView(data, rows: cols == 0 ? 0 : count / cols, cols: cols)
    }
}

/// A read-only 2-D window into a flat array: element (r, c) is `storage[offset + r * rowStride + c]`.
/// Used to address column blocks of fused projections (q|k|v) and rows of caches without copying.
/// Keep views short-lived: a live view shares the array's buffer, so writing to that array copies it.
public struct MatrixView: Sendable {
    public let storage: [Float]
    public let offset: Int
    public let rows: Int
    public let cols: Int
    public let rowStride: Int

    public init(_ storage: [Float], offset: Int = 0, rows: Int, cols: Int, rowStride: Int? = nil) {
        let stride = rowStride ?? cols
        precondition(rows >= 0 && cols >= 0 && offset >= 0 && stride >= cols, "bad matrix view")
        precondition(rows == 0 || offset + (rows - 1) * stride + cols <= storage.count, "matrix view out of bounds")
        self.storage = storage
        self.offset = offset
        self.rows = rows
        self.cols = cols
        self.rowStride = stride
    }

    public subscript(row: Int, col: Int) -> Float { storage[offset + row * rowStride + col] }

    /// Columns `range` of every row: `[rows, cols] -> [rows, range.count]`, same storage.
    public func columns(_ range: Range<Int>) -> MatrixView {
        MatrixView(storage, offset: offset + range.lowerBound, rows: rows, cols: range.count, rowStride: rowStride)
    }

    /// Rows `range`: `[rows, cols] -> [range.count, cols]`, same storage.
    public func rows(_ range: Range<Int>) -> MatrixView {
        MatrixView(storage, offset: offset + range.lowerBound * rowStride, rows: range.count, cols: cols, rowStride: rowStride)
    }

    /// A dense copy, row-major `[rows, cols]`.
    public func contiguous() -> [Float] {
        var out = [Float](repeating: 0, count: rows * cols)
        for r in 0..<rows {
            for c in 0..<cols { out[r * cols + c] = self[r, c] }
        }
        return out
    }
}
