import Foundation

/// Scalar twins of the weight kernels, written from the layout table on `WeightEncoding` without
/// sharing code with the C kernels, so tests check both against the format rather than each other.
extension WeightMatrix {
    /// `linear` in scalar Swift: double accumulation over an independent scalar dequantization.
    /// `rows` is the number of input rows; the result is `[rows, self.rows]`.
    public func linearReference(_ input: [Float], rows inputRows: Int, bias: [Float]?) -> [Float] {
        precondition(input.count >= inputRows * cols, "linearReference: input too small")
        let weights = referenceDequantized()
        var out = [Float](repeating: 0, count: inputRows * rows)
        for r in 0..<inputRows {
            for o in 0..<rows {
                var sum = Double(bias?[o] ?? 0)
                for k in 0..<cols { sum += Double(input[r * cols + k]) * Double(weights[o * cols + k]) }
                out[r * rows + o] = Float(sum)
            }
        }
        return out
    }

    /// The matrix in float32, `[rows * cols]`, one element at a time, row correction included.
    package func referenceDequantized() -> [Float] {
        var out = [Float](repeating: 0, count: rows * cols)
        values.withUnsafeBytes { v in
            scales.withUnsafeBytes { s in
                zeros.withUnsafeBytes { z in
                    for o in 0..<rows {
                        for k in 0..<cols { out[o * cols + k] = referenceWeight(o, k, values: v, scales: s, zeros: z) }
                    }
                }
            }
        }
        if let correction {
            let residuals = correction.corrections.referenceDequantized()
            for (i, row) in correction.rows.enumerated() {
                for k in 0..<cols { out[Int(row) * cols + k] += residuals[i * cols + k] }
            }
        }
        return out
    }

    private func referenceWeight(_ o: Int, _ k: Int, values: UnsafeRawBufferPointer, scales: UnsafeRawBufferPointer,
                                 zeros: UnsafeRawBufferPointer) -> Float {
        func half(_ index: Int, in buffer: UnsafeRawBufferPointer) -> Float {
            Float(Float16(bitPattern: UInt16(littleEndian: buffer.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))))
        }
        func float(_ index: Int, in buffer: UnsafeRawBufferPointer) -> Float {
            Float(bitPattern: UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
        }
        let blocks = encoding.blocksPerRow(cols: cols)
        switch encoding {
        case .float32:
            return float(o * cols + k, in: values)
        case .float16:
            return half(o * cols + k, in: values)
        case .int8Channel:
            return Float(Int8(bitPattern: values[o * cols + k])) * float(o, in: scales)
        case .int8Block(let size):
            return Float(Int8(bitPattern: values[o * cols + k])) * half(o * blocks + k / size, in: scales)
        case .int4Block(let size, let zeroPoint):
            let group = k / 32, lane = k % 32
            let byte = values[o * encoding.valueBytesPerRow(cols: cols) + group * 16 + lane % 16]
            let code = Int(lane < 16 ? byte & 0x0F : byte >> 4)
            let block = o * blocks + k / size
            let zero = zeroPoint ? Int(zeros[block]) : 8
            return Float(code - zero) * half(block, in: scales)
        }
    }
}
