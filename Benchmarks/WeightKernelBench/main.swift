// Times WeightMatrix.linear per encoding on Whisper's shapes against float32 BLAS (Gemm.linear, which
// is sgemv for one row and sgemm otherwise) in the same run, with two threads (or `threads`; with one,
// the calling thread's CPU time is measured, steadier on a machine shared with other work).
// Run: swift run -c release WeightKernelBench [outFeatures [inputRows [threads]]]  (optional filters)
import BenchmarkSupport
import Foundation
import SottoTensor

let threads = CommandLine.arguments.dropFirst(3).first.flatMap(Int.init) ?? 2

let encodings: [WeightEncoding] = [
    .float16, .int8Channel, .int8Block(size: 32), .int4Block(size: 32, zeroPoint: false),
    .int4Block(size: 128, zeroPoint: false), .int4Block(size: 32, zeroPoint: true), .int4Block(size: 128, zeroPoint: true),
]
/// (outFeatures, inFeatures, what) and the input row counts timed on each.
let cases: [(shape: (Int, Int, String), inputRows: [Int])] = [
    ((51864, 384, "tiny.en logits"), [1, 5]),
    ((1536, 384, "tiny fc1"), [1, 5, 1500]),
    ((384, 1536, "tiny fc2"), [1, 5]),
    ((51865, 512, "base logits"), [1, 5]),
    ((2048, 512, "base fc1"), [1, 5]),
]

let timing = InterleavedTiming(threads: threads, budgetSeconds: 1.5, maximumRounds: 200)

func format(_ x: Double, _ digits: Int) -> String {
    let scale = (0..<digits).reduce(1.0) { acc, _ in acc * 10 }
    let rounded = (x * scale).rounded() / scale
    return "\(rounded)"
}

let arguments = CommandLine.arguments.dropFirst().prefix(2).compactMap { Int($0) }
Compute.setThreads(threads)
print("WeightKernelBench: \(threads) threads, kernel path \(WeightKernelPath.best)")
print("CPU: \(CPUReport.current().summary)")
print("")
// On a CPU whose best path is wider than AVX2, the same kernels pinned to AVX2 run in the same rounds.
let widerThanAVX2 = WeightKernelPath.best.rawValue > WeightKernelPath.avx2.rawValue
print("| shape [out, in] | rows | encoding | ms (median) | speedup vs f32 |\(widerThanAVX2 ? " AVX2 ms | speedup vs AVX2 |" : "")")
print("| --- | ---: | --- | ---: | ---: |\(widerThanAVX2 ? " ---: | ---: |" : "")")
var rng = SystemRandomNumberGenerator()
for (shape, inputRowCounts) in cases where arguments.isEmpty || arguments[0] == shape.0 {
    let (outFeatures, inFeatures, what) = shape
    let tensor = Tensor(shape: [outFeatures, inFeatures], data: (0..<(outFeatures * inFeatures)).map { _ in Float.random(in: -1...1, using: &rng) })
    let bias = (0..<outFeatures).map { _ in Float.random(in: -1...1, using: &rng) }
    let matrices = encodings.map { WeightMatrix.quantize(tensor, as: $0) }
    for inputRows in inputRowCounts where arguments.count < 2 || arguments[1] == inputRows {
        let input = (0..<(inputRows * inFeatures)).map { _ in Float.random(in: -1...1, using: &rng) }
        var output = [Float](repeating: 0, count: inputRows * outFeatures)
        let variants: [() -> Void] = [{ Gemm.linear(input, rows: inputRows, weight: tensor, bias: bias, into: &output) }]
            + matrices.map { matrix in { matrix.linear(input, rows: inputRows, bias: bias, into: &output) } }
            + (widerThanAVX2 ? matrices.map { matrix in { matrix.linear(input, rows: inputRows, bias: bias, into: &output, path: .avx2) } } : [])
        let times = timing.medianMilliseconds(variants)
        let avx2Times = Array(times.dropFirst(1 + matrices.count))
        let label = "[\(outFeatures), \(inFeatures)] \(what)"
        print("| \(label) | \(inputRows) | f32 (BLAS) | \(format(times[0], 3)) | 1.0 |")
        for (i, (matrix, ms)) in zip(matrices, times.dropFirst()).enumerated() {
            let avx2 = widerThanAVX2 ? " \(format(avx2Times[i], 3)) | \(format(avx2Times[i] / ms, 2)) |" : ""
            print("| \(label) | \(inputRows) | \(matrix.encoding) | \(format(ms, 3)) | \(format(times[0] / ms, 2)) |\(avx2)")
        }
    }
}
