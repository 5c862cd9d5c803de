import SottoDecoding
import Testing

@Suite struct LogitFiltersTests {
    let rules = ApplyTimestampRules(special: ToyVocabulary.special, maxInitialTimestampIndex: 2)
    let timestampBegin = ToyVocabulary.special.timestampBegin

    /// Allowed text, end-of-text and timestamp tokens (the other specials are SuppressTokens' job).
    private func allowed(_ logits: [Float]) -> [Int] {
        logits.indices.filter { logits[$0] > -.infinity && ($0 <= ToyVocabulary.special.eot || $0 >= timestampBegin) }
    }

    /// Text and end-of-text clearly likelier than any timestamp, so no timestamp is forced.
    private var textFavoured: [Float] { (0..<ToyVocabulary.size).map { $0 <= ToyVocabulary.special.eot ? 5 : 0 } }

    @Test func firstTokenMustBeAnEarlyTimestamp() {
        var logits = [Float](repeating: 0, count: ToyVocabulary.size)
        rules.apply(&logits, sampled: [])
        #expect(allowed(logits) == [ToyVocabulary.timestamp(0), ToyVocabulary.timestamp(1), ToyVocabulary.timestamp(2)])
    }

    @Test func afterAnOpeningTimestampTextOrAClosingOneFollows() {
        var logits = textFavoured
        rules.apply(&logits, sampled: [ToyVocabulary.timestamp(3), 4])
        // Text, end-of-text, or a timestamp strictly after 3 (a segment needs a nonzero length).
        #expect(allowed(logits) == Array(0...9) + [10] + Array(ToyVocabulary.timestamp(4)..<ToyVocabulary.size))
    }

    @Test func aClosingTimestampMustBePairedOrEndTheText() {
        var logits = textFavoured
        rules.apply(&logits, sampled: [ToyVocabulary.timestamp(0), 4, ToyVocabulary.timestamp(5)])
        // After a lone timestamp: no text; the next start may equal the last end.
        #expect(allowed(logits) == [10] + Array(ToyVocabulary.timestamp(5)..<ToyVocabulary.size))
    }

    /// A model that encodes only its audio (`DecodingOptions.audioEndSeconds`): after a segment closes,
    /// the next opens before the audio's end or the window ends; text and closings are untouched.
    @Test func noSegmentOpensAtOrPastTheAudiosEnd() {
        let ending = ApplyTimestampRules(special: ToyVocabulary.special, maxInitialTimestampIndex: 2, audioEndIndex: 7)
        var logits = textFavoured
        ending.apply(&logits, sampled: [ToyVocabulary.timestamp(0), 4, ToyVocabulary.timestamp(5)])
        #expect(allowed(logits) == [10, ToyVocabulary.timestamp(5), ToyVocabulary.timestamp(6)])
        logits = textFavoured
        ending.apply(&logits, sampled: [ToyVocabulary.timestamp(0), 4, ToyVocabulary.timestamp(8)])
        #expect(allowed(logits) == [10], "a segment closed past the audio's end: only end-of-text")
        logits = textFavoured
        ending.apply(&logits, sampled: [ToyVocabulary.timestamp(0), 4])
        #expect(allowed(logits) == Array(0...10) + Array(ToyVocabulary.timestamp(1)..<ToyVocabulary.size), "closings are not limited")
    }

    @Test func twoTimestampsInARowForbidAThird() {
        var logits = textFavoured
        rules.apply(&logits, sampled: [ToyVocabulary.timestamp(0), 4, ToyVocabulary.timestamp(5), ToyVocabulary.timestamp(5)])
        #expect(allowed(logits) == Array(0...10))
    }

    @Test func timestampIsForcedWhenTimestampsTogetherOutweighText() {
        var logits = [Float](repeating: -10, count: ToyVocabulary.size)
        logits[3] = 1.0
        for t in timestampBegin..<ToyVocabulary.size { logits[t] = 0.5 }
        rules.apply(&logits, sampled: [ToyVocabulary.timestamp(0), 4])
        #expect(allowed(logits).allSatisfy { $0 >= timestampBegin })
    }

    @Test func noTimestampsTokenIsAlwaysSuppressed() {
        var logits = ToyVocabulary.logits(favouring: ToyVocabulary.special.noTimestamps)
        rules.apply(&logits, sampled: [ToyVocabulary.timestamp(0), 4])
        #expect(logits[ToyVocabulary.special.noTimestamps] == -.infinity)
    }

    @Test func suppressBlankActsOnlyAtTheFirstPosition() {
        let filter = SuppressBlank(blankTokens: [2, ToyVocabulary.special.eot])
        var first = [Float](repeating: 0, count: ToyVocabulary.size)
        filter.apply(&first, sampled: [])
        #expect(first[2] == -.infinity && first[10] == -.infinity && first[3] == 0)
        var later = [Float](repeating: 0, count: ToyVocabulary.size)
        filter.apply(&later, sampled: [4])
        #expect(!later.contains(-.infinity))
    }

    @Test func suppressTokensMasksEveryStep() {
        let filter = SuppressTokens(tokens: [1, 5, 99])
        var logits = [Float](repeating: 0, count: ToyVocabulary.size)
        filter.apply(&logits, sampled: [3, 3])
        #expect(logits.indices.filter { logits[$0] == -.infinity } == [1, 5])
    }
}
