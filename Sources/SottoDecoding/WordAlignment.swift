import Foundation
import SottoAudio
import SottoModel
import SottoText

/// A word with its time in the audio and the mean probability of its tokens.
public struct WordTiming: Sendable, Codable, Equatable {
    public var word: String
    public var start: Double
    public var end: Double
    public var probability: Double

    public init(word: String, start: Double, end: Double, probability: Double) {
        self.word = word
        self.start = start
        self.end = end
        self.probability = probability
    }
}

/// A word of one window while its timing is worked out: seconds from the window's start, and the
/// tokens it spans (punctuation merging moves them between words; segments are cut by token count).
package struct AlignedWord: Equatable, Sendable {
    package var timing: WordTiming
    package var tokens: [Int]

    package init(word: String, tokens: [Int], start: Double, end: Double, probability: Double) {
        timing = WordTiming(word: word, start: start, end: end, probability: probability)
        self.tokens = tokens
    }
}

/// Times the words of one window's text against its audio (openai/whisper timing.py
/// `find_alignment`): one teacher-forced pass over `sot sequence, <|notimestamps|>, text, eot`
/// records the alignment heads' cross-attention; dynamic time warping over the matrix they make
/// assigns each token the audio position where the path first reaches it; a word starts at its
/// first token's position and ends at the next word's start.
package struct WordAlignment {
    let model: WhisperModel
    let tokenizer: Tokenizer
    let heads: [AlignmentHead]

    package init(model: WhisperModel, tokenizer: Tokenizer, heads: [AlignmentHead]) {
        self.model = model
        self.tokenizer = tokenizer
        self.heads = heads
    }

    /// `textTokens` (no timestamps, no specials) of a window whose first `segmentFrames` mel frames
    /// hold audio; `sotSequence` is the window's start-of-transcript sequence (no previous text).
    package func align(textTokens: [Int], sotSequence: [Int], audio: EncoderOutput, segmentFrames: Int,
                       language: String) -> [AlignedWord] {
        // The encoder's stride-2 convolution: one audio position per 2 mel frames.
        let frames = min(segmentFrames / AudioTiming.framesPerTimestampToken, audio.frames)
        guard !textTokens.isEmpty, frames > 0 else { return [] }
        let special = tokenizer.special
        let tokens = sotSequence + [special.noTimestamps] + textTokens + [special.eot]
        let captured = model.crossAttentionScores(tokens: tokens, audio: audio, heads: heads)
        // Rows from <|notimestamps|> up to the last text token: each row's attention says where the
        // next token is heard.
        let rows = sotSequence.count..<(tokens.count - 1)
        let matrix = AlignmentMatrix.compute(scores: captured.scores, tokens: captured.tokens,
                                             totalFrames: captured.frames, frames: frames, rows: rows)
        let path = DynamicTimeWarping.path(cost: matrix.map { -$0 }, rows: rows.count, columns: frames)
        let probabilities = Self.tokenProbabilities(captured.logits, textTokens: textTokens, offset: sotSequence.count,
                                                    eot: special.eot)
        let words = WordSplitting(tokenizer: tokenizer, language: language).split(textTokens + [special.eot])
        return Self.timeWords(words, path: path, probabilities: probabilities)
    }

    /// Probability of each text token given the tokens before it, over text tokens only (softmax
    /// below end-of-text, as both references).
    package static func tokenProbabilities(_ logits: [[Float]], textTokens: [Int], offset: Int, eot: Int) -> [Double] {
        textTokens.enumerated().map { t, token in
            let row = logits[offset + t][0..<eot]
            let maximum = row.max() ?? 0
            let sum = row.reduce(0.0) { $0 + exp(Double($1 - maximum)) }
            return exp(Double(row[token] - maximum)) / sum
        }
    }

    /// Word start and end times from the path: the audio position of each token is where the path
    /// first enters its row (a "jump"); `words` ends with the end-of-text word, which only closes
    /// the last real word.
    package static func timeWords(_ words: [(word: String, tokens: [Int])], path: [DynamicTimeWarping.Step],
                          probabilities: [Double]) -> [AlignedWord] {
        guard words.count > 1 else { return [] }
        var jumpSeconds: [Double] = []
        var previousRow: Int?
        for step in path where step.row != previousRow {
            jumpSeconds.append(Double(step.column) * AudioTiming.secondsPerTimestampToken)
            previousRow = step.row
        }
        var boundaries = [0]
        for word in words.dropLast() { boundaries.append(boundaries.last! + word.tokens.count) }
        return (0..<words.count - 1).map { i in
            let (first, next) = (boundaries[i], boundaries[i + 1])
            let tokenProbabilities = probabilities[first..<min(next, probabilities.count)]
            return AlignedWord(word: words[i].word, tokens: words[i].tokens,
                               start: jumpSeconds[first], end: jumpSeconds[next],
                               probability: tokenProbabilities.reduce(0, +) / Double(max(tokenProbabilities.count, 1)))
        }
    }
}
