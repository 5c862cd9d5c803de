import Foundation
import SottoTestSupport
import Testing

/// The golden files written by scripts/make_text_fixtures.py, decoded once per test process.
enum TextFixtures {
    struct TokenizerCases: Decodable {
        let strings: [String]
        let models: [String: ModelCases]
    }

    struct ModelCases: Decodable {
        let multilingual: Bool
        let ids: [[Int]]
        let decodes: [DecodeCase]
        let special: [String: Int]
        let nonSpeechTokens: [Int]
        let sotSequences: [SotCase]
    }

    struct DecodeCase: Decodable {
        let ids: [Int]
        let text: String
    }

    struct SotCase: Decodable {
        let language: String
        let task: String
        let sequence: [Int]
    }

    struct NormalizerCases: Decodable {
        let english: [NormalizerCase]
        let basic: [NormalizerCase]
        let basicRemoveDiacritics: [NormalizerCase]
        let basicSplitLetters: [NormalizerCase]
    }

    struct NormalizerCase: Decodable, CustomTestStringConvertible, Sendable {
        let input: String
        let output: String
        var testDescription: String { "\"\(input)\"" }
    }

    static let tokenizerCases: TokenizerCases = load("text/tokenizer_cases.json")
    static let normalizerCases: NormalizerCases = load("text/normalizer_cases.json")

    /// A broken fixture is a programming error in this repository, not user input.
    private static func load<T: Decodable>(_ relative: String) -> T {
        let url = TestPaths.fixture(relative)
        do {
            return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
        } catch {
            fatalError("cannot load fixture \(url.path): \(error); rerun scripts/make_text_fixtures.py")
        }
    }
}
