import SottoDecoding
import Testing

@Suite struct PunctuationMergingTests {
    func word(_ text: String, _ tokens: [Int], _ start: Double = 0, _ end: Double = 0) -> AlignedWord {
        AlignedWord(word: text, tokens: tokens, start: start, end: end, probability: 1)
    }

    /// An opening bracket after a space joins the next word, closing marks join the word before;
    /// the emptied entries stay so that token counts still line up with segments.
    @Test func punctuationJoinsItsNeighbour() {
        var words = [word(" (", [1]), word("Hello", [2]), word(",", [3]), word(" world", [4]), word(".", [5])]
        PunctuationMerging.merge(&words, prepended: WordTimestampOptions().prependPunctuations,
                                 appended: WordTimestampOptions().appendPunctuations)
        #expect(words.map(\.timing.word) == ["", " (Hello,", "", " world.", ""])
        #expect(words.map(\.tokens) == [[], [1, 2, 3], [], [4, 5], []])
    }

    /// A word ending in a space keeps the mark after it separate.
    @Test func aWordEndingInASpaceTakesNoMark() {
        var words = [word(" a ", [1]), word(".", [2])]
        PunctuationMerging.merge(&words, prepended: "", appended: ".")
        #expect(words.map(\.timing.word) == [" a ", "."])
    }

    /// Median of the nonzero durations, capped at 0.7 s; none when every word has zero length.
    @Test(arguments: [
        ([0.0, 0.2, 0.4, 0.6], 0.4),
        ([0.3, 0.1, 0.0, 0.2, 0.5], 0.25),
        ([2.0, 3.0], 0.7),
    ])
    func medianDurationOfNonzeroWords(ends: [Double], expected: Double) throws {
        let words = ends.map { word("w", [1], 0, $0) }
        let median = try #require(PunctuationMerging.medianDuration(words))
        #expect(abs(median - expected) < 1e-12)
        #expect(PunctuationMerging.medianDuration([word("w", [1], 1, 1)]) == nil)
    }

    /// A sentence end lasting too long keeps its start; the word after one keeps its end.
    @Test func longWordsAtSentenceEndsAreCut() {
        var words = [word(" Hi", [1], 0, 0.3), word(".", [2], 0.3, 2.0), word(" So", [3], 2.0, 3.5)]
        PunctuationMerging.clampAtSentenceEnds(&words, maxDuration: 0.5)
        #expect(words.map(\.timing.start) == [0, 0.3, 3.0])
        #expect(words.map(\.timing.end) == [0.3, 0.8, 3.5])
    }
}
