/// What a RIFF/WAVE `fmt ` chunk says about the samples, reduced to what decoding needs.
package struct WAVFormat: Equatable, Sendable {
    package enum Encoding: Equatable, Sendable {
        /// 8-bit PCM is unsigned with 128 as silence (the WAV convention); wider PCM is signed.
        case unsignedInt8
        case signedInt(bytes: Int)
        case float32
        case float64

        var bytesPerSample: Int {
            switch self {
            case .unsignedInt8: return 1
            case .signedInt(let bytes): return bytes
            case .float32: return 4
            case .float64: return 8
            }
        }
    }

    package let channelCount: Int
    package let sampleRateHz: Int
    package let encoding: Encoding
    /// Bytes from one frame (all channels) to the next.
    package let frameStrideBytes: Int

    static let formatTagPCM = 0x0001
    static let formatTagFloat = 0x0003
    static let formatTagExtensible = 0xFFFE
    /// KSDATAFORMAT_SUBTYPE_* GUIDs are the format tag followed by these 14 bytes.
    static let subformatGUIDTail: [UInt8] = [
        0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
    ]

    /// Parses the body of a `fmt ` chunk (WAVEFORMAT, WAVEFORMATEX or WAVEFORMATEXTENSIBLE).
    init(fmtChunk body: ArraySlice<UInt8>, file: String) throws {
        guard body.count >= 16 else {
            throw AudioError.truncatedHeader(
                file: file, detail: "fmt chunk is \(body.count) bytes; it needs at least 16")
        }
        let reader = LittleEndianReader(bytes: body)
        var formatTag = reader.uint16(at: 0)
        let channels = reader.uint16(at: 2)
        let rate = reader.uint32(at: 4)
        let blockAlign = reader.uint16(at: 12)
        let bitsPerSample = reader.uint16(at: 14)

        if formatTag == Self.formatTagExtensible {
            guard body.count >= 40 else {
                throw AudioError.truncatedHeader(
                    file: file,
                    detail: "WAVE_FORMAT_EXTENSIBLE fmt chunk is \(body.count) bytes; it needs 40")
            }
            let guidTail = Array(body.dropFirst(26).prefix(14))
            guard guidTail == Self.subformatGUIDTail else {
                throw AudioError.unsupportedWAVEncoding(
                    file: file, formatTag: formatTag, bitsPerSample: bitsPerSample)
            }
            formatTag = reader.uint16(at: 24)
        }
        guard channels > 0 else {
            throw AudioError.invalidWAVFormat(file: file, reason: "the fmt chunk declares 0 channels")
        }
        guard rate > 0 else {
            throw AudioError.invalidWAVFormat(file: file, reason: "the fmt chunk declares a sample rate of 0 Hz")
        }
        guard let encoding = Self.encoding(formatTag: formatTag, bitsPerSample: bitsPerSample) else {
            throw AudioError.unsupportedWAVEncoding(
                file: file, formatTag: formatTag, bitsPerSample: bitsPerSample)
        }
        channelCount = channels
        sampleRateHz = rate
        self.encoding = encoding
        // blockAlign is only trusted when it leaves room for every channel's sample.
        frameStrideBytes = max(blockAlign, channels * encoding.bytesPerSample)
    }

    /// PCM narrower than its container (12-bit in 16, 20-bit in 24) is left-justified, so it decodes
    /// as the container width.
    private static func encoding(formatTag: Int, bitsPerSample: Int) -> Encoding? {
        switch (formatTag, bitsPerSample) {
        case (formatTagPCM, 1...8): return .unsignedInt8
        case (formatTagPCM, 9...32): return .signedInt(bytes: (bitsPerSample + 7) / 8)
        case (formatTagFloat, 32): return .float32
        case (formatTagFloat, 64): return .float64
        default: return nil
        }
    }
}

/// Little-endian integer reads at offsets relative to the start of a byte slice.
struct LittleEndianReader {
    let bytes: ArraySlice<UInt8>

    func uint16(at offset: Int) -> Int {
        let base = bytes.startIndex + offset
        return Int(bytes[base]) | Int(bytes[base + 1]) << 8
    }

    func uint32(at offset: Int) -> Int {
        uint16(at: offset) | uint16(at: offset + 2) << 16
    }

    func fourCC(at offset: Int) -> String {
        let base = bytes.startIndex + offset
        return String(decoding: bytes[base..<base + 4], as: UTF8.self)
    }
}
