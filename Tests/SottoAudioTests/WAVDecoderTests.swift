import Foundation
import Testing
import SottoAudio

@Suite("WAVDecoder")
struct WAVDecoderTests {
    /// Integer PCM decodes exactly to value / full scale, so comparisons are exact up to float rounding.
    static let sampleTolerance: Float = 1e-6

    @Test("16-bit PCM decodes to value / 32768")
    func pcm16() throws {
        let bytes = WAVBytes.file(data: WAVBytes.int16LE([0, 16_384, -32_768, 32_767]))
        let (samples, rate) = try WAVDecoder.decode(bytes, file: "a.wav")
        #expect(rate == 16_000)
        #expect(samples == [0, 0.5, -1, Float(32_767) / 32_768])
    }

    @Test("8-bit PCM is unsigned with 128 as silence")
    func pcm8() throws {
        let bytes = WAVBytes.file(bitsPerSample: 8, data: [128, 255, 0, 192])
        let (samples, _) = try WAVDecoder.decode(bytes, file: "a.wav")
        #expect(samples == [0, 127.0 / 128, -1, 0.5])
    }

    @Test("24-bit PCM sign-extends")
    func pcm24() throws {
        // 0x400000 = +0.5, 0xC00000 = -0.5, 0x800000 = -1, little-endian.
        let bytes = WAVBytes.file(bitsPerSample: 24, data: [0, 0, 0x40, 0, 0, 0xC0, 0, 0, 0x80])
        let (samples, _) = try WAVDecoder.decode(bytes, file: "a.wav")
        #expect(samples == [0.5, -0.5, -1])
    }

    @Test("32-bit PCM")
    func pcm32() throws {
        let bytes = WAVBytes.file(bitsPerSample: 32, data: [0, 0, 0, 0x40, 0, 0, 0, 0xC0])
        let (samples, _) = try WAVDecoder.decode(bytes, file: "a.wav")
        #expect(samples == [0.5, -0.5])
    }

    @Test("IEEE float 32 and 64, with non-finite values replaced by silence")
    func float32And64() throws {
        let values: [Float] = [0.25, -0.75, .nan, .infinity]
        let bytes32 = values.flatMap { v in (0..<4).map { UInt8(v.bitPattern >> (8 * $0) & 0xFF) } }
        let (samples32, _) = try WAVDecoder.decode(
            WAVBytes.file(formatTag: 3, bitsPerSample: 32, data: bytes32), file: "a.wav")
        #expect(samples32 == [0.25, -0.75, 0, 0])
        let doubles: [Double] = [0.125, -1]
        let bytes64 = doubles.flatMap { v in (0..<8).map { UInt8(v.bitPattern >> (8 * $0) & 0xFF) } }
        let (samples64, _) = try WAVDecoder.decode(
            WAVBytes.file(formatTag: 3, bitsPerSample: 64, data: bytes64), file: "a.wav")
        #expect(samples64 == [0.125, -1])
    }

    @Test("WAVE_FORMAT_EXTENSIBLE with a PCM or float subformat", arguments: [1, 3])
    func extensible(subformat: Int) throws {
        let data: [UInt8] = subformat == 1 ? [0, 0, 0, 0x40] : Array((0..<4).map { UInt8(Float(0.5).bitPattern >> (8 * $0) & 0xFF) })
        let bits = subformat == 1 ? 16 : 32
        let bytes = WAVBytes.file(formatTag: subformat, bitsPerSample: bits, extensible: true, data: data)
        let (samples, _) = try WAVDecoder.decode(bytes, file: "a.wav")
        #expect(samples.last == 0.5)
    }

    @Test("channels are averaged to mono", arguments: [2, 3, 6])
    func mixesChannels(channels: Int) throws {
        // Frame 0: channel c holds c * 1000; frame 1: all channels -16384.
        let frame0 = (0..<channels).map { Int16($0 * 1000) }
        let frame1 = [Int16](repeating: -16_384, count: channels)
        let bytes = WAVBytes.file(channels: channels, data: WAVBytes.int16LE(frame0 + frame1))
        let (samples, _) = try WAVDecoder.decode(bytes, file: "a.wav")
        let expectedMean = Float((0..<channels).reduce(0, +) * 1000) / Float(channels) / 32_768
        #expect(samples.count == 2)
        #expect(abs(samples[0] - expectedMean) <= Self.sampleTolerance)
        #expect(samples[1] == -0.5)
    }

    @Test("unknown chunks and odd-size padding are skipped; the rate is reported")
    func skipsChunks() throws {
        var wav = WAVBytes.header()
        wav.appendChunk("junk", [1, 2, 3])  // odd size: one pad byte follows
        wav.appendChunk("fmt ", WAVBytes.fmtBody(formatTag: 1, channels: 1, rateHz: 44_100, bitsPerSample: 16))
        wav.appendChunk("LIST", Array("INFOIART".utf8))
        wav.appendChunk("data", WAVBytes.int16LE([8192, -8192]))
        wav.appendChunk("id3 ", [9, 9])
        let (samples, rate) = try WAVDecoder.decode(wav.bytes, file: "a.wav")
        #expect(rate == 44_100)
        #expect(samples == [0.25, -0.25])
    }

    @Test("a data size past the end of the file (streaming writers' 0xFFFFFFFF) reads what is there")
    func oversizedDataChunk() throws {
        var wav = WAVBytes.header(riffSize: 0xFFFF_FFFF)
        wav.appendChunk("fmt ", WAVBytes.fmtBody(formatTag: 1, channels: 1, rateHz: 16_000, bitsPerSample: 16))
        wav.appendChunk("data", WAVBytes.int16LE([100, 200, 300]), declaredSize: 0xFFFF_FFFF)
        let (samples, _) = try WAVDecoder.decode(wav.bytes, file: "stream.wav")
        // The odd pad byte the builder adds is a partial frame, so it is dropped.
        #expect(samples.count == 3)
    }

    @Test("data cut mid-sample keeps the whole frames")
    func dataCutMidSample() throws {
        let full = WAVBytes.file(channels: 2, data: WAVBytes.int16LE([1, 2, 3, 4, 5, 6]))
        let cut = Array(full.dropLast(3))  // the last frame loses 3 of its 4 bytes
        let (samples, _) = try WAVDecoder.decode(cut, file: "cut.wav")
        #expect(samples.count == 2)
    }

    @Test("damaged headers are errors that name the file and the problem")
    func damagedHeaders() throws {
        let good = WAVBytes.file(data: WAVBytes.int16LE([1, 2]))
        let cases: [(String, [UInt8], AudioError)] = [
            ("empty", [], .emptyFile(file: "x.wav")),
            ("riff only", Array(good.prefix(6)),
             .truncatedHeader(file: "x.wav", detail: "the file is 6 bytes; a RIFF/WAVE header needs 12")),
            ("cut mid-fmt", Array(good.prefix(12 + 8 + 10)),
             .truncatedHeader(file: "x.wav", detail: "the fmt chunk declares 16 bytes but only 10 remain")),
            ("cut in a chunk header", Array(good.prefix(12 + 5)),
             .truncatedHeader(file: "x.wav", detail: "the file ends inside a chunk header at byte 12")),
            ("no data chunk", Array(good.prefix(12 + 8 + 16)), .missingChunk(file: "x.wav", chunkID: "data")),
        ]
        for (label, bytes, expected) in cases {
            #expect(throws: expected, "\(label)") { try WAVDecoder.decode(bytes, file: "x.wav") }
        }
    }

    @Test("impossible or unsupported fmt chunks are errors")
    func badFormats() throws {
        let zeroChannels = WAVBytes.file(channels: 0, data: [0, 0])
        #expect(throws: AudioError.invalidWAVFormat(file: "z.wav", reason: "the fmt chunk declares 0 channels")) {
            try WAVDecoder.decode(zeroChannels, file: "z.wav")
        }
        let zeroRate = WAVBytes.file(rateHz: 0, data: [0, 0])
        #expect(throws: AudioError.invalidWAVFormat(file: "z.wav", reason: "the fmt chunk declares a sample rate of 0 Hz")) {
            try WAVDecoder.decode(zeroRate, file: "z.wav")
        }
        let muLaw = WAVBytes.file(formatTag: 7, bitsPerSample: 8, data: [0, 0])
        #expect(throws: AudioError.unsupportedWAVEncoding(file: "u.wav", formatTag: 7, bitsPerSample: 8)) {
            try WAVDecoder.decode(muLaw, file: "u.wav")
        }
        let float16 = WAVBytes.file(formatTag: 3, bitsPerSample: 16, data: [0, 0])
        #expect(throws: AudioError.unsupportedWAVEncoding(file: "h.wav", formatTag: 3, bitsPerSample: 16)) {
            try WAVDecoder.decode(float16, file: "h.wav")
        }
    }

    @Test("error messages name the file")
    func messagesNameTheFile() {
        let errors: [AudioError] = [
            .emptyFile(file: "/tmp/e.wav"),
            .truncatedHeader(file: "/tmp/e.wav", detail: "x"),
            .unsupportedWAVEncoding(file: "/tmp/e.wav", formatTag: 2, bitsPerSample: 4),
            .ffmpegNotFound(file: "/tmp/e.wav", searched: "PATH"),
            .ffmpegFailed(file: "/tmp/e.wav", exitStatus: 1, stderr: "Invalid data"),
        ]
        for error in errors {
            #expect(error.description.hasPrefix("/tmp/e.wav: "), "\(error)")
        }
        #expect(AudioError.ffmpegNotFound(file: "a.mp3", searched: "PATH").description.contains("apt-get install ffmpeg"))
        #expect(AudioError.unsupportedWAVEncoding(file: "a.wav", formatTag: 2, bitsPerSample: 4).description.contains("0x2"))
    }
}
