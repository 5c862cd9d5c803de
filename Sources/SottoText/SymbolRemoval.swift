/// The clean-up steps openai/whisper's BasicTextNormalizer and EnglishTextNormalizer share
/// (normalizers/basic.py), each written out as the scan its regular expression performs.
enum SymbolRemoval {
    /// Letters NFKD does not split into a base letter and a mark (basic.py `ADDITIONAL_DIACRITICS`).
    static let additionalDiacritics: [Unicode.Scalar: String] = [
        "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "ẞ": "SS",
        "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "th", "ł": "l", "Ł": "L",
    ]

    /// `re.sub(r"[<\[][^>\]]*[>\]]", "", s)`: drops "<...>" and "[...]" spans, which end at the first
    /// ">" or "]" whichever opened them; an opener with no closer after it stays.
    static func removingBracketed(_ text: Scalars) -> Scalars {
        var result = Scalars()
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            if text[index] == "<" || text[index] == "[",
                let close = text[(index + 1)...].firstIndex(where: { $0 == ">" || $0 == "]" })
            {
                index = close + 1
            } else {
                result.append(text[index])
                index += 1
            }
        }
        return result
    }

    /// `re.sub(r"\(([^)]+?)\)", "", s)`: drops "(...)" up to the first ")", which must not be
    /// the very next character ("()" stays).
    static func removingParenthesized(_ text: Scalars) -> Scalars {
        var result = Scalars()
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            if text[index] == "(", index + 1 < text.count, text[index + 1] != ")",
                let close = text[(index + 1)...].firstIndex(of: ")")
            {
                index = close + 1
            } else {
                result.append(text[index])
                index += 1
            }
        }
        return result
    }

    /// basic.py `remove_symbols_and_diacritics`: after NFKD, marks (Mn) vanish, other marks, symbols
    /// and punctuation become spaces, a few letters are spelled out; characters in `keep` stay.
    static func removingSymbolsAndDiacritics(_ text: Scalars, keep: Set<Unicode.Scalar> = []) -> Scalars {
        var result = Scalars()
        result.reserveCapacity(text.count)
        for scalar in PythonText.nfkd(text) {
            if keep.contains(scalar) {
                result.append(scalar)
            } else if let spelled = additionalDiacritics[scalar] {
                result.append(contentsOf: spelled.unicodeScalars)
            } else if scalar.properties.generalCategory == .nonspacingMark {
                continue
            } else if "MSP".contains(scalar.categoryClass) {
                result.append(" ")
            } else {
                result.append(scalar)
            }
        }
        return result
    }

    /// basic.py `remove_symbols`: after NFKC, marks, symbols and punctuation become spaces.
    static func removingSymbols(_ text: Scalars) -> Scalars {
        PythonText.nfkc(text).map { "MSP".contains($0.categoryClass) ? " " : $0 }
    }
}
