import Testing
import SottoServer

@Suite struct ServerMetricsTests {
    @Test func everyMeasurementAppearsInPrometheusText() {
        let metrics = ServerMetrics()
        metrics.request(route: "/v1/audio/transcriptions", status: 200, duration: .milliseconds(1500))
        metrics.error(type: "queue_full")
        metrics.queueDepth(model: "tiny.en", waiting: 2, active: 1)
        metrics.turnDone(model: "tiny.en", batchSize: 3, duration: .milliseconds(300))
        metrics.turnDone(model: "tiny.en", batchSize: nil, duration: .milliseconds(200))
        metrics.transcribed(model: "tiny.en", audioSeconds: 10, processing: .seconds(1))
        metrics.cache(hit: true)
        let text = metrics.exposition()
        for line in [
            #"sotto_requests_total{route="/v1/audio/transcriptions",status="200"} 1"#,
            #"sotto_errors_total{type="queue_full"} 1"#,
            #"sotto_queue_depth{model="tiny.en"} 2"#,
            #"sotto_active_sequences{model="tiny.en"} 1"#,
            #"sotto_batch_size_count{model="tiny.en"} 1"#,
            #"sotto_batch_size_sum{model="tiny.en"} 3"#,
            #"sotto_turn_duration_seconds_count{model="tiny.en"} 2"#,
            #"sotto_audio_seconds_total{model="tiny.en"} 10"#,
            #"sotto_real_time_factor_sum{model="tiny.en"} 0.1"#,
            "sotto_cache_hits_total 1",
            "sotto_cache_misses_total 0",
        ] {
            #expect(text.contains(line), "missing \(line)")
        }
        // The request histogram reaches the longest deadline worth telling apart.
        #expect(text.contains(#"sotto_request_duration_seconds_bucket{route="/v1/audio/transcriptions",le="600.0"} 1"#))
    }
}
