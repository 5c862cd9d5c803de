import Foundation
import SottoAudio
import SottoDecoding
import SottoModel
import SottoText
import SottoTestSupport
import Testing

/// Word timestamps of real speech against faster-whisper's `word_timestamps=True`
/// (Tests/Fixtures/words/faster_whisper_words.json, made by scripts/make_word_timestamp_fixtures.py).
@Suite(.serialized) struct WordTimestampsIntegrationTests {
    struct Fixture: Decodable {
        struct Word: Decodable { let word: String; let start: Double; let end: Double; let probability: Double }
        struct Segment: Decodable { let start: Double; let end: Double; let text: String; let words: [Word] }
        struct Clip: Decodable { let language: String; let segments: [Segment] }
        let runs: [String: [String: Clip]]
    }

    static let fixture: Result<Fixture, any Error> = Result {
        try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: TestPaths.fixture("words/faster_whisper_words.json")))
    }

    /// One audio position (20 ms): the finest step word times have. Measured on the dev clips of
    /// the fixture (285 words, Zen 4 with AVX-512): every start and end equals faster-whisper's
    /// exactly. Float sums in another order (another CPU's kernels) can move a DTW path by a
    /// position where two are nearly tied, hence 20 ms for 95% of the words; a boundary between two
    /// equally likely positions may move further, hence 0.5 s as the bound for every word.
    static let closeSeconds = 0.021
    static let closeShare = 0.95
    static let boundSeconds = 0.5

    static func transcribe(model: String, clip: String) throws -> TranscriptionResult {
        let transcriber = try Transcriber.load(directory: try TestPaths.model(model))
        var options = TranscriptionOptions()
        options.decoding.beamSize = 1
        options.wordTimestamps = true
        let samples = try AudioLoader.load(path: try TestPaths.devFile("audio/\(clip).wav").path)
        return try transcriber.transcribe(samples: samples, options: options)
    }

    @Test(arguments: [
        ("tiny.en", ["en_jfk", "en_ls_test-clean_1995-1837-0001", "en_ljspeech_LJ001-0001", "en_long_dev_concat"]),
        ("base", ["en_jfk", "en_ls_dev-clean_1272-128104-0000", "zh_aishell1_BAC009S0724W0121",
                  "de_picovoice_test_de", "ja_picovoice_test_ja"]),
    ])
    func wordsMatchFasterWhisper(model: String, clips: [String]) throws {
        let reference = try #require(try Self.fixture.get().runs[model])
        var differences: [Double] = []
        for clip in clips {
            let expected = try #require(reference[clip], "\(clip) missing from the fixture")
            let result = try Self.transcribe(model: model, clip: clip)
            let words = result.segments.flatMap { $0.words ?? [] }
            let expectedWords = expected.segments.flatMap(\.words)
            #expect(words.map(\.word) == expectedWords.map(\.word), "\(model) \(clip)")
            guard words.count == expectedWords.count else { continue }
            for (word, other) in zip(words, expectedWords) {
                differences.append(max(abs(word.start - other.start), abs(word.end - other.end)))
                #expect(word.start <= word.end && (0...1).contains(word.probability))
                #expect(abs(word.probability - other.probability) < 0.02, "\(clip) '\(word.word)' probability")
            }
            // Segment times follow their words in both.
            #expect(result.segments.count == expected.segments.count, "\(model) \(clip) segments")
            for (segment, other) in zip(result.segments, expected.segments) {
                #expect(abs(segment.start - other.start) <= Self.boundSeconds && abs(segment.end - other.end) <= Self.boundSeconds)
            }
        }
        let close = differences.filter { $0 <= Self.closeSeconds }.count
        #expect(!differences.isEmpty)
        #expect(Double(close) >= Self.closeShare * Double(differences.count),
                "\(model): \(close) of \(differences.count) words within \(Self.closeSeconds) s; max \(differences.max() ?? 0) s")
        #expect((differences.max() ?? 0) <= Self.boundSeconds)
    }

    /// Without word timestamps nothing changes: no words, the same text and segment times as before.
    @Test func wordsAreOnlyComputedWhenAskedFor() throws {
        let transcriber = try Transcriber.load(directory: try TestPaths.model("tiny.en"))
        var options = TranscriptionOptions()
        options.decoding.beamSize = 1
        let samples = try AudioLoader.load(path: try TestPaths.devFile("audio/en_jfk.wav").path)
        let plain = try transcriber.transcribe(samples: samples, options: options)
        #expect(plain.segments.allSatisfy { $0.words == nil })
        options.wordTimestamps = true
        let timed = try transcriber.transcribe(samples: samples, options: options)
        #expect(timed.text == plain.text)
        #expect(timed.segments.allSatisfy { ($0.words?.count ?? 0) > 0 })
    }

    /// English splits at spaces with punctuation apart; Chinese at whole characters.
    @Test func wordsSplitAtSpacesOrCharacters() throws {
        let english = try Transcriber.load(directory: try TestPaths.model("tiny.en")).tokenizer
        let splitter = WordSplitting(tokenizer: english, language: "en")
        let words = splitter.split(english.encode(" Hello, world.") + [english.special.eot])
        #expect(words.map(\.word) == [" Hello", ",", " world", ".", "<|endoftext|>"])

        let multilingual = try Transcriber.load(directory: try TestPaths.model("base")).tokenizer
        let chinese = WordSplitting(tokenizer: multilingual, language: "zh")
        let tokens = multilingual.encode("我们今天")
        let pieces = chinese.split(tokens)
        #expect(pieces.map(\.word).joined() == "我们今天")
        #expect(pieces.allSatisfy { !$0.word.unicodeScalars.contains("\u{FFFD}") })
        #expect(pieces.flatMap(\.tokens) == tokens)
    }

    /// A model whose config lists no alignment heads is refused before any window runs.
    @Test func aModelWithoutAlignmentHeadsIsRefused() throws {
        let source = try TestPaths.model("tiny.en")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sotto-no-heads-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for file in ["model.bin", "tokenizer.json"] {
            try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent(file),
                                                       withDestinationURL: source.appendingPathComponent(file))
        }
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent("config.json"))) as! [String: Any]
        config.removeValue(forKey: "alignment_heads")
        try JSONSerialization.data(withJSONObject: config).write(to: directory.appendingPathComponent("config.json"))

        let transcriber = try Transcriber.load(directory: directory)
        var options = TranscriptionOptions()
        options.wordTimestamps = true
        #expect(throws: DecodingError.self) { try transcriber.makeSession(samples: [Float](repeating: 0, count: 16_000), options: options) }
        do {
            _ = try transcriber.makeSession(samples: [Float](repeating: 0, count: 16_000), options: options)
        } catch {
            #expect("\(error)".contains("alignment_heads"))
        }
        options.wordTimestamps = false
        _ = try transcriber.makeSession(samples: [Float](repeating: 0, count: 16_000), options: options)
    }
}
