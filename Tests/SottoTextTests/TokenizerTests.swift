import Foundation
import SottoTestSupport
import SottoText
import Testing

/// Loaded tokenizers, shared by the tests (loading is the slow part).
enum LoadedTokenizers {
    private static let tinyEn = Result { try load("tiny.en", multilingual: false) }
    private static let base = Result { try load("base", multilingual: true) }

    /// A missing model fails the tests that need it, with setup's instructions.
    static func named(_ name: String) throws -> Tokenizer {
        try (name == "base" ? base : tinyEn).get()
    }

    private static func load(_ name: String, multilingual: Bool) throws -> Tokenizer {
        let url = try TestPaths.model(name).appendingPathComponent("tokenizer.json")
        return try Tokenizer(contentsOf: url, isMultilingual: multilingual)
    }
}

@Suite("Tokenizer golden parity with Hugging Face tokenizers and faster-whisper")
struct TokenizerTests {
    static let modelNames = ["tiny.en", "base"]

    @Test("encode matches HF ids for every fixture string", arguments: modelNames)
    func encodeMatchesReference(model: String) throws {
        let tokenizer = try LoadedTokenizers.named(model)
        let cases = TextFixtures.tokenizerCases
        let expected = cases.models[model]!.ids
        for (text, ids) in zip(cases.strings, expected) {
            #expect(tokenizer.encode(text) == ids, "\(model): \(text.debugDescription)")
        }
    }

    @Test("decode matches HF text, including partial UTF-8", arguments: modelNames)
    func decodeMatchesReference(model: String) throws {
        let tokenizer = try LoadedTokenizers.named(model)
        for item in TextFixtures.tokenizerCases.models[model]!.decodes {
            #expect(tokenizer.decode(item.ids) == item.text, "\(model): \(item.ids)")
        }
    }

    @Test("decode(encode(s)) == s for multilingual text", arguments: modelNames)
    func roundTrip(model: String) throws {
        let tokenizer = try LoadedTokenizers.named(model)
        for text in TextFixtures.tokenizerCases.strings where !text.contains("<|endoftext|>") {
            let decoded = tokenizer.decode(tokenizer.encode(text))
            // Compare scalars: Swift's == would accept a canonically equivalent but different string.
            #expect(Array(decoded.unicodeScalars) == Array(text.unicodeScalars), "\(model): \(text.debugDescription)")
        }
    }

    @Test("special token ids match faster-whisper", arguments: modelNames)
    func specialTokens(model: String) throws {
        let tokenizer = try LoadedTokenizers.named(model)
        let expected = TextFixtures.tokenizerCases.models[model]!.special
        let special = tokenizer.special
        let actual: [String: Int] = [
            "eot": special.eot, "sot": special.sot, "translate": special.translate,
            "transcribe": special.transcribe, "sotLm": special.sotLm, "sotPrev": special.sotPrev,
            "noSpeech": special.noSpeech, "noTimestamps": special.noTimestamps,
            "timestampBegin": special.timestampBegin,
        ]
        #expect(actual == expected)
    }

    @Test("non_speech_tokens match faster-whisper", arguments: modelNames)
    func nonSpeechTokens(model: String) throws {
        let tokenizer = try LoadedTokenizers.named(model)
        #expect(tokenizer.nonSpeechTokens == TextFixtures.tokenizerCases.models[model]!.nonSpeechTokens)
    }

    @Test("sot sequences match faster-whisper", arguments: modelNames)
    func sotSequences(model: String) throws {
        let tokenizer = try LoadedTokenizers.named(model)
        for item in TextFixtures.tokenizerCases.models[model]!.sotSequences {
            let task = try #require(WhisperTask(rawValue: item.task))
            #expect(tokenizer.sotSequence(language: item.language, task: task) == item.sequence, "\(item.language)")
        }
    }
}
