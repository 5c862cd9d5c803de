import Foundation
import SottoTensor

/// A loaded Whisper model: immutable weights shared by every request, plus the entry points the
/// decoder drives (`encode`, `makeDecoderState`, `decode`).
public final class WhisperModel: Sendable {
    public let dims: ModelDimensions
    public let config: ModelConfig
    public let directory: URL
    /// Element type of the cross-attention keys and values each window's audio is encoded into.
    public let audioPrecision: AudioKeysValues.Precision
    /// Element type of the encoder's self-attention products (1500 frames attending to 1500: most of a
    /// quantized encoder's time). bfloat16 where the CPU has AVX-512 BF16 and the encoder's weights are
    /// quantized; a float model (float32 or float16 weights) computes in float32.
    public var encoderAttentionPrecision: Attention.Precision { encoder.attentionPrecision }
    let encoder: AudioEncoder
    let decoder: TextDecoder

    /// Builds the model from a checkpoint of any format; its shapes were checked by the reader.
    /// `audioPrecision` defaults to float32 for float weights (float32 or float16, both computed in
    /// float32) and float16 when the cross-attention weights are quantized: a model already quantized
    /// gives up nothing measurable to halve the bytes every decoding step reads (tested in
    /// QuantizedModelAccuracyTests).
    /// `encoderAttentionPrecision` overrides that choice (bfloat16 still runs float32 without the CPU).
    public init(checkpoint: Checkpoint, audioPrecision: AudioKeysValues.Precision? = nil,
                encoderAttentionPrecision: Attention.Precision? = nil) throws {
        dims = checkpoint.dims
        config = checkpoint.config
        directory = checkpoint.directory
        var encoder = try AudioEncoder(checkpoint, dims)
        let bfloat16Runs = Attention.Precision.bfloat16Runs(headDim: dims.nAudioState / dims.nAudioHead)
        encoder.attentionPrecision = encoderAttentionPrecision
            ?? (encoder.hasReducedPrecisionWeights && bfloat16Runs ? .bfloat16 : .float32)
        self.encoder = encoder
        decoder = try TextDecoder(checkpoint, dims)
        let crossWeights = decoder.blocks.compactMap { $0.crossAttn?.kv.weight.encoding }
        self.audioPrecision = audioPrecision ?? (crossWeights.allSatisfy(\.isFloat) ? .float32 : .float16)
    }

    /// Loads a model directory: a Sotto model (sotto.json + model.safetensors) or a CTranslate2 model
    /// (model.bin + config.json). Throws `ModelError` naming the file and the problem.
    public static func load(directory: URL) throws -> WhisperModel {
        try WhisperModel(checkpoint: try Checkpoint.read(directory: directory))
    }

    /// mel: row-major `[nMels, 2 * audioFrames]` (one 30 s window when `audioFrames` is `nAudioCtx`,
    /// its first part for a model that attends to its audio alone). Runs the encoder and precomputes
    /// every decoder layer's cross-attention keys/values.
    public func encode(mel: [Float], audioFrames: Int? = nil) -> EncoderOutput {
        let frames = audioFrames ?? dims.nAudioCtx
        let hidden = encoder(mel: mel, audioFrames: frames)
        let crossKeysValues = decoder.blocks.map {
            $0.crossAttn!.keysValues(hidden, frames: frames, precision: audioPrecision)
        }
        return EncoderOutput(hidden: hidden, frames: frames, crossKeysValues: crossKeysValues)
    }

    /// Fresh self-attention KV cache for `batchSize` rows that all attend to `audio`.
    public func makeDecoderState(audio: EncoderOutput, batchSize: Int) -> DecoderState {
        DecoderState(audio: audio, batchSize: batchSize, dims: dims)
    }

    /// Appends `tokens` (one row per batch row, every row the same count of new tokens) after what
    /// `state` holds, updates its KV cache, and returns each row's logits at its last new position:
    /// `[batchSize][nVocab]`.
    public func decode(_ tokens: [[Int]], state: DecoderState) -> [[Float]] {
        let newTokens = tokens.first?.count ?? 0
        precondition(tokens.count == state.batchSize && newTokens > 0 && tokens.allSatisfy { $0.count == newTokens },
                     "decode needs \(state.batchSize) rows of the same nonzero length")
        precondition(state.length + newTokens <= state.capacity, "decode past the text context (\(state.capacity) tokens)")
        precondition(tokens.allSatisfy { $0.allSatisfy { (0..<dims.nVocab).contains($0) } }, "token id out of range")
        decoder(tokens.flatMap { $0 }, newTokens: newTokens, states: [state])
        state.advance(by: newTokens)
        let v = dims.nVocab
        return (0..<state.batchSize).map { Array(state.logits[($0 * v)..<(($0 + 1) * v)]) }
    }

    /// One decoding step of several states in one forward pass (the server batches the requests it
    /// serves this way): `tokens[i]` holds one next token per row of `states[i]`. Each state keeps its
    /// own audio window, KV cache and length, so rows at different positions of different windows
    /// share the weight reads. Row results equal `decode` of each state alone up to the matrix
    /// kernels' summation order. Returns `[states.count][rows of that state][nVocab]`.
    public func decodeStep(_ tokens: [[Int]], states: [DecoderState]) -> [[[Float]]] {
        precondition(!states.isEmpty && tokens.count == states.count
                     && zip(tokens, states).allSatisfy { $0.count == $1.batchSize },
                     "decodeStep needs one token per row of each state")
        precondition(Set(states.map(ObjectIdentifier.init)).count == states.count, "decodeStep: a state appears twice")
        precondition(states.allSatisfy { $0.length + 1 <= $0.capacity }, "decode past the text context")
        precondition(tokens.allSatisfy { $0.allSatisfy { (0..<dims.nVocab).contains($0) } }, "token id out of range")
        decoder(tokens.flatMap { $0 }, newTokens: 1, states: states)
        let v = dims.nVocab
        let logits = states[0].logits
        var firstRow = 0
        return states.map { state in
            state.advance(by: 1)
            defer { firstRow += state.batchSize }
            return (firstRow..<firstRow + state.batchSize).map { Array(logits[($0 * v)..<(($0 + 1) * v)]) }
        }
    }

    /// Teacher forcing: runs `tokens` (one row) after what `state` holds and returns the logits at
    /// every new position, `[tokens.count][nVocab]` (sensitivity analysis, distillation).
    public func decodeAllPositions(_ tokens: [Int], state: DecoderState) -> [[Float]] {
        precondition(state.batchSize == 1 && !tokens.isEmpty, "decodeAllPositions takes one row of tokens")
        precondition(state.length + tokens.count <= state.capacity, "decode past the text context (\(state.capacity) tokens)")
        precondition(tokens.allSatisfy { (0..<dims.nVocab).contains($0) }, "token id out of range")
        decoder(tokens, newTokens: tokens.count, states: [state], allPositions: true)
        state.advance(by: tokens.count)
        let v = dims.nVocab
        return (0..<tokens.count).map { Array(state.logits[($0 * v)..<(($0 + 1) * v)]) }
    }
}
