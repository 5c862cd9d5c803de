// Int8 (W8A8) linear against the float32 OpenBLAS baseline and, when libdnnl is installed, oneDNN's
// int8 GEMM, on Whisper tiny.en / base layer shapes. Every time is a median over repeats in this run;
// ratios are baseline time / path time (above 1: faster than float32).
//   swift run -c release Int8GemmBench [threads] [rows,rows,...]
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

/// Median wall time in milliseconds of `body`, repeated for about `budgetSeconds` (5...300 runs).
func medianMilliseconds(budgetSeconds: Double = 0.4, _ body: () -> Void) -> Double {
    withoutActuallyEscaping(body) { medianMilliseconds([$0], budgetSeconds: budgetSeconds)[0] }
}

/// With one thread every variant runs on the calling thread, so its CPU time is measured: on a machine
/// shared with other work that is far steadier than wall time. With more threads, wall time.
func nowNanoseconds() -> UInt64 {
    guard threads == 1 else { return DispatchTime.now().uptimeNanoseconds }
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// Median milliseconds of each variant, timed in interleaved rounds after a warm-up round, so that
/// changing load on a shared machine affects every variant alike.
func medianMilliseconds(_ variants: [() -> Void], budgetSeconds: Double = 0.4) -> [Double] {
    for variant in variants { variant() }
    var samples = [[Double]](repeating: [], count: variants.count)
    let start = DispatchTime.now().uptimeNanoseconds
    while samples[0].count < 300 && (samples[0].count < 5 || Double(DispatchTime.now().uptimeNanoseconds - start) < budgetSeconds * 1e9) {
        // A new order each round, so no variant always follows the same one (whose cache footprint
        // would bias it).
        for i in variants.indices.shuffled() {
            let variant = variants[i]
            let t0 = nowNanoseconds()
            variant()
            samples[i].append(Double(nowNanoseconds() - t0) / 1e6)
        }
    }
    return samples.map { $0.sorted()[$0.count / 2] }
}

/// The "model name" line of /proc/cpuinfo, so a pasted table names its machine.
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
    // float32 BLAS, our int8 path and the same product on the AVX2 kernels (the baseline for the wider paths).
    let times = medianMilliseconds([
        { Gemm.linear(input, rows: m, weight: floatWeight, bias: bias, into: &output) },
        {
            Int8Gemm.linear(input, rows: m, weights: weights, weightScales: weightScales, outFeatures: n, inFeatures: k,
                            bias: bias, staticScale: nil, scratch: &scratch, into: &output)
        },
        {
            Int8Gemm.linear(input, rows: m, weights: weights, weightScales: weightScales, outFeatures: n, inFeatures: k,
                            bias: bias, staticScale: nil, scratch: &scratch, path: .avx2, into: &avx2Output)
        },
    ], budgetSeconds: 1)
    let (float32, int8, avx2) = (times[0], times[1], times[2])
    let ours = output
    precondition(ours == avx2Output, "int8 paths disagree")
    var (qa, aScales) = ([Int8](), [Float]())
    let quantize = medianMilliseconds {
        Int8Gemm.quantizeActivations(input, rows: m, cols: k, staticScale: nil, into: &qa, scales: &aScales)
    }
    var dnnlCell = "n/a | n/a"
    if let dnnlGemm {
        var sums = [Int32](repeating: 0, count: m * n)
        let offset: [Int32] = [0]
        let dnnl = medianMilliseconds {
            Int8Gemm.quantizeActivations(input, rows: m, cols: k, staticScale: nil, into: &qa, scales: &aScales)
            // C [m, n] = A [m, k] x B^T, B = weights [n, k] row-major.
            _ = dnnlGemm(CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "T")), CChar(UInt8(ascii: "F")), Int64(m), Int64(n), Int64(k), 1,
                         qa, Int64(k), 0, q, Int64(k), 0, 0, &sums, Int64(n), offset)
            for r in 0..<m {
                for o in 0..<n {
                    let scale = aScales[r] * scales[o]
                    let product = Float(sums[r * n + o]) * scale
                    output[r * n + o] = product + bias[o]
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
print("times: median ms (GFLOPS-equivalent), \(threads == 1 ? "CPU time of the one thread" : "wall time"); int8 includes activation quantization; oneDNN = quantize + gemm_s8s8s32 + rescale")
print("| model | rows | k | n | float32 sgemm/sgemv | int8 (ours) | int8 speedup | int8 AVX2 kernels | ours vs AVX2 | quantize only | oneDNN int8 | oneDNN speedup |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
let rowCounts = CommandLine.arguments.dropFirst(2).first.map { $0.split(separator: ",").compactMap { Int($0) } } ?? [1, 5, 1500]
for rows in rowCounts {
    for (model, k, n) in layers { print(measure(Shape(model: model, rows: rows, inFeatures: k, outFeatures: n))) }
}
