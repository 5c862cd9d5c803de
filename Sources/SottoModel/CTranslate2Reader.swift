import Foundation
import SottoTensor

/// The variable directory of a CTranslate2 `model.bin`, read from a memory map without trusting any
/// length in the file. Layout (little-endian, ctranslate2/specs/model_spec.py `_serialize`):
///
///     u32 binary version (6) | string spec name | u32 spec revision | u32 variable count
///     per variable: string name | u8 rank | rank x u32 dims | u8 dtype | u32 byte count | bytes
///     u32 alias count | per alias: string alias | string target
///
/// A string is a u16 length that counts a trailing NUL, then that many bytes.
struct CTranslate2File {
    struct Variable {
        let name: String
        let shape: [Int]
        let dtype: DType
        let byteOffset: Int
        let byteCount: Int
        var elementCount: Int { shape.reduce(1, *) }
    }

    static let supportedVersion = 6
    /// No CTranslate2 spec has tensors of rank above 4; a larger value means a corrupt file.
    static let maximumRank = 8

    let fileName: String
    let specName: String
    let revision: Int
    let variables: [String: Variable]
    let aliases: [String: String]
    private let data: Data

    init(url: URL) throws {
        fileName = url.path
        data = try ModelError.mapFile(url)
        var cursor = ByteCursor(data: data, file: url.path)
        let version = Int(try cursor.u32())
        guard version == Self.supportedVersion else { throw ModelError.unsupportedVersion(file: fileName, version: version) }
        specName = try cursor.string()
        guard specName == "WhisperSpec" else { throw ModelError.unsupportedModel(file: fileName, spec: specName) }
        revision = Int(try cursor.u32())
        let count = Int(try cursor.u32())
        var variables: [String: Variable] = [:]
        for _ in 0..<count {
            let variable = try Self.readVariable(&cursor)
            variables[variable.name] = variable
        }
        var aliases: [String: String] = [:]
        for _ in 0..<Int(try cursor.u32()) {
            let alias = try cursor.string()
            aliases[alias] = try cursor.string()
        }
        self.variables = variables
        self.aliases = aliases
    }

    private static func readVariable(_ cursor: inout ByteCursor) throws -> Variable {
        let name = try cursor.string()
        let rankOffset = cursor.offset
        let rank = Int(try cursor.u8())
        guard rank <= maximumRank else {
            throw ModelError.corrupt(file: cursor.file, at: rankOffset, reason: "variable \(name) has rank \(rank)")
        }
        var shape: [Int] = []
        for _ in 0..<rank { shape.append(Int(try cursor.u32())) }
        let dtypeOffset = cursor.offset
        let rawType = try cursor.u8()
        guard let dtype = DType(rawValue: rawType) else {
            throw ModelError.unsupportedDType(key: name, dtype: "id \(rawType) at byte \(dtypeOffset)", file: cursor.file)
        }
        let countOffset = cursor.offset
        let byteCount = Int(try cursor.u32())
        let (elements, overflow) = shape.reduce((1, false)) { acc, dim in
            let product = acc.0.multipliedReportingOverflow(by: dim)
            return (product.partialValue, acc.1 || product.overflow)
        }
        guard !overflow, elements * dtype.byteWidth == byteCount else {
            throw ModelError.corrupt(file: cursor.file, at: countOffset,
                                     reason: "variable \(name) \(shape) \(dtype) declares \(byteCount) bytes")
        }
        let byteOffset = cursor.offset
        try cursor.skip(byteCount)
        return Variable(name: name, shape: shape, dtype: dtype, byteOffset: byteOffset, byteCount: byteCount)
    }

    /// The variable stored under `name`, following one alias hop.
    func variable(_ name: String) -> Variable? {
        variables[name] ?? aliases[name].flatMap { variables[$0] }
    }

    /// The variable's bytes as stored (a slice of the file's data, not a copy).
    func bytes(_ variable: Variable) -> Data {
        let start = data.startIndex + variable.byteOffset
        return data[start..<(start + variable.byteCount)]
    }

    /// The variable's elements as float32. Quantized integer weights (int8 per output row, int16 per
    /// tensor) are divided by their `<name>_scale` twin; `requireScale` makes a missing twin an error.
    func floats(_ variable: Variable, requireScale: Bool = false) throws -> [Float] {
        let start = data.startIndex + variable.byteOffset
        var values = Quantization.decode(data.subdata(in: start..<(start + variable.byteCount)),
                                         dtype: variable.dtype, count: variable.elementCount)
        guard variable.dtype == .int8 || variable.dtype == .int16 else { return values }
        guard let scale = self.variable(variable.name + "_scale") else {
            if requireScale { throw ModelError.missingTensor(key: variable.name + "_scale", file: fileName) }
            return values
        }
        let rows = scale.elementCount
        guard scale.dtype == .float32 || scale.dtype == .float16, rows > 0,
              rows == 1 || rows == variable.shape.first, variable.elementCount % rows == 0 else {
            throw ModelError.shapeMismatch(key: scale.name, expected: [variable.shape.first ?? 1], actual: scale.shape, file: fileName)
        }
        Quantization.dequantizeRows(&values, scales: try floats(scale), rowLength: variable.elementCount / rows)
        return values
    }

    /// A scalar integer attribute such as `encoder/num_heads`, if present.
    func integer(_ name: String) throws -> Int? {
        guard let v = variable(name), v.elementCount == 1, v.dtype != .float32 else { return nil }
        return Int(try floats(v)[0])
    }
}

/// Reads little-endian values from `data`, checking every length against the bytes that remain.
struct ByteCursor {
    let data: Data
    let file: String
    private(set) var offset = 0

    init(data: Data, file: String) {
        self.data = data
        self.file = file
    }

    private mutating func take(_ count: Int) throws -> Data.SubSequence {
        guard count >= 0, count <= data.count - offset else {
            throw ModelError.truncated(file: file, at: offset, needed: count - (data.count - offset))
        }
        let start = data.startIndex + offset
        offset += count
        return data[start..<(start + count)]
    }

    mutating func skip(_ count: Int) throws { _ = try take(count) }

    mutating func u8() throws -> UInt8 { try take(1).first! }

    mutating func u16() throws -> UInt16 {
        try take(2).reversed().reduce(0) { $0 << 8 | UInt16($1) }
    }

    mutating func u32() throws -> UInt32 {
        try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func string() throws -> String {
        let lengthOffset = offset
        let length = Int(try u16())
        guard length >= 1 else { throw ModelError.corrupt(file: file, at: lengthOffset, reason: "empty string length") }
        let bytes = try take(length)
        guard bytes.last == 0, let text = String(data: Data(bytes.dropLast()), encoding: .utf8) else {
            throw ModelError.corrupt(file: file, at: lengthOffset, reason: "string is not NUL-terminated UTF-8")
        }
        return text
    }
}
