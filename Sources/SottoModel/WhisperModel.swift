import Foundation
import SottoTensor

/// A loaded Whisper model: immutable weights shared by every request, plus the entry points the
/// decoder drives (`encode`, `makeDecoderState`, `decode`).
public final class WhisperModel: Sendable {
    public let dims: ModelDimensions
    public let config: ModelConfig
    public let directory: URL
    let encoder: AudioEncoder
    let decoder: TextDecoder

    init(dims: ModelDimensions, config: ModelConfig, directory: URL, parameters: Parameters) throws {
        self.dims = dims
        self.config = config
        self.directory = directory
        encoder = try AudioEncoder(parameters, dims)
        decoder = try TextDecoder(parameters, dims)
    }

    /// Loads model.bin + config.json from a CTranslate2 model directory. Throws `ModelError` naming
    /// the file and the problem.
    public static func load(directory: URL) throws -> WhisperModel {
        let config = try loadConfig(directory.appendingPathComponent("config.json"))
        let file = try CTranslate2File(url: directory.appendingPathComponent("model.bin"))
        let dims = try CheckpointNames.dimensions(file)
        try validate(dims, file: file.fileName)
        var tensors: [String: Tensor] = [:]
        for row in CheckpointNames.parameters(dims) {
            guard let variable = file.variable(row.ctranslate2) else {
                throw ModelError.missingTensor(key: row.ctranslate2, file: file.fileName)
            }
            guard variable.shape == row.shape else {
                throw ModelError.shapeMismatch(key: row.ctranslate2, expected: row.shape, actual: variable.shape, file: file.fileName)
            }
            tensors[row.key] = Tensor(shape: row.shape, data: try file.floats(variable, requireScale: true))
        }
        return try WhisperModel(dims: dims, config: config, directory: directory,
                                parameters: Parameters(tensors: tensors, file: file.fileName))
    }

    static func loadConfig(_ url: URL) throws -> ModelConfig {
        guard FileManager.default.fileExists(atPath: url.path) else { throw ModelError.missingFile(file: url.path) }
        do {
            return try JSONDecoder().decode(ModelConfig.self, from: Data(contentsOf: url))
        } catch {
            throw ModelError.badConfig(file: url.path, reason: String(describing: error))
        }
    }

    private static func validate(_ d: ModelDimensions, file: String) throws {
        let sizes = [d.nMels, d.nAudioCtx, d.nAudioState, d.nAudioHead, d.nAudioLayer,
                     d.nVocab, d.nTextCtx, d.nTextState, d.nTextHead, d.nTextLayer]
        guard sizes.allSatisfy({ $0 > 0 }), d.nAudioState % d.nAudioHead == 0, d.nTextState % d.nTextHead == 0 else {
            throw ModelError.corrupt(file: file, at: 0, reason: "inconsistent dimensions \(d)")
        }
    }

    /// mel: row-major `[nMels, 2 * nAudioCtx]` (one 30 s window). Runs the encoder and precomputes
    /// every decoder layer's cross-attention keys/values.
    public func encode(mel: [Float]) -> EncoderOutput {
        let hidden = encoder(mel: mel)
        let crossKeysValues = decoder.blocks.map { $0.crossAttn!.keysValues(hidden, frames: dims.nAudioCtx) }
        return EncoderOutput(hidden: hidden, frames: dims.nAudioCtx, crossKeysValues: crossKeysValues)
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
        decoder(tokens.flatMap { $0 }, newTokens: newTokens, state: state)
        state.advance(by: newTokens)
        let v = dims.nVocab
        return (0..<state.batchSize).map { Array(state.logits[($0 * v)..<(($0 + 1) * v)]) }
    }
}
