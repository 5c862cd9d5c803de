import Foundation
import SottoTensor

/// Writes a `Checkpoint` as a Sotto model directory: model.safetensors, sotto.json and the source's
/// tokenizer.json. The directory is assembled beside the destination and renamed into place, so a
/// failed write leaves nothing half-made, and an existing non-empty directory is never overwritten.
public enum SottoModelWriter {
    /// `floatEncoding` (.float16 or .float32) stores the parameters that are not weight matrices
    /// (biases, norms, convolutions, position tables).
    public static func write(_ checkpoint: Checkpoint, floatEncoding: WeightEncoding, provenance: Provenance,
                             to destination: URL) throws {
        precondition(floatEncoding == .float16 || floatEncoding == .float32, "float parameters are f16 or f32")
        let fileManager = FileManager.default
        if let existing = try? fileManager.contentsOfDirectory(atPath: destination.path), !existing.isEmpty {
            throw ModelError.unwritable(file: destination.path, reason: "directory exists and is not empty")
        }
        let staging = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).partial-\(UUID().uuidString)")
        do {
            try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
            var entries: [SafetensorsWriter.Entry] = []
            var encodings: [String: String] = [:]
            var corrections: [String: String] = [:]
            for row in CheckpointNames.parameters(checkpoint.dims) {
                guard let stored = checkpoint.tensors[row.key] else {
                    throw ModelError.missingTensor(key: row.key, file: checkpoint.file)
                }
                switch stored {
                case .matrix(let matrix):
                    entries += StoredMatrixLayout.entries(row.key, matrix)
                    encodings[row.key] = matrix.encoding.description
                    corrections[row.key] = matrix.correction?.corrections.encoding.description
                case .float(let tensor):
                    entries.append(floatEntry(row.key, tensor, floatEncoding))
                    encodings[row.key] = floatEncoding.description
                }
            }
            let manifest = SottoModelManifest(dims: checkpoint.dims, config: checkpoint.config, encodings: encodings,
                                              activations: checkpoint.activations.isEmpty ? nil : checkpoint.activations,
                                              corrections: corrections.isEmpty ? nil : corrections,
                                              plan: checkpoint.plan,
                                              provenance: provenance)
            try SafetensorsWriter.write(entries, metadata: ["format": SottoModelManifest.formatName],
                                        to: staging.appendingPathComponent(SottoModelManifest.weightsFileName))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(manifest).write(to: staging.appendingPathComponent(SottoModelManifest.fileName))
            try fileManager.copyItem(at: checkpoint.directory.appendingPathComponent("tokenizer.json"),
                                     to: staging.appendingPathComponent("tokenizer.json"))
            if fileManager.fileExists(atPath: destination.path) { try fileManager.removeItem(at: destination) }
            try fileManager.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fileManager.moveItem(at: staging, to: destination)
        } catch {
            try? fileManager.removeItem(at: staging)
            if error is ModelError { throw error }
            throw ModelError.unwritable(file: destination.path, reason: String(describing: error))
        }
    }

    private static func floatEntry(_ key: String, _ tensor: Tensor, _ encoding: WeightEncoding) -> SafetensorsWriter.Entry {
        if encoding == .float16 {
            let halves = tensor.data.map { Float16($0).bitPattern.littleEndian }
            return .init(name: key, dtype: .F16, shape: tensor.shape, bytes: halves.withUnsafeBufferPointer { Data(buffer: $0) })
        }
        let words = tensor.data.map { $0.bitPattern.littleEndian }
        return .init(name: key, dtype: .F32, shape: tensor.shape, bytes: words.withUnsafeBufferPointer { Data(buffer: $0) })
    }
}
