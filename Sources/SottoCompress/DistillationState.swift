import Foundation
import SottoTrain

/// A distillation run's resumable state in a directory: the trainer (`state.bin`: parameters, AdamW
/// moments, data cursor, loss history, see `TrainingCheckpoint`), the best-scoring parameters so far
/// (`best.f32`, little-endian float32 in layout order) and `run.json` (scores, the schedule's
/// length, the training time so far).
struct DistillationState: Codable {
    var scheduleSteps: Int?
    var trainSeconds = 0.0
    var evals: [DistillationEvalScore] = []
    var bestStep: Int?

    static let stateFile = "state.bin", bestFile = "best.f32", runFile = "run.json"

    static func load(from directory: URL) throws -> DistillationState {
        let run = directory.appendingPathComponent(runFile)
        guard FileManager.default.fileExists(atPath: run.path),
              FileManager.default.fileExists(atPath: directory.appendingPathComponent(stateFile).path) else {
            throw DistillationError.noCheckpoint(directory.path)
        }
        return try JSONDecoder().decode(DistillationState.self, from: Data(contentsOf: run))
    }

    /// Saves the trainer and this record; the best parameters only when `best` is given (they change
    /// only at a new best score).
    func save(_ trainer: Trainer, best: [Float]?, to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try TrainingCheckpoint.save(trainer, to: directory.appendingPathComponent(Self.stateFile))
        if let best {
            try best.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: directory.appendingPathComponent(Self.bestFile), options: .atomic)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: directory.appendingPathComponent(Self.runFile), options: .atomic)
    }

    /// Restores `trainer` and returns the saved best parameters (nil when none was scored yet).
    func restore(_ trainer: Trainer, from directory: URL) throws -> [Float]? {
        try TrainingCheckpoint.restore(trainer, from: directory.appendingPathComponent(Self.stateFile))
        guard bestStep != nil else { return nil }
        let data = try Data(contentsOf: directory.appendingPathComponent(Self.bestFile))
        guard data.count == trainer.model.layout.totalCount * 4 else {
            throw TrainError.badCheckpoint(directory.appendingPathComponent(Self.bestFile).path, "\(data.count) bytes for \(trainer.model.layout.totalCount) parameters")
        }
        return data.withUnsafeBytes { raw in
            (0..<trainer.model.layout.totalCount).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
            }
        }
    }
}
