import Foundation

extension WeightMatrix {
    /// Quantizes a 2-D float tensor `[outFeatures, inFeatures]` into `encoding` (layouts on `WeightEncoding`).
    /// Non-finite weights never trap: NaN codes as zero, and a block's scale follows its largest magnitude.
    public static func quantize(_ tensor: Tensor, as encoding: WeightEncoding) -> WeightMatrix {
        precondition(tensor.shape.count == 2, "quantize needs a 2-D tensor, got \(tensor.shape)")
        precondition(encoding.isValid, "invalid weight encoding \(encoding)")
        let (rows, cols) = (tensor.shape[0], tensor.shape[1])
        if encoding == .float32 { return WeightMatrix(tensor) }
        return tensor.data.withUnsafeBufferPointer { w in
            encodedRows(rows: rows, cols: cols, encoding: encoding, minimumPerTask: max(1, 16384 / max(cols, 1))) { range, parts in
                for row in range {
                    let weights = UnsafeBufferPointer(rebasing: w[(row * cols)..<((row + 1) * cols)])
                    WeightQuantizer.quantizeRow(row, weights, as: encoding, into: parts)
                }
            }
        }
    }

    /// Allocates the parts of a `[rows, cols]` matrix in `encoding`, lets `encode` fill rows in parallel
    /// chunks (each chunk writing only its rows' bytes), and wraps the result.
    static func encodedRows(rows: Int, cols: Int, encoding: WeightEncoding, minimumPerTask: Int,
                            _ encode: (Range<Int>, QuantizedParts) -> Void) -> WeightMatrix {
        let sizes = try! partSizes(rows: rows, cols: cols, encoding: encoding)  // a Tensor's shape cannot overflow
        var values = [UInt8](repeating: 0, count: sizes.values)
        var scales = [UInt8](repeating: 0, count: sizes.scales)
        var zeros = [UInt8](repeating: 0, count: sizes.zeros)
        values.withUnsafeMutableBytes { v in
            scales.withUnsafeMutableBytes { s in
                zeros.withUnsafeMutableBytes { z in
                    let parts = QuantizedParts(values: v, scales: s, zeros: z)
                    Compute.parallelFor(rows, minimumPerTask: minimumPerTask) { encode($0, parts) }
                }
            }
        }
        return WeightMatrix(unchecked: rows, cols: cols, encoding: encoding, values: Data(values), scales: Data(scales), zeros: Data(zeros))
    }
}

/// Destination buffers of `quantize`; each row writes only its own bytes.
struct QuantizedParts: @unchecked Sendable {
    let values: UnsafeMutableRawBufferPointer
    let scales: UnsafeMutableRawBufferPointer
    let zeros: UnsafeMutableRawBufferPointer
}

/// One int4 block's mapping: code q in 0...15 dequantizes to `(q - zero) * scale`. The scale is already
/// rounded to the half it is stored as, so dequantization reproduces exactly what the search measured.
struct Int4Block {
    let scale: Float
    let zero: Float

    func code(_ x: Float) -> UInt8 {
        scale == 0 || !scale.isFinite ? UInt8(zero) : UInt8(WeightQuantizer.roundClamped(x / scale, -zero, 15 - zero) + zero)
    }

    func value(_ code: UInt8) -> Float { (Float(code) - zero) * scale }
}

/// Per-row quantizers. Scales are rounded to their stored precision before the codes are chosen, so
/// dequantization reproduces exactly what the search measured.
enum WeightQuantizer {
    static func quantizeRow(_ row: Int, _ w: UnsafeBufferPointer<Float>, as encoding: WeightEncoding, into parts: QuantizedParts) {
        let cols = w.count
        let valueBase = row * encoding.valueBytesPerRow(cols: cols)
        let blocks = encoding.blocksPerRow(cols: cols)
        switch encoding {
        case .float32:
            preconditionFailure("float32 is stored as is")
        case .float16:
            for k in 0..<cols { storeHalf(w[k], parts.values, at: valueBase + 2 * k) }
        case .int8Channel:
            let scale = absoluteMaximum(w) / 127
            parts.scales.storeBytes(of: scale.bitPattern.littleEndian, toByteOffset: row * 4, as: UInt32.self)
            quantizeInt8(w, scale: scale, into: parts.values, at: valueBase)
        case .int8Block(let size):
            for b in 0..<blocks {
                let block = UnsafeBufferPointer(rebasing: w[(b * size)..<min(cols, (b + 1) * size)])
                let scale = storeHalf(absoluteMaximum(block) / 127, parts.scales, at: 2 * (row * blocks + b))
                quantizeInt8(block, scale: scale, into: parts.values, at: valueBase + b * size)
            }
        case .int4Block(let size, let zeroPoint):
            var codes = [UInt8](repeating: 0, count: WeightEncoding.paddedColumns(cols))
            for b in 0..<blocks {
                let range = (b * size)..<min(cols, (b + 1) * size)
                let block = int4Block(UnsafeBufferPointer(rebasing: w[range]), zeroPoint: zeroPoint)
                for k in range { codes[k] = block.code(w[k]) }
                storeInt4(block, row: row, block: b, blocks: blocks, zeroPoint: zeroPoint, codes: &codes, cols: cols, into: parts)
            }
            packInt4(codes, into: parts.values, at: valueBase)
        }
    }

    /// Stores a block's scale (and zero); the row's last block also pads its codes with the zero code,
    /// which dequantizes to exactly 0.
    static func storeInt4(_ block: Int4Block, row: Int, block b: Int, blocks: Int, zeroPoint: Bool, codes: inout [UInt8],
                          cols: Int, into parts: QuantizedParts) {
        storeHalf(block.scale, parts.scales, at: 2 * (row * blocks + b))
        if zeroPoint { parts.zeros[row * blocks + b] = UInt8(block.zero) }
        if b == blocks - 1 { for k in cols..<codes.count { codes[k] = UInt8(block.zero) } }
    }

    /// The largest finite-or-infinite magnitude, ignoring NaN.
    static func absoluteMaximum(_ w: UnsafeBufferPointer<Float>) -> Float {
        var m: Float = 0
        for x in w where abs(x) > m { m = abs(x) }
        return m
    }

    /// `x` rounded and clamped to `lo...hi`; NaN gives 0 (every range used here contains 0).
    static func roundClamped(_ x: Float, _ lo: Float, _ hi: Float) -> Float {
        x.isNaN ? 0 : min(max(x.rounded(.toNearestOrEven), lo), hi)
    }

    /// Stores `x` as a little-endian half and returns the stored value as a float.
    @discardableResult
    static func storeHalf(_ x: Float, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Float {
        let half = Float16(x)
        buffer.storeBytes(of: half.bitPattern.littleEndian, toByteOffset: offset, as: UInt16.self)
        return Float(half)
    }

    static func quantizeInt8(_ w: UnsafeBufferPointer<Float>, scale: Float, into values: UnsafeMutableRawBufferPointer, at offset: Int) {
        guard scale != 0 else { return }  // all-zero block: codes stay 0
        for k in w.indices {
            values[offset + k] = UInt8(bitPattern: Int8(roundClamped(w[k] / scale, -127, 127)))
        }
    }

    /// Symmetric int4: `w ≈ (q - 8) * d`. `m` is the weight of largest magnitude; the scale `d = -m / c`
    /// (negative when m is positive, as in ggml's q4_0) puts `m` on the side with eight levels. `c` is
    /// searched over 7...8: c = 7 clamps nothing, larger c gives finer steps but clamps the largest
    /// values of the opposite sign; the candidate with the smallest squared error wins.
    static func int4Symmetric(_ w: UnsafeBufferPointer<Float>) -> Int4Block {
        var m: Float = 0
        for x in w where abs(x) > abs(m) { m = x }
        var best = (scale: Float(0), error: Float.infinity)
        for c: Float in [7, 7.25, 7.5, 7.75, 8] {
            let d = Float(Float16(-m / c))
            guard d != 0, d.isFinite else { continue }
            var error: Float = 0
            for x in w {
                let e = x - roundClamped(x / d, -8, 7) * d
                error += e * e
            }
            if error < best.error || best.error.isNaN { best = (d, error) }
        }
        return Int4Block(scale: best.scale, zero: 8)
    }

    /// Asymmetric int4: the block's range is widened to include 0, `s = (max - min) / 15`,
    /// `z = round(-min / s)`, `w ≈ (q - z) * s`.
    static func int4ZeroPoint(_ w: UnsafeBufferPointer<Float>) -> Int4Block {
        var (lo, hi): (Float, Float) = (0, 0)
        for x in w {
            if x < lo { lo = x }
            if x > hi { hi = x }
        }
        let s = Float(Float16((hi - lo) / 15))
        guard s != 0, s.isFinite else { return Int4Block(scale: 0, zero: 0) }
        return Int4Block(scale: s, zero: roundClamped(-lo / s, 0, 15))
    }

    static func int4Block(_ w: UnsafeBufferPointer<Float>, zeroPoint: Bool) -> Int4Block {
        zeroPoint ? int4ZeroPoint(w) : int4Symmetric(w)
    }

    /// Packs codes (padded to whole groups of 32): byte g*16 + j = code g*32 + j | code g*32 + 16 + j << 4.
    static func packInt4(_ codes: [UInt8], into values: UnsafeMutableRawBufferPointer, at offset: Int) {
        for g in 0..<(codes.count / 32) {
            for j in 0..<16 {
                values[offset + g * 16 + j] = codes[g * 32 + j] | codes[g * 32 + 16 + j] << 4
            }
        }
    }
}
