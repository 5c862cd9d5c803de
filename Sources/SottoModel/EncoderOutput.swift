import SottoTensor

/// The encoded audio of one 30-second window, shared read-only by every decoder state that attends to it.
public final class EncoderOutput: Sendable {
    /// Encoder hidden states, row-major `[nAudioCtx, nAudioState]`.
    public let hidden: [Float]
    /// Audio frames (rows of `hidden`).
    public let frames: Int
    /// Per decoder layer, that layer's cross-attention keys and values.
    package let crossKeysValues: [AudioKeysValues]

    init(hidden: [Float], frames: Int, crossKeysValues: [AudioKeysValues]) {
        self.hidden = hidden
        self.frames = frames
        self.crossKeysValues = crossKeysValues
    }
}
