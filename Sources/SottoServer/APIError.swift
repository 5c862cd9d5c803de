import Foundation
import Hummingbird

/// An error as OpenAI's API reports it: `{"error": {"message", "type", "param", "code"}}` with an
/// HTTP status, so the official clients raise their matching exception classes.
package struct APIError: Error, Sendable, Equatable {
    package var status: HTTPResponse.Status
    package var message: String
    package var type: String
    package var param: String?
    package var code: String?
    /// Seconds a client should wait before retrying (429 and 503).
    package var retryAfterSeconds: Int?

    package static func invalidRequest(_ message: String, param: String? = nil) -> APIError {
        APIError(status: .badRequest, message: message, type: "invalid_request_error", param: param, code: nil)
    }

    package static func unknownModel(_ name: String, available: [String]) -> APIError {
        APIError(status: .notFound,
                 message: "The model '\(name)' does not exist; this server has \(available.joined(separator: ", ")).",
                 type: "invalid_request_error", param: "model", code: "model_not_found")
    }

    package static func translationNotSupported(model: String) -> APIError {
        APIError(status: .badRequest,
                 message: "The model '\(model)' is English-only and cannot translate; use a multilingual model.",
                 type: "invalid_request_error", param: "model", code: "translation_not_supported")
    }

    package static func uploadTooLarge(limitBytes: Int) -> APIError {
        APIError(status: .contentTooLarge,
                 message: "The upload is larger than this server's limit of \(limitBytes / 1_000_000) MB.",
                 type: "invalid_request_error", param: "file", code: "upload_too_large")
    }

    package static func queueFull(model: String, retryAfterSeconds: Int) -> APIError {
        APIError(status: .tooManyRequests, message: "The queue for \(model) is full; retry later.",
                 type: "rate_limit_error", param: nil, code: "queue_full", retryAfterSeconds: retryAfterSeconds)
    }

    package static let draining = APIError(
        status: .serviceUnavailable, message: "The server is shutting down and accepts no new requests.",
        type: "server_error", param: nil, code: "draining", retryAfterSeconds: 5)

    package static let notReady = APIError(
        status: .serviceUnavailable, message: "The server is still loading its models.",
        type: "server_error", param: nil, code: "not_ready", retryAfterSeconds: 5)

    package static func deadlineExceeded(seconds: Double) -> APIError {
        APIError(status: .gatewayTimeout,
                 message: "The transcription did not finish within its deadline of \(Int(seconds.rounded())) s.",
                 type: "timeout_error", param: nil, code: "deadline_exceeded")
    }

    package static func notFound(path: String) -> APIError {
        APIError(status: .notFound, message: "No route for \(path).", type: "invalid_request_error",
                 param: nil, code: "not_found")
    }

    package static func internalError(_ message: String) -> APIError {
        APIError(status: .internalServerError, message: message, type: "server_error", param: nil, code: nil)
    }

    /// A short label for the errors-by-type metric.
    package var metricLabel: String { code ?? type }

    package var body: [String: [String: String?]] {
        ["error": ["message": message, "type": type, "param": param, "code": code]]
    }

    package func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(body)) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
