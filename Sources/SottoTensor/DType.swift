/// Element types a checkpoint may store, with their byte widths. The raw values are CTranslate2's
/// `DataType` ids (ctranslate2/specs/model_spec.py `_dtype_to_type_id`), which other formats map onto.
public enum DType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case float32 = 0
    case int8 = 1
    case int16 = 2
    case int32 = 3
    case float16 = 4
    case bfloat16 = 5

    public var byteWidth: Int {
        switch self {
        case .int8: 1
        case .int16, .float16, .bfloat16: 2
        case .float32, .int32: 4
        }
    }

    public var description: String {
        switch self {
        case .float32: "float32"
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .float16: "float16"
        case .bfloat16: "bfloat16"
        }
    }

    /// Decodes `count` little-endian elements from `bytes` into float32.
    /// `bytes` must hold at least `count * byteWidth` bytes (callers check lengths first).
    public func decode(_ bytes: UnsafeRawBufferPointer, count: Int) -> [Float] {
        precondition(bytes.count >= count * byteWidth, "\(self): \(bytes.count) bytes for \(count) elements")
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            guard count > 0, let base = bytes.baseAddress else {
                initialized = 0
                return
            }
            switch self {
            case .float32:
                for i in 0..<count { out[i] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))) }
            case .float16:
                Self.decodeFloat16(base, count: count, into: out)
            case .bfloat16:
                for i in 0..<count {
                    let bits = UInt16(littleEndian: base.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
                    out[i] = Float(bitPattern: UInt32(bits) << 16)
                }
            case .int8:
                for i in 0..<count { out[i] = Float(base.load(fromByteOffset: i, as: Int8.self)) }
            case .int16:
                for i in 0..<count { out[i] = Float(Int16(littleEndian: base.loadUnaligned(fromByteOffset: i * 2, as: Int16.self))) }
            case .int32:
                for i in 0..<count { out[i] = Float(Int32(littleEndian: base.loadUnaligned(fromByteOffset: i * 4, as: Int32.self))) }
            }
            initialized = count
        }
    }

    private static func decodeFloat16(_ base: UnsafeRawPointer, count: Int, into out: UnsafeMutableBufferPointer<Float>) {
        Compute.parallelFor(count, minimumPerTask: 1 << 16) { range in
            for i in range {
                out[i] = Float(Float16(bitPattern: UInt16(littleEndian: base.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))))
            }
        }
    }
}
