import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SottoTensor

/// `sotto serve`: the HTTP application, the model loader and graceful shutdown in one service group.
public struct TranscriptionServer: Sendable {
    public let options: ServerOptions
    package let lifecycle = ServerLifecycle()
    package let metrics = ServerMetrics()
    package let cache: ResultCache
    package let logger: Logger

    public init(options: ServerOptions, logger: Logger = Logger(label: "sotto.serve")) throws {
        self.options = options
        self.logger = logger
        cache = try ResultCache(budgetBytes: options.cacheBytes, directory: options.cacheDirectory)
    }

    /// The router with every route; what the tests drive, with the model service among `services`.
    package func makeApplication(services: [any Service] = []) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RequestMiddleware(lifecycle: lifecycle, metrics: metrics, logger: logger))
        InfoRoutes(options: options, lifecycle: lifecycle, metrics: metrics).register(on: router)
        AudioRoutes(options: options, lifecycle: lifecycle, metrics: metrics, cache: cache).register(on: router)
        let logger = logger
        return Application(
            router: router,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "sotto"),
            services: services,
            onServerRunning: { channel in
                logger.info("listening on \(channel.localAddress.map { "\($0)" } ?? "?")")
            },
            logger: logger)
    }

    package var modelService: ModelService {
        let logger = logger
        return ModelService(options: options, lifecycle: lifecycle, metrics: metrics) { logger.info("\($0)") }
    }

    /// Serves until SIGTERM or SIGINT, then drains and returns.
    public func run() async throws {
        if let threads = options.threads { Compute.setThreads(threads) }
        // Graceful shutdown runs in reverse order: the model service drains (answering 503 to new
        // work) while the HTTP server still listens, and only then does the server close.
        let group = ServiceGroup(configuration: .init(
            services: [makeApplication(), modelService], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
