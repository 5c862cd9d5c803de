import Foundation

/// Everything SottoText can fail on: each case names the file and what is wrong with it.
public enum TextError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read at all (missing, unreadable).
    case unreadableFile(path: String, reason: String)
    /// The file is not the JSON we expect (syntax error or wrong value types).
    case invalidJSON(path: String, reason: String)
    /// A required field (for example `model.vocab` or `model.merges`) is absent.
    case missingField(path: String, field: String)
    /// A Whisper special token such as `<|startoftranscript|>` is not in the tokenizer.
    case missingSpecialToken(path: String, token: String)
    /// A merge rule names a token (or a merged token) that the vocabulary lacks.
    case invalidMerge(path: String, rule: String)

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            "cannot read \(path): \(reason)"
        case .invalidJSON(let path, let reason):
            "\(path) is not valid JSON of the expected shape: \(reason)"
        case .missingField(let path, let field):
            "\(path) has no `\(field)`"
        case .missingSpecialToken(let path, let token):
            "\(path) lacks the Whisper special token \(token)"
        case .invalidMerge(let path, let rule):
            "\(path) has a merge rule whose parts are not in the vocabulary: \"\(rule)\""
        }
    }
}
