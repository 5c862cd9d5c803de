import CSottoKernels
import Foundation

/// W8A8 fully connected layers: int8 weights with one float32 scale per output row
/// (`w ≈ q_w * wScale[o]`), activations quantized to int8 per call, exact int32 products, then one
/// rescale to float. The C kernels (Sources/CSottoKernels/int8_gemm.c) pick scalar, AVX2 or VNNI code
/// at run time; `linearReference` is their scalar Swift twin.
public enum Int8Gemm {
    /// The longest reduction (`inFeatures`) whose int32 sums cannot overflow.
    public static let maximumInFeatures = Int(SOTTO_INT8_MAX_K)

    /// The quantized activations of one call, kept between calls so the token loop allocates nothing:
    /// an `InferenceState` owns one per thread of work and passes it to every `linear`. The arrays
    /// grow to the largest `rows * inFeatures` seen and never shrink.
    public struct Scratch: Sendable {
        var quantized: [Int8] = []
        var scales: [Float] = []
        var centers: [Float] = []
        public init() {}

        func withPointers<R>(_ body: (UnsafePointer<Int8>?, UnsafePointer<Float>?, UnsafePointer<Float>?) -> R) -> R {
            quantized.withUnsafeBufferPointer { q in
                scales.withUnsafeBufferPointer { s in
                    centers.withUnsafeBufferPointer { c in body(q.baseAddress, s.baseAddress, c.baseAddress) }
                }
            }
        }
    }

    /// Activation quantization, `q = clamp(round_half_even((x - center) * (1 / scale)), -127, 127)`.
    /// Dynamic (`staticScale == nil`): per row, `scale = (max - min) / 253` and the center
    /// `(max + min) / 2` rounded to a multiple of the scale (so 0 stays exact). Centering doubles
    /// the resolution of one-sided rows such as GELU outputs, where a symmetric absmax / 127 spends
    /// half its codes on values that never occur; the product adds `center * sum_k w[o, k]` back.
    /// A constant row gets scale 0, q 0 and its value as center. Static: the given scale for every
    /// row, center 0, values beyond it clamped (a scale that is not finite and positive is ignored).
    /// Writes q `[rows, cols]` and the per-row scales and centers, growing any array that is too short.
    public static func quantizeActivations(
        _ input: [Float], rows: Int, cols: Int, staticScale: Float?, into q: inout [Int8], scales: inout [Float],
        centers: inout [Float]
    ) {
        quantizeActivations(input, rows: rows, cols: cols, staticScale: staticScale, into: &q, scales: &scales,
                            centers: &centers, path: .automatic)
    }

    /// `sum_k w[o, k]` of the dequantized weights, `wScale[o] * sum_k qw[o, k]`: what a centered row's
    /// center multiplies. A layer computes it once (`Linear`); `linear` computes it when not given.
    public static func weightSums(weights: Data, weightScales: Data, outFeatures: Int, inFeatures: Int) -> [Float] {
        let scales = Quantization.decode(weightScales, dtype: .float32, count: outFeatures)
        return weights.withUnsafeBytes { raw in
            let w = raw.bindMemory(to: Int8.self)
            return (0..<outFeatures).map { o in
                var sum: Int32 = 0
                for k in 0..<inFeatures { sum += Int32(w[o * inFeatures + k]) }
                return Float(sum) * scales[o]
            }
        }
    }

    /// `output[r * outFeatures + o] = bias[o] + aScale[r] * wScale[o] * sum_k qa[r, k] * qw[o, k]
    /// + center[r] * weightSums[o]`.
    /// weights: int8 `[outFeatures, inFeatures]` row-major, any alignment (a slice of a memory-mapped
    /// file is fine); weightScales: little-endian float32 `[outFeatures]`. Writes only the first
    /// `rows * outFeatures` floats of `output`. Allocates its activation buffers per call; the token loop
    /// uses the `scratch:` form instead.
    public static func linear(
        _ input: [Float], rows: Int, weights: Data, weightScales: Data, outFeatures: Int, inFeatures: Int,
        bias: [Float]?, staticScale: Float?, into output: inout [Float]
    ) {
        var scratch = Scratch()
        linear(input, rows: rows, weights: weights, weightScales: weightScales, outFeatures: outFeatures,
               inFeatures: inFeatures, bias: bias, staticScale: staticScale, scratch: &scratch, into: &output)
    }

    /// `linear` reusing caller-owned activation buffers: no allocation once `scratch` has grown.
    /// `weightSums`: the layer's `Int8Gemm.weightSums` (computed here when nil and rows are centered).
    public static func linear(
        _ input: [Float], rows: Int, weights: Data, weightScales: Data, outFeatures: Int, inFeatures: Int,
        bias: [Float]?, staticScale: Float?, weightSums: [Float]? = nil, scratch: inout Scratch, into output: inout [Float]
    ) {
        linear(input, rows: rows, weights: weights, weightScales: weightScales, outFeatures: outFeatures,
               inFeatures: inFeatures, bias: bias, staticScale: staticScale, weightSums: weightSums, scratch: &scratch,
               path: .automatic, into: &output)
    }

    /// The scalar Swift twin of `linear`: the same quantization and rescale, with Int64 sums.
    public static func linearReference(
        _ input: [Float], rows: Int, weights: Data, weightScales: Data, outFeatures: Int, inFeatures: Int,
        bias: [Float]?, staticScale: Float?
    ) -> [Float] {
        let (q, aScales, centers) = quantizeReference(input, rows: rows, cols: inFeatures, staticScale: staticScale)
        let w = weights.map { Int8(bitPattern: $0) }
        let wScales = Quantization.decode(weightScales, dtype: .float32, count: outFeatures)
        let sums = weightSums(weights: weights, weightScales: weightScales, outFeatures: outFeatures, inFeatures: inFeatures)
        var out = [Float](repeating: 0, count: rows * outFeatures)
        for r in 0..<rows {
            for o in 0..<outFeatures {
                var sum: Int64 = 0
                for k in 0..<inFeatures { sum += Int64(q[r * inFeatures + k]) * Int64(w[o * inFeatures + k]) }
                // Same rounding steps as the kernels' epilogue: scale product, then multiply, then add.
                let scale = aScales[r] * wScales[o]
                let product = Float(sum) * scale
                out[r * outFeatures + o] = (product + (bias?[o] ?? 0)).addingProduct(centers[r], sums[o])
            }
        }
        return out
    }

    /// The scalar Swift twin of `quantizeActivations`.
    public static func quantizeReference(_ input: [Float], rows: Int, cols: Int, staticScale: Float?)
        -> (q: [Int8], scales: [Float], centers: [Float])
    {
        var q = [Int8](repeating: 0, count: rows * cols)
        var (scales, centers) = ([Float](repeating: 0, count: rows), [Float](repeating: 0, count: rows))
        for r in 0..<rows {
            let row = input[(r * cols)..<((r + 1) * cols)]
            var (scale, center) = (validStaticScale(staticScale) ?? 0, Float(0))
            if validStaticScale(staticScale) == nil, let low = row.min(), let high = row.max() {
                scale = (high - low) / 253
                let middle = 0.5 * low + 0.5 * high
                let inverse = finiteInverse(scale)
                center = inverse > 0 ? (middle * inverse).rounded(.toNearestOrEven) * scale : middle
            }
            let inverse = finiteInverse(scale)
            (scales[r], centers[r]) = (scale, center)
            for (i, x) in row.enumerated() {
                q[r * cols + i] = Int8(min(max((x - center) * inverse, -127), 127).rounded(.toNearestOrEven))
            }
        }
        return (q, scales, centers)
    }

    private static func finiteInverse(_ scale: Float) -> Float {
        let inverse: Float = scale > 0 ? 1 / scale : 0
        return inverse.isFinite ? inverse : 0
    }

    static func validStaticScale(_ scale: Float?) -> Float? {
        guard let scale, scale.isFinite, scale > 0 else { return nil }
        return scale
    }
}

/// Which int8 kernels run; tests name one to compare paths on the same data. A path the CPU lacks
/// falls back to the next narrower one (`resolved` says which runs).
package enum Int8KernelPath: CaseIterable, Sendable {
    case automatic, scalar, avx2, avxVNNI, avx512VNNI

    var cValue: sotto_int8_path {
        switch self {
        case .automatic: SOTTO_INT8_AUTO
        case .scalar: SOTTO_INT8_SCALAR
        case .avx2: SOTTO_INT8_AVX2
        case .avxVNNI: SOTTO_INT8_AVXVNNI
        case .avx512VNNI: SOTTO_INT8_AVX512VNNI
        }
    }

    package var resolved: Int8KernelPath {
        let value = sotto_int8_resolve(cValue)
        return Self.allCases.first { $0.cValue == value } ?? .scalar
    }
}

extension Int8Gemm {
    /// Rows per parallel quantization task: below this, splitting costs more than it saves.
    private static let minimumRowsPerTask = 64
    /// Multiply-adds per parallel product task (about 20 µs on one core): smaller decoding-step
    /// products lost time to the hand-off in Benchmarks/Int8GemmBench.
    private static let minimumProductsPerTask = 1 << 19

    /// Output rows per task so each task does at least `minimumProductsPerTask` multiply-adds.
    static func minimumOutputRowsPerTask(rows: Int, inFeatures: Int) -> Int {
        max(16, minimumProductsPerTask / max(1, rows * inFeatures))
    }

    package static func quantizeActivations(
        _ input: [Float], rows: Int, cols: Int, staticScale: Float?, into q: inout [Int8], scales: inout [Float],
        centers: inout [Float], path: Int8KernelPath
    ) {
        precondition(rows >= 0 && cols >= 0 && input.count >= rows * cols, "quantizeActivations: input too small")
        if q.count < rows * cols { q = [Int8](repeating: 0, count: rows * cols) }
        if scales.count < rows { scales = [Float](repeating: 0, count: rows) }
        if centers.count < rows { centers = [Float](repeating: 0, count: rows) }
        let scale = validStaticScale(staticScale) ?? 0
        input.withUnsafeBufferPointer { x in
            q.withUnsafeMutableBufferPointer { q in
                scales.withUnsafeMutableBufferPointer { s in
                    centers.withUnsafeMutableBufferPointer { c in
                        // Pointers are only formed for non-empty chunks, so base addresses exist.
                        Compute.parallelFor(rows, minimumPerTask: minimumRowsPerTask) { chunk in
                            sotto_int8_quantize_rows(
                                x.baseAddress.map { $0 + chunk.lowerBound * cols }, Int64(chunk.count), Int64(cols),
                                scale, q.baseAddress.map { $0 + chunk.lowerBound * cols },
                                s.baseAddress! + chunk.lowerBound, c.baseAddress! + chunk.lowerBound, path.cValue)
                        }
                    }
                }
            }
        }
    }

    package static func linear(
        _ input: [Float], rows: Int, weights: Data, weightScales: Data, outFeatures: Int, inFeatures: Int,
        bias: [Float]?, staticScale: Float?, weightSums: [Float]? = nil, scratch: inout Scratch, path: Int8KernelPath,
        into output: inout [Float]
    ) {
        precondition(rows >= 0 && outFeatures >= 0 && inFeatures >= 0, "Int8Gemm.linear: negative size")
        precondition(inFeatures <= maximumInFeatures, "Int8Gemm.linear: inFeatures \(inFeatures) overflows int32 sums")
        precondition(input.count >= rows * inFeatures && output.count >= rows * outFeatures, "Int8Gemm.linear: buffers too small")
        precondition(weights.count >= outFeatures * inFeatures && weightScales.count >= 4 * outFeatures,
                     "Int8Gemm.linear: \(weights.count) weight bytes, \(weightScales.count) scale bytes for [\(outFeatures), \(inFeatures)]")
        precondition(bias == nil || bias!.count == outFeatures, "Int8Gemm.linear: bias size")
        guard rows > 0, outFeatures > 0 else { return }
        precondition(weightSums == nil || weightSums!.count == outFeatures, "Int8Gemm.linear: weight sums size")
        quantizeActivations(input, rows: rows, cols: inFeatures, staticScale: staticScale,
                            into: &scratch.quantized, scales: &scratch.scales, centers: &scratch.centers, path: path)
        // Static rows have center 0 and skip the centers' term (their results stay as before).
        let sums = validStaticScale(staticScale) != nil ? nil
            : weightSums ?? Self.weightSums(weights: weights, weightScales: weightScales, outFeatures: outFeatures,
                                            inFeatures: inFeatures)
        let perTask = minimumOutputRowsPerTask(rows: rows, inFeatures: inFeatures)
        withOptionalPointer(bias) { bias in
            withOptionalPointer(sums) { sums in
                weights.withUnsafeBytes { w in
                    weightScales.withUnsafeBytes { ws in
                        scratch.withPointers { qa, aScales, centers in
                            output.withUnsafeMutableBufferPointer { out in
                                let weightBase = w.baseAddress?.assumingMemoryBound(to: Int8.self)
                                Compute.parallelFor(outFeatures, minimumPerTask: perTask) { chunk in
                                    let (begin, end) = (Int64(chunk.lowerBound), Int64(chunk.upperBound))
                                    sotto_int8_linear(qa, aScales, Int64(rows), Int64(inFeatures), weightBase, ws.baseAddress,
                                                      bias, begin, end, out.baseAddress, Int64(outFeatures), path.cValue)
                                    if let sums {
                                        sotto_int8_add_centers(out.baseAddress, Int64(outFeatures), Int64(rows), begin, end,
                                                               centers, sums)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static func withOptionalPointer<R>(_ values: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let values else { return body(nil) }
        return values.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
