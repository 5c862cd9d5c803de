import SottoText
import Testing

@Suite("Language tokens and the Whisper language table")
struct LanguageTokenTests {
    @Test func multilingualModelHasNinetyNineLanguagesInOrder() throws {
        let languages = try LoadedTokenizers.named("base").languages
        #expect(languages.count == 99)  // v1/v2 vocabularies stop before "yue"
        #expect(languages.map(\.code) == WhisperLanguages.all.prefix(99).map(\.code))
        #expect(languages.first?.code == "en" && languages.first?.token == 50259)
        // Language tokens are consecutive, right after <|startoftranscript|>.
        #expect(languages.enumerated().allSatisfy { $0.element.token == 50259 + $0.offset })
    }

    @Test func englishOnlyModelHasNoLanguages() throws {
        let tokenizer = try LoadedTokenizers.named("tiny.en")
        #expect(tokenizer.languages.isEmpty)
        #expect(tokenizer.languageToken(for: "en") == nil)
        #expect(tokenizer.sotSequence(language: "en", task: .translate) == [50257])
    }

    @Test(arguments: [("en", 50259), ("english", 50259), ("German", 50261), ("mandarin", 50260), ("haw", 50352)])
    func languageTokenAcceptsCodesAndNames(name: String, token: Int) throws {
        #expect(try LoadedTokenizers.named("base").languageToken(for: name) == token)
    }

    @Test func languageCodeInvertsLanguageToken() throws {
        let tokenizer = try LoadedTokenizers.named("base")
        for (code, token) in tokenizer.languages {
            #expect(tokenizer.languageCode(for: token) == code)
        }
        #expect(tokenizer.languageCode(for: tokenizer.special.transcribe) == nil)
        #expect(tokenizer.languageToken(for: "yue") == nil)
        #expect(tokenizer.languageToken(for: "klingon") == nil)
    }

    @Test func sotSequenceWithoutLanguageKeepsTask() throws {
        let tokenizer = try LoadedTokenizers.named("base")
        #expect(tokenizer.sotSequence(language: nil, task: .transcribe) == [50258, 50359])
    }

    @Test func languageTable() throws {
        #expect(WhisperLanguages.all.count == 100)
        #expect(Set(WhisperLanguages.all.map(\.code)).count == 100)
        #expect(WhisperLanguages.all.first == .init(code: "en", name: "english"))
        #expect(WhisperLanguages.all.last == .init(code: "yue", name: "cantonese"))
        #expect(WhisperLanguages.code(for: "Japanese") == "ja")
        #expect(WhisperLanguages.code(for: "ja") == "ja")
        #expect(WhisperLanguages.code(for: "castilian") == "es")
        #expect(WhisperLanguages.code(for: "xx") == nil)
        #expect(WhisperLanguages.name(for: "haw") == "hawaiian")
    }
}
