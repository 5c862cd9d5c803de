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

/// Owns one model and runs every accepted request on it on a thread of its own (the model's
/// kernels block, so they stay off Swift's cooperative pool): starts and encoder passes one job at
/// a time, and the decoding steps of every job with an encoded window as one batched forward pass
/// (`SessionBatch`), which jobs join and leave between steps. `TurnPolicy` says which comes next:
/// least attained service, so a short clip that arrives during a long file waits for at most one
/// half-window of it.
package final class ModelScheduler: Sendable {
    package let name: String
    package let transcriber: Transcriber
    /// Jobs running or waiting, at most; the next submit is refused with `queueFull`.
    package let queueSize: Int
    package let batching: BatchingOptions
    private let metrics: ServerMetrics
    private let state = Mutex(State())
    private let wakeup = DispatchSemaphore(value: 0)

    package init(name: String, transcriber: Transcriber, queueSize: Int, batching: BatchingOptions = BatchingOptions(),
                 metrics: ServerMetrics) {
        self.name = name
        self.transcriber = transcriber
        self.queueSize = queueSize
        self.batching = batching
        self.metrics = metrics
        let thread = Thread { [self] in runLoop() }
        thread.name = "sotto-scheduler-\(name)"
        thread.start()
    }

    /// Jobs accepted and not yet finished.
    package var depth: Int { state.withLock { $0.jobs.count } }

    /// Transcribes `samples`, their log-mel computed on the calling task (see `transcribe(audio:...)`).
    package func transcribe(samples: [Float], options: TranscriptionOptions, deadlineSeconds: Double,
                    onSegments: @escaping @Sendable ([Segment]) -> Void = { _ in }) async throws -> TranscriptionResult {
        try await transcribe(audio: transcriber.prepare(samples: samples), options: options,
                             deadlineSeconds: deadlineSeconds, onSegments: onSegments)
    }

    /// Transcribes audio whose log-mel the caller computed (off the scheduler thread, so that the
    /// job's first turn is language detection at most); `onSegments` sees each window's new
    /// segments as they are decoded. Cancelling the calling task drops the job before its next window.
    package func transcribe(audio: PreparedAudio, options: TranscriptionOptions, deadlineSeconds: Double,
                    onSegments: @escaping @Sendable ([Segment]) -> Void = { _ in }) async throws -> TranscriptionResult {
        let id = UUID()
        let deadline = ContinuousClock.now.advanced(by: .seconds(deadlineSeconds))
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let job = Job(id: id, audio: audio, options: options, deadline: deadline,
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
            switch nextTurn() {
            case .idle:
                if state.withLock({ $0.stopped }) { return }
                wakeup.wait()
            case .single(let id):
                runSingle(id)
            case .decodeStep(let ids):
                if waitsToFillBatch(ids) { continue }
                runDecodeStep(ids)
            }
        }
    }

    /// After dropping the cancelled and the late, what `TurnPolicy` runs next.
    private func nextTurn() -> TurnPolicy.Turn {
        let (dropped, turn) = state.withLock { state -> ([(ScheduledJob, SchedulerError)], TurnPolicy.Turn) in
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
            let progress = state.jobs.map {
                TurnPolicy.Progress(id: $0.job.id, turns: $0.turns, arrival: $0.arrival,
                                    isDecoding: $0.session?.isDecodingWindow ?? false,
                                    rows: $0.session?.decodingRows ?? 1)
            }
            return (dropped, TurnPolicy.next(progress, maxBatch: batching.maxBatch))
        }
        for (scheduled, error) in dropped { scheduled.job.continuation.resume(throwing: error) }
        if !dropped.isEmpty { reportDepth() }
        return turn
    }

    /// A batch that newcomers are about to join, short of `maxBatch`, waits once up to the batch
    /// window for more requests (which then start and encode first); true when it waited.
    private func waitsToFillBatch(_ ids: [UUID]) -> Bool {
        guard batching.windowMilliseconds > 0 else { return false }
        let joining = state.withLock { state -> Bool in
            let batch = state.jobs.filter { ids.contains($0.job.id) }
            guard batch.reduce(0, { $0 + ($1.session?.decodingRows ?? 1) }) < batching.maxBatch else { return false }
            var joining = false
            for index in state.jobs.indices where ids.contains(state.jobs[index].job.id) {
                if state.jobs[index].decodeSteps == 0 && !state.jobs[index].waitedForBatch {
                    state.jobs[index].waitedForBatch = true
                    joining = true
                }
            }
            return joining
        }
        guard joining else { return false }
        _ = wakeup.wait(timeout: .now() + .milliseconds(batching.windowMilliseconds))
        return true
    }

    private func scheduled(_ ids: [UUID]) -> [ScheduledJob] {
        state.withLock { state in ids.compactMap { id in state.jobs.first { $0.job.id == id } } }
    }

    /// Starts the job's session (the language, when it must be detected) or runs its next encoder pass.
    private func runSingle(_ id: UUID) {
        guard var scheduled = scheduled([id]).first else { return }
        do {
            if scheduled.session == nil {
                scheduled.session = try transcriber.makeSession(audio: scheduled.job.audio, options: scheduled.job.options)
            } else {
                let started = ContinuousClock.now
                scheduled.session!.encodeNextWindow()
                metrics.turnDone(model: name, batchSize: nil, duration: started.duration(to: .now))
            }
        } catch {
            finish(scheduled, with: .failure(error))
            return
        }
        scheduled.turns += 1
        settle(scheduled)
        if scheduled.turns == 1 { reportDepth() }
    }

    /// One token for every job in `ids`, as one batched decoder pass.
    private func runDecodeStep(_ ids: [UUID]) {
        var jobs = scheduled(ids)
        guard !jobs.isEmpty else { return }
        var sessions = jobs.map { $0.session! }
        let started = ContinuousClock.now
        let segments = SessionBatch.decodeStep(&sessions)
        metrics.turnDone(model: name, batchSize: sessions.count, duration: started.duration(to: .now))
        for i in jobs.indices {
            jobs[i].session = sessions[i]
            jobs[i].decodeSteps += 1
            if !segments[i].isEmpty { jobs[i].job.onSegments(Array(segments[i])) }
            if !sessions[i].isDecodingWindow {
                // The window is decoded: that is one turn of service.
                jobs[i].turns += 1
                jobs[i].decodeSteps = 0
                jobs[i].waitedForBatch = false
            }
            settle(jobs[i])
        }
    }

    /// Finishes a job whose session has ended, or stores its progress.
    private func settle(_ scheduled: ScheduledJob) {
        if let session = scheduled.session, session.isFinished {
            finish(scheduled, with: .success(session.result))
            return
        }
        state.withLock { state in
            if let index = state.jobs.firstIndex(where: { $0.job.id == scheduled.job.id }) { state.jobs[index] = scheduled }
        }
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
    package let audio: PreparedAudio
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
    /// Decoding steps of the current window so far (0: it joins the batch at the next step).
    package var decodeSteps = 0
    /// It has already waited once for its batch to fill in this window.
    package var waitedForBatch = false
}

private struct State: Sendable {
    package var jobs: [ScheduledJob] = []
    package var cancelled: Set<UUID> = []
    package var arrivals = 0
    package var stopped = false
}
