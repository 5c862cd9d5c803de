import Foundation

/// The character classes and string operations of Python's `str` and `re` that Whisper's normalizers
/// rely on, over Unicode scalars (Python strings are sequences of code points, not graphemes).
typealias Scalars = [Unicode.Scalar]

extension Unicode.Scalar {
    /// `str.isspace()` and `re`'s `\s`: White_Space plus the ASCII separators U+001C...U+001F.
    var isPythonWhitespace: Bool {
        properties.isWhitespace || (0x1C...0x1F).contains(value)
    }

    /// `re`'s `\w`: letters, anything with a numeric value, and underscore. Combining marks are not.
    var isPythonWordCharacter: Bool {
        if self == "_" { return true }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return true
        default:
            return properties.numericType != nil
        }
    }

    /// `re`'s `\d`: Unicode decimal digits (category Nd).
    var isPythonDigit: Bool { properties.generalCategory == .decimalNumber }

    var isASCIIDigit: Bool { ("0"..."9").contains(self) }

    var isASCIILowercaseLetter: Bool { ("a"..."z").contains(self) }

    /// The first letter of `unicodedata.category`: "L", "M", "N", "P", "S", "Z" or "C".
    var categoryClass: Character {
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: "L"
        case .nonspacingMark, .spacingMark, .enclosingMark: "M"
        case .decimalNumber, .letterNumber, .otherNumber: "N"
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation: "P"
        case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol: "S"
        case .spaceSeparator, .lineSeparator, .paragraphSeparator: "Z"
        default: "C"
        }
    }
}

enum PythonText {
    static func scalars(_ text: String) -> Scalars { Array(text.unicodeScalars) }

    static func string(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars)
        return text
    }

    /// `str.lower()`: full lowercase mappings, with Greek capital sigma becoming final "ς" at the end
    /// of a word (Unicode's Final_Sigma context), as CPython does.
    static func lowercased(_ text: Scalars) -> Scalars {
        var result = Scalars()
        result.reserveCapacity(text.count)
        for (index, scalar) in text.enumerated() {
            if scalar.isASCII {
                result.append(("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar)
            } else if scalar == "\u{03A3}" {
                result.append(isFinalSigma(text, at: index) ? "\u{03C2}" : "\u{03C3}")
            } else {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return result
    }

    /// A cased letter before (skipping case-ignorables) and none after.
    private static func isFinalSigma(_ text: Scalars, at index: Int) -> Bool {
        var before = index - 1
        while before >= 0, text[before].properties.isCaseIgnorable { before -= 1 }
        guard before >= 0, text[before].properties.isCased else { return false }
        var after = index + 1
        while after < text.count, text[after].properties.isCaseIgnorable { after += 1 }
        return !(after < text.count && text[after].properties.isCased)
    }

    /// `str.split()`: words separated by runs of whitespace, no empty words.
    static func words(_ text: Scalars) -> [Scalars] {
        text.split(whereSeparator: \.isPythonWhitespace).map(Array.init)
    }

    /// `re.sub(r"\s+", " ", s)`.
    static func collapsingWhitespace(_ text: Scalars) -> Scalars {
        var result = Scalars()
        result.reserveCapacity(text.count)
        var inRun = false
        for scalar in text {
            if scalar.isPythonWhitespace {
                if !inRun { result.append(" ") }
                inRun = true
            } else {
                result.append(scalar)
                inRun = false
            }
        }
        return result
    }

    static func nfkd(_ text: Scalars) -> Scalars {
        scalars(string(text).decomposedStringWithCompatibilityMapping)
    }

    static func nfkc(_ text: Scalars) -> Scalars {
        scalars(string(text).precomposedStringWithCompatibilityMapping)
    }

    /// `\b` before position `index` when the text there starts with a word character: the previous
    /// character, if any, is not a word character.
    static func wordStarts(_ text: Scalars, at index: Int) -> Bool {
        index == 0 || !text[index - 1].isPythonWordCharacter
    }

    /// `\b` after a match ending at `end` whose last character is a word character.
    static func wordEnds(_ text: Scalars, at end: Int) -> Bool {
        end == text.count || !text[end].isPythonWordCharacter
    }

    static func hasPrefix(_ text: Scalars, _ prefix: Scalars, at index: Int) -> Bool {
        index + prefix.count <= text.count && text[index..<(index + prefix.count)].elementsEqual(prefix)
    }
}
