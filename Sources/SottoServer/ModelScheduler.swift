import Foundation
import SottoDecoding
import Synchronization

/// Why the scheduler gave up on a job.
package enum SchedulerError: Error, Equatable {
    case queueFull
    case deadlineExceeded(seconds: Double)
    case cancelled
    case shutDown
}

/// Owns one model and runs every accepted request on it, half a 30-second window (its encoder
/// pass, or its decode) at a time, on a thread of its own (the model's kernels block, so they stay
/// off Swift's cooperative pool).
///
/// Fairness: each turn goes to the job that has had the fewest turns so far (least attained
/// service), so a short clip that arrives during a long file waits for at most one half-window
/// of it.
package final class ModelScheduler: Sendable {
    package let name: String
    package let transcriber: Transcriber
    /// Jobs running or waiting, at most; the next submit is refused with `queueFull`.
    package let queueSize: Int
    private let metrics: ServerMetrics
    private let state = Mutex(State())
    private let wakeup = DispatchSemaphore(value: 0)

    package init(name: String, transcriber: Transcriber, queueSize: Int, metrics: ServerMetrics) {
        self.name = name
        self.transcriber = transcriber
        self.queueSize = queueSize
        self.metrics = metrics
        let thread = Thread { [self] in runLoop() }
        thread.name = "sotto-scheduler-\(name)"
        thread.start()
    }

    /// Jobs accepted and not yet finished.
    package var depth: Int { state.withLock { $0.jobs.count } }

    /// Transcribes `samples`; `onSegments` sees each window's new segments as they are decoded.
    /// Cancelling the calling task drops the job before its next window.
    package func transcribe(samples: [Float], options: TranscriptionOptions, deadlineSeconds: Double,
                    onSegments: @escaping @Sendable ([Segment]) -> Void = { _ in }) async throws -> TranscriptionResult {
        let id = UUID()
        let deadline = ContinuousClock.now.advanced(by: .seconds(deadlineSeconds))
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let job = Job(id: id, samples: samples, options: options, deadline: deadline,
                              deadlineSeconds: deadlineSeconds, onSegments: onSegments, continuation: continuation)
                let accepted = state.withLock { state -> Bool in
                    guard !state.stopped, state.jobs.count < queueSize else { return false }
                    state.arrivals += 1
                    state.jobs.append(ScheduledJob(job: job, arrival: state.arrivals))
                    return true
                }
                guard accepted else {
                    continuation.resume(throwing: SchedulerError.queueFull)
                    return
                }
                reportDepth()
                wakeup.signal()
            }
        } onCancel: {
            state.withLock { state in state.cancelled.insert(id) }
            wakeup.signal()
        }
    }

    private func reportDepth() {
        let (waiting, active) = state.withLock { state in
            (state.jobs.count(where: { $0.session == nil }), state.jobs.count(where: { $0.session != nil }))
        }
        metrics.queueDepth(model: name, waiting: waiting, active: active)
    }

    /// Fails every job and ends the thread.
    package func shutdown() {
        let jobs = state.withLock { state -> [ScheduledJob] in
            state.stopped = true
            defer { state.jobs.removeAll() }
            return state.jobs
        }
        for scheduled in jobs { scheduled.job.continuation.resume(throwing: SchedulerError.shutDown) }
        wakeup.signal()
    }

    private func runLoop() {
        while true {
            guard let next = nextTurn() else {
                if state.withLock({ $0.stopped }) { return }
                wakeup.wait()
                continue
            }
            run(next)
        }
    }

    /// The job with the fewest turns so far (earliest arrival on ties), after dropping the
    /// cancelled and the late.
    private func nextTurn() -> ScheduledJob? {
        let (dropped, chosen) = state.withLock { state -> ([(ScheduledJob, SchedulerError)], ScheduledJob?) in
            var dropped: [(ScheduledJob, SchedulerError)] = []
            let now = ContinuousClock.now
            state.jobs.removeAll { scheduled in
                if state.cancelled.remove(scheduled.job.id) != nil {
                    dropped.append((scheduled, .cancelled))
                    return true
                }
                if now > scheduled.job.deadline {
                    dropped.append((scheduled, .deadlineExceeded(seconds: scheduled.job.deadlineSeconds)))
                    return true
                }
                return false
            }
            let chosen = state.jobs.min { ($0.turns, $0.arrival) < ($1.turns, $1.arrival) }
            return (dropped, chosen)
        }
        for (scheduled, error) in dropped { scheduled.job.continuation.resume(throwing: error) }
        if !dropped.isEmpty { reportDepth() }
        return chosen
    }

    /// One turn: start the job's session (mel and language) or advance it half a window.
    private func run(_ scheduled: ScheduledJob) {
        var scheduled = scheduled
        let job = scheduled.job
        do {
            if scheduled.session == nil {
                scheduled.session = try transcriber.makeSession(samples: job.samples, options: job.options)
            } else {
                let started = ContinuousClock.now
                let segments = scheduled.session!.advance()
                metrics.turnDone(model: name, batchSize: 1, duration: started.duration(to: .now))
                if !segments.isEmpty { job.onSegments(Array(segments)) }
            }
        } catch {
            finish(scheduled, with: .failure(error))
            return
        }
        scheduled.turns += 1
        if let session = scheduled.session, session.isFinished {
            finish(scheduled, with: .success(session.result))
            return
        }
        state.withLock { state in
            if let index = state.jobs.firstIndex(where: { $0.job.id == job.id }) { state.jobs[index] = scheduled }
        }
        if scheduled.turns == 1 { reportDepth() }
    }

    private func finish(_ scheduled: ScheduledJob, with result: Result<TranscriptionResult, any Error>) {
        let removed = state.withLock { state -> Bool in
            guard let index = state.jobs.firstIndex(where: { $0.job.id == scheduled.job.id }) else { return false }
            state.jobs.remove(at: index)
            state.cancelled.remove(scheduled.job.id)
            return true
        }
        reportDepth()
        if removed { scheduled.job.continuation.resume(with: result) }
    }
}

/// What a request hands the scheduler.
private struct Job: Sendable {
    package let id: UUID
    package let samples: [Float]
    package let options: TranscriptionOptions
    package let deadline: ContinuousClock.Instant
    package let deadlineSeconds: Double
    package let onSegments: @Sendable ([Segment]) -> Void
    package let continuation: CheckedContinuation<TranscriptionResult, any Error>
}

/// A job with its progress: turns taken so far and the session once started.
private struct ScheduledJob: Sendable {
    package let job: Job
    package let arrival: Int
    package var turns = 0
    package var session: TranscriptionSession?
}

private struct State: Sendable {
    package var jobs: [ScheduledJob] = []
    package var cancelled: Set<UUID> = []
    package var arrivals = 0
    package var stopped = false
}
