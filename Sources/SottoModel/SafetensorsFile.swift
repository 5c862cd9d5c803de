import Foundation
// TEMPORARY STUB (replaced by the wt-safetensors branch).
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL
    public var byteWidth: Int { 1 }
}
public struct SafetensorsTensor: Sendable {
    public let name: String
    public let dtype: SafetensorsDType
    public let shape: [Int]
    public let byteRange: Range<Int>
}
public struct SafetensorsFile: Sendable {
    public let fileName: String
    public let metadata: [String: String]
    public let tensors: [String: SafetensorsTensor]
    public init(url: URL) throws { fatalError("stub") }
    public func bytes(_ name: String) throws -> Data { fatalError("stub") }
    public func tensor(_ name: String) throws -> SafetensorsTensor { fatalError("stub") }
}
public enum SafetensorsWriter {
    public struct Entry: Sendable {
        public let name: String
        public let dtype: SafetensorsDType
        public let shape: [Int]
        public let bytes: Data
        public init(name: String, dtype: SafetensorsDType, shape: [Int], bytes: Data) {
            self.name = name; self.dtype = dtype; self.shape = shape; self.bytes = bytes
        }
    }
    public static func write(_ entries: [Entry], metadata: [String: String], to url: URL) throws { fatalError("stub") }
}
