import Foundation
import SottoModel

/// A resumable snapshot of a run: a JSON header (dimensions, options, step, data cursor, history)
/// followed by the parameters and both AdamW moments as little-endian float32, in layout order.
/// Resuming restores every one of those, so the run continues exactly as if never stopped.
package struct TrainingCheckpoint {
    package struct Header: Codable {
        package var format = "sotto-training-checkpoint-1"
        package var dims: ModelDimensions
        package var options: TrainingOptions
        package var step: Int
        package var cursor: Int
        package var parameterCount: Int
        package var history: [StepReport]
    }

    static let magic = Array("SOTTOTRN".utf8)

    package static func save(_ trainer: Trainer, to url: URL) throws {
        let header = Header(dims: trainer.model.dims, options: trainer.options, step: trainer.optimizer.step,
                            cursor: trainer.cursor, parameterCount: trainer.model.layout.totalCount, history: trainer.history)
        let json = try JSONEncoder().encode(header)
        var data = Data(magic)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for buffer in [trainer.model.parameters, trainer.optimizer.m, trainer.optimizer.v] {
            data.append(UnsafeBufferPointer(start: buffer.pointer, count: buffer.count))
        }
        // Written beside and renamed, so an interrupted save never leaves a torn checkpoint.
        let partial = url.appendingPathExtension("partial")
        try data.write(to: partial)
        _ = try? FileManager.default.removeItem(at: url)
        try FileManager.default.moveItem(at: partial, to: url)
    }

    /// Restores `trainer` (built with the same model shape, data and options) to the saved state.
    package static func restore(_ trainer: Trainer, from url: URL) throws {
        let data = try Data(contentsOf: url)
        guard data.count >= 16, Array(data.prefix(8)) == magic else { throw TrainError.badCheckpoint(url.path, "not a training checkpoint") }
        let jsonLength = Int(data[8..<16].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian })
        guard jsonLength <= data.count - 16 else { throw TrainError.badCheckpoint(url.path, "header length \(jsonLength) past the end") }
        let header = try JSONDecoder().decode(Header.self, from: data[16..<16 + jsonLength])
        let count = trainer.model.layout.totalCount
        guard header.dims == trainer.model.dims, header.parameterCount == count else {
            throw TrainError.badCheckpoint(url.path, "its model shape differs from this run's")
        }
        guard header.options == trainer.options else { throw TrainError.badCheckpoint(url.path, "its options differ from this run's") }
        guard data.count == 16 + jsonLength + 3 * count * 4 else {
            throw TrainError.badCheckpoint(url.path, "\(data.count) bytes, expected \(16 + jsonLength + 3 * count * 4)")
        }
        let floats = data[(16 + jsonLength)...].withUnsafeBytes { raw in
            (0..<3 * count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
        for i in 0..<count { trainer.model.parameters[i] = floats[i] }
        trainer.optimizer.restore(step: header.step, m: Array(floats[count..<2 * count]), v: Array(floats[2 * count..<3 * count]))
        trainer.cursor = header.cursor
        trainer.history = header.history
    }
}

/// Errors of the training engine and the distillation around it, each naming its input.
package enum TrainError: Error, CustomStringConvertible, Equatable {
    case badCheckpoint(String, String)
    case invalidStudent(String)
    case missingData(String)
    case tokenizerMismatch(String)

    package var description: String {
        switch self {
        case .badCheckpoint(let file, let reason): "training checkpoint \(file): \(reason)"
        case .invalidStudent(let reason): "student spec: \(reason)"
        case .missingData(let reason): "training data: \(reason)"
        case .tokenizerMismatch(let reason): "tokenizer: \(reason)"
        }
    }
}
