import SottoDecoding
import Testing

@Suite struct WordTimestampsTests {
    func word(_ text: String, _ start: Double, _ end: Double) -> WordTiming {
        WordTiming(word: text, start: start, end: end, probability: 1)
    }

    /// After a long pause the first word may not stretch back into it: with the median 0.3 s (max
    /// 0.6 s) a first word of 2 s ends where the second word's shortened start is, and starts at
    /// most 0.6 s before that.
    @Test func firstWordsAfterAPauseAreCut() {
        var words = [word(" So", 8.0, 10.0), word(" then", 10.0, 11.0)]
        WordTimestamps.clampAfterPause(&words, lastSpeechSeconds: 2.0, median: 0.3, max: 0.6)
        #expect(abs(words[0].end - 10.4) < 1e-9 && abs(words[1].start - 10.4) < 1e-9)
        #expect(abs(words[0].start - 9.8) < 1e-9)
        #expect(words[1].end == 11.0)
    }

    @Test func wordsRightAfterSpeechAreLeft() {
        var words = [word(" So", 8.0, 10.0)]
        WordTimestamps.clampAfterPause(&words, lastSpeechSeconds: 9.5, median: 0.3, max: 0.6)
        #expect(words == [word(" So", 8.0, 10.0)])
    }

    /// A segment takes its words' span, unless a word overshoots the segment by over half a second.
    @Test func segmentsFollowTheirWordsUnlessAWordOvershoots() {
        var piece = SegmentSplitter.Piece(start: 1.0, end: 3.0, tokens: [])
        var words = [word(" a", 1.2, 1.5), word(" b", 1.5, 2.8)]
        WordTimestamps.reconcile(&piece, &words, median: 0.3)
        #expect(piece.start == 1.2 && piece.end == 2.8)

        var early = SegmentSplitter.Piece(start: 5.0, end: 6.0, tokens: [])
        var long = [word(" c", 3.0, 5.5), word(" d", 5.5, 7.0)]
        WordTimestamps.reconcile(&early, &long, median: 0.3)
        #expect(long[0].start == 5.0 && early.start == 5.0)
        #expect(long[1].end == 6.0 && early.end == 6.0)
    }

    /// Python's round(x, 2) rounds halves to even.
    @Test func roundsToHundredthsHalfToEven() {
        #expect(WordTimestamps.round2(1.234) == 1.23)
        #expect(WordTimestamps.round2(0.125) == 0.12)
    }

    /// Jumps of the path give each token's time; a word spans its first token to the next word's first.
    @Test func wordTimesComeFromThePathJumps() {
        typealias Step = DynamicTimeWarping.Step
        let path = [Step(row: 0, column: 0), Step(row: 0, column: 1), Step(row: 1, column: 2), Step(row: 2, column: 2),
                    Step(row: 2, column: 3), Step(row: 3, column: 5), Step(row: 3, column: 6)]
        let words = [(word: " a", tokens: [1]), (word: " bc", tokens: [2, 3]), (word: "<|endoftext|>", tokens: [9])]
        let timed = WordAlignment.timeWords(words, path: path, probabilities: [0.5, 0.2, 0.4])
        #expect(timed.map(\.timing.word) == [" a", " bc"])
        #expect(timed.map(\.timing.start) == [0, 0.04])
        #expect(timed.map(\.timing.end) == [0.04, 0.1])
        #expect(abs(timed[1].timing.probability - 0.3) < 1e-12 && timed[0].timing.probability == 0.5)
    }
}
