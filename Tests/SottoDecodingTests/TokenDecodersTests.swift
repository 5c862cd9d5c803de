import Foundation
import SottoDecoding
import Testing

@Suite struct TokenDecodersTests {
    let eot = ToyVocabulary.special.eot

    private func logSoftmax(_ rows: [[Float]]) -> [[Float]] { rows.map(LogProbabilities.logSoftmax) }

    @Test func greedyTakesTheArgmaxAndPadsFinishedRowsWithEndOfText() {
        var decoder = GreedyDecoder(temperature: 0, eot: eot, seed: 1)
        var sequences: [[Int]] = [[], []]
        var sums = [0.0, 0.0]
        let step1 = [ToyVocabulary.logits(favouring: 4), ToyVocabulary.logits(favouring: eot)]
        _ = decoder.update(sequences: &sequences, sumLogprobs: &sums, logits: step1, logprobs: logSoftmax(step1))
        #expect(sequences == [[4], [eot]])
        #expect(!decoder.isCompleted)
        let step2 = [ToyVocabulary.logits(favouring: eot), ToyVocabulary.logits(favouring: 7)]
        let before = sums[1]
        _ = decoder.update(sequences: &sequences, sumLogprobs: &sums, logits: step2, logprobs: logSoftmax(step2))
        #expect(sequences == [[4, eot], [eot, eot]])
        #expect(sums[1] == before, "a finished row gains no log-probability")
        #expect(decoder.isCompleted)
        let candidates = decoder.finalize(sequences: sequences, sumLogprobs: sums)
        #expect(candidates.map(\.tokens) == [[4], []])
    }

    @Test func samplingRepeatsWithTheSameSeedAndFollowsTheDistribution() {
        let logits: [[Float]] = [(0..<ToyVocabulary.size).map { $0 < 3 ? 2 : -20 }]
        func draw(seed: UInt64) -> [Int] {
            var decoder = GreedyDecoder(temperature: 1, eot: eot, seed: seed)
            var picks: [Int] = []
            for _ in 0..<200 {
                var sequences: [[Int]] = [[]]
                var sums = [0.0]
                _ = decoder.update(sequences: &sequences, sumLogprobs: &sums, logits: logits, logprobs: logSoftmax(logits))
                picks.append(sequences[0][0])
            }
            return picks
        }
        let picks = draw(seed: 42)
        #expect(picks == draw(seed: 42))
        #expect(picks.allSatisfy { $0 < 3 })
        #expect(Set(picks) == [0, 1, 2], "all three likely tokens appear in 200 draws")
    }

    /// A case where greedy decoding loses: the first token's best choice leads to unlikely tails.
    @Test func beamSearchFindsTheMoreLikelySequence() {
        var decoder = BeamSearchDecoder(beamSize: 2, patience: 1, eot: eot)
        var sequences: [[Int]] = [[], []]
        var sums = [0.0, 0.0]
        var first = [Float](repeating: -30, count: ToyVocabulary.size)
        first[1] = log(0.55); first[2] = log(0.45)
        let firstRows = [first, first]
        var sources = decoder.update(sequences: &sequences, sumLogprobs: &sums, logits: firstRows, logprobs: logSoftmax(firstRows))
        #expect(sequences == [[1], [2]], "identical beams collapse, so both first tokens survive")
        #expect(sources.count == 2)
        // After 1 the model is unsure; after 2 it is certain to end.
        var after1 = [Float](repeating: -30, count: ToyVocabulary.size)
        after1[3] = log(0.3); after1[4] = log(0.3); after1[eot] = log(0.4)
        var after2 = [Float](repeating: -30, count: ToyVocabulary.size)
        after2[eot] = 0
        let second = [after1, after2]
        sources = decoder.update(sequences: &sequences, sumLogprobs: &sums, logits: second, logprobs: logSoftmax(second))
        #expect(decoder.isCompleted)
        let best = SequenceRanker.best(decoder.finalize(sequences: sequences, sumLogprobs: sums), lengthPenalty: nil)
        #expect(best?.tokens == [2], "0.45 * 1.0 beats 0.55 * 0.4")
    }

    @Test func rankerDividesByLengthOrUsesTheGooglePenalty() {
        let short = Candidate(tokens: [1], sumLogprob: -1.0)
        let long = Candidate(tokens: [1, 2, 3, 4], sumLogprob: -2.0)
        #expect(SequenceRanker.best([short, long], lengthPenalty: nil) == long)
        #expect(SequenceRanker.best([short, long], lengthPenalty: 0) == short)
    }
}
