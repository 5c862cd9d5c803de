// Timing shared by the kernel benchmarks: variants run in interleaved rounds so that changing load on
// a shared machine affects every variant alike, and with one thread the calling thread's CPU time is
// measured, which is far steadier than wall time there.
import Dispatch
import Foundation

public struct InterleavedTiming: Sendable {
    /// Threads the benchmark computes with; with 1 every variant runs on the calling thread.
    public let threads: Int
    /// Rounds continue for about this long (at least `minimumRounds`, at most `maximumRounds`).
    public let budgetSeconds: Double
    public let minimumRounds: Int
    public let maximumRounds: Int

    public init(threads: Int, budgetSeconds: Double, minimumRounds: Int = 5, maximumRounds: Int = 300) {
        self.threads = threads
        self.budgetSeconds = budgetSeconds
        self.minimumRounds = minimumRounds
        self.maximumRounds = maximumRounds
    }

    /// The same timing with rounds for about `seconds`.
    public func budget(_ seconds: Double) -> InterleavedTiming {
        InterleavedTiming(threads: threads, budgetSeconds: seconds, minimumRounds: minimumRounds, maximumRounds: maximumRounds)
    }

    /// What the numbers are, for the benchmark's header.
    public var clockDescription: String { threads == 1 ? "CPU time of the one thread" : "wall time" }

    func nowNanoseconds() -> UInt64 {
        guard threads == 1 else { return DispatchTime.now().uptimeNanoseconds }
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Median milliseconds of each variant over interleaved rounds, after a warm-up round.
    public func medianMilliseconds(_ variants: [() -> Void]) -> [Double] {
        for variant in variants { variant() }
        var samples = [[Double]](repeating: [], count: variants.count)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(budgetSeconds * 1e9)
        while samples[0].count < minimumRounds
            || (DispatchTime.now().uptimeNanoseconds < deadline && samples[0].count < maximumRounds) {
            // A new order each round, so no variant always follows the same one (whose cache footprint
            // would bias it).
            for i in variants.indices.shuffled() {
                let start = nowNanoseconds()
                variants[i]()
                samples[i].append(Double(nowNanoseconds() - start) / 1e6)
            }
        }
        return samples.map { $0.sorted()[$0.count / 2] }
    }

    /// Median milliseconds of one body.
    public func medianMilliseconds(_ body: () -> Void) -> Double {
        withoutActuallyEscaping(body) { medianMilliseconds([$0])[0] }
    }
}
