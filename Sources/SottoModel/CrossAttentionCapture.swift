import SottoTensor

/// One decoder cross-attention head whose weights follow the time alignment of the text
/// (openai/whisper's `alignment_heads`; CTranslate2's config.json lists them as `[layer, head]`).
public struct AlignmentHead: Sendable, Hashable, Codable {
    public let layer: Int
    public let head: Int

    public init(layer: Int, head: Int) {
        self.layer = layer
        self.head = head
    }
}

/// Raw cross-attention scores of the alignment heads over one teacher-forced token sequence, and the
/// logits at every position (word timestamps and their probabilities are computed from these).
public struct CrossAttentionScores: Sendable {
    public let heads: [AlignmentHead]
    /// Token positions (rows of each head's scores).
    public let tokens: Int
    /// Audio positions of the window (columns): 1500 for a 30 s window.
    public let frames: Int
    /// Per head, `[tokens, frames]` row-major scaled dot products `q . k / sqrt(headDim)`, before the softmax.
    public let scores: [[Float]]
    /// `[tokens][nVocab]`: the logits after each token (what teacher forcing predicts next).
    public let logits: [[Float]]
}

/// Records the alignment heads' scores while a state runs its tokens. Attached to a `DecoderState`
/// only by `WhisperModel.crossAttentionScores`; decoding states have none, so the normal path pays
/// one nil check per layer.
final class CrossAttentionCapture {
    let heads: [AlignmentHead]
    private(set) var scores: [[Float]]

    init(heads: [AlignmentHead]) {
        self.heads = heads
        scores = Array(repeating: [], count: heads.count)
    }

    /// Appends the scores of `rows` query rows (`[rows, nTextState]`, heads side by side) of `layer`.
    func record(layer: Int, query: [Float], rows: Int, audio: AudioKeysValues) {
        for (i, head) in heads.enumerated() where head.layer == layer {
            scores[i] += AudioAttention.scores(query: query, rows: rows, head: head.head, audio: audio)
        }
    }
}

extension WhisperModel {
    /// Runs `tokens` (one row, teacher forcing) from an empty cache over `audio`, recording the raw
    /// cross-attention scores of `heads` at every position, as openai/whisper's `find_alignment`
    /// does with its forward hooks. Heads must lie inside the model (callers validate user input).
    public func crossAttentionScores(tokens: [Int], audio: EncoderOutput, heads: [AlignmentHead]) -> CrossAttentionScores {
        precondition(heads.allSatisfy { (0..<dims.nTextLayer).contains($0.layer) && (0..<dims.nTextHead).contains($0.head) },
                     "alignment head outside the model")
        let state = makeDecoderState(audio: audio, batchSize: 1)
        let capture = CrossAttentionCapture(heads: heads)
        state.crossAttentionCapture = capture
        let logits = decodeAllPositions(tokens, state: state)
        return CrossAttentionScores(heads: heads, tokens: tokens.count, frames: audio.frames,
                                    scores: capture.scores, logits: logits)
    }

    /// The alignment heads named in the model's config, in order.
    public var alignmentHeads: [AlignmentHead] {
        config.alignmentHeads.compactMap { $0.count == 2 ? AlignmentHead(layer: $0[0], head: $0[1]) : nil }
    }
}
