import Foundation
import Testing
import SottoAudio
import SottoTestSupport

@Suite("AudioLoader")
struct AudioLoaderTests {
    /// Points at nothing, so any use of ffmpeg fails with `ffmpegNotFound`.
    static let noFFmpeg = FFmpegDecoder(executablePath: "/nonexistent/ffmpeg")
    /// Every formats/ file holds 11.0 s; mp3 and ogg add up to ~0.1 s of codec padding.
    static let durationRangeSeconds = 10.95...11.15
    /// Codec and resampler delay is far below 0.1 s; the search window is generous.
    static let maxAlignmentLagSamples = 1_600

    static let nativeWAVs = [
        "jfk-f32-16k.wav", "jfk-f64-8k.wav", "jfk-s16-44k-stereo.wav", "jfk-s16-48k-6ch-extensible.wav",
        "jfk-s24-22k.wav", "jfk-s32-48k.wav", "jfk-u8-44k.wav",
    ]
    static let viaFFmpeg = ["jfk.aiff", "jfk.flac", "jfk.mp3", "jfk.ogg", "jfk.m4a"]

    /// Minimum correlation with audio/en_jfk.wav (all formats/ files were made from it). Measured
    /// values are in brackets; each bound leaves room below them but would catch a broken decoder,
    /// channel mix or resampler, which fall far lower.
    /// - bit-exact at 16 kHz (f32 WAV, flac, aiff at 44.1 kHz back to 16 kHz): [0.99999998..1.0]
    /// - upsampled by ffmpeg and resampled back here; our passband ends near 6.5 kHz, so a little
    ///   6.5-8 kHz energy is lost [0.9999999]
    /// - 8-bit quantisation, and the 8 kHz copy (nothing above ~3.6 kHz survives) [0.99994, 0.99982]
    /// - lossy codecs reshape spectrum and phase: mp3 at 16 kHz [0.99996], AAC [0.9994], Opus [0.9953]
    static func minimumCorrelation(_ name: String) -> Double {
        switch name {
        case "jfk-f32-16k.wav", "jfk.flac", "jfk.aiff": return 0.99999
        case "jfk-u8-44k.wav", "jfk-f64-8k.wav", "jfk.mp3": return 0.999
        case "jfk.m4a": return 0.995
        case "jfk.ogg": return 0.98
        default: return 0.9999
        }
    }

    static func reference() throws -> [Float] {
        try AudioLoader.load(path: TestPaths.devFile("audio/en_jfk.wav").path, ffmpeg: noFFmpeg)
    }

    @Test("WAV variants decode natively (no ffmpeg) and match en_jfk.wav", arguments: nativeWAVs)
    func nativeWAV(name: String) throws {
        let samples = try AudioLoader.load(path: TestPaths.devFile("formats/\(name)").path, ffmpeg: Self.noFFmpeg)
        try Self.checkMatchesReference(samples, name: name)
    }

    @Test("other containers decode through ffmpeg and match en_jfk.wav", arguments: viaFFmpeg)
    func ffmpegFormats(name: String) throws {
        let ffmpeg = FFmpegDecoder.fromEnvironment()
        try #require(ffmpeg.executablePath != nil, "ffmpeg is needed for \(name): apt-get install ffmpeg")
        let samples = try AudioLoader.load(path: TestPaths.devFile("formats/\(name)").path, ffmpeg: ffmpeg)
        try Self.checkMatchesReference(samples, name: name)
    }

    static func checkMatchesReference(_ samples: [Float], name: String) throws {
        let reference = try reference()
        let seconds = AudioTiming.durationSeconds(sampleCount: samples.count)
        #expect(durationRangeSeconds.contains(seconds), "\(name): \(seconds) s")
        #expect(samples.allSatisfy { abs($0) <= 1.5 }, "\(name): samples out of range")
        let (lag, correlation) = SignalMetrics.bestAlignment(reference, samples, maxLag: maxAlignmentLagSamples)
        print("\(name): \(samples.count) samples, lag \(lag), correlation \(correlation)")
        #expect(correlation >= minimumCorrelation(name), "\(name): correlation \(correlation) at lag \(lag)")
    }

    @Test("non-WAV bytes in memory go through ffmpeg like the file")
    func fromDataViaFFmpeg() throws {
        let ffmpeg = FFmpegDecoder.fromEnvironment()
        try #require(ffmpeg.executablePath != nil, "ffmpeg is needed for this test: apt-get install ffmpeg")
        let url = try TestPaths.devFile("formats/jfk.flac")
        let fromFile = try AudioLoader.load(path: url.path, ffmpeg: ffmpeg)
        let fromData = try AudioLoader.load(data: Data(contentsOf: url), name: "<stdin>", ffmpeg: ffmpeg)
        #expect(fromFile == fromData)
    }

    @Test("a WAV encoding the native reader lacks (mu-law) uses ffmpeg, or says it needs it")
    func muLawWAV() throws {
        let directory = try TemporaryDirectory()
        // 0.1 s of mu-law silence (0xFF) at 8 kHz.
        let path = try directory.write("mulaw.wav", WAVBytes.file(
            formatTag: 7, rateHz: 8_000, bitsPerSample: 8, data: [UInt8](repeating: 0xFF, count: 800)))
        #expect(throws: AudioError.unsupportedWAVEncoding(file: path, formatTag: 7, bitsPerSample: 8)) {
            try AudioLoader.load(path: path, ffmpeg: Self.noFFmpeg)
        }
        let ffmpeg = FFmpegDecoder.fromEnvironment()
        try #require(ffmpeg.executablePath != nil, "ffmpeg is needed for this test: apt-get install ffmpeg")
        let samples = try AudioLoader.load(path: path, ffmpeg: ffmpeg)
        #expect(abs(samples.count - 1_600) <= 64, "\(samples.count) samples")
        #expect(samples.allSatisfy { abs($0) < 1e-3 })
    }

    @Test("bytes in memory decode like the file")
    func fromData() throws {
        let url = try TestPaths.devFile("formats/jfk-s16-44k-stereo.wav")
        let fromFile = try AudioLoader.load(path: url.path, ffmpeg: Self.noFFmpeg)
        let fromData = try AudioLoader.load(data: Data(contentsOf: url), name: "<stdin>", ffmpeg: Self.noFFmpeg)
        #expect(fromFile == fromData)
    }

    @Test("bad inputs are errors naming the file")
    func badInputs() throws {
        let directory = try TemporaryDirectory()
        let wav = WAVBytes.file(data: WAVBytes.int16LE([1, 2, 3, 4]))
        let empty = try directory.write("empty.wav", [])
        let cutMidFmt = try directory.write("cut-fmt.wav", Array(wav.prefix(30)))
        let text = try directory.write("notes.wav", Array("these are meeting notes, not audio\n".utf8))
        let missing = directory.url.appendingPathComponent("missing.wav").path

        #expect(throws: AudioError.emptyFile(file: empty)) { try AudioLoader.load(path: empty, ffmpeg: Self.noFFmpeg) }
        #expect(throws: AudioError.truncatedHeader(
            file: cutMidFmt, detail: "the fmt chunk declares 16 bytes but only 10 remain")) {
            try AudioLoader.load(path: cutMidFmt, ffmpeg: Self.noFFmpeg)
        }
        #expect(throws: AudioError.fileNotFound(file: missing)) { try AudioLoader.load(path: missing, ffmpeg: Self.noFFmpeg) }
        #expect(throws: AudioError.unreadable(file: directory.url.path, reason: "it is a directory")) {
            try AudioLoader.load(path: directory.url.path, ffmpeg: Self.noFFmpeg)
        }
        // A text file is not RIFF, so it would need ffmpeg; without it the error says so.
        let error = #expect(throws: AudioError.self) { try AudioLoader.load(path: text, ffmpeg: Self.noFFmpeg) }
        #expect(error?.description.hasPrefix(text) == true)
        #expect(error?.description.contains("ffmpeg") == true)
    }

    @Test("a WAV cut mid-sample decodes its whole frames")
    func truncatedData() throws {
        let directory = try TemporaryDirectory()
        let wav = WAVBytes.file(data: WAVBytes.int16LE([16_384, 16_384, 16_384]))
        let path = try directory.write("cut-data.wav", Array(wav.dropLast(1)))
        #expect(try AudioLoader.load(path: path, ffmpeg: Self.noFFmpeg) == [0.5, 0.5])
    }

    @Test("a text file named .wav with ffmpeg present reports ffmpeg's complaint")
    func textWithFFmpeg() throws {
        let ffmpeg = FFmpegDecoder.fromEnvironment()
        try #require(ffmpeg.executablePath != nil, "ffmpeg is needed for this test: apt-get install ffmpeg")
        let directory = try TemporaryDirectory()
        let text = try directory.write("notes.wav", Array("these are meeting notes, not audio\n".utf8))
        let error = #expect(throws: AudioError.self) { try AudioLoader.load(path: text, ffmpeg: ffmpeg) }
        guard case .ffmpegFailed(let file, let status, let stderr)? = error else {
            Issue.record("expected ffmpegFailed, got \(String(describing: error))")
            return
        }
        #expect(file == text && status != 0)
        #expect(!stderr.isEmpty, "ffmpeg's stderr should be in the error")
    }

    @Test("compressed formats without ffmpeg name ffmpeg and how to install it", arguments: ["jfk.mp3", "jfk.flac"])
    func compressedWithoutFFmpeg(name: String) throws {
        let path = try TestPaths.devFile("formats/\(name)").path
        #expect(throws: AudioError.ffmpegNotFound(file: path, searched: "/nonexistent/ffmpeg is not an executable file")) {
            try AudioLoader.load(path: path, ffmpeg: Self.noFFmpeg)
        }
        let message = AudioError.ffmpegNotFound(file: path, searched: "x").description
        #expect(message.contains("apt-get install ffmpeg"))
    }

    @Test("SOTTO_FFMPEG overrides PATH, and a bad override counts as not installed")
    func environmentOverride() {
        let decoder = FFmpegDecoder.fromEnvironment(["SOTTO_FFMPEG": "/nonexistent/ffmpeg", "PATH": "/usr/bin"])
        #expect(decoder.executablePath == nil)
        let none = FFmpegDecoder.fromEnvironment(["PATH": "/nonexistent-dir"])
        #expect(none.executablePath == nil)
    }
}

/// A scratch directory removed when the value goes away.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("sotto-audio-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let fileURL = url.appendingPathComponent(name)
        try Data(bytes).write(to: fileURL)
        return fileURL.path
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
