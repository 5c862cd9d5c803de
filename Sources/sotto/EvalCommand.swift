import ArgumentParser
import Foundation
import SottoEval
import SottoModel

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Transcribe a manifest and report WER/CER per language and the real-time factor.")

    @Option(help: "JSON-lines manifest: id, audio, text, language, duration per line (repeat to score several together).")
    var manifest: [String]

    @Option(name: .customLong("languages"), parsing: .upToNextOption,
            help: "Only the utterances in these languages (e.g. --languages en).")
    var languages: [String] = []

    @OptionGroup var modelArguments: ModelArguments
    @OptionGroup var decoding: DecodingArguments

    @Option(help: "Write each hypothesis with its reference and errors here (JSON lines).")
    var output: String?

    @Option(help: "Write the whole report here as JSON.")
    var json: String?

    mutating func run() throws {
        let manifests = try manifest.map {
            try Manifest(contentsOf: URL(fileURLWithPath: $0)).filtered(languages: languages.isEmpty ? nil : Set(languages))
        }
        let options = try decoding.transcriptionOptions()
        let scorer = try TranscriptScorer(
            spellingTable: SottoHome.directory.appendingPathComponent("normalizers/english.json"))
        let transcriber = try modelArguments.loadTranscriber()
        let run = EvaluationRun(transcriber: transcriber, options: options, scorer: scorer)
        let report = try run.run(manifests: manifests, modelName: modelArguments.model) { score, done, total in
            printError(String(format: "[%d/%d] %@ (%@) errors %d/%d  %.2f s",
                              done, total, score.id, score.language, score.counts.errors,
                              score.counts.referenceLength, score.processingSeconds))
        }
        print(EvaluationTable.render(report))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if let output {
            let lines = try report.utterances.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: output))
        }
        if let json {
            encoder.outputFormatting.insert(.prettyPrinted)
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
        }
    }
}
