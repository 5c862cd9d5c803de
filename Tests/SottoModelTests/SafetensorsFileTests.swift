import Foundation
import SottoModel
import SottoTestSupport
import Testing

/// A safetensors file built byte by byte: u64 length prefix, header, then `dataBytes` zero bytes.
struct SafetensorsBytes {
    static func file(_ header: String, dataBytes: Int = 0) -> Data {
        raw(length: UInt64(header.utf8.count), header: Array(header.utf8), dataBytes: dataBytes)
    }

    static func raw(length: UInt64, header: [UInt8], dataBytes: Int = 0) -> Data {
        var data = Data((0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) })
        data.append(contentsOf: header)
        data.append(Data(count: dataBytes))
        return data
    }

    /// One tensor entry's JSON.
    static func entry(_ name: String, _ dtype: String = "F32", shape: String = "[1]", offsets: String = "[0,4]") -> String {
        "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}"
    }

    static func save(_ data: Data) throws -> URL {
        let url = try ToyWhisper.temporaryDirectory().appendingPathComponent("model.safetensors")
        try data.write(to: url)
        return url
    }
}

@Suite("Safetensors reader")
struct SafetensorsFileTests {
    struct Sidecar: Decodable {
        struct Tensor: Decodable {
            let dtype: String
            let shape: [Int]
            let hex: String
        }
        let metadata: [String: String]
        let tensors: [String: Tensor]
    }

    private static func hexBytes(_ hex: String) -> Data {
        let digits = Array(hex.utf8)
        return Data(stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<($0 + 2)], as: UTF8.self), radix: 16)! })
    }

    @Test("the reference implementation's file: every dtype, shape, byte and the metadata")
    func referenceFixture() throws {
        let file = try SafetensorsFile(url: TestPaths.fixture("safetensors/small.safetensors"))
        let sidecar = try JSONDecoder().decode(Sidecar.self, from: Data(contentsOf: TestPaths.fixture("safetensors/small.json")))
        #expect(file.metadata == sidecar.metadata)
        #expect(Set(file.tensors.keys) == Set(sidecar.tensors.keys))
        for (name, expected) in sidecar.tensors {
            let tensor = try file.tensor(name)
            #expect(tensor.dtype.rawValue == expected.dtype, "\(name)")
            #expect(tensor.shape == expected.shape, "\(name)")
            #expect(try file.bytes(name) == Self.hexBytes(expected.hex), "\(name)")
            #expect(tensor.byteRange.count == tensor.elementCount * tensor.dtype.byteWidth)
        }
    }

    @Test("the fixture's bytes mean the values the script wrote")
    func referenceValues() throws {
        let file = try SafetensorsFile(url: TestPaths.fixture("safetensors/small.safetensors"))
        func words<T: FixedWidthInteger>(_ name: String, as: T.Type) throws -> [T] {
            let bytes = Array(try file.bytes(name))
            return stride(from: 0, to: bytes.count, by: T.bitWidth / 8).map { start in
                bytes[start..<(start + T.bitWidth / 8)].reversed().reduce(0) { $0 << 8 | T($1) }
            }
        }
        #expect(try words("encoder.weight", as: UInt32.self).map(Float.init(bitPattern:)) == [1.5, -2.25, 0, 0.003, 1e6, -0.5])
        #expect(try words("encoder.weight_scale", as: UInt16.self).map { Float(Float16(bitPattern: $0)) } == [0.5, -1, 65504, 6.1035156e-05])
        #expect(try words("embedding.bf16", as: UInt16.self).map { Float(bitPattern: UInt32($0) << 16) } == [1, -2, 0.15625, 3.3895314e38])
        #expect(try words("layer.0.counts", as: UInt32.self).map { Int32(bitPattern: $0) } == [.min, -1, 0, .max])
        #expect(Array(try file.bytes("layer.0.q")).map { Int8(bitPattern: $0) } == [-128, -1, 0, 1, 64, 127])
        #expect(Array(try file.bytes("layer.0.codes")) == [0, 7, 128, 255, 42])
        #expect(try file.tensor("empty").shape == [0, 3] && file.bytes("empty").isEmpty)
    }

    @Test("bytes are a slice of the map at the tensor's absolute offset; a missing name names the file")
    func sliceAndMissing() throws {
        let url = TestPaths.fixture("safetensors/small.safetensors")
        let file = try SafetensorsFile(url: url)
        let tensor = try file.tensor("layer.0.counts")
        let bytes = try file.bytes("layer.0.counts")
        #expect(bytes == Data(try Data(contentsOf: url)[tensor.byteRange]))
        #expect(tensor.byteRange.lowerBound % 4 == 0)
        #expect(throws: ModelError.missingTensor(key: "nope", file: url.path)) { try file.bytes("nope") }
        #expect(throws: ModelError.missingTensor(key: "nope", file: url.path)) { try file.tensor("nope") }
    }

    @Test("valid corner cases the reference accepts", arguments: [
        ("{}", 0),
        ("  {}  ", 0),
        ("{\"__metadata__\":null}", 0),
        ("{\"__metadata__\":{}}", 0),
        ("{" + SafetensorsBytes.entry("a", shape: "[0,5]", offsets: "[0,0]") + "," + SafetensorsBytes.entry("b") + ","
            + SafetensorsBytes.entry("c", "I8", shape: "[3,0]", offsets: "[4,4]") + "}", 4),
        ("{\"a\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8],\"extra\":[1]}}", 8),
        ("{" + SafetensorsBytes.entry("a", "BOOL", shape: "[2]", offsets: "[2,4]") + ","
            + SafetensorsBytes.entry("b", "U8", shape: "[2]", offsets: "[0,2]") + "}", 4),
    ])
    func validCorners(header: String, dataBytes: Int) throws {
        let file = try SafetensorsFile(url: SafetensorsBytes.save(SafetensorsBytes.file(header, dataBytes: dataBytes)))
        #expect(file.tensors.values.reduce(0) { $0 + $1.byteRange.count } == dataBytes)
    }

    @Test("JSON escapes decode as serde_json does; a repeated key keeps its last value")
    func escapesAndRepeatedKeys() throws {
        let header = #"{"__metadata__":{"k":"\u00e9\ud83d\ude00\/\"\\\n","k2":"first","k2":"last"}}"#
        let file = try SafetensorsFile(url: SafetensorsBytes.save(SafetensorsBytes.file(header)))
        #expect(file.metadata == ["k": "é😀/\"\\\n", "k2": "last"])
    }

    @Test("empty tensors read back as empty slices")
    func emptyTensorsReadBack() throws {
        let header = "{" + SafetensorsBytes.entry("a", shape: "[0,5]", offsets: "[0,0]") + "," + SafetensorsBytes.entry("b") + "}"
        let file = try SafetensorsFile(url: SafetensorsBytes.save(SafetensorsBytes.file(header, dataBytes: 4)))
        #expect(try file.tensor("a").shape == [0, 5] && file.bytes("a").isEmpty)
        #expect(try file.bytes("b") == Data(count: 4))
    }
}

/// Damaged files: each is its own `ModelError` naming the file and the problem.
@Suite("Safetensors reader errors")
struct SafetensorsFileErrorTests {
    enum Expected: Sendable {
        case truncated
        case corrupt(String)
        case unsupportedDType(String)
    }

    struct Damage: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let bytes: Data
        let expected: Expected
    }

    private static func damage(_ what: String, _ header: String, dataBytes: Int = 4, _ expected: Expected) -> Damage {
        Damage(testDescription: what, bytes: SafetensorsBytes.file(header, dataBytes: dataBytes), expected: expected)
    }

    private static func one(_ fields: String) -> String { "{\"a\":{\(fields)}}" }

    static let cases: [Damage] = [
        Damage(testDescription: "an empty file", bytes: Data(), expected: .truncated),
        Damage(testDescription: "shorter than the length prefix", bytes: Data([8, 0, 0]), expected: .truncated),
        Damage(testDescription: "header length beyond the file", bytes: SafetensorsBytes.raw(length: 100, header: Array("{}".utf8)), expected: .truncated),
        Damage(testDescription: "absurd header length", bytes: SafetensorsBytes.raw(length: 1 << 40, header: Array("{}".utf8)), expected: .corrupt("limit")),
        Damage(testDescription: "u64.max header length", bytes: SafetensorsBytes.raw(length: .max, header: []), expected: .corrupt("limit")),
        Damage(testDescription: "header not UTF-8", bytes: SafetensorsBytes.raw(length: 4, header: [0x7B, 0xFF, 0xFE, 0x7D]), expected: .corrupt("UTF-8")),
        damage("header not JSON", "{nope", .corrupt("not valid JSON")),
        damage("header a JSON array", "[]", .corrupt("not a JSON object")),
        damage("text after the header object", "{} x", .corrupt("unexpected text after the value")),
        damage("nesting deeper than the parser's limit", "{\"a\":" + String(repeating: "[", count: 100_000) + "}",
               .corrupt("nested deeper than 64")),
        damage("an unpaired surrogate escape", "{\"__metadata__\":{\"k\":\"\\ud800x\"}}", dataBytes: 0, .corrupt("surrogate")),
        damage("a raw control character in a string", "{\"__metadata__\":{\"k\":\"\u{01}\"}}", dataBytes: 0, .corrupt("control character")),
        damage("a trailing comma", "{\"__metadata__\":{},}", dataBytes: 0, .corrupt("expected a string key")),
        damage("header a JSON string", "\"{}\"", .corrupt("not a JSON object")),
        damage("entry not an object", "{\"a\":5}", .corrupt("tensor a: entry is not a JSON object")),
        damage("missing dtype", one("\"shape\":[1],\"data_offsets\":[0,4]"), .corrupt("tensor a: missing dtype")),
        damage("missing shape", one("\"dtype\":\"F32\",\"data_offsets\":[0,4]"), .corrupt("tensor a: missing shape")),
        damage("missing data_offsets", one("\"dtype\":\"F32\",\"shape\":[1]"), .corrupt("tensor a: missing data_offsets")),
        damage("dtype a number", one("\"dtype\":3,\"shape\":[1],\"data_offsets\":[0,4]"), .corrupt("dtype is not a string")),
        damage("shape a string", one("\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]"), .corrupt("shape is not")),
        damage("shape with a fraction", one("\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]"), .corrupt("shape is not")),
        damage("shape with an integral fraction", one("\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]"), .corrupt("shape is not")),
        damage("shape with an exponent", one("\"dtype\":\"F32\",\"shape\":[1e0],\"data_offsets\":[0,4]"), .corrupt("shape is not")),
        damage("shape with a bool", one("\"dtype\":\"F32\",\"shape\":[true],\"data_offsets\":[0,4]"), .corrupt("shape is not")),
        damage("negative shape", one("\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]"), .corrupt("shape is not")),
        damage("three data_offsets", one("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,4]"), .corrupt("data_offsets is not")),
        damage("data_offsets beyond u64", one("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,18446744073709551616]"),
               .corrupt("data_offsets is not")),
        damage("unknown dtype", one("\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]"), .unsupportedDType("F8_E4M3")),
        damage("overflowing shape", one("\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]"), .corrupt("overflows")),
        damage("begin after end", one("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]"), .corrupt("begin 4 > end 0")),
        damage("byte count not shape times width", one("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]"), .corrupt("needs 8")),
        damage("offsets past the data buffer", one("\"dtype\":\"F32\",\"shape\":[100],\"data_offsets\":[0,400]"), .truncated),
        damage("overlapping tensors", "{" + SafetensorsBytes.entry("a") + "," + SafetensorsBytes.entry("b", offsets: "[2,6]") + "}",
               dataBytes: 6, .corrupt("tensor b overlaps tensor a")),
        damage("a hole between tensors", "{" + SafetensorsBytes.entry("a") + "," + SafetensorsBytes.entry("b", offsets: "[6,10]") + "}",
               dataBytes: 10, .corrupt("2 unused bytes between tensor a and tensor b")),
        damage("a hole before the first tensor", "{" + SafetensorsBytes.entry("a", offsets: "[4,8]") + "}", dataBytes: 8, .corrupt("unused bytes")),
        damage("bytes after the last tensor", "{" + SafetensorsBytes.entry("a") + "}", dataBytes: 5, .corrupt("1 bytes after tensor a")),
        damage("data but no tensors", "{}", dataBytes: 3, .corrupt("3 bytes after the start")),
        damage("a truncated data buffer", "{" + SafetensorsBytes.entry("a") + "," + SafetensorsBytes.entry("b", offsets: "[4,8]") + "}",
               dataBytes: 7, .truncated),
        damage("__metadata__ with a number", "{\"__metadata__\":{\"x\":1}}", dataBytes: 0, .corrupt("__metadata__ has a non-string value")),
        damage("__metadata__ an array", "{\"__metadata__\":[\"x\"]}", dataBytes: 0, .corrupt("__metadata__ is not a JSON object")),
    ]

    @Test("a damaged file", arguments: cases)
    func damaged(_ damage: Damage) throws {
        let url = try SafetensorsBytes.save(damage.bytes)
        let error = Self.loadError(url)
        #expect(error?.description.contains(url.path) == true, "\(String(describing: error))")
        switch (damage.expected, error) {
        case (.truncated, .truncated(let file, _, let needed)?):
            #expect(file == url.path && needed > 0)
        case (.corrupt(let text), .corrupt(let file, _, let reason)?):
            #expect(file == url.path && reason.contains(text), "\(reason)")
        case (.unsupportedDType(let dtype), .unsupportedDType(let key, let actual, let file)?):
            #expect(key == "a" && actual == dtype && file == url.path)
        default:
            Issue.record("expected \(damage.expected), got \(String(describing: error))")
        }
    }

    @Test("the reference fixture cut short anywhere is an error, never a crash")
    func cutFixture() throws {
        let whole = try Data(contentsOf: TestPaths.fixture("safetensors/small.safetensors"))
        for keep in Array(0..<40) + Array(stride(from: 40, to: whole.count, by: 7)) + [whole.count - 1] {
            let error = Self.loadError(try SafetensorsBytes.save(whole.prefix(keep)))
            switch error {
            case .truncated?, .corrupt?: break
            default: Issue.record("cut at \(keep): got \(String(describing: error))")
            }
        }
    }

    @Test("random bytes are an error", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func randomBytes(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        var bytes = (0..<Int.random(in: 8...3000, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let headerBytes = bytes.count - 8  // a plausible length, then a garbage header
        bytes.replaceSubrange(0..<8, with: (0..<8).map { UInt8(truncatingIfNeeded: headerBytes >> (8 * $0)) })
        #expect(Self.loadError(try SafetensorsBytes.save(Data(bytes))) != nil)
    }

    @Test("a missing file")
    func missingFile() {
        let url = URL(fileURLWithPath: "/nonexistent/model.safetensors")
        #expect(Self.loadError(url) == .missingFile(file: url.path))
    }

    private static func loadError(_ url: URL) -> ModelError? {
        do {
            _ = try SafetensorsFile(url: url)
            return nil
        } catch let error as ModelError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }
}
