/// openai/whisper's EnglishNumberNormalizer (normalizers/english.py): spelled-out numbers become
/// digits ("twenty five" -> "25"), suffixes stay ("1960s", "32nd"), currency words become symbols
/// ("twenty dollars" -> "$20"), runs of single digits read as nominal ("one oh one" -> "101").
///
/// Words are read left to right with one pending number (`value`) and an optional sign or currency
/// `prefix`, as the reference's `process_words` generator does; this keeps its branch order, because
/// its quirks ("nineteen ninety nine" -> "1999" but "ninety ninth" -> "90 ninth") are the behaviour.
struct EnglishNumberNormalizer: Sendable {
    let vocabulary = EnglishNumberWords()

    func normalize(_ text: Scalars) -> Scalars {
        let words = PythonText.words(EnglishNumberRewrites.preprocess(text, vocabulary: vocabulary))
        var reader = NumberReader(vocabulary: vocabulary)
        let output = reader.read(words.map { PythonText.string($0) })
        return EnglishNumberRewrites.postprocess(PythonText.scalars(output.joined(separator: " ")))
    }
}

/// The pending number: Python keeps an `int` (arithmetic still possible) or a `str` (digits glued
/// together, decimals, "007"). Integers are ASCII digit strings, see `DecimalDigits`.
private enum PendingNumber {
    case integer(String)
    case text(String)

    var string: String {
        switch self {
        case .integer(let digits): digits
        case .text(let text): text
        }
    }

    /// Python's `str(value or "")`: zero, like no value, is falsy.
    static func stringOrEmpty(_ value: PendingNumber?) -> String {
        guard let value else { return "" }
        if case .integer("0") = value { return "" }
        return value.string
    }
}

private struct NumberReader {
    let vocabulary: EnglishNumberWords
    var prefix: String?
    var value: PendingNumber?
    var output: [String] = []

    init(vocabulary: EnglishNumberWords) {
        self.vocabulary = vocabulary
    }

    /// `output(result)` in the reference: applies and clears the prefix, clears the value.
    mutating func emit(_ result: String) {
        output.append((prefix ?? "") + result)
        value = nil
        prefix = nil
    }

    mutating func emitValue() {
        if let value { emit(value.string) }
    }

    static func isArabicNumber(_ word: Substring) -> Bool {
        let parts = word.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count <= 2 && parts.allSatisfy { !$0.isEmpty && $0.unicodeScalars.allSatisfy(\.isPythonDigit) }
    }

    mutating func read(_ words: [String]) -> [String] {
        var skip = false
        for (index, current) in words.enumerated() {
            if skip {
                skip = false
                continue
            }
            let previous = index > 0 ? words[index - 1] : nil
            let next = index + 1 < words.count ? words[index + 1] : nil
            skip = readWord(current, previous: previous, next: next)
        }
        emitValue()
        return output
    }

    /// Handles one word; returns true when it also consumed the next one.
    private mutating func readWord(_ current: String, previous: String?, next: String?) -> Bool {
        let words = vocabulary
        let first = current.unicodeScalars.first!
        let hasPrefix = words.prefixes.contains(first)
        let withoutPrefix = hasPrefix ? Substring(current.unicodeScalars.dropFirst()) : Substring(current)
        let nextIsNumeric = next.map { Self.isArabicNumber(Substring($0)) } ?? false

        if Self.isArabicNumber(withoutPrefix) {
            if let value {
                if case .text(let text) = value, text.hasSuffix(".") {
                    // concatenate decimals / ip address components
                    self.value = .text(text + current)
                    return false
                }
                emit(value.string)
            }
            prefix = hasPrefix ? String(first) : prefix
            value = arabicValue(withoutPrefix)
        } else if !words.words.contains(current) {
            emitValue()
            emit(current)
        } else if words.zeros.contains(current) {
            value = .text(PendingNumber.stringOrEmpty(value) + "0")
        } else if let ones = words.ones[current] {
            value = addingOnes(ones, previous: previous)
        } else if let ordinal = words.onesSuffixed[current] {
            emit(addingOnes(ordinal.value, previous: previous).string + ordinal.suffix)
        } else if let tens = words.tens[current] {
            value = addingTens(tens)
        } else if let ordinal = words.tensSuffixed[current] {
            emit(addingTens(ordinal.value).string + ordinal.suffix)
        } else if let exponent = words.multipliers[current] {
            multiply(byPowerOfTen: exponent, suffix: nil)
        } else if let ordinal = words.multipliersSuffixed[current] {
            multiply(byPowerOfTen: ordinal.exponent, suffix: ordinal.suffix)
        } else if let sign = words.precedingPrefixers[current] {
            // a sign applies only if a number follows
            emitValue()
            if next.map(words.words.contains) == true || nextIsNumeric {
                prefix = sign
            } else {
                emit(current)
            }
        } else if let currency = words.followingPrefixers[current] {
            // a currency word applies only after a number
            if let value {
                prefix = currency
                emit(value.string)
            } else {
                emit(current)
            }
        } else if words.suffixers.contains(current) {
            return readPercent(current, next: next)
        } else {
            return readSpecial(current, previous: previous, next: next, nextIsNumeric: nextIsNumeric)
        }
        return false
    }

    /// Integers are kept as numbers ("007" -> 7, "5.0" -> 5); other decimals stay as written.
    private func arabicValue(_ word: Substring) -> PendingNumber {
        let parts = word.split(separator: ".")
        let isInteger = parts.count == 1 || parts[1].unicodeScalars.allSatisfy { $0.properties.numericValue == 0 }
        guard isInteger, let digits = DecimalDigits.asciiDigits(parts[0]) else { return .text(String(word)) }
        return .integer(DecimalDigits.canonical(digits))
    }

    /// The value after reading a word from "one" to "nineteen" (or its suffixed form).
    private func addingOnes(_ ones: Int, previous: String?) -> PendingNumber {
        guard let value else { return .integer(String(ones)) }
        if case .text(let text) = value, let previous, vocabulary.tens[previous] != nil, ones < 10 {
            // "...ty" left a trailing zero: "one oh twenty five" -> replace it with the digit
            return .text(String(text.dropLast()) + String(ones))
        }
        if case .text = value { return .text(value.string + String(ones)) }
        if let previous, vocabulary.ones[previous] != nil { return .text(value.string + String(ones)) }
        let digits = value.string
        let roundTo = ones < 10 ? 1 : 2
        if DecimalDigits.endsWithZeros(digits, count: roundTo) {
            return .integer(DecimalDigits.sum(digits, ones))
        }
        return .text(digits + String(ones))
    }

    private func addingTens(_ tens: Int) -> PendingNumber {
        guard let value else { return .integer(String(tens)) }
        guard case .integer(let digits) = value, DecimalDigits.endsWithZeros(digits, count: 2) else {
            return .text(value.string + String(tens))
        }
        return .integer(DecimalDigits.sum(digits, tens))
    }

    /// "hundred", "thousands", "millionth": scales the pending number, or stands alone.
    private mutating func multiply(byPowerOfTen exponent: Int, suffix: String?) {
        let power = DecimalDigits.powerOfTen(exponent)
        switch value {
        case nil:
            if let suffix { emit(power + suffix) } else { value = .integer(power) }
        case .integer(let digits)? where digits != "0":
            let scaled = DecimalDigits.scalingLastGroup(digits, byPowerOfTen: exponent)
            if let suffix { emit(scaled + suffix) } else { value = .integer(scaled) }
        case let pending?:
            // text ("1.5", "007") or zero: scaled as a fraction, kept apart if that is not whole
            if let scaled = DecimalDigits.scaledDecimal(pending.string, byPowerOfTen: exponent) {
                if let suffix { emit(scaled + suffix) } else { value = .integer(scaled) }
            } else {
                emit(pending.string)
                if let suffix { emit(power + suffix) } else { value = .integer(power) }
            }
        }
    }

    /// "percent" -> "%" after a number; "per" only when "cent" follows.
    private mutating func readPercent(_ current: String, next: String?) -> Bool {
        guard let value else {
            emit(current)
            return false
        }
        if current == "percent" {
            emit(value.string + "%")
            return false
        }
        if next == "cent" {
            emit(value.string + "%")
            return true
        }
        emit(value.string)
        emit(current)
        return false
    }

    /// "and", "double", "triple", "point": number glue only when a number word follows.
    private mutating func readSpecial(_ current: String, previous: String?, next: String?, nextIsNumeric: Bool) -> Bool {
        let words = vocabulary
        guard next.map(words.words.contains) == true || nextIsNumeric else {
            emitValue()
            emit(current)
            return false
        }
        switch current {
        case "and":
            // ignored after hundreds, thousands, ...: "one hundred and five"
            if previous.flatMap({ words.multipliers[$0] }) == nil {
                emitValue()
                emit(current)
            }
        case "double", "triple":
            guard let next, words.ones[next] != nil || words.zeros.contains(next) else {
                emitValue()
                emit(current)
                return false
            }
            let digit = String(words.ones[next] ?? 0)
            value = .text(PendingNumber.stringOrEmpty(value) + String(repeating: digit, count: current == "double" ? 2 : 3))
            return true
        default:  // "point"
            if next.map(words.decimals.contains) == true || nextIsNumeric {
                value = .text(PendingNumber.stringOrEmpty(value) + ".")
            }
        }
        return false
    }
}
