import ArgumentParser
import Foundation
import SottoAudio
import SottoDecoding
import SottoTensor

struct TranscribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcribe", abstract: "Transcribe audio files ('-' reads standard input).")

    @Argument(help: "Audio files: WAV natively; mp3, flac, ogg, m4a, ... through ffmpeg.")
    var files: [String]

    @OptionGroup var modelArguments: ModelArguments
    @OptionGroup var decoding: DecodingArguments

    @Option(help: "txt, srt, vtt, json, tsv, or all (all needs --output-dir).")
    var outputFormat = "txt"

    @Option(help: "Write <name>.<format> here for each input instead of printing.")
    var outputDir: String?

    @Flag(help: "Time every word (json output gets 'words' per segment; srt, vtt, txt and tsv stay per segment). Needs a model with alignment heads.")
    var wordTimestamps = false

    @Flag(help: "Print the CPU, the kernel paths and BLAS core in use, and each file's timings to stderr.")
    var verbose = false

    mutating func run() throws {
        let formats = try requestedFormats()
        var options = try decoding.transcriptionOptions()
        options.wordTimestamps = wordTimestamps
        let transcriber = try modelArguments.loadTranscriber()
        if verbose { printError("cpu: \(CPUReport.current().summary)") }
        var failures = 0
        for file in files {
            do {
                try transcribe(file, transcriber: transcriber, options: options, formats: formats)
            } catch {
                failures += 1
                printError("sotto: error: \(file): \(error)")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    private func requestedFormats() throws -> [TranscriptFormat] {
        if outputFormat == "all" {
            guard outputDir != nil else { throw ValidationError("--output-format all needs --output-dir") }
            return TranscriptFormat.allCases
        }
        guard let format = TranscriptFormat(rawValue: outputFormat) else {
            throw ValidationError("unknown output format '\(outputFormat)' (txt, srt, vtt, json, tsv, all)")
        }
        return [format]
    }

    private func transcribe(_ file: String, transcriber: Transcriber, options: TranscriptionOptions,
                            formats: [TranscriptFormat]) throws {
        let samples = try AudioLoader.load(path: file)
        let bar = ProgressBar(label: file == "-" ? "stdin" : URL(fileURLWithPath: file).lastPathComponent)
        let result = try transcriber.transcribe(samples: samples, options: options) { progress in
            bar.update(done: progress.processedSeconds, total: progress.totalSeconds)
        }
        bar.finish()
        if verbose { printError(Self.timingLine(file, result)) }
        guard let outputDir else {
            for format in formats { print(try format.render(result), terminator: "") }
            return
        }
        try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        let name = file == "-" ? "stdin" : URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        for format in formats {
            let url = URL(fileURLWithPath: outputDir).appendingPathComponent("\(name).\(format.rawValue)")
            try Data(try format.render(result).utf8).write(to: url, options: .atomic)
        }
    }

    private static func timingLine(_ file: String, _ result: TranscriptionResult) -> String {
        let t = result.timings
        let total = t.melSeconds + t.encodeSeconds + t.decodeSeconds
        return String(format: "%@: %.1f s of audio; mel %.3f s, encoder %.3f s (%d windows), decoder %.3f s (%d tokens, %d fallbacks); RTF %.3f",
                      file, result.durationSeconds, t.melSeconds, t.encodeSeconds, t.windows, t.decodeSeconds,
                      t.decodedTokens, t.fallbacks, result.durationSeconds > 0 ? total / result.durationSeconds : 0)
    }
}
