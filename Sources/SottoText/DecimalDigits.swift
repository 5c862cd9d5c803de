/// Non-negative integers as ASCII digit strings. Python's number normalizer uses unbounded ints
/// ("a decillion" is 10^33), and every operation it needs is digit surgery: adding, appending zeros
/// (all multipliers are powers of ten) and looking at the last digits.
enum DecimalDigits {
    /// Canonical form: no leading zeros, "0" for zero.
    static func canonical(_ digits: some StringProtocol) -> String {
        let trimmed = digits.drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : String(trimmed)
    }

    static func isZero(_ digits: String) -> Bool { digits == "0" }

    /// `value % 10 ** count == 0`.
    static func endsWithZeros(_ digits: String, count: Int) -> Bool {
        isZero(digits) || (digits.count > count && digits.hasSuffix(String(repeating: "0", count: count)))
    }

    /// `value * 10 ** exponent`.
    static func timesPowerOfTen(_ digits: String, _ exponent: Int) -> String {
        isZero(digits) ? "0" : digits + String(repeating: "0", count: exponent)
    }

    static func powerOfTen(_ exponent: Int) -> String {
        "1" + String(repeating: "0", count: exponent)
    }

    static func sum(_ a: String, _ b: String) -> String {
        var result: [UInt8] = []
        var left = Array(a.utf8), right = Array(b.utf8)
        var carry: UInt8 = 0
        while !left.isEmpty || !right.isEmpty || carry > 0 {
            let digit = (left.popLast().map { $0 - 48 } ?? 0) + (right.popLast().map { $0 - 48 } ?? 0) + carry
            result.append(digit % 10 + 48)
            carry = digit / 10
        }
        return canonical(String(decoding: result.reversed(), as: UTF8.self))
    }

    static func sum(_ a: String, _ b: Int) -> String { sum(a, String(b)) }

    /// `value // 1000 * 1000 + value % 1000 * 10 ** exponent`: a multiplier scales only the last
    /// group of three digits ("two thousand five hundred" -> 2000 + 5 * 100).
    static func scalingLastGroup(_ digits: String, byPowerOfTen exponent: Int) -> String {
        let groupLength = min(3, digits.count)
        let residual = String(digits.suffix(groupLength))
        let before = digits.count > 3 ? String(digits.dropLast(3)) + "000" : "0"
        return sum(before, timesPowerOfTen(canonical(residual), exponent))
    }

    /// `Fraction(text) * 10 ** exponent` when that is an integer, as Python 3.11's `Fraction(str)`
    /// parses it: digits, at most one ".", at least one digit; Unicode decimal digits allowed.
    static func scaledDecimal(_ text: String, byPowerOfTen exponent: Int) -> String? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        let whole = asciiDigits(parts[0])
        let fraction = parts.count == 2 ? asciiDigits(parts[1]) : ""
        guard let whole, let fraction, !(whole.isEmpty && fraction.isEmpty) else { return nil }
        let kept = fraction.prefix(exponent)
        guard fraction.dropFirst(exponent).allSatisfy({ $0 == "0" }) else { return nil }
        return canonical(whole + kept + String(repeating: "0", count: exponent - kept.count))
    }

    /// The digits of `text` in ASCII, or nil if it holds anything but decimal digits.
    static func asciiDigits(_ text: some StringProtocol) -> String? {
        var result = ""
        for scalar in text.unicodeScalars {
            guard scalar.isPythonDigit, let value = scalar.properties.numericValue else { return nil }
            result.append(Character(String(Int(value))))
        }
        return result
    }
}
