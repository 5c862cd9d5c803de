import Foundation
import SottoTensor

/// Reads a CTranslate2 model directory (model.bin + config.json) into a `Checkpoint`: every
/// parameter decoded to float32 (float16 and int8 variables included), shapes checked against the
/// name table. Weight matrices stored as float16 stay float16 `WeightMatrix`es (exactly the file's
/// values, computed in float32): widening them would double the bytes every decoding step streams
/// (tiny.en: 131 against 75 MB a step, 10.5 against 3.1 ms in DecoderStepBench) for no change in any
/// value. Other matrices (float32, int8 with scales) are held as float32.
enum CTranslate2Checkpoint {
    static func read(directory: URL) throws -> Checkpoint {
        let config = try readConfig(directory.appendingPathComponent("config.json"))
        let file = try CTranslate2File(url: directory.appendingPathComponent("model.bin"))
        let dims = try CheckpointNames.dimensions(file)
        try dims.validate(file: file.fileName)
        var tensors: [String: StoredTensor] = [:]
        for row in CheckpointNames.parameters(dims) {
            guard let variable = file.variable(row.ctranslate2) else {
                throw ModelError.missingTensor(key: row.ctranslate2, file: file.fileName)
            }
            guard variable.shape == row.shape else {
                throw ModelError.shapeMismatch(key: row.ctranslate2, expected: row.shape, actual: variable.shape, file: file.fileName)
            }
            // Matrices are wrapped once here, so models built from this checkpoint share their bytes.
            if row.isMatrix && variable.dtype == .float16 {
                tensors[row.key] = .matrix(try WeightMatrix(rows: row.shape[0], cols: row.shape[1], encoding: .float16,
                                                            values: file.bytes(variable)))
                continue
            }
            let tensor = Tensor(shape: row.shape, data: try file.floats(variable, requireScale: true))
            tensors[row.key] = row.isMatrix ? .matrix(WeightMatrix(tensor)) : .float(tensor)
        }
        return Checkpoint(dims: dims, config: config, tensors: tensors, directory: directory, file: file.fileName)
    }

    static func readConfig(_ url: URL) throws -> ModelConfig {
        guard FileManager.default.fileExists(atPath: url.path) else { throw ModelError.missingFile(file: url.path) }
        do {
            return try JSONDecoder().decode(ModelConfig.self, from: Data(contentsOf: url))
        } catch {
            throw ModelError.badConfig(file: url.path, reason: String(describing: error))
        }
    }
}

extension ModelDimensions {
    /// Rejects dimensions no Whisper model can have (a corrupt or hostile file).
    func validate(file: String) throws {
        let sizes = [nMels, nAudioCtx, nAudioState, nAudioHead, nAudioLayer,
                     nVocab, nTextCtx, nTextState, nTextHead, nTextLayer]
        guard sizes.allSatisfy({ $0 > 0 }), nAudioState % nAudioHead == 0, nTextState % nTextHead == 0 else {
            throw ModelError.corrupt(file: file, at: 0, reason: "inconsistent dimensions \(self)")
        }
    }
}
