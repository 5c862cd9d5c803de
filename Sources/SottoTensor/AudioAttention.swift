import CSottoKernels

/// One decoder layer's cross-attention keys and values for a window of audio, computed once and read
/// by every decoding step. Laid out per head for single-query steps (see `sotto_kv_head`): keys
/// transposed in tiles of 8 frames (padded to a whole tile), values row-major.
public struct AudioKeysValues: Sendable {
    /// Element type of the stored keys and values.
    public enum Precision: String, Sendable, CaseIterable {
        case float32
        /// Half the bytes that every decoding step streams; for models whose weights are already below
        /// float32 precision.
        case float16
    }

    public let precision: Precision
    public let frames: Int
    public let heads: Int
    public let headDim: Int
    /// Frames padded to whole key tiles.
    let stride: Int
    private let floats: [Float]
    private let halves: [UInt16]

    /// `fused`: row-major `[frames, 2 * width]`, each row the frame's keys then its values, heads side
    /// by side (`width = heads * headDim`).
    public init(fused: [Float], frames: Int, heads: Int, width: Int, precision: Precision) {
        precondition(fused.count >= frames * 2 * width, "audio keys/values shape")
        let rows = MatrixView(fused, rows: frames, cols: 2 * width)
        self.init(keys: rows.columns(0..<width), values: rows.columns(width..<2 * width), heads: heads, precision: precision)
    }

    /// `keys`, `values`: `[frames, width]` views, heads side by side.
    public init(keys: MatrixView, values: MatrixView, heads: Int, precision: Precision) {
        let (frames, width) = (keys.rows, keys.cols)
        precondition(heads > 0 && width % heads == 0 && values.rows == frames && values.cols == width, "audio keys/values shape")
        self.precision = precision
        self.frames = frames
        self.heads = heads
        headDim = width / heads
        stride = (frames + 7) / 8 * 8
        let perHead = headDim * stride + frames * headDim
        let (hd, stride) = (headDim, stride)
        let kind = precision == .float32 ? SOTTO_KV_F32 : SOTTO_KV_F16
        /// Fills every element of `target` (heads * perHead of them), each head in one pass.
        func layOut(_ target: UnsafeMutableRawPointer, elementSize: Int) {
            keys.storage.withUnsafeBufferPointer { k in
                values.storage.withUnsafeBufferPointer { v in
                    Compute.parallelFor(heads) { range in
                        for h in range {
                            let headKeys = target + h * perHead * elementSize
                            sotto_kv_layout(k.baseAddress! + keys.offset + h * hd, keys.rowStride,
                                            v.baseAddress! + values.offset + h * hd, values.rowStride, frames, hd, stride,
                                            Int32(kind.rawValue), headKeys, headKeys + hd * stride * elementSize)
                        }
                    }
                }
            }
        }
        let count = heads * perHead
        switch precision {
        case .float32:
            floats = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                layOut(UnsafeMutableRawPointer(buffer.baseAddress!), elementSize: 4)
                initialized = count
            }
            halves = []
        case .float16:
            floats = []
            halves = [UInt16](unsafeUninitializedCapacity: count) { buffer, initialized in
                layOut(UnsafeMutableRawPointer(buffer.baseAddress!), elementSize: 2)
                initialized = count
            }
        }
    }

    /// Bytes held.
    public var byteCount: Int { floats.count * 4 + halves.count * 2 }

    /// Runs `body` with head `h`'s kernel view.
    func withHead<R>(_ h: Int, _ body: (inout sotto_kv_head) -> R) -> R {
        let perHead = headDim * stride + frames * headDim
        let (kind, keysOffset, valuesOffset) = precision == .float32
            ? (SOTTO_KV_F32, h * perHead * 4, (h * perHead + headDim * stride) * 4)
            : (SOTTO_KV_F16, h * perHead * 2, (h * perHead + headDim * stride) * 2)
        return withStorage { base in
            var head = sotto_kv_head(kind: Int32(kind.rawValue), keys: frames, stride: stride, head_dim: headDim,
                                     keys_t: base + keysOffset, values: base + valuesOffset)
            return body(&head)
        }
    }

    private func withStorage<R>(_ body: (UnsafeRawPointer) -> R) -> R {
        switch precision {
        case .float32: floats.withUnsafeBytes { body($0.baseAddress!) }
        case .float16: halves.withUnsafeBytes { body($0.baseAddress!) }
        }
    }
}

/// Cross-attention of decoder rows to a window's audio: per (row, head), scores over every frame,
/// softmax, and the weighted sum of values, all streaming the cached layout once.
public enum AudioAttention {
    /// `query`: `[firstRow + rows, heads * headDim]`; rows `firstRow ..< firstRow + rows` attend and
    /// write `output[i * width + h * headDim + d]` for those rows (a batch of decoder states each
    /// attends to its own window's audio over its own slice of rows).
    package static func forward(query: [Float], firstRow: Int = 0, rows: Int, audio: AudioKeysValues,
                                into output: inout [Float], path: WeightKernelPath = .automatic) {
        let width = audio.heads * audio.headDim
        precondition(firstRow >= 0 && query.count >= (firstRow + rows) * width && output.count >= (firstRow + rows) * width,
                     "audio attention shapes")
        let scale = 1 / Float(audio.headDim).squareRoot()
        query.withUnsafeBufferPointer { q in
            output.withUnsafeMutableBufferPointer { o in
                Compute.parallelFor(rows * audio.heads, minimumPerTask: 2) { range in
                    var scores = [Float](repeating: 0, count: audio.stride)
                    scores.withUnsafeMutableBufferPointer { s in
                        for item in range {
                            let (i, h) = item.quotientAndRemainder(dividingBy: audio.heads)
                            let offset = (firstRow + i) * width + h * audio.headDim
                            audio.withHead(h) { head in
                                sotto_attention_scores(&head, q.baseAddress! + offset, scale, s.baseAddress!, path.rawValue)
                                Softmax.row(s.baseAddress!, audio.frames)
                                sotto_attention_mix(&head, s.baseAddress!, o.baseAddress! + offset, path.rawValue)
                            }
                        }
                    }
                }
            }
        }
    }
}

extension AudioAttention {
    /// Scaled scores `q . k / sqrt(headDim)` of rows `0 ..< rows` of `query` (`[rows, heads * headDim]`)
    /// against every frame of head `head`, before the softmax: `[rows, frames]` row-major. Word
    /// timestamps read these for a few alignment heads, once per window; decoding never calls it.
    package static func scores(query: [Float], rows: Int, head: Int, audio: AudioKeysValues) -> [Float] {
        let width = audio.heads * audio.headDim
        precondition((0..<audio.heads).contains(head) && query.count >= rows * width, "audio attention scores shapes")
        let scale = 1 / Float(audio.headDim).squareRoot()
        var result = [Float](repeating: 0, count: rows * audio.frames)
        var scratch = [Float](repeating: 0, count: audio.stride)
        query.withUnsafeBufferPointer { q in
            scratch.withUnsafeMutableBufferPointer { s in
                for row in 0..<rows {
                    audio.withHead(head) { kv in
                        sotto_attention_scores(&kv, q.baseAddress! + row * width + head * audio.headDim, scale,
                                               s.baseAddress!, WeightKernelPath.automatic.rawValue)
                    }
                    // The kernel scores whole tiles of 8 frames; the padding past `frames` is dropped.
                    result.replaceSubrange(row * audio.frames..<(row + 1) * audio.frames, with: s[0..<audio.frames])
                }
            }
        }
        return result
    }
}

extension Float16 {
    /// `values` rounded to half precision (nearest even) on the given kernel path.
    package static func bitPatterns(of values: [Float], path: WeightKernelPath = .automatic) -> [UInt16] {
        var result = [UInt16](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { sotto_f32_to_f16(x.baseAddress!, $0.baseAddress!, x.count, path.rawValue) }
        }
        return result
    }
}
