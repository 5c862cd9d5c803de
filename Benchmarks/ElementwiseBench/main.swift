// Softmax rows, GELU and layer norm per kernel path (scalar = the portable Swift SIMD code, then the C kernels of
// AVX2 and AVX-512 where the CPU has them) on Whisper's shapes, timed in interleaved rounds so changing
// load on the machine affects every path alike. Ratios are against the scalar path in the same run.
//   swift run -c release ElementwiseBench [threads]
import BenchmarkSupport
import Foundation
import SottoTensor

let threads = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 2
Compute.setThreads(threads)
let paths = WeightKernelPath.allCases.filter { $0 != .automatic && $0.isSupported }

let timing = InterleavedTiming(threads: threads, budgetSeconds: 1, maximumRounds: 500)

func report(_ what: String, elements: Int, _ run: @escaping (WeightKernelPath) -> Void) {
    let times = timing.medianMilliseconds(paths.map { path in { run(path) } })
    for (path, ms) in zip(paths, times) {
        let rate = Double(elements) / (ms / 1e3) / 1e9
        print(String(format: "| %@ | %@ | %.4f | %.2f | %.2fx |", what, path.description, ms, rate, times[0] / ms))
    }
}

func randomFloats(_ count: Int, scale: Float) -> [Float] {
    var rng = SystemRandomNumberGenerator()
    return (0..<count).map { _ in Float.random(in: -scale...scale, using: &rng) }
}

print("ElementwiseBench: \(threads) threads, paths \(paths.map(\.description).joined(separator: ", ")), CPU path \(Compute.cpuPath)")
print("CPU: \(CPUReport.current().summary)")
print("times: median ms, \(timing.clockDescription)")
print("| operation [shape] | path | ms (median) | G elements/s | vs scalar |")
print("|---|---|---:|---:|---:|")
// Encoder self-attention: one head's [1500, 1500] scores; decoding: one head's 1500 audio frames.
for (rows, cols, label) in [(1500, 1500, "encoder head"), (1, 1500, "decoder cross-attention head"), (1, 224, "decoder self-attention head")] {
    let scores = randomFloats(rows * cols, scale: 10)
    var work = scores
    report("softmax [\(rows), \(cols)] \(label)", elements: rows * cols) { path in
        _ = work.withUnsafeMutableBufferPointer { p in scores.withUnsafeBufferPointer { p.baseAddress!.update(from: $0.baseAddress!, count: $0.count) } }
        Softmax.rows(&work, rows: rows, cols: cols, path: path)
    }
}
// The MLP's hidden layer: [1500, 4 * nState] in the encoder, [1, 4 * nState] per decoding step.
for (rows, cols, label) in [(1500, 1536, "tiny.en encoder MLP"), (1500, 2048, "base encoder MLP"), (1, 1536, "tiny.en decoder step")] {
    let hidden = randomFloats(rows * cols, scale: 4)
    var work = hidden
    report("GELU [\(rows), \(cols)] \(label)", elements: rows * cols) { path in
        _ = work.withUnsafeMutableBufferPointer { p in hidden.withUnsafeBufferPointer { p.baseAddress!.update(from: $0.baseAddress!, count: $0.count) } }
        GELU.apply(&work, path: path)
    }
}
// Pre-LN blocks normalize [rows, nState] twice per layer.
for (rows, dim, label) in [(1500, 384, "tiny.en encoder"), (1500, 512, "base encoder"), (1, 384, "tiny.en decoder step")] {
    let input = randomFloats(rows * dim, scale: 3)
    let gamma = randomFloats(dim, scale: 1), beta = randomFloats(dim, scale: 1)
    var output = [Float](repeating: 0, count: rows * dim)
    report("layer norm [\(rows), \(dim)] \(label)", elements: rows * dim) { path in
        LayerNorm.forward(input, rows: rows, gamma: gamma, beta: beta, into: &output, path: path)
    }
}
