import CoreMetrics
import Foundation
import Prometheus

/// The service's measurements through swift-metrics, exported by swift-prometheus in Prometheus'
/// text format. Each server has its own registry (no global bootstrap), so tests can run several.
package final class ServerMetrics: Sendable {
    package let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory

    /// Request durations up to the longest deadline worth telling apart (10 minutes).
    package static let requestBuckets: [Duration] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]
        .map { Duration.milliseconds(Int64($0 * 1000)) }
    package static let turnBuckets: [Duration] = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30]
        .map { Duration.milliseconds(Int64($0 * 1000)) }
    package static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32]
    package static let realTimeFactorBuckets: [Double] = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5]

    package init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [
            "sotto_request_duration_seconds": Self.requestBuckets,
            "sotto_turn_duration_seconds": Self.turnBuckets,
        ]
        factory.valueHistogramBuckets = [
            "sotto_batch_size": Self.batchBuckets,
            "sotto_real_time_factor": Self.realTimeFactorBuckets,
        ]
        self.factory = factory
        // Present from the start, so dashboards see zeros rather than gaps.
        Counter(label: "sotto_cache_hits_total", factory: factory).increment(by: 0)
        Counter(label: "sotto_cache_misses_total", factory: factory).increment(by: 0)
    }

    package func request(route: String, status: Int, duration: Duration) {
        Counter(label: "sotto_requests_total", dimensions: [("route", route), ("status", String(status))],
                factory: factory).increment()
        Timer(label: "sotto_request_duration_seconds", dimensions: [("route", route)], factory: factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    package func error(type: String) {
        Counter(label: "sotto_errors_total", dimensions: [("type", type)], factory: factory).increment()
    }

    package func queueDepth(model: String, waiting: Int, active: Int) {
        Gauge(label: "sotto_queue_depth", dimensions: [("model", model)], factory: factory).record(waiting)
        Gauge(label: "sotto_active_sequences", dimensions: [("model", model)], factory: factory).record(active)
    }

    /// A scheduler turn: a decoding step of `batchSize` sequences, or (nil) a start or encoder pass,
    /// so the batch size histogram holds the decoder's real batch sizes only.
    package func turnDone(model: String, batchSize: Int?, duration: Duration) {
        if let batchSize {
            Recorder(label: "sotto_batch_size", dimensions: [("model", model)], factory: factory).record(batchSize)
        }
        Timer(label: "sotto_turn_duration_seconds", dimensions: [("model", model)], factory: factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    package func transcribed(model: String, audioSeconds: Double, processing: Duration) {
        FloatingPointCounter(label: "sotto_audio_seconds_total", dimensions: [("model", model)], factory: factory)
            .increment(by: audioSeconds)
        guard audioSeconds > 0 else { return }
        Recorder(label: "sotto_real_time_factor", dimensions: [("model", model)], factory: factory)
            .record(processing.secondsValue / audioSeconds)
    }

    package func cache(hit: Bool) {
        Counter(label: hit ? "sotto_cache_hits_total" : "sotto_cache_misses_total", factory: factory).increment()
    }

    /// Everything in Prometheus' text exposition format.
    package func exposition() -> String { registry.emitToString() }
}

extension Duration {
    package var secondsValue: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }

    package var nanoseconds: Int64 {
        let parts = components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }
}
