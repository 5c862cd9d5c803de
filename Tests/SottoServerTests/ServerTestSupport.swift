import Foundation
import Hummingbird
import HummingbirdTesting
import SottoTestSupport
import Testing
import SottoServer

/// Builds multipart bodies, starts servers on tiny.en and waits for them to be ready.
enum ServerTestSupport {
    static let boundary = "sotto-test-boundary"
    static let contentType = "multipart/form-data; boundary=\(boundary)"

    static func form(file: [UInt8], filename: String = "clip.wav", fields: [(String, String)] = []) -> [UInt8] {
        var body: [UInt8] = []
        func append(_ text: String) { body += Array(text.utf8) }
        for (name, value) in fields {
            append("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        append("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\n")
        append("Content-Type: application/octet-stream\r\n\r\n")
        body += file
        append("\r\n--\(boundary)--\r\n")
        return body
    }

    static func devClip(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: try TestPaths.devFile("audio/\(name).wav")))
    }

    static func options(_ change: (inout ServerOptions) -> Void = { _ in }) throws -> ServerOptions {
        var options = ServerOptions()
        options.models = [try TestPaths.model("tiny.en").path]
        options.port = 0
        change(&options)
        return options
    }

    /// Runs `body` against the server in process (Hummingbird's router test mode: full requests
    /// and responses, middleware and services, no sockets and no client timeout) once its models
    /// are ready. scripts/test_server.py covers the real socket.
    static func withServer<Value: Sendable>(
        _ options: ServerOptions, _ body: @Sendable (TranscriptionServer, any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        let server = try TranscriptionServer(options: options)
        let app = server.makeApplication(services: [server.modelService])
        return try await app.test(.router) { client in
            for _ in 0..<600 where server.lifecycle.registry == nil && server.lifecycle.loadError == nil {
                try await Task.sleep(for: .milliseconds(50))
            }
            return try await body(server, client)
        }
    }

    /// Polls `condition` until it holds; throws after `seconds` instead of hanging a test run.
    static func waitUntil(seconds: Double = 120, _ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(seconds * 1000)))
        while !condition() {
            guard ContinuousClock.now < deadline else { throw WaitTimeout(what: what, seconds: seconds) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    static func post(_ client: any TestClientProtocol, _ path: String = "/v1/audio/transcriptions",
                     form: [UInt8]) async throws -> TestResponse {
        try await client.execute(uri: path, method: .post, headers: [.contentType: contentType],
                                 body: ByteBuffer(bytes: form))
    }

    static func text(_ response: TestResponse) -> String { String(buffer: response.body) }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any] ?? [:]
    }

    /// The `error` member of an OpenAI-shaped error body.
    static func error(_ response: TestResponse) throws -> [String: Any] {
        try json(response)["error"] as? [String: Any] ?? [:]
    }
}

struct WaitTimeout: Error, CustomStringConvertible {
    let what: String
    let seconds: Double
    var description: String { "gave up waiting for \(what) after \(seconds) s" }
}
