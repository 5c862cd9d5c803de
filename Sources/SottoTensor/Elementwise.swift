/// Small data-movement and elementwise helpers shared by the model (residual adds, positional
/// embeddings, cache writes, layout changes).
public enum Elementwise {
    /// `x[offset + r * y.cols + c] += y[r, c]`: adds the view to dense rows of x starting at `offset`.
    public static func add(_ x: inout [Float], offset: Int = 0, _ y: MatrixView) {
        precondition(offset >= 0 && x.count >= offset + y.rows * y.cols, "add sizes")
        let cols = y.cols
        y.storage.withUnsafeBufferPointer { src in
            x.withUnsafeMutableBufferPointer { dst in
                for r in 0..<y.rows {
                    let s = src.baseAddress! + y.offset + r * y.rowStride
                    let d = dst.baseAddress! + offset + r * cols
                    for c in 0..<cols { d[c] += s[c] }
                }
            }
        }
    }

    /// Writes the view into `destination` at `offset`, rows `rowStride` apart (e.g. a KV-cache slot).
    public static func copy(_ source: MatrixView, into destination: inout [Float], offset: Int, rowStride: Int) {
        precondition(source.rows == 0 || offset + (source.rows - 1) * rowStride + source.cols <= destination.count, "copy out of bounds")
        source.storage.withUnsafeBufferPointer { src in
            destination.withUnsafeMutableBufferPointer { dst in
                for r in 0..<source.rows {
                    (dst.baseAddress! + offset + r * rowStride)
                        .update(from: src.baseAddress! + source.offset + r * source.rowStride, count: source.cols)
                }
            }
        }
    }

    /// `[rows, cols] -> [cols, rows]`.
    public static func transpose(_ x: [Float], rows: Int, cols: Int) -> [Float] {
        precondition(x.count == rows * cols, "transpose sizes")
        var out = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for r in 0..<rows {
                    for c in 0..<cols { dst[c * rows + r] = src[r * cols + c] }
                }
            }
        }
        return out
    }
}

/// Pointer-level vector primitives; callers guarantee `n` valid elements behind each pointer.
enum Vector {
    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var total: Float = 0
        for i in 0..<n { total += x[i] }
        return total
    }

    /// Dot product with eight independent SIMD lanes (reassociated: not bitwise equal to a serial sum).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            let va = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
            let vb = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            // `addProduct` would become per-lane fmaf calls on baseline x86-64; multiply-add vectorizes.
            acc += va * vb
            i += 8
        }
        var total = acc.sum()
        while i < n {
            total += a[i] * b[i]
            i += 1
        }
        return total
    }

    /// `y += alpha * x`.
    @inline(__always)
    static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { y[i] += alpha * x[i] }
    }
}
