import COpenBLAS
import Foundation
import Synchronization

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
                        sgemv(w.baseAddress!, lda: inFeatures, transpose: false, rows: outFeatures, cols: inFeatures,
                              a.baseAddress!, c.baseAddress!, alpha: 1, beta: beta)
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
    /// x and y contiguous. Large products are split over `Compute.threadCount` by output element.
    package static func sgemv(
        _ a: UnsafePointer<Float>, lda: Int, transpose: Bool, rows: Int, cols: Int,
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, alpha: Float, beta: Float = 0
    ) {
        Compute.ensureBLASConfigured()
        let outputs = transpose ? cols : rows
        let tasks = BLASThreading.tasks(work: rows * cols, splittable: outputs, minimumPerTask: 64)
        Compute.parallelFor(tasks, minimumPerTask: 1) { range in
            for task in range {
                let (o0, o1) = (outputs * task / tasks, outputs * (task + 1) / tasks)
                // A block of y's elements is a block of A's rows (no transpose) or of A's columns.
                let block = transpose ? a + o0 : a + o0 * lda
                cblas_sgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans,
                            blasint(transpose ? rows : o1 - o0), blasint(transpose ? o1 - o0 : cols), alpha,
                            block, blasint(lda), x, 1, beta, y + o0, 1)
            }
        }
    }

    /// Row-major `C = alpha * op(A) * op(B) + beta * C` with explicit leading dimensions.
    /// Pointers must address at least the rows/columns implied by m, n, k and the leading dimensions.
    /// Large products are split over `Compute.threadCount` by rows of C (or columns, when C is short
    /// and wide), each block one single-threaded OpenBLAS call (see `BLASThreading`).
    package static func sgemm(
        _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
        _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int,
        alpha: Float, beta: Float
    ) {
        Compute.ensureBLASConfigured()
        let byRows = m >= n || m >= 256
        let tasks = BLASThreading.tasks(work: m * n * k, splittable: byRows ? m : n, minimumPerTask: 32)
        Compute.parallelFor(tasks, minimumPerTask: 1) { range in
            for task in range {
                let total = byRows ? m : n
                let (i0, i1) = (total * task / tasks, total * (task + 1) / tasks)
                // Rows i0..<i1 of C are rows of op(A); columns are columns of op(B).
                let aBlock = byRows ? (transposeA ? a + i0 : a + i0 * lda) : a
                let bBlock = byRows ? b : (transposeB ? b + i0 * ldb : b + i0)
                let cBlock = byRows ? c + i0 * ldc : c + i0
                cblas_sgemm(
                    CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    blasint(byRows ? i1 - i0 : m), blasint(byRows ? n : i1 - i0), blasint(k), alpha,
                    aBlock, blasint(lda), bBlock, blasint(ldb), beta, cBlock, blasint(ldc))
            }
        }
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

/// Who runs the threads of a BLAS product. OpenBLAS's own worker threads spin (with sched_yield) for
/// a while after every call; with a call every few milliseconds during decoding they never sleep,
/// and on a 2-core machine the spinning worker takes a core from Sotto's own parallel loops
/// (`perf record` of tiny.en on a 5-minute file: about 40% of the process's samples in OpenBLAS's
/// thread server and the scheduler's yield path). So OpenBLAS runs single-threaded and Sotto splits
/// large products into blocks on its own `parallelFor` threads, which sleep when idle.
/// Opt-in with `SOTTO_BLAS_THREADS=sotto`: on a quiet 2-core Zen 4 (tiny.en, 5-minute file, `sotto
/// bench`, two interleaved rounds) the encoder ran 1.09-1.34x faster but a decoding step 0.71-0.81x
/// as fast (each small product now single-threaded or dispatched through GCD), RTF unchanged.
package enum BLASThreading {
    private static let own = Atomic<Bool>(ProcessInfo.processInfo.environment["SOTTO_BLAS_THREADS"] == "sotto")

    /// Whether Sotto splits the products itself (OpenBLAS then runs one thread per call).
    package static var ownThreads: Bool {
        get { own.load(ordering: .relaxed) }
        set {
            own.store(newValue, ordering: .relaxed)
            Compute.setThreads(Compute.threadCount)
        }
    }

    /// Products below this many multiply-adds run on one thread: a block's dispatch costs more.
    static let minimumParallelWork = 1 << 18

    /// How many blocks to split a product of `work` multiply-adds into, along a dimension of
    /// `splittable` elements, each block at least `minimumPerTask` of them.
    static func tasks(work: Int, splittable: Int, minimumPerTask: Int) -> Int {
        guard ownThreads, work >= minimumParallelWork else { return 1 }
        return max(1, min(Compute.threadCount, splittable / minimumPerTask))
    }
}
