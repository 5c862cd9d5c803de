import Foundation

/// Everything `sotto serve` can be told, with the defaults its README explains.
public struct ServerOptions: Sendable {
    /// Model names or directories to load; the first is the default when a request names none it knows.
    public var models: [String] = ["tiny.en"]
    public var host = "127.0.0.1"
    public var port = 8000
    /// Compute threads for the model kernels (nil: all cores).
    public var threads: Int?
    /// Requests one model may hold, running or waiting; the next gets 429.
    public var queueSize = 64
    /// Sequences one model decodes in one batched step, at most (docs/serving.md: why 8).
    public var maxBatch = 8
    /// How long a batch short of `maxBatch` waits for more requests before a newcomer's first
    /// step, in milliseconds (docs/serving.md: why 0).
    public var batchWindowMilliseconds = 0
    /// Largest upload accepted, in bytes (OpenAI's own limit is 25 MB).
    public var maxUploadBytes = 25 * 1_000_000
    /// How long SIGTERM waits for accepted requests before the server exits.
    public var drainSeconds = 30.0
    /// Where cached results are also kept on disk (nil: memory only).
    public var cacheDirectory: URL?
    /// Memory the in-memory result cache may use.
    public var cacheBytes = 64 * 1_000_000
    /// Deadline of a request: max(`deadlineFloorSeconds`, `deadlinePerAudioSecond` x duration).
    public var deadlineFloorSeconds = 120.0
    public var deadlinePerAudioSecond = 2.5

    public init() {}

    /// The deadline for a request with this much audio.
    package func deadlineSeconds(audioSeconds: Double) -> Double {
        max(deadlineFloorSeconds, deadlinePerAudioSecond * audioSeconds)
    }
}
