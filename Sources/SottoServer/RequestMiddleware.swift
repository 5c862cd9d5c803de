import Foundation
import Hummingbird
import Logging

/// Around every request: refuses new work while draining, turns any error into OpenAI's error
/// shape, counts the request by route and status, and logs one structured line with a request id.
package struct RequestMiddleware<Context: RequestContext>: RouterMiddleware {
    package let lifecycle: ServerLifecycle
    package let metrics: ServerMetrics
    package let logger: Logger

    package func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let requestID = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let route = knownRoutes.contains(request.uri.path) ? request.uri.path : "other"
        var response: Response
        if request.method == .post, !lifecycle.begin() {
            response = respond(to: APIError.draining)
        } else {
            do {
                response = try await next(request, context)
            } catch {
                response = respond(to: APIError(error, path: request.uri.path))
            }
            if request.method == .post { lifecycle.end() }
        }
        let duration = started.duration(to: .now)
        metrics.request(route: route, status: Int(response.status.code), duration: duration)
        response.headers[.init("x-request-id")!] = requestID
        // Watching for a disconnect (AudioRoutes) consumes the connection's inbound stream, so
        // Hummingbird closes it after the response; say so, or a client would reuse it.
        if request.method == .post { response.headers[.connection] = "close" }
        logger.info("request", metadata: [
            "request_id": .string(requestID), "method": .string(request.method.rawValue),
            "path": .string(request.uri.path), "status": .stringConvertible(response.status.code),
            "ms": .string(String(format: "%.1f", duration.secondsValue * 1000)),
        ])
        return response
    }

    private func respond(to error: APIError) -> Response {
        metrics.error(type: error.metricLabel)
        return error.response()
    }
}

/// Routes by name, so unknown paths cannot blow up the metric's label set.
private let knownRoutes: Set<String> = [
    "/", "/health", "/metrics", "/v1/models", "/v1/audio/transcriptions", "/v1/audio/translations",
]

extension APIError {
    /// Any error a handler throws, in OpenAI's shape.
    package init(_ error: any Error, path: String) {
        switch error {
        case let error as APIError: self = error
        case let error as HTTPError where error.status == .notFound: self = .notFound(path: path)
        case let error as HTTPError where error.status == .contentTooLarge:
            self = APIError(status: .contentTooLarge, message: error.body ?? "The upload is too large.",
                            type: "invalid_request_error", param: "file", code: "upload_too_large")
        case let error as HTTPError:
            self = APIError(status: error.status, message: error.body ?? "\(error.status)",
                            type: "invalid_request_error", param: nil, code: nil)
        case is CancellationError: self = APIError(.cancelled, model: "")
        default: self = .internalError("\(error)")
        }
    }
}
