import ArgumentParser
import Foundation
import Logging
import SottoServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve models over HTTP with OpenAI's audio API (/v1/audio/transcriptions, /v1/audio/translations).")

    @Option(help: "A model to serve (name, directory or hub repository); repeat to serve several. The first is the default.")
    var model: [String] = ["tiny.en"]

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8000

    @Option(help: "Compute threads per model (default: all cores).")
    var threads: Int?

    @Option(help: "Requests one model may hold, running or waiting, before answering 429.")
    var queueSize = 64

    @Option(help: "Decoder rows one model runs together in one batched step, at most (a greedy request is one row, beam search beam-size rows).")
    var maxBatch = 8

    @Option(help: "Milliseconds a batch short of --max-batch waits for more requests before a newcomer's first step.")
    var batchWindowMs = 0

    @Option(help: "Largest upload in MB (413 above it).")
    var maxUploadMb = 25

    @Option(help: "Seconds SIGTERM waits for accepted requests before exiting.")
    var drainSeconds = 30.0

    @Option(help: "Also keep cached results in this directory.")
    var cacheDir: String?

    @Option(help: "Memory for cached results, in MB.")
    var cacheMb = 64

    func validate() throws {
        guard !model.isEmpty else { throw ValidationError("--model is required") }
        guard threads.map({ $0 >= 1 }) ?? true else { throw ValidationError("--threads must be at least 1") }
        guard queueSize >= 1 else { throw ValidationError("--queue-size must be at least 1") }
        guard (1...64).contains(maxBatch) else { throw ValidationError("--max-batch must be 1...64") }
        guard (0...1000).contains(batchWindowMs) else { throw ValidationError("--batch-window-ms must be 0...1000") }
        guard maxUploadMb >= 1 else { throw ValidationError("--max-upload-mb must be at least 1") }
        guard drainSeconds >= 0 else { throw ValidationError("--drain-seconds must be >= 0") }
        guard (1...65535).contains(port) || port == 0 else { throw ValidationError("--port must be 0...65535") }
    }

    func run() async throws {
        var options = ServerOptions()
        options.models = model
        options.host = host
        options.port = port
        options.threads = threads
        options.queueSize = queueSize
        options.maxBatch = maxBatch
        options.batchWindowMilliseconds = batchWindowMs
        options.maxUploadBytes = maxUploadMb * 1_000_000
        options.drainSeconds = drainSeconds
        options.cacheDirectory = cacheDir.map { URL(fileURLWithPath: $0) }
        options.cacheBytes = cacheMb * 1_000_000
        try await TranscriptionServer(options: options).run()
    }
}
