import ArgumentParser
import Foundation
import SottoEval

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Compare models: size, load time, peak memory, encoder and decoder speed, real-time factor, WER.",
        discussion: """
            Each model is measured in a fresh process of its own; ratios are against the first model.

            --chart FILE.svg draws WER (CER where the run was scored in characters) against real-time \
            factor, circle area showing model size; it needs error rates, so a --manifest with reference text. \
            --from-json REPORT.json prints the table (and draws --chart) from a report saved with --json, \
            measuring nothing:
              sotto bench --from-json bench.json --chart bench.svg
            """)

    @Option(name: .customLong("model"), parsing: .singleValue,
            help: "A model directory, name or hub repository (repeat to compare; the first is the baseline).")
    var models: [String] = []

    @OptionGroup var arguments: BenchArguments

    @Option(help: "Write the settings and every model's result (median, min, max) here as JSON.")
    var json: String?

    @Option(help: ArgumentHelp("Draw an SVG chart here: error rate against real-time factor, circle area = model size.",
                               valueName: "file.svg"))
    var chart: String?

    @Option(name: .customLong("from-json"),
            help: ArgumentHelp("Show a report saved with --json instead of measuring (no --model or input).",
                               valueName: "report.json"))
    var fromJSON: String?

    func validate() throws {
        if fromJSON != nil {
            guard models.isEmpty else { throw ValidationError("--from-json shows a saved report; it takes no --model") }
            let given = arguments.measurementOptionsGiven + (json == nil ? [] : ["--json"])
            guard given.isEmpty else {
                throw ValidationError("--from-json measures nothing; drop \(given.joined(separator: ", "))")
            }
            return
        }
        guard !models.isEmpty else { throw ValidationError("give at least one --model (or --from-json REPORT.json)") }
        try arguments.validateInput()
        // Checked before measuring: an --audio run has no error rates, so its chart would fail at the end.
        guard chart == nil || !arguments.manifest.isEmpty else {
            throw ValidationError("--chart plots error rates, so it needs --manifest (utterances with reference text), not --audio")
        }
    }

    mutating func run() throws {
        let report = try fromJSON.map { try BenchmarkReport(contentsOf: URL(fileURLWithPath: $0)) } ?? measure()
        print(BenchmarkTable.render(report))
        // Atomic writes: an interrupted or failed write leaves the previous file, never half of one.
        if let json {
            try report.jsonData().write(to: URL(fileURLWithPath: json), options: .atomic)
        }
        if let chart {
            try Data(BenchmarkChart.render(report).utf8).write(to: URL(fileURLWithPath: chart), options: .atomic)
        }
        // A saved report's failures were reported when it was measured; showing it again succeeds.
        if fromJSON == nil && !report.failures.isEmpty { throw ExitCode(1) }
    }

    private func measure() throws -> BenchmarkReport {
        let executable = try BenchWorkerProcess.ownExecutable()
        var report = BenchmarkReport(settings: arguments.settings(), results: [])
        for (index, model) in models.enumerated() {
            printError("[\(index + 1)/\(models.count)] \(model)")
            let worker = BenchWorkerProcess(executable: executable,
                                            arguments: ["bench-worker", "--model", model] + arguments.workerArguments)
            switch worker.run() {
            case .success(let result): report.results.append(result)
            case .failure(let failure):
                printError("sotto: bench: \(model): \(failure.reason)")
                report.failures.append(BenchmarkFailure(model: model, reason: failure.reason))
            }
        }
        return report
    }
}

/// One `sotto bench-worker` child: standard error is shared (its progress bar and messages show),
/// standard output carries its JSON reply.
struct BenchWorkerProcess {
    struct Failure: Error {
        let reason: String
    }

    let executable: URL
    let arguments: [String]

    /// This executable, absolute (through /proc/self/exe where there is one), so the child is the
    /// same build whatever the working directory.
    static func ownExecutable() throws -> URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        let url = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw ValidationError("cannot find this program's executable (\(CommandLine.arguments[0]))")
        }
        return url
    }

    func run() -> Result<ModelBenchmarkResult, Failure> {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let output = Pipe()
        process.standardOutput = output
        do {
            try process.run()
        } catch {
            return .failure(Failure(reason: "cannot start \(executable.path): \(error)"))
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let reply = try? JSONDecoder().decode(BenchWorkerReply.self, from: data)
        if let result = reply?.result, process.terminationStatus == 0 { return .success(result) }
        if let error = reply?.error { return .failure(Failure(reason: error)) }
        let how = process.terminationReason == .uncaughtSignal ? "killed by signal" : "exited with status"
        return .failure(Failure(reason: "the measuring process \(how) \(process.terminationStatus)"))
    }
}
