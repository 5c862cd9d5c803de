import Foundation
// TEMPORARY STUB (replaced by the wt-weights branch).
public enum WeightEncoding: Hashable, Sendable, Codable, CustomStringConvertible {
    case float32
    case float16
    case int8Channel
    case int8Block(size: Int)
    case int4Block(size: Int, zeroPoint: Bool)
    public var description: String {
        switch self {
        case .float32: "f32"
        case .float16: "f16"
        case .int8Channel: "int8"
        case .int8Block(let s): "int8-g\(s)"
        case .int4Block(let s, let z): "int4-g\(s)" + (z ? "-zp" : "")
        }
    }
    public init?(_ name: String) {
        switch name {
        case "f32": self = .float32
        case "f16": self = .float16
        case "int8": self = .int8Channel
        default: return nil
        }
    }
    public func bitsPerWeight(cols: Int) -> Double { 32 }
    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let e = WeightEncoding(s) else { throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: s)) }
        self = e
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
public enum WeightMatrixError: Error, Equatable, CustomStringConvertible {
    case badSize(part: String, expected: Int, actual: Int)
    case unsupported(String)
    public var description: String { "\(self)" }
}
public struct WeightMatrix: Sendable {
    public let rows: Int
    public let cols: Int
    public let encoding: WeightEncoding
    public let values: Data
    public let scales: Data
    public let zeros: Data
    let floats: Tensor
    public init(rows: Int, cols: Int, encoding: WeightEncoding, values: Data, scales: Data = Data(), zeros: Data = Data()) throws {
        self.rows = rows; self.cols = cols; self.encoding = encoding; self.values = values; self.scales = scales; self.zeros = zeros
        floats = Tensor(shape: [rows, cols], data: values.withUnsafeBytes { DType.float32.decode($0, count: rows * cols) })
    }
    public init(_ tensor: Tensor) {
        rows = tensor.shape[0]; cols = tensor.shape[1]; encoding = .float32
        values = tensor.data.withUnsafeBufferPointer { Data(buffer: $0) }
        scales = Data(); zeros = Data(); floats = tensor
    }
    public static func quantize(_ tensor: Tensor, as encoding: WeightEncoding) -> WeightMatrix { WeightMatrix(tensor) }
    public func dequantized() -> Tensor { floats }
    public func copyRow(_ row: Int, into output: inout [Float], offset: Int) {
        for c in 0..<cols { output[offset + c] = floats.data[row * cols + c] }
    }
    public var byteCount: Int { values.count + scales.count + zeros.count }
    public var valuesShape: [Int] { [rows, cols] }
    public var scalesShape: [Int] { [] }
    public var zerosShape: [Int] { [] }
    public func linear(_ input: [Float], rows: Int, bias: [Float]?, into output: inout [Float]) {
        Gemm.linear(input, rows: rows, weight: floats, bias: bias, into: &output)
    }
}
