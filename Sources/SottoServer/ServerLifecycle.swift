import Foundation
import ServiceLifecycle
import Synchronization

/// Readiness and draining: models become ready once loaded; SIGTERM starts draining, after which
/// new work is refused with 503 while accepted requests get `drainSeconds` to finish.
package final class ServerLifecycle: Sendable {
    private struct State {
        var registry: ModelRegistry?
        var loadError: String?
        var draining = false
        var inFlight = 0
    }

    private let state = Mutex(State())

    package var registry: ModelRegistry? { state.withLock { $0.registry } }
    package var loadError: String? { state.withLock { $0.loadError } }
    package var isDraining: Bool { state.withLock { $0.draining } }
    package var inFlight: Int { state.withLock { $0.inFlight } }

    package func ready(_ registry: ModelRegistry) { state.withLock { $0.registry = registry } }
    package func failed(_ message: String) { state.withLock { $0.loadError = message } }

    /// Counts a request as accepted unless the server is draining.
    package func begin() -> Bool {
        state.withLock { state in
            guard !state.draining else { return false }
            state.inFlight += 1
            return true
        }
    }

    /// Counts work that was accepted earlier (a stream outliving its handler), even while draining.
    package func hold() { state.withLock { $0.inFlight += 1 } }

    package func end() { state.withLock { $0.inFlight -= 1 } }

    /// Refuses new work, then waits until accepted requests finish or `seconds` pass.
    package func drain(seconds: Double) async {
        state.withLock { $0.draining = true }
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(seconds * 1000)))
        while inFlight > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// Loads the models off the event loops, then, on graceful shutdown (SIGTERM), drains before the
/// HTTP server (started earlier in the service group, so stopped later) closes its listener.
package struct ModelService: Service {
    package let options: ServerOptions
    package let lifecycle: ServerLifecycle
    package let metrics: ServerMetrics
    package let log: @Sendable (String) -> Void

    package func run() async throws {
        let options = options
        let metrics = metrics
        let loaded: Result<ModelRegistry, any Error> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result {
                    try ModelRegistry.load(options.models, queueSize: options.queueSize,
                                           batching: BatchingOptions(maxBatch: options.maxBatch,
                                                                     windowMilliseconds: options.batchWindowMilliseconds),
                                           metrics: metrics)
                })
            }
        }
        switch loaded {
        case .success(let registry):
            lifecycle.ready(registry)
            log("models ready: \(registry.names.joined(separator: ", "))")
        case .failure(let error):
            lifecycle.failed("\(error)")
            throw error
        }
        try? await gracefulShutdown()
        log("draining: up to \(options.drainSeconds) s for \(lifecycle.inFlight) requests")
        await lifecycle.drain(seconds: options.drainSeconds)
        lifecycle.registry?.shutdown()
    }
}
