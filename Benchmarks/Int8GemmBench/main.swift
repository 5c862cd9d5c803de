// Int8 (W8A8) linear against the float32 OpenBLAS baseline and, when libdnnl is installed, oneDNN's
// int8 GEMM, on Whisper tiny.en / base layer shapes. Every time is a median over repeats in this run;
// ratios are baseline time / path time (above 1: faster than float32).
//   swift run -c release Int8GemmBench [threads] [rows,rows,...]
import BenchmarkSupport
import Foundation
import SottoTensor

#if canImport(Glibc)
import Glibc
#endif

let threads = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 2
// oneDNN (OpenMP) reads its thread count when libgomp loads, so set it before dlopen.
setenv("OMP_NUM_THREADS", String(threads), 1)
Compute.setThreads(threads)

/// `dnnl_gemm_s8s8s32`, looked up at run time so the package does not depend on oneDNN.
typealias GemmS8S8S32 = @convention(c) (
    CChar, CChar, CChar, Int64, Int64, Int64, Float, UnsafePointer<Int8>?, Int64, Int8,
    UnsafePointer<Int8>?, Int64, Int8, Float, UnsafeMutablePointer<Int32>?, Int64, UnsafePointer<Int32>?
) -> Int32

let dnnlGemm: GemmS8S8S32? = ["libdnnl.so.2", "libdnnl.so.3", "libdnnl.so"].lazy.compactMap { name -> GemmS8S8S32? in
    guard let handle = dlopen(name, RTLD_NOW), let symbol = dlsym(handle, "dnnl_gemm_s8s8s32") else { return nil }
    return unsafeBitCast(symbol, to: GemmS8S8S32.self)
}.first

let timing = InterleavedTiming(threads: threads, budgetSeconds: 0.4)

/// One product: the model it comes from and its shape.
struct Shape {
    let model: String
    let rows: Int
    let inFeatures: Int
    let outFeatures: Int
    var gigaOps: Double { 2 * Double(rows * inFeatures * outFeatures) / 1e9 }
}

func measure(_ shape: Shape) -> String {
    let (m, k, n) = (shape.rows, shape.inFeatures, shape.outFeatures)
    var rng = SystemRandomNumberGenerator()
    let input = (0..<(m * k)).map { _ in Float.random(in: -1...1, using: &rng) }
    let floatWeight = Tensor(shape: [n, k], data: (0..<(n * k)).map { _ in Float.random(in: -0.1...0.1, using: &rng) })
    let q = (0..<(n * k)).map { _ in Int8.random(in: -127...127, using: &rng) }
    let weights = Data(q.map { UInt8(bitPattern: $0) })
    let scales = (0..<n).map { _ in Float.random(in: 0.001...0.01, using: &rng) }
    let weightScales = scales.withUnsafeBytes { Data($0) }
    let bias = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
    var output = [Float](repeating: 0, count: m * n)
    var scratch = Int8Gemm.Scratch()

    var avx2Output = output
    let weightSums = Int8Gemm.weightSums(weights: weights, weightScales: weightScales, outFeatures: n, inFeatures: k)
    // float32 BLAS, our int8 path and the same product on the AVX2 kernels (the baseline for the wider paths).
    let times = timing.budget(1).medianMilliseconds([
        { Gemm.linear(input, rows: m, weight: floatWeight, bias: bias, into: &output) },
        {
            Int8Gemm.linear(input, rows: m, weights: weights, weightScales: weightScales, outFeatures: n, inFeatures: k,
                            bias: bias, staticScale: nil, weightSums: weightSums, scratch: &scratch, into: &output)
        },
        {
            Int8Gemm.linear(input, rows: m, weights: weights, weightScales: weightScales, outFeatures: n, inFeatures: k,
                            bias: bias, staticScale: nil, weightSums: weightSums, scratch: &scratch, path: .avx2, into: &avx2Output)
        },
    ])
    let (float32, int8, avx2) = (times[0], times[1], times[2])
    let ours = output
    precondition(ours == avx2Output, "int8 paths disagree")
    var (qa, aScales, centers) = ([Int8](), [Float](), [Float]())
    let quantize = timing.medianMilliseconds {
        Int8Gemm.quantizeActivations(input, rows: m, cols: k, staticScale: nil, into: &qa, scales: &aScales, centers: &centers)
    }
    var dnnlCell = "n/a | n/a"
    if let dnnlGemm {
        var sums = [Int32](repeating: 0, count: m * n)
        let offset: [Int32] = [0]
        let dnnl = timing.medianMilliseconds {
            Int8Gemm.quantizeActivations(input, rows: m, cols: k, staticScale: nil, into: &qa, scales: &aScales, centers: &centers)
            // C [m, n] = A [m, k] x B^T, B = weights [n, k] row-major.
            _ = dnnlGemm(CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "T")), CChar(UInt8(ascii: "F")), Int64(m), Int64(n), Int64(k), 1,
                         qa, Int64(k), 0, q, Int64(k), 0, 0, &sums, Int64(n), offset)
            for r in 0..<m {
                for o in 0..<n {
                    let scale = aScales[r] * scales[o]
                    let product = Float(sums[r * n + o]) * scale
                    output[r * n + o] = (product + bias[o]).addingProduct(centers[r], weightSums[o])
                }
            }
        }
        // oneDNN's AVX2 s8s8s32 adds 128 to A and multiplies with saturating vpmaddubsw, so its sums can
        // differ from the exact ones; report the largest difference relative to the largest output.
        let largest = ours.reduce(Float(0)) { max($0, abs($1)) }
        let worst = zip(output, ours).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
        let agrees = worst == 0 ? "" : String(format: " (max diff %.1e of %.1e)", worst, largest)
        dnnlCell = String(format: "%.3f | %.2fx%@", dnnl, float32 / dnnl, agrees)
    }
    func gops(_ ms: Double) -> String { String(format: "%.0f", shape.gigaOps / (ms / 1e3)) }
    return String(format: "| %@ | %d | %d | %d | %.3f (%@) | %.3f (%@) | %.2fx | %.3f (%@) | %.2fx | %.4f | %@ |",
                  shape.model, m, k, n, float32, gops(float32), int8, gops(int8), float32 / int8, avx2, gops(avx2),
                  avx2 / int8, quantize, dnnlCell)
}

let layers: [(String, Int, Int)] = [
    ("tiny.en", 384, 1152), ("tiny.en", 384, 384), ("tiny.en", 384, 1536), ("tiny.en", 1536, 384),
    ("base", 512, 1536), ("base", 512, 512), ("base", 512, 2048), ("base", 2048, 512),
]
print("threads \(threads), int8 kernels: \(Int8KernelPath.automatic.resolved), oneDNN: \(dnnlGemm == nil ? "not found" : "dnnl_gemm_s8s8s32")")
print("CPU: \(CPUReport.current().summary)")
print("times: median ms (GFLOPS-equivalent), \(timing.clockDescription); int8 includes activation quantization; oneDNN = quantize + gemm_s8s8s32 + rescale")
print("| model | rows | k | n | float32 sgemm/sgemv | int8 (ours) | int8 speedup | int8 AVX2 kernels | ours vs AVX2 | quantize only | oneDNN int8 | oneDNN speedup |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
let rowCounts = CommandLine.arguments.dropFirst(2).first.map { $0.split(separator: ",").compactMap { Int($0) } } ?? [1, 5, 1500]
for rows in rowCounts {
    for (model, k, n) in layers { print(measure(Shape(model: model, rows: rows, inFeatures: k, outFeatures: n))) }
}
