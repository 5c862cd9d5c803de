import Foundation
import SottoTensor

/// Picks each row's next token from its log-probabilities (openai's `TokenDecoder`).
package protocol TokenDecoder {
    /// Advances every row by one token. `logprobs` are log-softmax of the filtered logits and
    /// `logits` the filtered logits themselves. Returns the KV-cache rows the new rows continue.
    mutating func update(sequences: inout [[Int]], sumLogprobs: inout [Double],
                         logits: [[Float]], logprobs: [[Float]]) -> [Int]
    /// True once every row or enough candidates have finished.
    var isCompleted: Bool { get }
    /// The finished candidates with their summed log-probabilities.
    func finalize(sequences: [[Int]], sumLogprobs: [Double]) -> [Candidate]
}

package struct Candidate: Equatable {
    /// Sampled tokens, end-of-text removed.
    package var tokens: [Int]
    package var sumLogprob: Double

    package init(tokens: [Int], sumLogprob: Double) {
        self.tokens = tokens
        self.sumLogprob = sumLogprob
    }
}

/// The most likely token at temperature 0, a sample from softmax(logits / T) above it.
package struct GreedyDecoder: TokenDecoder {
    let temperature: Double
    let eot: Int
    var random: SeededRandom
    package private(set) var isCompleted = false

    package init(temperature: Double, eot: Int, seed: UInt64) {
        self.temperature = temperature
        self.eot = eot
        self.random = SeededRandom(seed: seed)
    }

    package mutating func update(sequences: inout [[Int]], sumLogprobs: inout [Double],
                                 logits: [[Float]], logprobs: [[Float]]) -> [Int] {
        for row in sequences.indices {
            if sequences[row].last == eot {
                sequences[row].append(eot)
                continue
            }
            let token = temperature == 0 ? argmax(logits[row]) : sample(logits[row])
            sumLogprobs[row] += Double(logprobs[row][token])
            sequences[row].append(token)
        }
        isCompleted = sequences.allSatisfy { $0.last == eot }
        return Array(sequences.indices)
    }

    package func finalize(sequences: [[Int]], sumLogprobs: [Double]) -> [Candidate] {
        zip(sequences, sumLogprobs).map { tokens, logprob in
            Candidate(tokens: Array(tokens.prefix { $0 != eot }), sumLogprob: logprob)
        }
    }

    private func argmax(_ values: [Float]) -> Int {
        var best = 0
        for i in values.indices where values[i] > values[best] { best = i }
        return best
    }

    private mutating func sample(_ logits: [Float]) -> Int {
        let scaled = logits.map { $0 / Float(temperature) }
        let probabilities = LogProbabilities.softmax(scaled)
        var threshold = Double(random.nextUnit())
        for (token, p) in probabilities.enumerated() where p > 0 {
            threshold -= Double(p)
            if threshold <= 0 { return token }
        }
        return probabilities.lastIndex { $0 > 0 } ?? eot
    }
}

/// Beam search over one audio window, as openai's `BeamSearchDecoder`: each beam proposes its
/// `beamSize + 1` best continuations, the best `beamSize` unfinished ones survive, and finished
/// ones are collected until `beamSize * patience` exist.
package struct BeamSearchDecoder: TokenDecoder {
    let beamSize: Int
    let eot: Int
    let maxCandidates: Int
    private var finished: [[Int]: Double] = [:]
    private var finishedOrder: [[Int]] = []

    package init(beamSize: Int, patience: Double, eot: Int) {
        self.beamSize = beamSize
        self.eot = eot
        self.maxCandidates = max(1, Int((Double(beamSize) * patience).rounded()))
    }

    package var isCompleted: Bool { finished.count >= maxCandidates }

    package mutating func update(sequences: inout [[Int]], sumLogprobs: inout [Double],
                                 logits: [[Float]], logprobs: [[Float]]) -> [Int] {
        var scores: [[Int]: Double] = [:]
        var sources: [[Int]: Int] = [:]
        var proposalOrder: [[Int]] = []
        for row in sequences.indices {
            for token in LogProbabilities.topK(logprobs[row], beamSize + 1) {
                let sequence = sequences[row] + [token]
                // Identical prefixes (all beams start equal) collapse into one proposal.
                if scores[sequence] == nil { proposalOrder.append(sequence) }
                scores[sequence] = sumLogprobs[row] + Double(logprobs[row][token])
                sources[sequence] = row
            }
        }
        let ranked = proposalOrder.enumerated().sorted {
            let (a, b) = (scores[$0.element]!, scores[$1.element]!)
            return a != b ? a > b : $0.offset < $1.offset
        }.map(\.element)
        var nextSequences: [[Int]] = []
        var nextLogprobs: [Double] = []
        var sourceRows: [Int] = []
        var newlyFinished: [[Int]] = []
        for sequence in ranked {
            if sequence.last == eot {
                newlyFinished.append(sequence)
            } else {
                nextSequences.append(sequence)
                nextLogprobs.append(scores[sequence]!)
                sourceRows.append(sources[sequence]!)
                if nextSequences.count == beamSize { break }
            }
        }
        for sequence in newlyFinished where finished.count < maxCandidates && finished[sequence] == nil {
            finished[sequence] = scores[sequence]!
            finishedOrder.append(sequence)
        }
        // Keep the row count fixed even if fewer than beamSize survive (tiny vocabularies).
        while nextSequences.count < sequences.count, let first = nextSequences.first {
            nextSequences.append(first)
            nextLogprobs.append(nextLogprobs[0])
            sourceRows.append(sourceRows[0])
        }
        sequences = nextSequences
        sumLogprobs = nextLogprobs
        return sourceRows
    }

    package func finalize(sequences: [[Int]], sumLogprobs: [Double]) -> [Candidate] {
        var candidates = finishedOrder.map { Candidate(tokens: Array($0.dropLast()), sumLogprob: finished[$0]!) }
        if candidates.count < beamSize {
            // Too few finished: the best unfinished beams count as if they ended here.
            let unfinished = zip(sequences, sumLogprobs).sorted { $0.1 > $1.1 }
            for (tokens, logprob) in unfinished where candidates.count < beamSize {
                candidates.append(Candidate(tokens: tokens, sumLogprob: logprob))
            }
        }
        return candidates
    }
}

/// openai's `MaximumLikelihoodRanker`: log-probability divided by a length term.
package enum SequenceRanker {
    package static func best(_ candidates: [Candidate], lengthPenalty: Double?) -> Candidate? {
        func score(_ candidate: Candidate) -> Double {
            let length = Double(candidate.tokens.count)
            let penalty = lengthPenalty.map { pow((5 + length) / 6, $0) } ?? length
            return candidate.sumLogprob / max(penalty, 1e-9)
        }
        return candidates.enumerated().max {
            let (a, b) = (score($0.element), score($1.element))
            return a != b ? a < b : $0.offset > $1.offset
        }?.element
    }
}
