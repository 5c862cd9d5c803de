/// Splits text into the pieces BPE runs on, exactly as GPT-2's pattern does:
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// Written as a scanner over Unicode scalars rather than a regex: the alternatives are tried in order
/// at each position, as the regex engine would, without the cost or the engine differences of a regex.
/// `\s` is the Unicode White_Space property, as in Oniguruma, which Hugging Face tokenizers uses.
enum PreTokenizer {
    static func pieces(_ text: ArraySlice<Unicode.Scalar>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = text.startIndex
        while start < text.endIndex {
            let end = pieceEnd(text, from: start)
            result.append(start..<end)
            start = end
        }
        return result
    }

    private enum Kind { case letter, number, space, other }

    private static func kind(_ scalar: Unicode.Scalar) -> Kind {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return scalar.properties.isWhitespace ? .space : .other
        }
    }

    /// The end of the piece that starts at `start` (always past `start`).
    private static func pieceEnd(_ text: ArraySlice<Unicode.Scalar>, from start: Int) -> Int {
        let end = text.endIndex
        if let contraction = contractionEnd(text, from: start) { return contraction }

        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional ASCII space, then a run of one kind.
        var runStart = start
        if text[start] == " ", start + 1 < end, kind(text[start + 1]) != .space { runStart = start + 1 }
        let runKind = kind(text[runStart])
        if runKind != .space {
            var index = runStart + 1
            while index < end, kind(text[index]) == runKind { index += 1 }
            return index
        }

        // `\s+(?!\S)` leaves the last space of a run to prefix the next word; `\s+` takes a lone one.
        var index = start + 1
        while index < end, kind(text[index]) == .space { index += 1 }
        if index == end { return index }
        return index - start >= 2 ? index - 1 : index
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d` (ASCII apostrophe, case-sensitive, no check of what follows).
    private static func contractionEnd(_ text: ArraySlice<Unicode.Scalar>, from start: Int) -> Int? {
        guard text[start] == "'", start + 1 < text.endIndex else { return nil }
        let next = text[start + 1]
        if next == "s" || next == "t" || next == "m" || next == "d" { return start + 2 }
        guard start + 2 < text.endIndex else { return nil }
        let pair = (next, text[start + 2])
        if pair == ("r", "e") || pair == ("v", "e") || pair == ("l", "l") { return start + 3 }
        return nil
    }
}
