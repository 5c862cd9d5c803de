import Foundation

/// Builds RIFF/WAVE files byte by byte, so decoder tests can make every layout (and every kind of
/// damage) without fixture files.
struct WAVBytes {
    var bytes: [UInt8] = []

    /// "RIFF" + size + "WAVE"; the RIFF size is never read by the decoder, so any value will do.
    static func header(riffSize: UInt32 = 0) -> WAVBytes {
        var wav = WAVBytes()
        wav.append("RIFF")
        wav.append(uint32: riffSize)
        wav.append("WAVE")
        return wav
    }

    mutating func append(_ fourCC: String) {
        bytes += Array(fourCC.utf8)
    }

    mutating func append(uint16 value: Int) {
        bytes += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)]
    }

    mutating func append(uint32 value: UInt32) {
        bytes += (0..<4).map { UInt8(value >> (8 * $0) & 0xFF) }
    }

    /// A chunk with its pad byte when the body has an odd size (the pad is not counted in the size).
    mutating func appendChunk(_ id: String, _ body: [UInt8], declaredSize: UInt32? = nil) {
        append(id)
        append(uint32: declaredSize ?? UInt32(body.count))
        bytes += body
        if body.count % 2 == 1 { bytes.append(0) }
    }

    /// A 16-byte WAVEFORMAT body, or the 40-byte WAVEFORMATEXTENSIBLE one with `formatTag` as subformat.
    static func fmtBody(formatTag: Int, channels: Int, rateHz: Int, bitsPerSample: Int,
                        extensible: Bool = false) -> [UInt8] {
        var body = WAVBytes()
        let blockAlign = channels * bitsPerSample / 8
        body.append(uint16: extensible ? 0xFFFE : formatTag)
        body.append(uint16: channels)
        body.append(uint32: UInt32(rateHz))
        body.append(uint32: UInt32(rateHz * blockAlign))
        body.append(uint16: blockAlign)
        body.append(uint16: bitsPerSample)
        if extensible {
            body.append(uint16: 22)
            body.append(uint16: bitsPerSample)
            body.append(uint32: 0)
            body.append(uint16: formatTag)
            body.bytes += [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
        }
        return body.bytes
    }

    /// A whole file: fmt, an optional LIST chunk before the data, then data.
    static func file(formatTag: Int = 1, channels: Int = 1, rateHz: Int = 16_000, bitsPerSample: Int = 16,
                     extensible: Bool = false, withListChunk: Bool = false, data: [UInt8]) -> [UInt8] {
        var wav = header()
        wav.appendChunk("fmt ", fmtBody(formatTag: formatTag, channels: channels, rateHz: rateHz,
                                        bitsPerSample: bitsPerSample, extensible: extensible))
        if withListChunk { wav.appendChunk("LIST", Array("INFOISFTsotto".utf8)) }
        wav.appendChunk("data", data)
        return wav.bytes
    }

    static func int16LE(_ values: [Int16]) -> [UInt8] {
        values.flatMap { [UInt8(UInt16(bitPattern: $0) & 0xFF), UInt8(UInt16(bitPattern: $0) >> 8)] }
    }
}
