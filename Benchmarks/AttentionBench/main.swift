// The encoder's self-attention (every frame attends to every frame) per kernel: the blocked kernel
// (sotto_attention_rows) on each path this CPU runs and in bfloat16 where the CPU has AVX-512 BF16,
// against sgemm + softmax + sgemm per head, the previous implementation, in the same interleaved rounds. GFLOPS count the two products' 4 * q * k * d.
//   swift run -c release AttentionBench [threads]
import BenchmarkSupport
import Foundation
import SottoTensor

let threads = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 2
Compute.setThreads(threads)
let timing = InterleavedTiming(threads: threads, budgetSeconds: 3, maximumRounds: 100)
let paths = WeightKernelPath.allCases.filter { $0 != .automatic && $0 != .scalar && $0.isSupported }

print("AttentionBench: \(threads) threads, paths \(paths.map(\.description).joined(separator: ", ")), CPU path \(Compute.cpuPath)")
print("CPU: \(CPUReport.current().summary)")
print("times: median ms per layer, \(timing.clockDescription)")
print("| shape | kernel | ms | GFLOPS | vs sgemm |")
print("|---|---|---:|---:|---:|")
for (frames, width, heads, label) in [(1500, 384, 6, "tiny encoder layer"), (1500, 512, 8, "base encoder layer")] {
    var rng = SeededRandom(seed: 7)
    let qkv = (0..<frames * 3 * width).map { _ in Float(rng.nextUnit() * 4 - 2) }
    let fused = MatrixView(qkv, rows: frames, cols: 3 * width)
    let (q, k, v) = (fused.columns(0..<width), fused.columns(width..<2 * width), fused.columns(2 * width..<3 * width))
    var output = [Float](repeating: 0, count: frames * width)
    var variants: [() -> Void] = [{ Attention.forward(query: q, key: k, value: v, heads: heads, into: &output, kernel: .gemm) }]
    for path in paths {
        variants.append { Attention.forward(query: q, key: k, value: v, heads: heads, into: &output, path: path) }
    }
    var names = ["sgemm + softmax + sgemm"] + paths.map { "blocked \($0)" }
    if Attention.Precision.bfloat16Runs(headDim: width / heads) {
        variants.append { Attention.forward(query: q, key: k, value: v, heads: heads, into: &output, precision: .bfloat16) }
        names.append("blocked bfloat16")
    }
    let times = timing.medianMilliseconds(variants)
    let flops = 4.0 * Double(frames * frames * width)
    for (name, ms) in zip(names, times) {
        print(String(format: "| %@ [%d, %d], %d heads | %@ | %.2f | %.1f | %.2fx |", label, frames, width, heads, name, ms,
                     flops / (ms / 1e3) / 1e9, times[0] / ms))
    }
}
