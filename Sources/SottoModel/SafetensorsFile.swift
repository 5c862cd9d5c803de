import Foundation

/// Element types of the safetensors format (the subset Sotto reads and writes; the raw values are the
/// strings used in the header).
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL

    public var byteWidth: Int {
        switch self {
        case .F64, .I64: 8
        case .F32, .I32: 4
        case .F16, .BF16, .I16: 2
        case .I8, .U8, .BOOL: 1
        }
    }
}

/// One tensor's header entry. `byteRange` is absolute in the file, so its alignment in the memory map
/// (which starts on a page boundary) is its alignment in memory.
public struct SafetensorsTensor: Sendable, Equatable {
    public let name: String
    public let dtype: SafetensorsDType
    public let shape: [Int]
    public let byteRange: Range<Int>

    public var elementCount: Int { shape.reduce(1, *) }
}

/// A safetensors file (huggingface/safetensors), memory-mapped and validated up front:
///
///     u64 little-endian header length N | N bytes of UTF-8 JSON | data buffer
///
/// The header maps each tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets
/// relative to the data buffer) plus an optional `"__metadata__": {string: string}`. We accept what
/// the reference Rust reader (`SafeTensors::read_metadata`, `Metadata::validate`) accepts: a header of
/// at most 100 MB (JSON whitespace around it allowed), byte counts equal to product(shape) * width,
/// and the tensors, sorted by offsets, tiling the data buffer without gap or overlap to the file's end.
public struct SafetensorsFile: Sendable {
    /// The reference reader's limit; a larger length means a damaged or hostile file.
    public static let maximumHeaderBytes = 100_000_000
    static let lengthPrefixBytes = 8

    public let fileName: String
    public let metadata: [String: String]
    public let tensors: [String: SafetensorsTensor]
    /// The whole file; `bytes(_:)` hands out slices of it.
    private let data: Data

    public init(url: URL) throws {
        fileName = url.path
        data = try ModelError.mapFile(url)
        let headerBytes = try Self.headerLength(data, file: fileName)
        let dataStart = Self.lengthPrefixBytes + headerBytes
        let header = try Self.headerObject(data, length: headerBytes, file: fileName)
        var metadata: [String: String] = [:]
        var entries: [SafetensorsTensor] = []
        // In name order, so a file with several faults always reports the same one.
        for (name, value) in header.sorted(by: { $0.key < $1.key }) {
            if name == "__metadata__" {
                metadata = try Self.metadata(value, file: fileName)
            } else {
                entries.append(try Self.entry(name, value, dataStart: dataStart, file: fileName))
            }
        }
        try Self.checkLayout(entries, dataStart: dataStart, fileBytes: data.count, file: fileName)
        self.metadata = metadata
        self.tensors = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The header entry for `name`.
    public func tensor(_ name: String) throws -> SafetensorsTensor {
        guard let tensor = tensors[name] else { throw ModelError.missingTensor(key: name, file: fileName) }
        return tensor
    }

    /// The tensor's raw little-endian bytes: a slice sharing the memory map, not a copy. Like any
    /// `Data` slice its indices start at `startIndex` (the absolute file offset), not at zero.
    public func bytes(_ name: String) throws -> Data {
        let range = try tensor(name).byteRange
        return data[(data.startIndex + range.lowerBound)..<(data.startIndex + range.upperBound)]
    }

    // MARK: - Header

    /// The header length N from the u64 prefix, checked against the limit and the file size.
    private static func headerLength(_ data: Data, file: String) throws -> Int {
        guard data.count >= lengthPrefixBytes else {
            throw ModelError.truncated(file: file, at: data.count, needed: lengthPrefixBytes - data.count)
        }
        var cursor = ByteCursor(data: data, file: file)
        let low = UInt64(try cursor.u32())
        let high = UInt64(try cursor.u32())
        let length = high << 32 | low
        guard length <= UInt64(maximumHeaderBytes) else {
            throw ModelError.corrupt(file: file, at: 0, reason: "header length \(length) exceeds the \(maximumHeaderBytes)-byte limit")
        }
        let available = data.count - lengthPrefixBytes
        guard Int(length) <= available else {
            throw ModelError.truncated(file: file, at: data.count, needed: Int(length) - available)
        }
        return Int(length)
    }

    /// The header as a JSON object. Trailing spaces (the writers' alignment padding) are valid JSON.
    private static func headerObject(_ data: Data, length: Int, file: String) throws -> [String: JSONValue] {
        let start = data.startIndex + lengthPrefixBytes
        let bytes = data[start..<(start + length)]
        guard String(data: bytes, encoding: .utf8) != nil else {
            throw ModelError.corrupt(file: file, at: lengthPrefixBytes, reason: "header is not valid UTF-8")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(Array(bytes))
        } catch {
            throw ModelError.corrupt(file: file, at: lengthPrefixBytes + error.offset, reason: "header is not valid JSON (\(error.reason))")
        }
        guard case .object(let object) = value else {
            throw ModelError.corrupt(file: file, at: lengthPrefixBytes, reason: "header is not a JSON object")
        }
        return object
    }

    private static func metadata(_ value: JSONValue, file: String) throws -> [String: String] {
        if case .null = value { return [:] }  // serde reads `null` as an absent Option
        guard case .object(let object) = value else {
            throw ModelError.corrupt(file: file, at: lengthPrefixBytes, reason: "__metadata__ is not a JSON object")
        }
        return try object.mapValues { item in
            guard case .string(let text) = item else {
                throw ModelError.corrupt(file: file, at: lengthPrefixBytes, reason: "__metadata__ has a non-string value")
            }
            return text
        }
    }

    /// One tensor entry, its types and its byte count checked; the offsets are checked together later.
    private static func entry(_ name: String, _ value: JSONValue, dataStart: Int, file: String) throws -> SafetensorsTensor {
        func fail(_ reason: String) -> ModelError {
            .corrupt(file: file, at: lengthPrefixBytes, reason: "tensor \(name): \(reason)")
        }
        guard case .object(let fields) = value else { throw fail("entry is not a JSON object") }
        guard let dtypeValue = fields["dtype"] else { throw fail("missing dtype") }
        guard case .string(let dtypeName) = dtypeValue else { throw fail("dtype is not a string") }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw ModelError.unsupportedDType(key: name, dtype: dtypeName, file: file)
        }
        guard let shapeValue = fields["shape"] else { throw fail("missing shape") }
        guard let shape = shapeValue.nonNegativeIntegers else { throw fail("shape is not an array of non-negative integers") }
        guard let offsetsValue = fields["data_offsets"] else { throw fail("missing data_offsets") }
        guard let offsets = offsetsValue.nonNegativeIntegers, offsets.count == 2 else {
            throw fail("data_offsets is not two non-negative integers")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end else { throw fail("data_offsets begin \(begin) > end \(end)") }
        guard let byteCount = byteCount(shape: shape, dtype: dtype) else {
            throw fail("shape \(shape) of \(dtype) overflows")
        }
        guard end - begin == byteCount else {
            throw fail("data_offsets [\(begin), \(end)] hold \(end - begin) bytes, shape \(shape) of \(dtype) needs \(byteCount)")
        }
        // begin <= end <= Int.max and dataStart <= 8 + 100 MB, so only the sum can overflow.
        let (absoluteEnd, overflow) = dataStart.addingReportingOverflow(end)
        guard !overflow else { throw fail("data_offsets overflow") }
        return SafetensorsTensor(name: name, dtype: dtype, shape: shape, byteRange: (dataStart + begin)..<absoluteEnd)
    }

    /// product(shape) * width, or nil on overflow.
    static func byteCount(shape: [Int], dtype: SafetensorsDType) -> Int? {
        var count = dtype.byteWidth
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            count = product
        }
        return count
    }

    /// The reference's rule: sorted by (begin, end), each tensor starts where the previous one ended,
    /// and the last one ends exactly at the end of the file.
    private static func checkLayout(_ entries: [SafetensorsTensor], dataStart: Int, fileBytes: Int, file: String) throws {
        let sorted = entries.sorted {
            ($0.byteRange.lowerBound, $0.byteRange.upperBound, $0.name) < ($1.byteRange.lowerBound, $1.byteRange.upperBound, $1.name)
        }
        var expectedStart = dataStart
        var previous = "the start of the data buffer"
        for tensor in sorted {
            let begin = tensor.byteRange.lowerBound
            guard begin >= expectedStart else {
                throw ModelError.corrupt(file: file, at: begin, reason: "tensor \(tensor.name) overlaps \(previous)")
            }
            guard begin == expectedStart else {
                throw ModelError.corrupt(file: file, at: expectedStart,
                                         reason: "\(begin - expectedStart) unused bytes between \(previous) and tensor \(tensor.name)")
            }
            expectedStart = tensor.byteRange.upperBound
            previous = "tensor \(tensor.name)"
        }
        guard expectedStart <= fileBytes else {
            throw ModelError.truncated(file: file, at: fileBytes, needed: expectedStart - fileBytes)
        }
        guard expectedStart == fileBytes else {
            throw ModelError.corrupt(file: file, at: expectedStart, reason: "\(fileBytes - expectedStart) bytes after \(previous)")
        }
    }
}
