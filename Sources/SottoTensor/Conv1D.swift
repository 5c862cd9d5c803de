/// 1-D convolution over time-major activations, as im2col + one sgemm.
public enum Conv1D {
    /// input `[length, inChannels]` (time-major), weight `[outChannels, inChannels, kernelSize]`,
    /// output `[outLength, outChannels]` with `outLength = (length + 2 * padding - kernelSize) / stride + 1`.
    public static func forward(
        _ input: [Float], length: Int, weight: Tensor, bias: [Float]?, stride: Int, padding: Int
    ) -> (output: [Float], length: Int) {
        let (outChannels, inChannels, kernelSize) = (weight.shape[0], weight.shape[1], weight.shape[2])
        let outLength = outputLength(length, kernelSize: kernelSize, stride: stride, padding: padding)
        let columns = im2col(input, length: length, inChannels: inChannels, kernelSize: kernelSize,
                             stride: stride, padding: padding, outLength: outLength)
        // [outC, inC, K] -> [outC, inC * K]: column index c * K + k matches im2col's.
        let flat = Tensor(shape: [outChannels, inChannels * kernelSize], data: weight.data)
        var output = [Float](repeating: 0, count: outLength * outChannels)
        Gemm.linear(columns, rows: outLength, weight: flat, bias: bias, into: &output)
        return (output, outLength)
    }

    public static func outputLength(_ length: Int, kernelSize: Int, stride: Int, padding: Int) -> Int {
        max(0, (length + 2 * padding - kernelSize) / stride + 1)
    }

    /// `[length, inC] -> [outLength, inC * K]`; row t holds x[t * stride + k - padding, c] at c * K + k.
    static func im2col(
        _ input: [Float], length: Int, inChannels: Int, kernelSize: Int, stride: Int, padding: Int, outLength: Int
    ) -> [Float] {
        let width = inChannels * kernelSize
        var columns = [Float](repeating: 0, count: outLength * width)
        input.withUnsafeBufferPointer { x in
            columns.withUnsafeMutableBufferPointer { col in
                Compute.parallelFor(outLength, minimumPerTask: 64) { range in
                    for t in range {
                        for k in 0..<kernelSize {
                            let source = t * stride + k - padding
                            guard source >= 0 && source < length else { continue }
                            for c in 0..<inChannels { col[t * width + c * kernelSize + k] = x[source * inChannels + c] }
                        }
                    }
                }
            }
        }
        return columns
    }

    public static func forwardReference(
        _ input: [Float], length: Int, weight: Tensor, bias: [Float]?, stride: Int, padding: Int
    ) -> [Float] {
        let (outChannels, inChannels, kernelSize) = (weight.shape[0], weight.shape[1], weight.shape[2])
        let outLength = outputLength(length, kernelSize: kernelSize, stride: stride, padding: padding)
        var out = [Float](repeating: 0, count: outLength * outChannels)
        for t in 0..<outLength {
            for o in 0..<outChannels {
                var sum = Double(bias?[o] ?? 0)
                for c in 0..<inChannels {
                    for k in 0..<kernelSize {
                        let s = t * stride + k - padding
                        if s >= 0 && s < length {
                            sum += Double(input[s * inChannels + c]) * Double(weight.data[(o * inChannels + c) * kernelSize + k])
                        }
                    }
                }
                out[t * outChannels + o] = Float(sum)
            }
        }
        return out
    }
}
