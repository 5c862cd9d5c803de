// The ceilings Sotto's kernels are held against on this CPU (issue 9, part 4): per-core instruction
// peaks (float32 FMA, int8 VNNI dot products, bfloat16 dot products; one thread, CPU time) and memory
// read bandwidth (a 512 MiB buffer for DRAM, 8 MiB for cache; one and two threads, wall time). The
// kernel benchmarks (Int8GemmBench, AttentionBench, DecoderStepBench) print what Sotto reaches; the
// table in docs/performance.md sets the two side by side.
// Run: swift run -c release LimitsBench
import BenchmarkSupport
import CLimits
import Foundation
import SottoTensor

let report = CPUReport.current()
let features = Set(report.features)
let perCore = InterleavedTiming(threads: 1, budgetSeconds: 2, minimumRounds: 5)
print("LimitsBench: peaks per core (\(perCore.clockDescription)); read bandwidth (wall time)")
print("CPU: \(report.summary)")

/// Operations per second of `loop`, which does `operationsPerIteration` per iteration.
func peak(_ name: String, operationsPerIteration: Double, unit: String, _ loop: @escaping (Int) -> Void) {
    let iterations = 2_000_000
    let ms = perCore.medianMilliseconds { loop(iterations) }
    print(name.padding(toLength: 30, withPad: " ", startingAt: 0)
          + String(format: "%8.1f %@", operationsPerIteration * Double(iterations) / ms / 1e6, unit))
}

// 24 chains per iteration; an FMA or dot product counts its multiplies and adds as two operations each.
peak("float32 FMA, 256-bit", operationsPerIteration: 24 * 8 * 2, unit: "GFLOPS") { _ = climits_fma_ymm($0) }
if features.contains("avx512f") {
    peak("float32 FMA, 512-bit", operationsPerIteration: 24 * 16 * 2, unit: "GFLOPS") { _ = climits_fma_zmm($0) }
}
if features.contains("avx512vnni") {
    peak("int8 vpdpbusd, 512-bit", operationsPerIteration: 24 * 64 * 2, unit: "GOPS") { _ = climits_vnni_zmm($0) }
}
if features.contains("avx512bf16") {
    peak("bfloat16 vdpbf16ps, 512-bit", operationsPerIteration: 24 * 32 * 2, unit: "GFLOPS") { _ = climits_bf16_zmm($0) }
}

/// Read bandwidth over `bytes` (read `passes` times per sample) with `threads` threads, in GB/s.
func readBandwidth(bytes: Int, passes: Int, threads: Int) -> Double {
    let count = bytes / 4
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64).bindMemory(to: Float.self, capacity: count)
    defer { buffer.deallocate() }
    buffer.initialize(repeating: 1, count: count)
    Compute.setThreads(threads)
    let timing = InterleavedTiming(threads: threads == 1 ? 1 : 2, budgetSeconds: 2, minimumRounds: 5)
    let ms = timing.medianMilliseconds {
        Compute.parallelFor(threads) { range in
            for part in range {
                // 32-float blocks split evenly between the threads.
                let blocks = count / 32
                let start = blocks * part / threads * 32, end = blocks * (part + 1) / threads * 32
                for _ in 0..<passes { _ = climits_read(buffer + start, end - start) }
            }
        }
    }
    return Double(bytes) * Double(passes) / ms / 1e6
}

for threads in [1, 2] {
    let dram = readBandwidth(bytes: 512 << 20, passes: 1, threads: threads)
    let cache = readBandwidth(bytes: 8 << 20, passes: 16, threads: threads)
    print(String(format: "read, %d thread%@: 512 MiB %6.1f GB/s   8 MiB %6.1f GB/s", threads, threads == 1 ? "" : "s", dram, cache))
}
