import Foundation
import HummingbirdTesting
import SottoTestSupport
import Testing
import SottoServer

/// HTTP requests through the whole server in process, serving the real tiny.en.
@Suite(.serialized) struct TranscriptionServerTests {
    static let jfkWords = "ask not what your country can do for you"

    @Test func healthModelsAndMetrics() async throws {
        try await ServerTestSupport.withServer(try ServerTestSupport.options()) { _, client in
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok)
            #expect(try ServerTestSupport.json(health)["status"] as? String == "ok")
            let models = try ServerTestSupport.json(try await client.execute(uri: "/v1/models", method: .get))
            let ids = (models["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(ids == ["tiny.en"])
            let metrics = ServerTestSupport.text(try await client.execute(uri: "/metrics", method: .get))
            #expect(metrics.contains("sotto_requests_total{route=\"/health\",status=\"200\"} 1"))
            #expect(metrics.contains("sotto_cache_hits_total 0"))
        }
    }

    @Test func everyResponseFormat() async throws {
        let clip = try ServerTestSupport.devClip("en_jfk")
        try await ServerTestSupport.withServer(try ServerTestSupport.options()) { _, client in
            let json = try await ServerTestSupport.post(client, form: ServerTestSupport.form(file: clip, fields: [("model", "tiny.en")]))
            #expect(json.status == .ok)
            let text = try ServerTestSupport.json(json)["text"] as? String ?? ""
            #expect(text.lowercased().contains(Self.jfkWords))
            #expect(!text.hasPrefix(" "))

            let plain = try await ServerTestSupport.post(client, form: ServerTestSupport.form(
                file: clip, fields: [("response_format", "text")]))
            #expect(ServerTestSupport.text(plain) == text + "\n")

            let srt = ServerTestSupport.text(try await ServerTestSupport.post(client, form: ServerTestSupport.form(
                file: clip, fields: [("response_format", "srt")])))
            #expect(srt.hasPrefix("1\n00:00:00,000 --> "))

            let vtt = ServerTestSupport.text(try await ServerTestSupport.post(client, form: ServerTestSupport.form(
                file: clip, fields: [("response_format", "vtt")])))
            #expect(vtt.hasPrefix("WEBVTT\n\n00:00.000 --> "))

            let verbose = try ServerTestSupport.json(try await ServerTestSupport.post(client, form: ServerTestSupport.form(
                file: clip, fields: [("response_format", "verbose_json"), ("timestamp_granularities[]", "segment")])))
            #expect(verbose["language"] as? String == "english")
            #expect(verbose["task"] as? String == "transcribe")
            let segments = verbose["segments"] as? [[String: Any]] ?? []
            #expect(segments.first?["id"] as? Int == 0)
            let keys: Set<String> = ["id", "seek", "start", "end", "text", "tokens", "temperature", "avg_logprob",
                                     "compression_ratio", "no_speech_prob"]
            #expect(segments.allSatisfy { Set($0.keys) == keys })
        }
    }

    /// `timestamp_granularities[]=word`: top-level words as OpenAI's (word, start, end), increasing,
    /// inside the audio; segments only when asked for too, and then without words of their own.
    @Test func verboseJSONWithWordTimestamps() async throws {
        let clip = try ServerTestSupport.devClip("en_jfk")
        try await ServerTestSupport.withServer(try ServerTestSupport.options()) { _, client in
            let wordsOnly = try ServerTestSupport.json(try await ServerTestSupport.post(client, form: ServerTestSupport.form(
                file: clip, fields: [("response_format", "verbose_json"), ("timestamp_granularities[]", "word")])))
            #expect(wordsOnly["segments"] == nil)
            let words = wordsOnly["words"] as? [[String: Any]] ?? []
            #expect(words.map { $0["word"] as? String ?? "" }.joined(separator: " ").lowercased().contains(Self.jfkWords))
            #expect(words.allSatisfy { Set($0.keys) == ["word", "start", "end"] })
            let starts = words.compactMap { $0["start"] as? Double }
            let ends = words.compactMap { $0["end"] as? Double }
            #expect(starts.count == words.count && starts == starts.sorted())
            #expect(zip(starts, ends).allSatisfy { $0 <= $1 } && (ends.last ?? 99) <= 11.0)

            let both = try ServerTestSupport.json(try await ServerTestSupport.post(client, form: ServerTestSupport.form(
                file: clip, fields: [("response_format", "verbose_json"), ("timestamp_granularities[]", "word"),
                                     ("timestamp_granularities[]", "segment")])))
            let segments = both["segments"] as? [[String: Any]] ?? []
            #expect(!segments.isEmpty && segments.allSatisfy { $0["words"] == nil })
            #expect((both["words"] as? [[String: Any]])?.count == words.count)

            let refused = try await ServerTestSupport.post(client, form: ServerTestSupport.form(
                file: clip, fields: [("response_format", "json"), ("timestamp_granularities[]", "word")]))
            #expect(refused.status == .badRequest)
        }
    }

    @Test func streamingSendsADeltaPerSegmentThenDone() async throws {
        let clip = try ServerTestSupport.devClip("en_long_dev_concat")
        try await ServerTestSupport.withServer(try ServerTestSupport.options()) { _, client in
            let response = try await ServerTestSupport.post(client, form: ServerTestSupport.form(
                file: clip, fields: [("stream", "true")]))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/event-stream")
            let events = ServerTestSupport.text(response).split(separator: "\n\n").map { String($0) }
            #expect(events.count > 2)
            #expect(events.dropLast().allSatisfy { $0.hasPrefix("data: {\"delta\":") && $0.contains("transcript.text.delta") })
            #expect(events.last?.contains("\"type\":\"transcript.text.done\"") == true)
        }
    }

    @Test func translationOnAnEnglishOnlyModelIsABadRequest() async throws {
        let clip = try ServerTestSupport.devClip("en_jfk")
        try await ServerTestSupport.withServer(try ServerTestSupport.options()) { _, client in
            let response = try await ServerTestSupport.post(client, "/v1/audio/translations", form: ServerTestSupport.form(file: clip))
            #expect(response.status == .badRequest)
            let error = try ServerTestSupport.json(response)["error"] as? [String: Any]
            #expect(error?["code"] as? String == "translation_not_supported")
            #expect(error?["param"] as? String == "model")
            #expect(error?["type"] as? String == "invalid_request_error")
            let message = error?["message"] as? String ?? ""
            #expect(message.contains("English-only"), "\(message)")
        }
    }

    @Test func aMultilingualModelDetectsGermanAndTranslatesIt() async throws {
        let clip = try ServerTestSupport.devClip("de_picovoice_test_de")
        let base = try TestPaths.model("base").path
        let options = try ServerTestSupport.options { $0.models = [base] }
        try await ServerTestSupport.withServer(options) { _, client in
            let verbose = try ServerTestSupport.json(try await ServerTestSupport.post(client, form: ServerTestSupport.form(
                file: clip, fields: [("model", "base"), ("response_format", "verbose_json")])))
            #expect(verbose["language"] as? String == "german")
            let translated = try await ServerTestSupport.post(client, "/v1/audio/translations", form: ServerTestSupport.form(
                file: clip, fields: [("model", "base"), ("response_format", "verbose_json")]))
            let body = try ServerTestSupport.json(translated)
            #expect(body["task"] as? String == "translate")
            #expect((body["text"] as? String ?? "").lowercased().contains("portal"))
        }
    }

    @Test func aRepeatedRequestIsACacheHit() async throws {
        let clip = try ServerTestSupport.devClip("en_librivox_sense_sensibility_0880")
        try await ServerTestSupport.withServer(try ServerTestSupport.options()) { _, client in
            let form = ServerTestSupport.form(file: clip)
            let first = ServerTestSupport.text(try await ServerTestSupport.post(client, form: form))
            let second = ServerTestSupport.text(try await ServerTestSupport.post(client, form: form))
            #expect(first == second)
            let metrics = ServerTestSupport.text(try await client.execute(uri: "/metrics", method: .get))
            #expect(metrics.contains("sotto_cache_hits_total 1"))
            #expect(metrics.contains("sotto_cache_misses_total 1"))
        }
    }
}
