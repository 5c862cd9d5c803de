import CSottoKernels
import Foundation

/// Which implementation of the fused small-batch kernels runs. `automatic` picks the widest the CPU has;
/// tests and benchmarks pin one to compare twins on the same data.
package enum WeightKernelPath: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case automatic = 0
    case scalar = 1
    case avx2 = 2
    case avx512 = 3

    /// Whether this CPU runs the path itself rather than a narrower fallback.
    package var isSupported: Bool { self == .automatic || sotto_weights_resolve_path(rawValue) == rawValue }

    /// The path `automatic` resolves to on this CPU.
    package static var best: WeightKernelPath { WeightKernelPath(rawValue: sotto_weights_resolve_path(0)) ?? .scalar }

    package var description: String {
        switch self {
        case .automatic: "automatic"
        case .scalar: "scalar"
        case .avx2: "avx2"
        case .avx512: "avx512"
        }
    }
}

extension WeightMatrix {
    /// Input rows up to this many take the fused kernels (a decoding step, or beam search's few rows);
    /// more rows (the encoder) dequantize panels of weights for BLAS.
    package static let maximumFusedRows = 8

    /// A fully connected layer: `output[r * self.rows + o] = bias[o] + sum_k input[r * cols + k] * w[o, k]`
    /// for `r < rows`. `rows` is the number of input rows (tokens or frames), `self.rows` the output
    /// features. Same contract as `Gemm.linear`: writes only the first `rows * self.rows` floats of output.
    public func linear(_ input: [Float], rows inputRows: Int, bias: [Float]?, into output: inout [Float]) {
        linear(input, rows: inputRows, bias: bias, into: &output, path: .automatic)
    }

    /// `linear` with the fused kernels pinned to `path` (which only matters for 1...8 input rows).
    package func linear(_ input: [Float], rows inputRows: Int, bias: [Float]?, into output: inout [Float], path: WeightKernelPath) {
        precondition(inputRows >= 0 && input.count >= inputRows * cols && output.count >= inputRows * rows, "linear: buffers too small")
        precondition(bias == nil || bias!.count == rows, "linear: bias size")
        guard inputRows > 0, rows > 0 else { return }
        if cols == 0 {
            for r in 0..<inputRows { for o in 0..<rows { output[r * rows + o] = bias?[o] ?? 0 } }
            return
        }
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                withOptionalPointer(bias) { b in
                    linear(x.baseAddress!, rows: inputRows, bias: b, into: y.baseAddress!, path: path)
                }
            }
        }
    }

    /// Pointer form: `x` holds `inputRows * cols` floats, `y` at least `inputRows * self.rows`; cols > 0.
    func linear(_ x: UnsafePointer<Float>, rows inputRows: Int, bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>,
                path: WeightKernelPath) {
        mainLinear(x, rows: inputRows, bias: bias, into: y, path: path)
        correction?.addProducts(x, rows: inputRows, into: y, mainRows: rows, path: path)
    }

    private func mainLinear(_ x: UnsafePointer<Float>, rows inputRows: Int, bias: UnsafePointer<Float>?,
                            into y: UnsafeMutablePointer<Float>, path: WeightKernelPath) {
        // Float32 rows too: OpenBLAS's sgemv read tiny.en's widened decoder at 12 GB/s on one thread,
        // the fused kernels stream float rows at 21-24 (DecoderStepBench).
        if inputRows <= Self.maximumFusedRows {
            fusedLinear(x, rows: inputRows, bias: bias, into: y, path: path)
            return
        }
        if encoding == .float32 {
            let aligned: Bool = values.withUnsafeBytes { Int(bitPattern: $0.baseAddress) % MemoryLayout<Float>.alignment == 0 }
            if aligned {
                blasLinear(x, rows: inputRows, bias: bias, into: y)
                return
            }
        }
        panelLinear(x, rows: inputRows, bias: bias, into: y)
    }

    /// Streams each weight row once through the C kernels, parallel over output rows.
    private func fusedLinear(_ x: UnsafePointer<Float>, rows inputRows: Int, bias: UnsafePointer<Float>?,
                             into y: UnsafeMutablePointer<Float>, path: WeightKernelPath) {
        let (outFeatures, inFeatures) = (rows, cols)
        withKernelWeights { weights in
            // At least ~512K multiply-adds per task: below that the hand-off to a second thread
            // costs more than it saves (a decoding step's 384x1152 projection runs faster on one).
            let perTask = max(16, (1 << 19) / max(inFeatures * inputRows, 1))
            Compute.parallelFor(outFeatures, minimumPerTask: perTask) { range in
                sotto_weights_linear(weights, x, inputRows, inFeatures, bias, y, outFeatures,
                                     range.lowerBound, range.upperBound, path.rawValue)
            }
        }
    }

    /// Seeds `y` with the bias; returns the beta for BLAS (1 with a bias, else 0).
    private func seedBias(_ bias: UnsafePointer<Float>?, rows inputRows: Int, into y: UnsafeMutablePointer<Float>) -> Float {
        guard let bias else { return 0 }
        for r in 0..<inputRows { (y + r * rows).update(from: bias, count: rows) }
        return 1
    }

    /// float32 weights at an aligned address go straight to BLAS, as `Gemm.linear` does.
    private func blasLinear(_ x: UnsafePointer<Float>, rows inputRows: Int, bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>) {
        let beta = seedBias(bias, rows: inputRows, into: y)
        values.withUnsafeBytes { raw in
            raw.withMemoryRebound(to: Float.self) { w in
                if inputRows == 1 {
                    Gemm.sgemv(w.baseAddress!, lda: cols, transpose: false, rows: rows, cols: cols, x, y, alpha: 1, beta: beta)
                } else {
                    Gemm.sgemm(x, lda: cols, transposeA: false, w.baseAddress!, ldb: cols, transposeB: true,
                               y, ldc: rows, m: inputRows, n: rows, k: cols, alpha: 1, beta: beta)
                }
            }
        }
    }

    /// Dequantizes panels of output rows (about 1 MiB of float32 each, in parallel) and multiplies each
    /// with BLAS into its columns of `y` (ldc = self.rows). The row correction is added afterwards.
    private func panelLinear(_ x: UnsafePointer<Float>, rows inputRows: Int, bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>) {
        let beta = seedBias(bias, rows: inputRows, into: y)
        let panelRows = min(rows, max(16, (262_144 / cols + 15) / 16 * 16))
        var scratch = [Float](repeating: 0, count: panelRows * cols)
        scratch.withUnsafeMutableBufferPointer { panel in
            let base = panel.baseAddress!
            for start in stride(from: 0, to: rows, by: panelRows) {
                let count = min(panelRows, rows - start)
                Compute.parallelFor(count, minimumPerTask: 16) { range in
                    dequantizeRows((start + range.lowerBound)..<(start + range.upperBound),
                                   into: base + range.lowerBound * cols, rowStride: cols, corrected: false)
                }
                // [inputRows, cols] x [count, cols]^T -> columns start..<start+count of [inputRows, rows]
                Gemm.sgemm(x, lda: cols, transposeA: false, base, ldb: cols, transposeB: true,
                           y + start, ldc: rows, m: inputRows, n: count, k: cols, alpha: 1, beta: beta)
            }
        }
    }
}

/// Runs `body` with a pointer to `array`'s elements, or nil.
private func withOptionalPointer<Result>(_ array: [Float]?, _ body: (UnsafePointer<Float>?) -> Result) -> Result {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0.baseAddress) }
}
