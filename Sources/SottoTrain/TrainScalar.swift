import COpenBLAS
import Foundation
import SottoTensor

/// The element type of every training buffer. The engine is written once, generically: `Float` is
/// what training runs in (sgemm), `Double` is the twin the finite-difference checks run in (dgemm),
/// so a gradient check can be tight without a second, hand-kept copy of each operation.
///
/// Buffers are passed as `UnsafeMutablePointer`s into arrays the caller owns, as llm.c's
/// train_gpt2.c passes `float*`: every function documents the shape each pointer must address, and
/// callers keep the owning arrays alive (`withUnsafe...` scopes) for the duration of the call.
package protocol TrainScalar: BinaryFloatingPoint, Sendable where Self.RawSignificand: FixedWidthInteger {
    static func exponential(_ x: Self) -> Self
    static func logarithm(_ x: Self) -> Self
    static func errorFunction(_ x: Self) -> Self

    /// Row-major `C = alpha * op(A) * op(B) + beta * C`, `op(A)` `[m, k]`, `op(B)` `[k, n]`.
    static func gemm(
        _ a: UnsafePointer<Self>, lda: Int, transposeA: Bool, _ b: UnsafePointer<Self>, ldb: Int, transposeB: Bool,
        _ c: UnsafeMutablePointer<Self>, ldc: Int, m: Int, n: Int, k: Int, alpha: Self, beta: Self)
}

extension Float: TrainScalar {
    package static func exponential(_ x: Float) -> Float { Foundation.exp(x) }
    package static func logarithm(_ x: Float) -> Float { Foundation.log(x) }
    package static func errorFunction(_ x: Float) -> Float { Foundation.erf(x) }

    package static func gemm(
        _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool, _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int, alpha: Float, beta: Float
    ) {
        guard m > 0, n > 0 else { return }
        // Through SottoTensor, so the BLAS core check and thread split apply here too.
        Gemm.sgemm(a, lda: lda, transposeA: transposeA, b, ldb: ldb, transposeB: transposeB, c, ldc: ldc,
                   m: m, n: n, k: k, alpha: alpha, beta: beta)
    }
}

extension Double: TrainScalar {
    package static func exponential(_ x: Double) -> Double { Foundation.exp(x) }
    package static func logarithm(_ x: Double) -> Double { Foundation.log(x) }
    package static func errorFunction(_ x: Double) -> Double { Foundation.erf(x) }

    package static func gemm(
        _ a: UnsafePointer<Double>, lda: Int, transposeA: Bool, _ b: UnsafePointer<Double>, ldb: Int, transposeB: Bool,
        _ c: UnsafeMutablePointer<Double>, ldc: Int, m: Int, n: Int, k: Int, alpha: Double, beta: Double
    ) {
        guard m > 0, n > 0 else { return }
        Compute.ensureBLASConfigured()
        cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
}
