import CZlib

/// How much zlib shrinks a text: high values mean repetitive, likely hallucinated output.
/// Uses zlib at its default level, as openai's `get_compression_ratio` does, so thresholds match.
package enum CompressionRatio {
    package static func of(_ text: String) -> Double {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return 0 }
        var compressedLength = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(compressedLength))
        let status = compress(&output, &compressedLength, bytes, uLong(bytes.count))
        guard status == Z_OK, compressedLength > 0 else { return 0 }
        return Double(bytes.count) / Double(compressedLength)
    }
}
