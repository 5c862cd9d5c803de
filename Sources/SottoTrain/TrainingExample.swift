import SottoTensor

/// One utterance to train on: the decoder's teacher-forced input tokens and the next token at each
/// position, with the audio either as cached encoder output or as a mel window.
package struct TrainingExample: Sendable {
    /// Decoder input `[length]`: the prompt (start of transcript, no timestamps) and the text.
    package var tokens: [Int]
    /// The token each position should predict; `LossOp.ignoreIndex` where nothing is learned.
    package var targets: [Int]
    /// The frozen encoder's output `[nAudioCtx, nAudioState]` (computed once and cached): the
    /// teacher's own encoder, or a student's cut encoder kept frozen.
    package var audio: CachedFeatures?
    /// A log-mel window `[nMels, frames]`, when the encoder runs (and maybe trains): a whole 30 s
    /// window (`nFrames`), or an even number of frames under it for a student that attends to its audio
    /// alone (zero-padded to the longest of its batch).
    package var mel: [Float]?
    /// The teacher's encoder output, when the student's encoder differs from the teacher's (an
    /// encoder student, trained or frozen): the teacher's logits for the KL attend to it. Nil: the
    /// teacher attends to the student's audio features (a shared, frozen encoder).
    package var teacherAudio: CachedFeatures?

    package init(tokens: [Int], targets: [Int], audio: CachedFeatures? = nil, mel: [Float]? = nil, teacherAudio: CachedFeatures? = nil) {
        precondition(tokens.count == targets.count, "\(tokens.count) tokens but \(targets.count) targets")
        precondition(audio != nil || mel != nil, "an example needs cached audio features or a mel window")
        (self.tokens, self.targets, self.audio, self.mel, self.teacherAudio) = (tokens, targets, audio, mel, teacherAudio)
    }

    /// Teacher forcing on a whole transcript `sequence` (prompt + text + end of text): predict every
    /// token after the first `promptLength - 1` inputs.
    package init(sequence: [Int], promptLength: Int, audio: CachedFeatures? = nil, mel: [Float]? = nil, teacherAudio: CachedFeatures? = nil) {
        precondition(sequence.count >= 2 && (1...sequence.count - 1).contains(promptLength), "sequence shorter than its prompt")
        let inputs = Array(sequence.dropLast())
        let targets = sequence.indices.dropFirst().map { $0 < promptLength ? LossOp.ignoreIndex : sequence[$0] }
        self.init(tokens: inputs, targets: targets, audio: audio, mel: mel, teacherAudio: teacherAudio)
    }
}

/// A batch: examples padded to the longest, row-major `[batch, length]`.
package struct TrainingBatch: Sendable {
    package let batch, length: Int
    package let tokens: [Int]
    package let targets: [Int]
    package let examples: [TrainingExample]

    /// Pads with `padToken` inputs and ignored targets: the decoder is causal, so padding after a
    /// row's end changes nothing before it.
    package init(_ examples: [TrainingExample], padToken: Int) {
        precondition(!examples.isEmpty, "an empty batch")
        self.examples = examples
        batch = examples.count
        length = examples.map(\.tokens.count).max()!
        var (tokens, targets) = ([Int](), [Int]())
        for e in examples {
            let pad = length - e.tokens.count
            tokens += e.tokens + [Int](repeating: padToken, count: pad)
            targets += e.targets + [Int](repeating: LossOp.ignoreIndex, count: pad)
        }
        (self.tokens, self.targets) = (tokens, targets)
    }
}

/// Seeded shuffling: epoch `e` visits the examples in a permutation drawn from `seed` and `e` alone,
/// so the order after a resume depends only on how many examples were consumed.
package struct ExampleOrder: Sendable {
    package let count: Int
    package let seed: UInt64

    package init(count: Int, seed: UInt64) {
        precondition(count > 0, "no training examples")
        (self.count, self.seed) = (count, seed)
    }

    /// The example index at overall position `cursor` (epochs concatenated).
    package func index(at cursor: Int) -> Int {
        permutation(epoch: cursor / count)[cursor % count]
    }

    package func permutation(epoch: Int) -> [Int] {
        var generator = SeededRandom(state: seed &+ 0x9E37_79B9 &* UInt64(epoch + 1))
        // Fisher-Yates spelled out (the standard library's shuffle may change between releases).
        var order = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
        return order
    }
}
