import Foundation

/// openai/whisper's EnglishTextNormalizer (normalizers/english.py), the normalizer behind Whisper's
/// English WER: lowercase, drop bracketed text and fillers, expand contractions and titles, turn
/// spelled numbers into digits, Americanize spellings, drop remaining symbols, collapse whitespace.
/// Like the reference it does not trim: leading and trailing single spaces can remain.
public struct EnglishTextNormalizer: Sendable {
    private let numbers = EnglishNumberNormalizer()
    private let spellings: EnglishSpellingNormalizer

    /// `spellingTable` is Whisper's normalizers/english.json (British -> American spellings).
    public init(spellingTable url: URL) throws {
        spellings = try EnglishSpellingNormalizer(contentsOf: url)
    }

    public func normalize(_ text: String) -> String {
        var s = PythonText.lowercased(PythonText.scalars(text))
        s = SymbolRemoval.removingBracketed(s)
        s = SymbolRemoval.removingParenthesized(s)
        for filler in Self.fillers { s = filler.apply(s) }
        s = Self.removingSpaceBeforeApostrophe(s)
        for rule in Self.replacers { s = rule.apply(s) }
        s = Self.removingCommasBetweenDigits(s)
        s = Self.removingPeriodsNotBeforeDigits(s)
        s = SymbolRemoval.removingSymbolsAndDiacritics(s, keep: Self.numericSymbols)
        s = numbers.normalize(s)
        s = spellings.normalize(s)
        s = Self.removingUnattachedSymbols(s)
        return PythonText.string(PythonText.collapsingWhitespace(s))
    }

    /// Symbols the number normalizer reads, so they survive symbol removal.
    private static let numericSymbols: Set<Unicode.Scalar> = [".", "%", "$", "¢", "€", "£"]

    /// `\b(hmm|mm|mhm|mmm|uh|um)\b`; each alternative is a whole word, so one pass per word is the same.
    private static let fillers = ["hmm", "mm", "mhm", "mmm", "uh", "um"].map { LiteralRewrite("\\b\($0)\\b", "") }

    /// In the reference's order: later rules see the output of earlier ones ("won't" before "n't").
    private static let replacers: [LiteralRewrite] = [
        // common contractions
        ("\\bwon't\\b", "will not"), ("\\bcan't\\b", "can not"), ("\\blet's\\b", "let us"),
        ("\\bain't\\b", "aint"), ("\\by'all\\b", "you all"), ("\\bwanna\\b", "want to"),
        ("\\bkinda\\b", "kind of"), ("\\bsorta\\b", "sort of"), ("\\bdunno\\b", "do not know"),
        ("\\bgotta\\b", "got to"), ("\\bgonna\\b", "going to"), ("\\bi'ma\\b", "i am going to"),
        ("\\bimma\\b", "i am going to"), ("\\bwoulda\\b", "would have"), ("\\bcoulda\\b", "could have"),
        ("\\bshoulda\\b", "should have"), ("\\bcause\\b", "because"), ("\\bma'am\\b", "madam"),
        // contractions in titles/prefixes
        ("\\bmr\\b", "mister "), ("\\bmrs\\b", "missus "), ("\\bst\\b", "saint "), ("\\bdr\\b", "doctor "),
        ("\\bprof\\b", "professor "), ("\\bcapt\\b", "captain "), ("\\bgov\\b", "governor "),
        ("\\bald\\b", "alderman "), ("\\bgen\\b", "general "), ("\\bsen\\b", "senator "),
        ("\\brep\\b", "representative "), ("\\bpres\\b", "president "), ("\\brev\\b", "reverend "),
        ("\\bhon\\b", "honorable "), ("\\basst\\b", "assistant "), ("\\bassoc\\b", "associate "),
        ("\\blt\\b", "lieutenant "), ("\\bcol\\b", "colonel "), ("\\bjr\\b", "junior "),
        ("\\bsr\\b", "senior "), ("\\besq\\b", "esquire "),
        // perfect tenses ("'s done" is ambiguous, so it is left alone)
        ("'d been\\b", " had been"), ("'s been\\b", " has been"), ("'d gone\\b", " had gone"),
        ("'s gone\\b", " has gone"), ("'d done\\b", " had done"), ("'s got\\b", " has got"),
        // general contractions
        ("n't\\b", " not"), ("'re\\b", " are"), ("'s\\b", " is"), ("'d\\b", " would"),
        ("'ll\\b", " will"), ("'t\\b", " not"), ("'ve\\b", " have"), ("'m\\b", " am"),
    ].map { LiteralRewrite($0.0, $0.1) }

    /// `re.sub(r"\s+'", "'", s)`.
    static func removingSpaceBeforeApostrophe(_ text: Scalars) -> Scalars {
        var result = Scalars()
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            var end = index
            while end < text.count, text[end].isPythonWhitespace { end += 1 }
            if end > index, end < text.count, text[end] == "'" {
                index = end
            } else if end > index {
                result.append(contentsOf: text[index..<end])
                index = end
            } else {
                result.append(text[index])
                index += 1
            }
        }
        return result
    }

    /// `re.sub(r"(\d),(\d)", r"\1\2", s)`; matches do not overlap, so "1,2,3" becomes "12,3".
    static func removingCommasBetweenDigits(_ text: Scalars) -> Scalars {
        var result = Scalars()
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            if index + 2 < text.count, text[index].isPythonDigit, text[index + 1] == ",", text[index + 2].isPythonDigit {
                result.append(text[index])
                result.append(text[index + 2])
                index += 3
            } else {
                result.append(text[index])
                index += 1
            }
        }
        return result
    }

    /// `re.sub(r"\.([^0-9]|$)", r" \1", s)`; the character after a replaced period is consumed, so in
    /// "a..b" only the first period goes.
    static func removingPeriodsNotBeforeDigits(_ text: Scalars) -> Scalars {
        replacingSymbol(in: text, where: { $0 == "." }, atEnd: true)
    }

    /// `re.sub(r"[.$¢€£]([^0-9])", r" \1", s)` then `re.sub(r"([^0-9])%", r"\1 ", s)`: symbols that
    /// ended up attached to no number.
    static func removingUnattachedSymbols(_ text: Scalars) -> Scalars {
        let prefixes: Set<Unicode.Scalar> = [".", "$", "¢", "€", "£"]
        let withoutPrefixes = replacingSymbol(in: text, where: { prefixes.contains($0) }, atEnd: false)
        var result = Scalars()
        result.reserveCapacity(withoutPrefixes.count)
        var index = 0
        while index < withoutPrefixes.count {
            let scalar = withoutPrefixes[index]
            if index + 1 < withoutPrefixes.count, !scalar.isASCIIDigit, withoutPrefixes[index + 1] == "%" {
                result.append(scalar)
                result.append(" ")
                index += 2
            } else {
                result.append(scalar)
                index += 1
            }
        }
        return result
    }

    /// Replaces a symbol followed by a non-ASCII-digit (or, with `atEnd`, by nothing) with a space,
    /// consuming the following character as the pattern `X([^0-9])` does.
    private static func replacingSymbol(
        in text: Scalars, where isSymbol: (Unicode.Scalar) -> Bool, atEnd: Bool
    ) -> Scalars {
        var result = Scalars()
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            let scalar = text[index]
            if isSymbol(scalar), index + 1 < text.count, !text[index + 1].isASCIIDigit {
                result.append(" ")
                result.append(text[index + 1])
                index += 2
            } else if isSymbol(scalar), index + 1 == text.count, atEnd {
                result.append(" ")
                index += 1
            } else {
                result.append(scalar)
                index += 1
            }
        }
        return result
    }
}
