/// How a weight matrix `[rows = outFeatures, cols = inFeatures]` is stored. Every part is little-endian
/// and may start at any byte offset (a slice of a memory-mapped file).
///
/// | encoding | values | scales | zeros | weight |
/// | --- | --- | --- | --- | --- |
/// | `float32` (`f32`) | rows×cols Float32 | – | – | v |
/// | `float16` (`f16`) | rows×cols IEEE half (round to nearest even) | – | – | v |
/// | `int8Channel` (`int8`) | rows×cols Int8 in -127...127 | rows Float32 | – | q × scale[row] |
/// | `int8Block(size)` (`int8-g32`) | rows×cols Int8 in -127...127 | rows×blocksPerRow Float16 | – | q × scale[row, k / size] |
/// | `int4Block(size, false)` (`int4-g32`) | rows×roundUp(cols, 32)/2 bytes | rows×blocksPerRow Float16 | – | (q − 8) × scale |
/// | `int4Block(size, true)` (`int4-g128-zp`) | as above | rows×blocksPerRow Float16 | rows×blocksPerRow UInt8 in 0...15 | (q − zero) × scale |
///
/// `blocksPerRow = ceil(cols / size)`; a row's last block may be partial. `int8Block(size: 32)` is
/// ggml's `q8_0`; `int4Block(size: 32, zeroPoint: false)` is ggml's `q4_0` with a different nibble order.
///
/// int4 packing: each row is padded to `roundUp(cols, 32)` codes; within group `g` of 32 consecutive
/// codes, byte `g * 16 + j` holds code `g * 32 + j` in bits 0-3 and code `g * 32 + 16 + j` in bits 4-7,
/// so SIMD code unpacks a group with `& 0x0F` and `>> 4`. Padding codes dequantize to exactly 0
/// (code 8, or the block's zero point).
public enum WeightEncoding: Hashable, Sendable, Codable, CustomStringConvertible {
    case float32
    case float16
    /// Symmetric int8 with one Float32 scale per row: `scale = absmax(row) / 127`.
    case int8Channel
    /// Symmetric int8 with one Float16 scale per block of `size` consecutive weights of a row
    /// (`size` a positive multiple of 8).
    case int8Block(size: Int)
    /// 4-bit codes with one Float16 scale (and with `zeroPoint` one UInt8 zero) per block of `size`
    /// consecutive weights of a row (`size` a positive multiple of 32).
    case int4Block(size: Int, zeroPoint: Bool)

    /// The largest block size accepted (keeps size arithmetic far from overflow).
    static let maximumBlockSize = 1 << 20

    /// Whether the block size (if any) is one the kernels support.
    public var isValid: Bool {
        switch self {
        case .float32, .float16, .int8Channel: true
        case .int8Block(let size): size > 0 && size % 8 == 0 && size <= Self.maximumBlockSize
        case .int4Block(let size, _): size > 0 && size % 32 == 0 && size <= Self.maximumBlockSize
        }
    }

    /// float32 or float16: values as they are, computed in float32 (no rounding a quantizer chose).
    public var isFloat: Bool { self == .float32 || self == .float16 }

    public var description: String {
        switch self {
        case .float32: "f32"
        case .float16: "f16"
        case .int8Channel: "int8"
        case .int8Block(let size): "int8-g\(size)"
        case .int4Block(let size, let zeroPoint): "int4-g\(size)" + (zeroPoint ? "-zp" : "")
        }
    }

    /// Parses `description` (`f32`, `f16`, `int8`, `int8-g32`, `int4-g32`, `int4-g128-zp`, ...);
    /// nil for other names and for block sizes `isValid` rejects.
    public init?(_ name: String) {
        switch name {
        case "f32": self = .float32
        case "f16": self = .float16
        case "int8": self = .int8Channel
        default:
            let parts = name.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2 || parts.count == 3, parts[1].hasPrefix("g"),
                  parts[1].count > 1, parts[1].dropFirst().allSatisfy({ ("0"..."9").contains($0) }), let size = Int(parts[1].dropFirst()) else { return nil }
            let zeroPoint = parts.count == 3
            if zeroPoint && parts[2] != "zp" { return nil }
            switch parts[0] {
            case "int8" where !zeroPoint: self = .int8Block(size: size)
            case "int4": self = .int4Block(size: size, zeroPoint: zeroPoint)
            default: return nil
            }
            guard isValid else { return nil }
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let encoding = WeightEncoding(name) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown weight encoding \"\(name)\"")
        }
        self = encoding
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Storage per weight including scales and zeros, for size estimates of a matrix with `cols` columns.
    public func bitsPerWeight(cols: Int) -> Double {
        let columns = Double(max(cols, 1))
        let blocks = Double(blocksPerRow(cols: max(cols, 1)))
        switch self {
        case .float32: return 32
        case .float16: return 16
        case .int8Channel: return 8 + 32 / columns
        case .int8Block: return 8 + 16 * blocks / columns
        case .int4Block(_, let zeroPoint):
            let codes = Double(Self.paddedColumns(max(cols, 1)))
            return (4 * codes + (zeroPoint ? 24 : 16) * blocks) / columns
        }
    }

    // MARK: Layout arithmetic shared by WeightMatrix and the quantizers.

    /// The block size, or nil for encodings without blocks.
    package var blockSize: Int? {
        switch self {
        case .float32, .float16, .int8Channel: nil
        case .int8Block(let size), .int4Block(let size, _): size
        }
    }

    /// Scales (and zeros) per row: `ceil(cols / size)` for block encodings, 1 for int8Channel, else 0.
    package func blocksPerRow(cols: Int) -> Int {
        switch self {
        case .float32, .float16: 0
        case .int8Channel: 1
        case .int8Block(let size), .int4Block(let size, _): (cols + size - 1) / size
        }
    }

    /// int4 rows are padded to whole groups of 32 codes.
    package static func paddedColumns(_ cols: Int) -> Int { (cols + 31) / 32 * 32 }

    /// Stored bytes of one row of values.
    package func valueBytesPerRow(cols: Int) -> Int {
        switch self {
        case .float32: cols * 4
        case .float16: cols * 2
        case .int8Channel, .int8Block: cols
        case .int4Block: Self.paddedColumns(cols) / 2
        }
    }

    /// Bytes of one stored scale.
    package var scaleByteWidth: Int {
        switch self {
        case .float32, .float16: 0
        case .int8Channel: 4
        case .int8Block, .int4Block: 2
        }
    }

    package var hasZeroPoints: Bool {
        if case .int4Block(_, true) = self { return true }
        return false
    }
}
