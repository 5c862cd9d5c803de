import Foundation
import Hummingbird

/// The read-only routes: health, the model list, metrics and the page.
package struct InfoRoutes: Sendable {
    package let options: ServerOptions
    package let lifecycle: ServerLifecycle
    package let metrics: ServerMetrics

    package func register(on router: Router<BasicRequestContext>) {
        router.get("/health") { _, _ in health() }
        router.get("/v1/models") { _, _ in try models() }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        router.get("/") { _, _ in try page() }
    }

    /// 200 once every model is loaded and warmed up; 503 while loading, after a failed load and
    /// while draining, so a load balancer sends traffic elsewhere.
    package func health() -> Response {
        let status: String
        if lifecycle.isDraining {
            status = "draining"
        } else if lifecycle.loadError != nil {
            status = "failed"
        } else if lifecycle.registry == nil {
            status = "loading"
        } else {
            status = "ok"
        }
        let body = HealthBody(status: status, models: lifecycle.registry?.names ?? [])
        return json(body, status: status == "ok" ? .ok : .serviceUnavailable)
    }

    /// OpenAI's model list; the names are the ones `model` accepts.
    package func models() throws -> Response {
        let names = lifecycle.registry?.names ?? options.models.map(ModelRegistry.servedName)
        return json(ModelList(data: names.map { ModelEntry(id: $0) }), status: .ok)
    }

    package func page() throws -> Response {
        guard let url = Bundle.module.url(forResource: "index", withExtension: "html", subdirectory: "Page"),
              let data = try? Data(contentsOf: url) else {
            throw APIError.internalError("The page is missing from this build.")
        }
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private func json(_ value: some Encodable, status: HTTPResponse.Status) -> Response {
        let body = (try? ResponseRenderer.encode(value)) ?? []
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    package struct HealthBody: Encodable {
        var status: String
        var models: [String]
    }

    package struct ModelList: Encodable {
        var object = "list"
        var data: [ModelEntry]
    }

    package struct ModelEntry: Encodable {
        var id: String
        var object = "model"
        var created = 0
        var ownedBy = "sotto"

        enum CodingKeys: String, CodingKey {
            case id, object, created
            case ownedBy = "owned_by"
        }
    }
}
