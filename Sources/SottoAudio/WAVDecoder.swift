/// Native RIFF/WAVE reader: walks the chunks, decodes the samples and mixes them to mono.
///
/// Lengths in the file are never trusted: a data chunk that claims more bytes than the file holds
/// (streaming writers leave 0xFFFFFFFF there) yields the samples that are present, and a partial
/// trailing frame is dropped.
package enum WAVDecoder {
    /// True when `bytes` starts like a RIFF/WAVE file.
    package static func isWAV(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 12 else { return false }
        let reader = LittleEndianReader(bytes: bytes)
        return reader.fourCC(at: 0) == "RIFF" && reader.fourCC(at: 8) == "WAVE"
    }

    /// Mono samples at the file's own rate; `file` names the input in errors.
    package static func decode(_ bytes: [UInt8], file: String) throws -> (samples: [Float], sampleRateHz: Int) {
        let (format, data) = try locateChunks(bytes, file: file)
        return (mixToMono(bytes[data], format: format), format.sampleRateHz)
    }

    /// Finds the fmt chunk and the byte range of the data chunk (clamped to the file).
    static func locateChunks(_ bytes: [UInt8], file: String) throws -> (WAVFormat, Range<Int>) {
        guard !bytes.isEmpty else { throw AudioError.emptyFile(file: file) }
        guard bytes.count >= 12 else {
            throw AudioError.truncatedHeader(
                file: file, detail: "the file is \(bytes.count) bytes; a RIFF/WAVE header needs 12")
        }
        guard isWAV(bytes[...]) else {
            throw AudioError.invalidWAVFormat(file: file, reason: "it does not start with RIFF....WAVE")
        }
        let reader = LittleEndianReader(bytes: bytes[...])
        var format: WAVFormat?
        var data: Range<Int>?
        var offset = 12
        while offset + 8 <= bytes.count, format == nil || data == nil {
            let chunkID = reader.fourCC(at: offset)
            let declaredBytes = reader.uint32(at: offset + 4)
            let bodyStart = offset + 8
            let availableBytes = bytes.count - bodyStart
            if chunkID == "fmt " {
                guard declaredBytes <= availableBytes else {
                    throw AudioError.truncatedHeader(
                        file: file,
                        detail: "the fmt chunk declares \(declaredBytes) bytes but only \(availableBytes) remain")
                }
                format = try WAVFormat(fmtChunk: bytes[bodyStart..<bodyStart + declaredBytes], file: file)
            } else if chunkID == "data" {
                data = bodyStart..<bodyStart + min(declaredBytes, availableBytes)
                // A data size past the end means the rest of the file is samples; nothing follows.
                if declaredBytes > availableBytes { break }
            }
            // Chunks are padded to an even size; the pad byte is not counted in the size.
            offset = bodyStart + declaredBytes + (declaredBytes & 1)
        }
        guard let format else {
            if offset < bytes.count && offset + 8 > bytes.count {
                throw AudioError.truncatedHeader(
                    file: file, detail: "the file ends inside a chunk header at byte \(offset)")
            }
            throw AudioError.missingChunk(file: file, chunkID: "fmt ")
        }
        guard let data else { throw AudioError.missingChunk(file: file, chunkID: "data") }
        return (format, data)
    }

    /// Averages the channels of every whole frame in `data`.
    static func mixToMono(_ data: ArraySlice<UInt8>, format: WAVFormat) -> [Float] {
        switch format.encoding {
        case .unsignedInt8:
            return mix(data, format) { bytes, i in (Float(bytes[i]) - 128) * (1 / 128) }
        case .signedInt(bytes: 2):
            return mix(data, format) { bytes, i in
                Float(Int16(bitPattern: UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8)) * (1 / 32_768)
            }
        case .signedInt(bytes: 3):
            return mix(data, format) { bytes, i in
                // Place the 24 bits at the top of an Int32 so the sign extends for free.
                let bits = UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 24
                return Float(Int32(bitPattern: bits)) * (1 / 2_147_483_648)
            }
        case .signedInt:
            return mix(data, format) { bytes, i in Float(Int32(bitPattern: uint32(bytes, i))) * (1 / 2_147_483_648) }
        case .float32:
            return mix(data, format) { bytes, i in finite(Float(bitPattern: uint32(bytes, i))) }
        case .float64:
            return mix(data, format) { bytes, i in
                let bits = UInt64(uint32(bytes, i)) | UInt64(uint32(bytes, i + 4)) << 32
                return finite(Float(Double(bitPattern: bits)))
            }
        }
    }

    @inline(__always)
    private static func mix(
        _ data: ArraySlice<UInt8>, _ format: WAVFormat, sample: (ArraySlice<UInt8>, Int) -> Float
    ) -> [Float] {
        let channels = format.channelCount
        let stride = format.frameStrideBytes
        let sampleBytes = format.encoding.bytesPerSample
        let frameCount = data.count / stride
        let inverseChannels = 1 / Float(channels)
        var mono = [Float](repeating: 0, count: frameCount)
        for frame in 0..<frameCount {
            let frameStart = data.startIndex + frame * stride
            var sum: Float = 0
            for channel in 0..<channels {
                sum += sample(data, frameStart + channel * sampleBytes)
            }
            mono[frame] = channels == 1 ? sum : sum * inverseChannels
        }
        return mono
    }

    @inline(__always)
    private static func uint32(_ bytes: ArraySlice<UInt8>, _ i: Int) -> UInt32 {
        UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
    }

    /// A NaN or infinity in a float WAV would poison the whole log-mel (its maximum sets the floor).
    @inline(__always)
    private static func finite(_ value: Float) -> Float {
        value.isFinite ? value : 0
    }
}
