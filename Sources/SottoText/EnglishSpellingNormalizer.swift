import Foundation

/// openai/whisper's EnglishSpellingNormalizer: British -> American spellings, word by word, from the
/// table normalizers/english.json (loaded from the caller's path so the data is not duplicated here).
struct EnglishSpellingNormalizer: Sendable {
    private let mapping: [String: String]

    init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TextError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
        do {
            mapping = try JSONDecoder().decode([String: String].self, from: data)
        } catch {
            throw TextError.invalidJSON(path: url.path, reason: "expected an object of strings: \(error)")
        }
    }

    /// `" ".join(mapping.get(word, word) for word in s.split())`.
    func normalize(_ text: Scalars) -> Scalars {
        let words = PythonText.words(text).map { word -> Scalars in
            let spelled = PythonText.string(word)
            guard let american = mapping[spelled] else { return word }
            return PythonText.scalars(american)
        }
        return Array(words.joined(separator: [" "]))
    }
}
