import Foundation

/// Writes safetensors files that the reference implementation and `SafetensorsFile` load.
///
/// Layout: the header JSON has its keys sorted and is padded with spaces so the data buffer starts on
/// an 8-byte boundary; tensors follow contiguously, widest element type first, then by name, so every
/// tensor starts at a multiple of its element width and typed loads from the map are aligned.
public enum SafetensorsWriter {
    public struct Entry: Sendable {
        public let name: String
        public let dtype: SafetensorsDType
        public let shape: [Int]
        /// Little-endian, row-major elements: exactly product(shape) * dtype.byteWidth bytes.
        public let bytes: Data

        public init(name: String, dtype: SafetensorsDType, shape: [Int], bytes: Data) {
            self.name = name
            self.dtype = dtype
            self.shape = shape
            self.bytes = bytes
        }
    }

    /// Writes atomically (to "<file>.partial" in the same directory, then renamed over `url`), so a crash
    /// never leaves a half-written model. The partial file is removed on failure.
    public static func write(_ entries: [Entry], metadata: [String: String], to url: URL) throws {
        try validate(entries, file: url.path)
        let ordered = layoutOrder(entries)
        let header = headerBytes(ordered, metadata: metadata)
        let partial = URL(fileURLWithPath: url.path + ".partial")
        do {
            try writeFile(at: partial, header: header, tensors: ordered)
            // rename(2) replaces the target atomically; FileManager.moveItem refuses an existing one.
            guard rename(partial.path, url.path) == 0 else {
                throw ModelError.unwritable(file: url.path, reason: "rename failed: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(at: partial)
            if let error = error as? ModelError { throw error }
            throw ModelError.unwritable(file: url.path, reason: error.localizedDescription)
        }
    }

    private static func validate(_ entries: [Entry], file: String) throws {
        var seen = Set<String>()
        for entry in entries {
            func fail(_ reason: String) -> ModelError { .invalidTensor(key: entry.name, file: file, reason: reason) }
            guard entry.name != "__metadata__" else { throw fail("the name is reserved for the metadata") }
            guard seen.insert(entry.name).inserted else { throw fail("the name appears twice") }
            guard entry.shape.allSatisfy({ $0 >= 0 }) else { throw fail("negative dimension in shape \(entry.shape)") }
            guard let expected = SafetensorsFile.byteCount(shape: entry.shape, dtype: entry.dtype) else {
                throw fail("shape \(entry.shape) of \(entry.dtype) overflows")
            }
            guard entry.bytes.count == expected else {
                throw fail("\(entry.bytes.count) bytes, shape \(entry.shape) of \(entry.dtype) needs \(expected)")
            }
        }
    }

    /// Widest element first, then by name (UTF-8 order, as the header sorts keys).
    static func layoutOrder(_ entries: [Entry]) -> [Entry] {
        entries.sorted {
            $0.dtype.byteWidth != $1.dtype.byteWidth
                ? $0.dtype.byteWidth > $1.dtype.byteWidth
                : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
        }
    }

    /// The length prefix and the padded header JSON for tensors stored in `ordered` order.
    static func headerBytes(_ ordered: [Entry], metadata: [String: String]) -> Data {
        var fields: [(key: String, json: String)] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            fields.append(("__metadata__", "{" + pairs.map { "\(quoted($0.key)):\(quoted($0.value))" }.joined(separator: ",") + "}"))
        }
        var offset = 0
        for entry in ordered {
            let end = offset + entry.bytes.count
            let shape = entry.shape.map(String.init).joined(separator: ",")
            fields.append((entry.name, "{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}"))
            offset = end
        }
        fields.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        var json = Array(("{" + fields.map { "\(quoted($0.key)):\($0.json)" }.joined(separator: ",") + "}").utf8)
        // Pad with spaces so 8 + header length is a multiple of 8: the data buffer starts 8-aligned.
        json += [UInt8](repeating: UInt8(ascii: " "), count: (8 - json.count % 8) % 8)
        var bytes = Data(count: 0)
        let length = UInt64(json.count)
        bytes.append(contentsOf: (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) })
        bytes.append(contentsOf: json)
        return bytes
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, the rest as UTF-8.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Streams the header and each tensor to `url` (no whole-model buffer) and syncs it to disk.
    private static func writeFile(at url: URL, header: Data, tensors: [Entry]) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw ModelError.unwritable(file: url.path, reason: "cannot create file")
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.write(contentsOf: header)
        for tensor in tensors where !tensor.bytes.isEmpty {
            try handle.write(contentsOf: tensor.bytes)
        }
        try handle.synchronize()
    }
}
