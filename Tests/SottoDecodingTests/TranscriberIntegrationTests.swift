import Foundation
import SottoAudio
import SottoDecoding
import SottoText
import SottoTestSupport
import Testing

/// Real speech through the real tiny.en model (fetched by scripts/setup.sh).
@Suite(.serialized) struct TranscriberIntegrationTests {
    static let transcriber: Result<Transcriber, any Error> = Result {
        try Transcriber.load(directory: try TestPaths.model("tiny.en"))
    }

    func greedy() -> TranscriptionOptions {
        var options = TranscriptionOptions()
        options.decoding.beamSize = 1
        return options
    }

    @Test(arguments: [1, 5])
    func jfkMatchesFasterWhisperExactly(beamSize: Int) throws {
        let transcriber = try Self.transcriber.get()
        var options = greedy()
        options.decoding.beamSize = beamSize
        let samples = try AudioLoader.load(path: try TestPaths.devFile("audio/en_jfk.wav").path)
        let result = try transcriber.transcribe(samples: samples, options: options)
        let reference = try ReferenceTranscripts.load().run(model: "tiny.en", beamSize: beamSize)
        #expect(result.text == reference.hypotheses["en_jfk"]?.text)
        #expect(result.language == "en")
        #expect(result.segments.first.map { $0.start < 1.0 } == true)
    }

    /// Every encoding of the JFK clip (WAV variants natively, the rest through ffmpeg) reads the same.
    /// Two files lose real signal (8 kHz removes everything above 4 kHz, 8-bit adds -48 dB noise):
    /// faster-whisper, too, hears "American" there, so they may differ by one word.
    @Test func everyFormatOfOneClipGivesTheSameText() throws {
        let transcriber = try Self.transcriber.get()
        let normalizer = try EnglishTextNormalizer(spellingTable: TestPaths.sottoHome.appendingPathComponent("normalizers/english.json"))
        let expected = normalizer.normalize(try transcriber.transcribe(
            samples: try AudioLoader.load(path: try TestPaths.devFile("audio/en_jfk.wav").path), options: greedy()).text)
        let degraded: Set<String> = ["jfk-f64-8k.wav", "jfk-u8-44k.wav"]
        let formats = try TestPaths.devFile("formats")
        let files = try FileManager.default.contentsOfDirectory(atPath: formats.path).sorted()
        #expect(files.count >= 10)
        for file in files {
            let samples = try AudioLoader.load(path: formats.appendingPathComponent(file).path)
            let text = normalizer.normalize(try transcriber.transcribe(samples: samples, options: greedy()).text)
            let allowedWordErrors = degraded.contains(file) ? 1 : 0
            let errors = ErrorRate.words(reference: expected, hypothesis: text).errors
            #expect(errors <= allowedWordErrors, "\(file): '\(text)' vs '\(expected)'")
        }
    }

    /// Three minutes and more of speech, joined from dev clips with pauses: every window is
    /// decoded, timestamps increase and cover the audio.
    @Test func longAudioIsTranscribedCompletelyWithIncreasingTimestamps() throws {
        let transcriber = try Self.transcriber.get()
        let clips = ["en_jfk", "en_ls_test-clean_1995-1837-0001", "en_ljspeech_LJ001-0001", "en_long_dev_concat",
                     "en_librivox_sense_sensibility_0870", "en_ls_dev-clean_1272-128104-0000"]
        let pause = [Float](repeating: 0, count: AudioTiming.sampleRateHz * 3 / 2)
        var samples: [Float] = []
        while samples.count < 185 * AudioTiming.sampleRateHz {
            for clip in clips {
                samples += try AudioLoader.load(path: try TestPaths.devFile("audio/\(clip).wav").path) + pause
            }
        }
        let duration = Double(samples.count) / Double(AudioTiming.sampleRateHz)
        #expect(duration >= 180)
        let result = try transcriber.transcribe(samples: samples, options: greedy())
        let segments = result.segments
        #expect(segments.count >= 10)
        #expect(segments.first!.start < 1.0)
        #expect(segments.last!.end > duration - 8, "the last segment ends near the end of the audio")
        for (previous, next) in zip(segments, segments.dropFirst()) {
            #expect(next.start >= previous.start && next.end >= next.start, "segment \(next.id)")
            #expect(next.start - previous.end < 8, "no long stretch of speech is skipped before segment \(next.id)")
        }
        #expect(result.timings.windows >= 7)
        #expect(result.text.lowercased().contains("ask not what your country can do for you"))
    }

    @Test func silenceGivesNoSegments() throws {
        let transcriber = try Self.transcriber.get()
        let result = try transcriber.transcribe(samples: [Float](repeating: 0, count: 16_000 * 5), options: greedy())
        #expect(result.segments.isEmpty, "got \(result.text)")
    }

    @Test func englishOnlyModelRejectsOtherLanguages() throws {
        let transcriber = try Self.transcriber.get()
        var options = greedy()
        options.decoding.language = "de"
        #expect(throws: DecodingError.self) {
            try transcriber.transcribe(samples: [Float](repeating: 0, count: 16_000), options: options)
        }
    }
}
