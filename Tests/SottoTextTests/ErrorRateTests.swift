import SottoText
import Testing

@Suite("Word and character error rates")
struct ErrorRateTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let reference: String
        let hypothesis: String
        let expected: ErrorCounts
        var testDescription: String { "\"\(reference)\" vs \"\(hypothesis)\"" }
    }

    /// Counts worked out by hand.
    static let wordCases: [Case] = [
        Case(reference: "the cat sat", hypothesis: "the cat sat", expected: .init(referenceLength: 3)),
        Case(reference: "the cat sat", hypothesis: "the bat sat", expected: .init(substitutions: 1, referenceLength: 3)),
        Case(reference: "the cat sat", hypothesis: "the sat", expected: .init(deletions: 1, referenceLength: 3)),
        Case(reference: "the cat sat", hypothesis: "the cat sat down", expected: .init(insertions: 1, referenceLength: 3)),
        Case(reference: "a b c d", hypothesis: "b c d e", expected: .init(deletions: 1, insertions: 1, referenceLength: 4)),
        Case(reference: "one two three", hypothesis: "", expected: .init(deletions: 3, referenceLength: 3)),
        Case(reference: "", hypothesis: "hello there", expected: .init(insertions: 2, referenceLength: 0)),
        Case(reference: "", hypothesis: "", expected: .init(referenceLength: 0)),
        Case(reference: "  spaced \t out\nwords ", hypothesis: "spaced out words", expected: .init(referenceLength: 3)),
        Case(reference: "x y", hypothesis: "a b c", expected: .init(substitutions: 2, insertions: 1, referenceLength: 2)),
    ]

    @Test(arguments: wordCases)
    func wordCounts(_ item: Case) {
        #expect(ErrorRate.words(reference: item.reference, hypothesis: item.hypothesis) == item.expected)
    }

    static let characterCases: [Case] = [
        Case(reference: "kitten", hypothesis: "sitting", expected: .init(substitutions: 2, insertions: 1, referenceLength: 6)),
        Case(reference: "a b c", hypothesis: "abc", expected: .init(referenceLength: 3)),
        Case(reference: "日本語", hypothesis: "日本", expected: .init(deletions: 1, referenceLength: 3)),
        Case(reference: "é", hypothesis: "e\u{301}", expected: .init(referenceLength: 1)),  // one grapheme either way
        Case(reference: "", hypothesis: "ab", expected: .init(insertions: 2, referenceLength: 0)),
    ]

    @Test(arguments: characterCases)
    func characterCounts(_ item: Case) {
        #expect(ErrorRate.characters(reference: item.reference, hypothesis: item.hypothesis) == item.expected)
    }

    @Test func rateAndSums() {
        let first = ErrorCounts(substitutions: 1, deletions: 1, insertions: 0, referenceLength: 4)
        let second = ErrorCounts(substitutions: 0, deletions: 0, insertions: 2, referenceLength: 6)
        #expect(first.errors == 2)
        #expect(first.rate == 0.5)
        let total = first + second
        #expect(total == ErrorCounts(substitutions: 1, deletions: 1, insertions: 2, referenceLength: 10))
        #expect(total.rate == 0.4)
        #expect(ErrorCounts().rate == 0)
        #expect(ErrorCounts(insertions: 3).rate == 3)  // empty reference counts as length 1
    }
}
