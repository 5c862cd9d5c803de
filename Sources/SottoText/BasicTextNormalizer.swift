/// openai/whisper's BasicTextNormalizer (normalizers/basic.py), the one used for non-English WER:
/// lowercase, drop [bracketed] and (parenthesized) text, turn symbols and punctuation into spaces,
/// optionally drop diacritics and space out letters, then collapse whitespace.
/// Like the reference it does not trim: leading and trailing single spaces can remain.
public struct BasicTextNormalizer: Sendable {
    /// Also drop diacritics (NFKD, then remove nonspacing marks) and spell out letters like "ß".
    public let removeDiacritics: Bool
    /// Put a space between grapheme clusters, for character-level scoring of unspaced scripts.
    public let splitLetters: Bool

    public init(removeDiacritics: Bool = false, splitLetters: Bool = false) {
        self.removeDiacritics = removeDiacritics
        self.splitLetters = splitLetters
    }

    public func normalize(_ text: String) -> String {
        var scalars = PythonText.lowercased(PythonText.scalars(text))
        scalars = SymbolRemoval.removingBracketed(scalars)
        scalars = SymbolRemoval.removingParenthesized(scalars)
        scalars = removeDiacritics
            ? SymbolRemoval.removingSymbolsAndDiacritics(scalars)
            : SymbolRemoval.removingSymbols(scalars)
        scalars = PythonText.lowercased(scalars)
        if splitLetters {
            let graphemes = PythonText.string(scalars).map(String.init)
            scalars = PythonText.scalars(graphemes.joined(separator: " "))
        }
        return PythonText.string(PythonText.collapsingWhitespace(scalars))
    }
}
