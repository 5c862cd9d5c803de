import COpenBLAS

/// Matrix products through OpenBLAS `cblas_sgemm`, each with a scalar reference twin.
public enum Gemm {
    /// A fully connected layer: `output[r, o] = bias[o] + sum_k input[r, k] * weight[o, k]`.
    /// input `[rows, inFeatures]`, weight `[outFeatures, inFeatures]` (PyTorch/CTranslate2 layout),
    /// output `[rows, outFeatures]` written to the first `rows * outFeatures` elements of `output`.
    public static func linear(
        _ input: [Float], rows: Int, weight: Tensor, bias: [Float]?, into output: inout [Float]
    ) {
        let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
        precondition(input.count >= rows * inFeatures && output.count >= rows * outFeatures, "linear: buffers too small")
        precondition(bias == nil || bias!.count == outFeatures, "linear: bias size")
        guard rows > 0, outFeatures > 0 else { return }
        input.withUnsafeBufferPointer { a in
            weight.data.withUnsafeBufferPointer { w in
                output.withUnsafeMutableBufferPointer { c in
                    var beta: Float = 0
                    if let bias {
                        // Seed C with the bias so sgemm adds the product on top (beta = 1).
                        for r in 0..<rows {
                            for o in 0..<outFeatures { c[r * outFeatures + o] = bias[o] }
                        }
                        beta = 1
                    }
                    if rows == 1 {
                        // One row (a decoding step): gemv streams the weights once; sgemm would pack them first.
                        Compute.ensureBLASConfigured()
                        cblas_sgemv(CblasRowMajor, CblasNoTrans, blasint(outFeatures), blasint(inFeatures), 1,
                                    w.baseAddress!, blasint(inFeatures), a.baseAddress!, 1, beta, c.baseAddress!, 1)
                        return
                    }
                    sgemm(
                        a.baseAddress!, lda: inFeatures, transposeA: false,
                        w.baseAddress!, ldb: inFeatures, transposeB: true,
                        c.baseAddress!, ldc: outFeatures, m: rows, n: outFeatures, k: inFeatures,
                        alpha: 1, beta: beta)
                }
            }
        }
    }

    public static func linearReference(_ input: [Float], rows: Int, weight: Tensor, bias: [Float]?) -> [Float] {
        let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
        var out = [Float](repeating: 0, count: rows * outFeatures)
        for r in 0..<rows {
            for o in 0..<outFeatures {
                var sum: Double = Double(bias?[o] ?? 0)
                for k in 0..<inFeatures { sum += Double(input[r * inFeatures + k]) * Double(weight.data[o * inFeatures + k]) }
                out[r * outFeatures + o] = Float(sum)
            }
        }
        return out
    }

    /// Row-major `y = alpha * op(A) x + beta * y` for A `[rows, cols]` with leading dimension `lda`;
    /// x and y contiguous.
    static func sgemv(
        _ a: UnsafePointer<Float>, lda: Int, transpose: Bool, rows: Int, cols: Int,
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, alpha: Float, beta: Float = 0
    ) {
        Compute.ensureBLASConfigured()
        cblas_sgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, blasint(rows), blasint(cols), alpha,
                    a, blasint(lda), x, 1, beta, y, 1)
    }

    /// Row-major `C = alpha * op(A) * op(B) + beta * C` with explicit leading dimensions.
    /// Pointers must address at least the rows/columns implied by m, n, k and the leading dimensions.
    static func sgemm(
        _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
        _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int,
        alpha: Float, beta: Float
    ) {
        Compute.ensureBLASConfigured()
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// `gram += x^T x` for row-major `x` `[rows, cols]` and `gram` `[cols, cols]` (calibration statistics).
    package static func accumulateGram(_ x: ArraySlice<Float>, rows: Int, cols: Int, into gram: inout [Float]) {
        precondition(x.count >= rows * cols && gram.count == cols * cols, "gram shapes")
        x.withUnsafeBufferPointer { a in
            gram.withUnsafeMutableBufferPointer { g in
                sgemm(a.baseAddress!, lda: cols, transposeA: true, a.baseAddress!, ldb: cols, transposeB: false,
                      g.baseAddress!, ldc: cols, m: cols, n: cols, k: rows, alpha: 1, beta: 1)
            }
        }
    }
}
