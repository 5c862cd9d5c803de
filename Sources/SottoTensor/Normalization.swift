import CSottoKernels

/// Layer normalization over the last dimension (PyTorch `nn.LayerNorm`, biased variance).
public enum LayerNorm {
    /// Whisper's epsilon (openai/whisper model.py uses nn.LayerNorm's default).
    public static let defaultEpsilon: Float = 1e-5

    /// input/output `[rows, dim]` with `dim = gamma.count`; writes the first `rows * dim` elements of `output`.
    public static func forward(
        _ input: [Float], rows: Int, gamma: [Float], beta: [Float], epsilon: Float = defaultEpsilon,
        into output: inout [Float]
    ) {
        forward(input, rows: rows, gamma: gamma, beta: beta, epsilon: epsilon, into: &output, path: .automatic)
    }

    /// `forward` with the row kernel pinned to `path`: the C kernels of AVX2 or AVX-512
    /// (sotto_layer_norm_row), or the portable Swift code where the path resolves to scalar.
    package static func forward(
        _ input: [Float], rows: Int, gamma: [Float], beta: [Float], epsilon: Float = defaultEpsilon,
        into output: inout [Float], path: WeightKernelPath
    ) {
        let dim = gamma.count
        precondition(beta.count == dim && input.count >= rows * dim && output.count >= rows * dim, "layerNorm sizes")
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                gamma.withUnsafeBufferPointer { g in
                    beta.withUnsafeBufferPointer { b in
                        Compute.parallelFor(rows, minimumPerTask: 64) { range in
                            for r in range {
                                let (row, out) = (x.baseAddress! + r * dim, y.baseAddress! + r * dim)
                                if sotto_layer_norm_row(row, out, dim, g.baseAddress, b.baseAddress, epsilon, path.rawValue) == 0 {
                                    normalizeRow(row, out, dim, g, b, epsilon)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static func normalizeRow(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ dim: Int,
        _ gamma: UnsafeBufferPointer<Float>, _ beta: UnsafeBufferPointer<Float>, _ epsilon: Float
    ) {
        let mean = Vector.sum(x, dim) / Float(dim)
        var variance: Float = 0
        for i in 0..<dim {
            let d = x[i] - mean
            variance += d * d
        }
        let inverse = 1 / (variance / Float(dim) + epsilon).squareRoot()
        for i in 0..<dim { y[i] = (x[i] - mean) * inverse * gamma[i] + beta[i] }
    }

    public static func forwardReference(
        _ input: [Float], rows: Int, gamma: [Float], beta: [Float], epsilon: Float = defaultEpsilon
    ) -> [Float] {
        let dim = gamma.count
        var out = [Float](repeating: 0, count: rows * dim)
        for r in 0..<rows {
            let row = input[(r * dim)..<(r * dim + dim)].map(Double.init)
            let mean = row.reduce(0, +) / Double(dim)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(dim)
            for i in 0..<dim {
                out[r * dim + i] = Float((row[i] - mean) / (variance + Double(epsilon)).squareRoot()) * gamma[i] + beta[i]
            }
        }
        return out
    }
}
