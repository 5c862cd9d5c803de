/// The text rewrites around EnglishNumberNormalizer's word reader (english.py `preprocess` and
/// `postprocess`), each written out as the scan its regular expression performs.
enum EnglishNumberRewrites {
    static func preprocess(_ text: Scalars, vocabulary: EnglishNumberWords) -> Scalars {
        var s = replacingAndAHalf(text, vocabulary: vocabulary)
        s = spacingLettersAndDigits(s)
        return joiningNumberSuffixes(s)
    }

    static func postprocess(_ text: Scalars) -> Scalars {
        var s = combiningCents(text)
        s = extractingCents(s)
        return spellingOutOne(s)
    }

    // MARK: preprocess

    /// "<number> and a half" -> "<number> point five"; splits on `\band\s+a\s+half\b` and, like the
    /// reference, drops blank pieces together with the phrase that followed them.
    static func replacingAndAHalf(_ text: Scalars, vocabulary: EnglishNumberWords) -> Scalars {
        var segments: [Scalars] = []
        var segmentStart = 0
        var index = 0
        while index < text.count {
            if let end = andAHalfEnd(text, at: index) {
                segments.append(Array(text[segmentStart..<index]))
                segmentStart = end
                index = end
            } else {
                index += 1
            }
        }
        segments.append(Array(text[segmentStart...]))

        var results: [Scalars] = []
        for (position, segment) in segments.enumerated() {
            let words = PythonText.words(segment)
            guard let lastWord = words.last.map({ PythonText.string($0) }) else { continue }
            results.append(segment)
            if position == segments.count - 1 { break }
            let isNumber = vocabulary.decimals.contains(lastWord) || vocabulary.multipliers[lastWord] != nil
            results.append(PythonText.scalars(isNumber ? "point five" : "and a half"))
        }
        return Array(results.joined(separator: [" "]))
    }

    private static func andAHalfEnd(_ text: Scalars, at start: Int) -> Int? {
        guard text[start] == "a", PythonText.wordStarts(text, at: start) else { return nil }
        var index = start
        for (position, word) in ["and", "a", "half"].enumerated() {
            if position > 0 {
                let spaceStart = index
                while index < text.count, text[index].isPythonWhitespace { index += 1 }
                if index == spaceStart { return nil }
            }
            guard PythonText.hasPrefix(text, Array(word.unicodeScalars), at: index) else { return nil }
            index += word.unicodeScalars.count
        }
        return PythonText.wordEnds(text, at: index) ? index : nil
    }

    /// `([a-z])([0-9])` -> "\1 \2", then `([0-9])([a-z])` -> "\1 \2" (ASCII only).
    static func spacingLettersAndDigits(_ text: Scalars) -> Scalars {
        var result = Scalars()
        result.reserveCapacity(text.count + 8)
        for (index, scalar) in text.enumerated() {
            result.append(scalar)
            guard index + 1 < text.count else { continue }
            let next = text[index + 1]
            if (scalar.isASCIILowercaseLetter && next.isASCIIDigit) || (scalar.isASCIIDigit && next.isASCIILowercaseLetter) {
                result.append(" ")
            }
        }
        return result
    }

    /// `([0-9])\s+(st|nd|rd|th|s)\b` -> "\1\2": rejoins ordinal and plural suffixes ("21 st" -> "21st").
    static func joiningNumberSuffixes(_ text: Scalars) -> Scalars {
        let suffixes: [Scalars] = ["st", "nd", "rd", "th", "s"].map { Array($0.unicodeScalars) }
        var result = Scalars()
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            result.append(text[index])
            guard text[index].isASCIIDigit else {
                index += 1
                continue
            }
            var suffixStart = index + 1
            while suffixStart < text.count, text[suffixStart].isPythonWhitespace { suffixStart += 1 }
            let suffix = suffixes.first {
                PythonText.hasPrefix(text, $0, at: suffixStart) && PythonText.wordEnds(text, at: suffixStart + $0.count)
            }
            if suffixStart > index + 1, let suffix {
                result.append(contentsOf: suffix)
                index = suffixStart + suffix.count
            } else {
                index += 1
            }
        }
        return result
    }

    // MARK: postprocess

    private static let currencies: Set<Unicode.Scalar> = ["€", "£", "$"]

    /// `([€£$])([0-9]+) (?:and )?¢([0-9]{1,2})\b` -> "$2.07": dollars and cents in one amount.
    static func combiningCents(_ text: Scalars) -> Scalars {
        var result = Scalars()
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            guard currencies.contains(text[index]) else {
                result.append(text[index])
                index += 1
                continue
            }
            var cursor = index + 1
            while cursor < text.count, text[cursor].isASCIIDigit { cursor += 1 }
            let integer = text[(index + 1)..<cursor]
            var matched: (cents: Scalars, end: Int)?
            if !integer.isEmpty, cursor < text.count, text[cursor] == " " {
                cursor += 1
                if PythonText.hasPrefix(text, Array("and ¢".unicodeScalars), at: cursor) { cursor += 4 }
                if cursor < text.count, text[cursor] == "¢" { matched = oneOrTwoDigits(text, at: cursor + 1) }
            }
            if let matched {
                result.append(text[index])
                result.append(contentsOf: integer)
                result.append(".")
                if matched.cents.count == 1 { result.append("0") }
                result.append(contentsOf: matched.cents)
                index = matched.end
            } else {
                result.append(text[index])
                index += 1
            }
        }
        return result
    }

    /// `[€£$]0.([0-9]{1,2})\b` -> "¢7": amounts under one unit become cents. As in the reference the
    /// "." matches any character but a newline, and "$0.5" gives "¢5".
    static func extractingCents(_ text: Scalars) -> Scalars {
        var result = Scalars()
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            if currencies.contains(text[index]), index + 3 < text.count, text[index + 1] == "0", text[index + 2] != "\n",
                let matched = oneOrTwoDigits(text, at: index + 3)
            {
                result.append("¢")
                result.append(contentsOf: PythonText.scalars(DecimalDigits.canonical(PythonText.string(matched.cents))))
                index = matched.end
            } else {
                result.append(text[index])
                index += 1
            }
        }
        return result
    }

    /// `[0-9]{1,2}\b` at `start`: a run of one or two ASCII digits that ends a word.
    private static func oneOrTwoDigits(_ text: Scalars, at start: Int) -> (cents: Scalars, end: Int)? {
        var end = start
        while end < text.count, end - start < 3, text[end].isASCIIDigit { end += 1 }
        guard (1...2).contains(end - start), PythonText.wordEnds(text, at: end) else { return nil }
        return (Array(text[start..<end]), end)
    }

    /// `\b1(s?)\b` -> "one\1": "one" and "ones" read better than "1" and "1s".
    static func spellingOutOne(_ text: Scalars) -> Scalars {
        var result = Scalars()
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            guard text[index] == "1", PythonText.wordStarts(text, at: index) else {
                result.append(text[index])
                index += 1
                continue
            }
            if index + 1 < text.count, text[index + 1] == "s", PythonText.wordEnds(text, at: index + 2) {
                result.append(contentsOf: "ones".unicodeScalars)
                index += 2
            } else if PythonText.wordEnds(text, at: index + 1) {
                result.append(contentsOf: "one".unicodeScalars)
                index += 1
            } else {
                result.append(text[index])
                index += 1
            }
        }
        return result
    }
}
