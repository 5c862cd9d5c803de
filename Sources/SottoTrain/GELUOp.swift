import SottoTensor

/// Exact GELU, `0.5 x (1 + erf(x / √2))`: PyTorch's default `F.gelu`, which openai/whisper and
/// Sotto's inference (`GELU.apply`) use; not the tanh approximation llm.c trains GPT-2 with.
package enum GELUOp {
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    package static func forward<T: TrainScalar>(_ out: UnsafeMutablePointer<T>, _ inp: UnsafePointer<T>, count: Int) {
        let invSqrt2 = 1 / T(2).squareRoot()
        Compute.parallelFor(count, minimumPerTask: 4096) { range in
            for i in range { out[i] = 0.5 * inp[i] * (1 + T.errorFunction(inp[i] * invSqrt2)) }
        }
    }

    /// `dinp += dout · (Φ(x) + x φ(x))`, Φ the normal CDF, φ its density.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    package static func backward<T: TrainScalar>(
        dinp: UnsafeMutablePointer<T>, dout: UnsafePointer<T>, inp: UnsafePointer<T>, count: Int
    ) {
        let invSqrt2 = 1 / T(2).squareRoot()
        let invSqrt2Pi = 1 / (2 * T.pi).squareRoot()
        Compute.parallelFor(count, minimumPerTask: 4096) { range in
            for i in range {
                let x = inp[i]
                let cdf = 0.5 * (1 + T.errorFunction(x * invSqrt2))
                let pdf = invSqrt2Pi * T.exponential(-0.5 * x * x)
                dinp[i] += dout[i] * (cdf + x * pdf)
            }
        }
    }
}
