import Foundation
import SottoTensor

/// Writes CTranslate2 `model.bin` files (the layout of ctranslate2/specs/model_spec.py `_serialize`)
/// for tests: synthetic models, and files with a tensor missing or a shape wrong.
public struct CTranslate2FileWriter {
    public struct Variable {
        public var name: String
        public var shape: [Int]
        public var dtype: DType
        public var bytes: [UInt8]
    }

    public var version: UInt32 = 6
    public var specName = "WhisperSpec"
    public var revision: UInt32 = 3
    public var variables: [Variable] = []
    public var aliases: [(alias: String, target: String)] = []

    public init() {}

    /// Adds float values stored as `dtype`: float32, float16, or int8 with a per-row `<name>_scale`
    /// (CTranslate2's convention: `q = round(w * scale)`, `scale = 127 / max|row|`).
    public mutating func add(_ name: String, shape: [Int], values: [Float], as dtype: DType = .float32) {
        precondition(shape.reduce(1, *) == values.count, "\(name): shape \(shape) for \(values.count) values")
        switch dtype {
        case .float16:
            variables.append(Variable(name: name, shape: shape, dtype: .float16,
                                      bytes: values.flatMap { le(Float16($0).bitPattern) }))
        case .int8:
            let rows = shape.first ?? 1
            let rowLength = values.count / rows
            var scales: [Float] = []
            var bytes: [UInt8] = []
            for r in 0..<rows {
                let row = values[(r * rowLength)..<((r + 1) * rowLength)]
                let scale = 127 / max(row.map(abs).max() ?? 0, 1e-30)
                scales.append(scale)
                bytes += row.map { UInt8(bitPattern: Int8(($0 * scale).rounded())) }
            }
            variables.append(Variable(name: name, shape: shape, dtype: .int8, bytes: bytes))
            add("\(name)_scale", shape: [rows], values: scales)
        default:
            variables.append(Variable(name: name, shape: shape, dtype: .float32,
                                      bytes: values.flatMap { le($0.bitPattern) }))
        }
    }

    public mutating func addScalar(_ name: String, int16 value: Int16) {
        variables.append(Variable(name: name, shape: [], dtype: .int16, bytes: le(UInt16(bitPattern: value))))
    }

    public mutating func remove(_ name: String) { variables.removeAll { $0.name == name } }

    public func data() -> Data {
        var out: [UInt8] = le(version)
        out += string(specName) + le(revision) + le(UInt32(variables.count))
        for v in variables {
            out += string(v.name) + [UInt8(v.shape.count)] + v.shape.flatMap { le(UInt32($0)) }
            out += [v.dtype.rawValue] + le(UInt32(v.bytes.count)) + v.bytes
        }
        out += le(UInt32(aliases.count))
        for a in aliases { out += string(a.alias) + string(a.target) }
        return Data(out)
    }

    public func write(to url: URL) throws { try data().write(to: url) }

    private func string(_ s: String) -> [UInt8] {
        let bytes = Array(s.utf8) + [0]
        return le(UInt16(bytes.count)) + bytes
    }
}

func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}
