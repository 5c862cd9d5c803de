import SottoTensor

/// `nn.LayerNorm` over the last dimension (llm.c `layernorm_forward` / `layernorm_backward`); the
/// forward saves each row's mean and reciprocal standard deviation for the backward.
package enum LayerNormOp {
    package static let epsilon = 1e-5

    /// inp/out `[rows, dim]`, weight/bias `[dim]`, mean/rstd `[rows]`.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    package static func forward<T: TrainScalar>(
        _ out: UnsafeMutablePointer<T>, mean: UnsafeMutablePointer<T>, rstd: UnsafeMutablePointer<T>,
        _ inp: UnsafePointer<T>, weight: UnsafePointer<T>, bias: UnsafePointer<T>, rows: Int, dim: Int
    ) {
        Compute.parallelFor(rows, minimumPerTask: 16) { range in
            for r in range {
                let x = inp + r * dim
                var sum: T = 0
                for i in 0..<dim { sum += x[i] }
                let m = sum / T(dim)
                var variance: T = 0
                for i in 0..<dim { variance += (x[i] - m) * (x[i] - m) }
                let s = 1 / (variance / T(dim) + T(epsilon)).squareRoot()
                let y = out + r * dim
                for i in 0..<dim { y[i] = (x[i] - m) * s * weight[i] + bias[i] }
                mean[r] = m
                rstd[r] = s
            }
        }
    }

    /// Accumulates into `dinp`, `dweight`, `dbias` (each optional).
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    package static func backward<T: TrainScalar>(
        dinp: UnsafeMutablePointer<T>?, dweight: UnsafeMutablePointer<T>?, dbias: UnsafeMutablePointer<T>?,
        dout: UnsafePointer<T>, inp: UnsafePointer<T>, weight: UnsafePointer<T>,
        mean: UnsafePointer<T>, rstd: UnsafePointer<T>, rows: Int, dim: Int
    ) {
        if let dinp {
            Compute.parallelFor(rows, minimumPerTask: 16) { range in
                for r in range { inputGradientRow(dinp + r * dim, dout + r * dim, inp + r * dim, weight, mean[r], rstd[r], dim) }
            }
        }
        guard dweight != nil || dbias != nil else { return }
        Compute.parallelFor(dim, minimumPerTask: 64) { range in
            for r in 0..<rows {
                let (x, dy) = (inp + r * dim, dout + r * dim)
                for i in range {
                    dbias?[i] += dy[i]
                    dweight?[i] += (x[i] - mean[r]) * rstd[r] * dy[i]
                }
            }
        }
    }

    /// dx = rstd · (dnorm − mean(dnorm) − norm · mean(dnorm · norm)) with dnorm = weight · dy.
    private static func inputGradientRow<T: TrainScalar>(
        _ dx: UnsafeMutablePointer<T>, _ dy: UnsafePointer<T>, _ x: UnsafePointer<T>, _ weight: UnsafePointer<T>,
        _ mean: T, _ rstd: T, _ dim: Int
    ) {
        var (dnormMean, dnormNormMean): (T, T) = (0, 0)
        for i in 0..<dim {
            let dnorm = weight[i] * dy[i]
            dnormMean += dnorm
            dnormNormMean += dnorm * (x[i] - mean) * rstd
        }
        dnormMean /= T(dim)
        dnormNormMean /= T(dim)
        for i in 0..<dim {
            let norm = (x[i] - mean) * rstd
            dx[i] += (weight[i] * dy[i] - dnormMean - norm * dnormNormMean) * rstd
        }
    }
}
