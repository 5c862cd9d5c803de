/// One `re.sub` whose pattern is a literal with optional `\b` at either end, e.g. `\bwon't\b`.
/// Scans left to right and replaces non-overlapping matches, as `re.sub` does.
struct LiteralRewrite: Sendable {
    let pattern: Scalars
    let replacement: Scalars
    /// `\b` before the literal (which then starts with a word character).
    let wordStart: Bool
    /// `\b` after the literal (which then ends with a word character).
    let wordEnd: Bool

    /// Parses the tiny pattern language of Whisper's replacer tables: a literal, `\b` at either end.
    init(_ regex: String, _ replacement: String) {
        var body = Substring(regex)
        wordStart = body.hasPrefix("\\b")
        if wordStart { body = body.dropFirst(2) }
        wordEnd = body.hasSuffix("\\b")
        if wordEnd { body = body.dropLast(2) }
        pattern = Array(body.unicodeScalars)
        self.replacement = Array(replacement.unicodeScalars)
    }

    func apply(_ text: Scalars) -> Scalars {
        guard !pattern.isEmpty, text.count >= pattern.count else { return text }
        var result = Scalars()
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            if matches(text, at: index) {
                result.append(contentsOf: replacement)
                index += pattern.count
            } else {
                result.append(text[index])
                index += 1
            }
        }
        return result
    }

    private func matches(_ text: Scalars, at index: Int) -> Bool {
        text[index] == pattern[0]
            && PythonText.hasPrefix(text, pattern, at: index)
            && (!wordStart || PythonText.wordStarts(text, at: index))
            && (!wordEnd || PythonText.wordEnds(text, at: index + pattern.count))
    }
}
