import Foundation
import SottoTestSupport
import SottoText
import Testing

/// The spelling table fetched by scripts/setup.sh (openai/whisper normalizers/english.json).
enum SpellingTable {
    static var url: URL { TestPaths.sottoHome.appendingPathComponent("normalizers/english.json") }

    /// A missing table fails the tests that need it (setup fetches it).
    static let normalizer = Result { try EnglishTextNormalizer(spellingTable: url) }
}

@Suite("EnglishTextNormalizer golden parity with whisper_normalizer")
struct EnglishTextNormalizerTests {
    @Test("matches whisper_normalizer.english.EnglishTextNormalizer", arguments: TextFixtures.normalizerCases.english)
    func matchesReference(_ item: TextFixtures.NormalizerCase) throws {
        let actual = try SpellingTable.normalizer.get().normalize(item.input)
        #expect(Array(actual.unicodeScalars) == Array(item.output.unicodeScalars), "got \"\(actual)\", want \"\(item.output)\"")
    }

    /// Large multipliers overflow 64-bit integers; the reference uses Python's unbounded ints.
    @Test(arguments: [
        ("five decillion", "5000000000000000000000000000000000"),
        ("twenty three quintillion and one", "23000000000000000001"),
        ("1.25 sextillion", "1250000000000000000000"),
    ])
    func numbersBeyondSixtyFourBits(input: String, expected: String) throws {
        #expect(try SpellingTable.normalizer.get().normalize(input) == expected)
    }

    @Test func missingSpellingTableNamesTheFile() {
        let url = URL(fileURLWithPath: "/nonexistent/english.json")
        #expect {
            try EnglishTextNormalizer(spellingTable: url)
        } throws: { error in
            "\(error)".contains("/nonexistent/english.json")
        }
    }

    @Test func malformedSpellingTableNamesTheFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sotto-bad-english-\(UUID()).json")
        try Data("[1, 2, 3]".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect {
            try EnglishTextNormalizer(spellingTable: url)
        } throws: { error in
            "\(error)".contains(url.path)
        }
    }
}

@Suite("BasicTextNormalizer golden parity with whisper_normalizer")
struct BasicTextNormalizerTests {
    private static func check(_ normalizer: BasicTextNormalizer, _ item: TextFixtures.NormalizerCase) {
        let actual = normalizer.normalize(item.input)
        #expect(Array(actual.unicodeScalars) == Array(item.output.unicodeScalars), "got \"\(actual)\", want \"\(item.output)\"")
    }

    @Test("default options", arguments: TextFixtures.normalizerCases.basic)
    func basic(_ item: TextFixtures.NormalizerCase) {
        Self.check(BasicTextNormalizer(), item)
    }

    @Test("removeDiacritics", arguments: TextFixtures.normalizerCases.basicRemoveDiacritics)
    func removeDiacritics(_ item: TextFixtures.NormalizerCase) {
        Self.check(BasicTextNormalizer(removeDiacritics: true), item)
    }

    @Test("splitLetters", arguments: TextFixtures.normalizerCases.basicSplitLetters)
    func splitLetters(_ item: TextFixtures.NormalizerCase) {
        Self.check(BasicTextNormalizer(splitLetters: true), item)
    }
}
