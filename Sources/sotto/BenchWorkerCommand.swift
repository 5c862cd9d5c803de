import ArgumentParser
import Foundation
import SottoEval
import SottoModel
import SottoTensor

/// What a worker writes on standard output: its result, or why it has none.
struct BenchWorkerReply: Codable {
    var result: ModelBenchmarkResult?
    var error: String?
}

/// Measures one model in this process and writes a `BenchWorkerReply` as JSON on standard output;
/// `bench` runs one per model so each model's peak memory is its own.
struct BenchWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-worker", abstract: "Measure one model for bench (internal).", shouldDisplay: false)

    @Option(help: "The model to measure.")
    var model: String

    @OptionGroup var arguments: BenchArguments

    func validate() throws {
        try arguments.validateInput()
    }

    mutating func run() throws {
        var reply = BenchWorkerReply()
        do {
            reply.result = try measure()
        } catch {
            reply.error = "\(error)"
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        FileHandle.standardOutput.write(try encoder.encode(reply))
        if reply.error != nil { throw ExitCode(1) }
    }

    private func measure() throws -> ModelBenchmarkResult {
        if let threads = arguments.threads { Compute.setThreads(threads) }
        let benchmark = ModelBenchmark(options: try arguments.options(), input: try arguments.input())
        let directory = try ModelLocator.resolve(model) { file in printError("downloading \(file)") }
        let bar = ProgressBar(label: model, unit: "steps")
        defer { bar.finish() }
        return try benchmark.measure(model: model, directory: directory) { progress in
            bar.update(done: Double(progress.doneSteps), total: Double(progress.totalSteps))
        }
    }
}
