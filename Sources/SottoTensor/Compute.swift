import COpenBLAS
import CSottoKernels
import Dispatch
import Foundation
import Synchronization

/// Thread settings shared by every kernel: OpenBLAS's thread count and the width of `parallelFor`.
public enum Compute {
    private static let width = Atomic<Int>(ProcessInfo.processInfo.activeProcessorCount)
    private static let blasConfigured = Atomic<Bool>(false)

    /// Sets the parallel-for width, which also splits the BLAS products (values below 1 mean 1; see
    /// `BLASThreading`). Also makes sure OpenBLAS runs the strongest kernels this CPU allows (see `BLASCore`).
    public static func setThreads(_ n: Int) {
        _ = sotto_blas_core_prepare()
        let threads = max(1, n)
        width.store(threads, ordering: .relaxed)
        openblas_set_num_threads(BLASThreading.ownThreads ? 1 : Int32(threads))
        blasConfigured.store(true, ordering: .relaxed)
    }

    /// The current thread count (defaults to every active core).
    public static var threadCount: Int { width.load(ordering: .relaxed) }

    /// OpenBLAS reads its own default from the environment; align it with ours before the first call.
    package static func ensureBLASConfigured() {
        if !blasConfigured.load(ordering: .relaxed) { setThreads(threadCount) }
    }

    /// The one parallel loop: splits `0..<count` into at most `threadCount` contiguous chunks of at
    /// least `minimumPerTask` items and runs `body` on each chunk concurrently. Runs inline for one chunk.
    /// `body` must only write to disjoint memory per chunk.
    public static func parallelFor(_ count: Int, minimumPerTask: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let tasks = max(1, min(threadCount, count / max(1, minimumPerTask)))
        if tasks == 1 {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: tasks) { task in
                let start = count * task / tasks
                let end = count * (task + 1) / tasks
                shared.value(start..<end)
            }
        }
    }
}

/// Lets a non-Sendable closure cross into `concurrentPerform`; `parallelFor`'s contract (disjoint
/// writes per chunk) is what makes that safe.
private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
