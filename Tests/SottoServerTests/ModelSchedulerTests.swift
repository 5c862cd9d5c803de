import Foundation
import Synchronization
import SottoAudio
import SottoDecoding
import SottoTestSupport
import Testing
import SottoServer

/// The scheduler on the real tiny.en model (fetched by scripts/setup.sh).
@Suite(.serialized) struct ModelSchedulerTests {
    static let transcriber: Result<Transcriber, any Error> = Result {
        try Transcriber.load(directory: try TestPaths.model("tiny.en"))
    }

    func scheduler(queueSize: Int = 8, batching: BatchingOptions = BatchingOptions(),
                   metrics: ServerMetrics = ServerMetrics()) throws -> ModelScheduler {
        ModelScheduler(name: "tiny.en", transcriber: try Self.transcriber.get(), queueSize: queueSize, batching: batching,
                       metrics: metrics)
    }

    func samples(_ name: String) throws -> [Float] {
        try AudioLoader.load(path: try TestPaths.devFile("audio/\(name).wav").path)
    }

    /// 2 min 20 s (10 turns): long enough that a job is still queued when a test acts on it, even
    /// when the test's task waits for a cooperative pool busy with other suites.
    func longSamples() throws -> [Float] {
        Array(repeating: try samples("en_long_dev_concat"), count: 3).flatMap { $0 }
    }

    func greedy() -> TranscriptionOptions {
        var options = TranscriptionOptions()
        options.decoding.beamSize = 1
        return options
    }

    @Test func windowByWindowGivesTheSameTextAsTranscribe() async throws {
        let scheduler = try scheduler()
        defer { scheduler.shutdown() }
        let long = try samples("en_long_dev_concat")
        let direct = try Self.transcriber.get().transcribe(samples: long, options: greedy())
        let scheduled = try await scheduler.transcribe(samples: long, options: greedy(), deadlineSeconds: 600)
        #expect(scheduled.text == direct.text)
        #expect(scheduled.segments == direct.segments)
    }

    /// Concurrent requests decode in shared batched steps (the batch size histogram sees them),
    /// each with the text it has alone; with `maxBatch` 1 every step is a batch of one.
    @Test(arguments: [8, 1])
    func concurrentRequestsShareDecodingSteps(maxBatch: Int) async throws {
        let metrics = ServerMetrics()
        let scheduler = try scheduler(batching: BatchingOptions(maxBatch: maxBatch), metrics: metrics)
        defer { scheduler.shutdown() }
        let names = ["en_jfk", "en_ljspeech_LJ001-0001", "en_ljspeech_LJ001-0002", "en_librivox_sense_sensibility_0880"]
        let clips = try names.map { try samples($0) }
        let direct = try clips.map { try Self.transcriber.get().transcribe(samples: $0, options: greedy()) }
        let options = greedy()
        let scheduled = try await withThrowingTaskGroup(of: (Int, TranscriptionResult).self) { group in
            for (i, clip) in clips.enumerated() {
                group.addTask { (i, try await scheduler.transcribe(samples: clip, options: options, deadlineSeconds: 600)) }
            }
            var results = [TranscriptionResult?](repeating: nil, count: clips.count)
            for try await (i, result) in group { results[i] = result }
            return results.map { $0! }
        }
        #expect(scheduled.map(\.text) == direct.map(\.text))
        let histogram = BatchHistogram(metrics.exposition())
        #expect(histogram.count > 0)
        if maxBatch == 1 {
            #expect(histogram.atMostOne == histogram.count, "every batch is 1: \(histogram)")
        } else {
            #expect(histogram.atMostOne < histogram.count, "some steps batched several requests: \(histogram)")
            #expect(histogram.atMostEight == histogram.count)
        }
    }

    /// A lone request's batch waits for company once per window (its first step), not every step:
    /// one 2 s wait for a one-window clip, where waiting at each of its ~30 steps would take a minute.
    @Test func theBatchWindowWaitsOncePerWindow() async throws {
        let scheduler = try scheduler(batching: BatchingOptions(maxBatch: 8, windowMilliseconds: 2000))
        defer { scheduler.shutdown() }
        let clip = try samples("en_jfk")
        let direct = try Self.transcriber.get().transcribe(samples: clip, options: greedy())
        let start = ContinuousClock.now
        let scheduled = try await scheduler.transcribe(samples: clip, options: greedy(), deadlineSeconds: 600)
        let elapsed = start.duration(to: .now)
        #expect(scheduled.text == direct.text)
        #expect(elapsed >= .seconds(2), "the first step waited for the batch window (\(elapsed))")
        #expect(elapsed < .seconds(20), "only the first step waited (\(elapsed))")
    }

    @Test func aShortClipOvertakesALongFile() async throws {
        let scheduler = try scheduler()
        defer { scheduler.shutdown() }
        let long = try longSamples()
        let short = try samples("en_librivox_sense_sensibility_0880")
        let order = OrderLog()
        async let longDone: Void = {
            _ = try await scheduler.transcribe(samples: long, options: greedy(), deadlineSeconds: 600)
            order.append("long")
        }()
        try await ServerTestSupport.waitUntil("the first job to be queued") { scheduler.depth > 0 }
        _ = try await scheduler.transcribe(samples: short, options: greedy(), deadlineSeconds: 600)
        order.append("short")
        try await longDone
        #expect(order.entries == ["short", "long"])
    }

    @Test func aFullQueueRefusesTheNextRequest() async throws {
        let scheduler = try scheduler(queueSize: 1)
        defer { scheduler.shutdown() }
        let long = try longSamples()
        let first = Task { try await scheduler.transcribe(samples: long, options: greedy(), deadlineSeconds: 600) }
        try await ServerTestSupport.waitUntil("the first job to be queued") { scheduler.depth > 0 }
        await #expect(throws: SchedulerError.queueFull) {
            try await scheduler.transcribe(samples: long, options: greedy(), deadlineSeconds: 600)
        }
        first.cancel()
        _ = await first.result
    }

    @Test func aRequestPastItsDeadlineFails() async throws {
        let scheduler = try scheduler()
        defer { scheduler.shutdown() }
        await #expect(throws: SchedulerError.deadlineExceeded(seconds: 0)) {
            try await scheduler.transcribe(samples: try samples("en_jfk"), options: greedy(), deadlineSeconds: 0)
        }
    }

    @Test func cancellingTheCallerDropsTheJob() async throws {
        let scheduler = try scheduler()
        defer { scheduler.shutdown() }
        let long = try longSamples()
        let task = Task { try await scheduler.transcribe(samples: long, options: greedy(), deadlineSeconds: 600) }
        try await ServerTestSupport.waitUntil("the first job to be queued") { scheduler.depth > 0 }
        task.cancel()
        await #expect(throws: SchedulerError.cancelled) { try await task.value }
        #expect(scheduler.depth == 0)
    }
}

/// Completion order across tasks.
final class OrderLog: Sendable {
    private let values = Mutex<[String]>([])

    func append(_ value: String) { values.withLock { $0.append(value) } }
    var entries: [String] { values.withLock { $0 } }
}

/// The batch size histogram's total and its `le="1"` and `le="8"` buckets, from Prometheus text.
struct BatchHistogram: CustomStringConvertible {
    var count = 0, atMostOne = 0, atMostEight = 0

    init(_ exposition: String) {
        for line in exposition.split(separator: "\n") where line.hasPrefix("sotto_batch_size") {
            let value = Int(line.split(separator: " ").last.map(String.init) ?? "") ?? -1
            if line.hasPrefix("sotto_batch_size_count") { count = value }
            if line.contains(#"le="1.0""#) { atMostOne = value }
            if line.contains(#"le="8.0""#) { atMostEight = value }
        }
    }

    var description: String { "\(count) steps, \(atMostOne) of 1, \(atMostEight) of at most 8" }
}
