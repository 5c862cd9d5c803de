import Foundation
import SottoDecoding
import SottoModel

/// The models this server serves, each behind its own scheduler, by the names clients use.
package final class ModelRegistry: Sendable {
    /// Names in the order given on the command line; the first is the default.
    package let names: [String]
    private let schedulers: [String: ModelScheduler]

    package init(schedulers: [ModelScheduler]) {
        names = schedulers.map(\.name)
        self.schedulers = Dictionary(schedulers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Resolves each name like the CLI (local directory, cache, hub), loads it and transcribes one
    /// second of silence so the first request does not pay for page faults.
    package static func load(_ models: [String], queueSize: Int, batching: BatchingOptions = BatchingOptions(),
                             metrics: ServerMetrics) throws -> ModelRegistry {
        var schedulers: [ModelScheduler] = []
        for model in models {
            let directory = try ModelLocator.resolve(model)
            let transcriber = try Transcriber.load(directory: directory)
            var warmup = TranscriptionOptions()
            warmup.decoding.beamSize = 1
            _ = try transcriber.transcribe(samples: [Float](repeating: 0, count: 16_000), options: warmup)
            schedulers.append(ModelScheduler(name: servedName(model), transcriber: transcriber,
                                             queueSize: queueSize, batching: batching, metrics: metrics))
        }
        return ModelRegistry(schedulers: schedulers)
    }

    /// A directory is served by its last path component, a name as written.
    package static func servedName(_ model: String) -> String {
        model.contains("/") && FileManager.default.fileExists(atPath: model)
            ? URL(fileURLWithPath: model).lastPathComponent : model
    }

    /// The scheduler for a requested name; no name or OpenAI's `whisper-1` means the default model.
    package func scheduler(named name: String?) throws(APIError) -> ModelScheduler {
        guard let name, name != "whisper-1" else { return schedulers[names[0]]! }
        guard let scheduler = schedulers[name] else { throw .unknownModel(name, available: names) }
        return scheduler
    }

    package var all: [ModelScheduler] { names.compactMap { schedulers[$0] } }

    package func shutdown() {
        for scheduler in schedulers.values { scheduler.shutdown() }
    }
}
