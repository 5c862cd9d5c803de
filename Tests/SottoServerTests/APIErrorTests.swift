import Foundation
import HummingbirdTesting
import Testing
import SottoServer

/// Each error status in OpenAI's shape, through HTTP in process; the server keeps serving after each.
@Suite(.serialized) struct APIErrorTests {
    @Test func badAudioUnknownModelAndBadFieldsThenStillServing() async throws {
        let clip = try ServerTestSupport.devClip("en_librivox_sense_sensibility_0880")
        try await ServerTestSupport.withServer(try ServerTestSupport.options()) { _, client in
            let garbage = try await ServerTestSupport.post(client, form: ServerTestSupport.form(file: Array("not audio".utf8)))
            #expect(garbage.status == .badRequest)
            #expect(try ServerTestSupport.error(garbage)["type"] as? String == "invalid_request_error")
            #expect(try ServerTestSupport.error(garbage)["param"] as? String == "file")

            let unknown = try await ServerTestSupport.post(client, form: ServerTestSupport.form(file: clip, fields: [("model", "nope")]))
            #expect(unknown.status == .notFound)
            #expect(try ServerTestSupport.error(unknown)["code"] as? String == "model_not_found")

            let format = try await ServerTestSupport.post(client, form: ServerTestSupport.form(file: clip, fields: [("response_format", "xml")]))
            #expect(format.status == .badRequest)

            let notMultipart = try await client.execute(uri: "/v1/audio/transcriptions", method: .post,
                                                        headers: [.contentType: "application/json"], body: .init(string: "{}"))
            #expect(notMultipart.status == .badRequest)

            let fine = try await ServerTestSupport.post(client, form: ServerTestSupport.form(file: clip))
            #expect(fine.status == .ok)
        }
    }

    @Test func anUploadOverTheLimitIs413() async throws {
        let clip = try ServerTestSupport.devClip("en_jfk")
        let options = try ServerTestSupport.options { $0.maxUploadBytes = 1 }
        try await ServerTestSupport.withServer(options) { _, client in
            let response = try await ServerTestSupport.post(client, form: ServerTestSupport.form(file: clip))
            #expect(response.status == .contentTooLarge)
            #expect(try ServerTestSupport.error(response)["code"] as? String == "upload_too_large")
        }
    }

    @Test func aFullQueueIs429WithRetryAfter() async throws {
        let long = try ServerTestSupport.devClip("en_long_dev_concat")
        let options = try ServerTestSupport.options { $0.queueSize = 1 }
        try await ServerTestSupport.withServer(options) { server, client in
            let scheduler = try #require(server.lifecycle.registry?.all.first)
            async let first = ServerTestSupport.post(client, form: ServerTestSupport.form(file: long))
            try await ServerTestSupport.waitUntil("the first job to be queued") { scheduler.depth > 0 }
            let refused = try await ServerTestSupport.post(client, form: ServerTestSupport.form(file: long, fields: [("language", "en")]))
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == "1")
            #expect(try ServerTestSupport.error(refused)["type"] as? String == "rate_limit_error")
            #expect(try await first.status == .ok)
        }
    }

    @Test func aRequestPastItsDeadlineIs504() async throws {
        let clip = try ServerTestSupport.devClip("en_jfk")
        let options = try ServerTestSupport.options {
            $0.deadlineFloorSeconds = 0
            $0.deadlinePerAudioSecond = 0
        }
        try await ServerTestSupport.withServer(options) { _, client in
            let response = try await ServerTestSupport.post(client, form: ServerTestSupport.form(file: clip))
            #expect(response.status == .gatewayTimeout)
            #expect(try ServerTestSupport.error(response)["code"] as? String == "deadline_exceeded")
        }
    }

    @Test func unknownRoutesAre404InOpenAIShape() async throws {
        try await ServerTestSupport.withServer(try ServerTestSupport.options()) { _, client in
            let response = try await client.execute(uri: "/v1/nothing", method: .get)
            #expect(response.status == .notFound)
        }
    }
}
