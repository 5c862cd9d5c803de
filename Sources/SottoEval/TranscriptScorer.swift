import Foundation
import SottoText

/// How a language's transcripts are compared: by words, or by characters where words are not
/// separated by spaces.
public enum ScoringUnit: String, Sendable, Codable {
    case words, characters

    static let characterScoredLanguages: Set<String> = ["zh", "ja", "th", "lo", "my", "yue"]

    public static func forLanguage(_ language: String) -> ScoringUnit {
        characterScoredLanguages.contains(language) ? .characters : .words
    }

    /// The error rate's usual name: "WER" or "CER".
    public var rateName: String { self == .words ? "WER" : "CER" }
}

/// Normalizes reference and hypothesis as Whisper's evaluations do (English: EnglishTextNormalizer,
/// others: BasicTextNormalizer) and counts errors.
public struct TranscriptScorer: Sendable {
    let english: EnglishTextNormalizer
    let basic = BasicTextNormalizer()

    /// `spellingTable` is Whisper's english.json, fetched by scripts/setup.sh.
    public init(spellingTable: URL) throws {
        guard FileManager.default.fileExists(atPath: spellingTable.path) else {
            throw EvalError.missingSpellingTable(spellingTable.path)
        }
        english = try EnglishTextNormalizer(spellingTable: spellingTable)
    }

    public func normalize(_ text: String, language: String) -> String {
        language == "en" ? english.normalize(text) : basic.normalize(text)
    }

    public func score(reference: String, hypothesis: String, language: String) -> (unit: ScoringUnit, counts: ErrorCounts) {
        let unit = ScoringUnit.forLanguage(language)
        let ref = normalize(reference, language: language)
        let hyp = normalize(hypothesis, language: language)
        switch unit {
        case .words: return (unit, ErrorRate.words(reference: ref, hypothesis: hyp))
        case .characters: return (unit, ErrorRate.characters(reference: ref, hypothesis: hyp))
        }
    }
}
