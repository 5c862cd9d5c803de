import SottoTensor

/// `nn.Linear` (llm.c `matmul_forward` / `matmul_backward`): `out = inp · weight^T + bias`,
/// inp `[rows, inFeatures]`, weight `[outFeatures, inFeatures]`, bias `[outFeatures]`, out `[rows, outFeatures]`.
package enum LinearOp {
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    package static func forward<T: TrainScalar>(
        _ out: UnsafeMutablePointer<T>, _ inp: UnsafePointer<T>, weight: UnsafePointer<T>, bias: UnsafePointer<T>?,
        rows: Int, inFeatures: Int, outFeatures: Int
    ) {
        var beta: T = 0
        if let bias {
            // Seed the output with the bias so the product adds on top (beta = 1).
            for r in 0..<rows { (out + r * outFeatures).update(from: bias, count: outFeatures) }
            beta = 1
        }
        T.gemm(inp, lda: inFeatures, transposeA: false, weight, ldb: inFeatures, transposeB: true,
               out, ldc: outFeatures, m: rows, n: outFeatures, k: inFeatures, alpha: 1, beta: beta)
    }

    /// Accumulates `dinp += dout · weight`, `dweight += dout^T · inp`, `dbias += Σ_rows dout`; a nil
    /// gradient is not wanted (a frozen weight, or an input nothing upstream trains).
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    package static func backward<T: TrainScalar>(
        dinp: UnsafeMutablePointer<T>?, dweight: UnsafeMutablePointer<T>?, dbias: UnsafeMutablePointer<T>?,
        dout: UnsafePointer<T>, inp: UnsafePointer<T>, weight: UnsafePointer<T>,
        rows: Int, inFeatures: Int, outFeatures: Int
    ) {
        if let dinp {
            T.gemm(dout, lda: outFeatures, transposeA: false, weight, ldb: inFeatures, transposeB: false,
                   dinp, ldc: inFeatures, m: rows, n: inFeatures, k: outFeatures, alpha: 1, beta: 1)
        }
        if let dweight {
            T.gemm(dout, lda: outFeatures, transposeA: true, inp, ldb: inFeatures, transposeB: false,
                   dweight, ldc: inFeatures, m: outFeatures, n: inFeatures, k: rows, alpha: 1, beta: 1)
        }
        if let dbias {
            Compute.parallelFor(outFeatures, minimumPerTask: 256) { range in
                for r in 0..<rows {
                    let row = dout + r * outFeatures
                    for o in range { dbias[o] += row[o] }
                }
            }
        }
    }
}
