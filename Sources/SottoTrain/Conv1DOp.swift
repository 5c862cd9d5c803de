import SottoTensor

/// 1-D convolution over time-major input as im2col + one product (the encoder stem): inp
/// `[length, inChannels]`, weight `[outChannels, inChannels, kernelSize]` (PyTorch layout), out
/// `[outLength, outChannels]`. The forward keeps the im2col matrix `[outLength, inChannels · kernelSize]`
/// for the weight gradient.
package struct ConvShape: Sendable {
    package let length, inChannels, outChannels, kernelSize, stride, padding: Int

    package init(length: Int, inChannels: Int, outChannels: Int, kernelSize: Int = 3, stride: Int, padding: Int = 1) {
        (self.length, self.inChannels, self.outChannels) = (length, inChannels, outChannels)
        (self.kernelSize, self.stride, self.padding) = (kernelSize, stride, padding)
    }

    package var outLength: Int { (length + 2 * padding - kernelSize) / stride + 1 }
    package var columnWidth: Int { inChannels * kernelSize }
}

package enum Conv1DOp {
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    package static func forward<T: TrainScalar>(
        _ out: UnsafeMutablePointer<T>, columns: UnsafeMutablePointer<T>, _ inp: UnsafePointer<T>,
        weight: UnsafePointer<T>, bias: UnsafePointer<T>, _ s: ConvShape
    ) {
        let width = s.columnWidth
        Compute.parallelFor(s.outLength, minimumPerTask: 64) { range in
            for t in range {
                let row = columns + t * width
                for k in 0..<s.kernelSize {
                    let source = t * s.stride + k - s.padding
                    let inside = source >= 0 && source < s.length
                    // column c · K + k matches the weight's [outC, inC, K] flattened to [outC, inC · K]
                    for c in 0..<s.inChannels { row[c * s.kernelSize + k] = inside ? inp[source * s.inChannels + c] : 0 }
                }
            }
        }
        LinearOp.forward(out, columns, weight: weight, bias: bias, rows: s.outLength, inFeatures: width, outFeatures: s.outChannels)
    }

    /// Accumulates dinp (optional), dweight, dbias; `scratch` holds `outLength · inChannels · kernelSize`.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    package static func backward<T: TrainScalar>(
        dinp: UnsafeMutablePointer<T>?, dweight: UnsafeMutablePointer<T>?, dbias: UnsafeMutablePointer<T>?,
        dout: UnsafePointer<T>, columns: UnsafePointer<T>, weight: UnsafePointer<T>,
        scratch: UnsafeMutablePointer<T>, _ s: ConvShape
    ) {
        let width = s.columnWidth
        scratch.update(repeating: 0, count: s.outLength * width)
        LinearOp.backward(dinp: dinp == nil ? nil : scratch, dweight: dweight, dbias: dbias, dout: dout, inp: columns,
                          weight: weight, rows: s.outLength, inFeatures: width, outFeatures: s.outChannels)
        guard let dinp else { return }
        // col2im: every column entry goes back to the input frame it was copied from. Serial over
        // time because overlapping kernels write the same input frame.
        for t in 0..<s.outLength {
            for k in 0..<s.kernelSize {
                let source = t * s.stride + k - s.padding
                guard source >= 0 && source < s.length else { continue }
                let (row, dx) = (scratch + t * width, dinp + source * s.inChannels)
                for c in 0..<s.inChannels { dx[c] += row[c * s.kernelSize + k] }
            }
        }
    }
}
