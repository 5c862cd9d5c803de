import Foundation

/// The parts of a Hugging Face tokenizer.json that a byte-level BPE needs.
struct TokenizerFile: Sendable {
    /// Token text (in GPT-2's byte characters) -> id.
    var vocab: [String: Int]
    /// Merge rules in rank order, each the two parts of a pair.
    var merges: [(String, String)]
    /// `added_tokens` content -> id (the special tokens; matched in raw text before BPE).
    var addedTokens: [String: Int]

    static func read(_ url: URL) throws -> TokenizerFile {
        let path = url.path
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TextError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw TextError.invalidJSON(path: path, reason: "\(error)")
        }
        guard let object = root as? [String: Any] else {
            throw TextError.invalidJSON(path: path, reason: "the top level is not an object")
        }
        guard let model = object["model"] as? [String: Any] else {
            throw TextError.missingField(path: path, field: "model")
        }
        return TokenizerFile(
            vocab: try readVocab(model["vocab"], path: path),
            merges: try readMerges(model["merges"], path: path),
            addedTokens: try readAddedTokens(object["added_tokens"], path: path))
    }

    private static func readVocab(_ value: Any?, path: String) throws -> [String: Int] {
        guard let value else { throw TextError.missingField(path: path, field: "model.vocab") }
        guard let entries = value as? [String: Any] else {
            throw TextError.invalidJSON(path: path, reason: "`model.vocab` is not an object")
        }
        var vocab: [String: Int] = [:]
        vocab.reserveCapacity(entries.count)
        for (token, id) in entries {
            guard let id = id as? Int, id >= 0 else {
                throw TextError.invalidJSON(path: path, reason: "`model.vocab` entry \"\(token)\" has no valid id")
            }
            vocab[token] = id
        }
        return vocab
    }

    /// Merges are "a b" strings in older files and ["a", "b"] pairs in newer ones.
    private static func readMerges(_ value: Any?, path: String) throws -> [(String, String)] {
        guard let value else { throw TextError.missingField(path: path, field: "model.merges") }
        guard let entries = value as? [Any] else {
            throw TextError.invalidJSON(path: path, reason: "`model.merges` is not an array")
        }
        var merges: [(String, String)] = []
        merges.reserveCapacity(entries.count)
        for entry in entries {
            if let rule = entry as? String {
                let parts = rule.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw TextError.invalidMerge(path: path, rule: rule) }
                merges.append((String(parts[0]), String(parts[1])))
            } else if let pair = entry as? [Any], pair.count == 2, let left = pair[0] as? String,
                let right = pair[1] as? String
            {
                merges.append((left, right))
            } else {
                throw TextError.invalidJSON(path: path, reason: "a `model.merges` entry is neither \"a b\" nor [a, b]")
            }
        }
        return merges
    }

    private static func readAddedTokens(_ value: Any?, path: String) throws -> [String: Int] {
        guard let value else { return [:] }
        guard let entries = value as? [Any] else {
            throw TextError.invalidJSON(path: path, reason: "`added_tokens` is not an array")
        }
        var tokens: [String: Int] = [:]
        for entry in entries {
            guard let entry = entry as? [String: Any], let content = entry["content"] as? String,
                let id = entry["id"] as? Int
            else {
                throw TextError.invalidJSON(path: path, reason: "an `added_tokens` entry lacks `content` or `id`")
            }
            tokens[content] = id
        }
        return tokens
    }
}
