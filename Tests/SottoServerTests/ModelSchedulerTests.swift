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

    func scheduler(queueSize: Int = 8) throws -> ModelScheduler {
        ModelScheduler(name: "tiny.en", transcriber: try Self.transcriber.get(), queueSize: queueSize, metrics: ServerMetrics())
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
