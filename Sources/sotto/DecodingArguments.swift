import ArgumentParser
import Foundation
import SottoDecoding
import SottoModel
import SottoTensor
import SottoText

/// Model choice and compute threads, shared by every command that runs a model.
struct ModelArguments: ParsableArguments {
    @Option(help: "A model directory, a name (tiny.en, base, small, large-v3, ...) or a hub repository owner/name[@revision].")
    var model = "tiny.en"

    @Option(help: "Compute threads (default: all cores).")
    var threads: Int?

    func loadTranscriber() throws -> Transcriber {
        if let threads {
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
            Compute.setThreads(threads)
        }
        let directory = try ModelLocator.resolve(model) { file in printError("downloading \(file)") }
        return try Transcriber.load(directory: directory)
    }
}

/// The decoding knobs of openai-whisper's CLI, with its defaults.
struct DecodingArguments: ParsableArguments {
    @Option(help: "Spoken language code or name (default: detect on multilingual models).")
    var language: String?

    @Option(help: "transcribe, or translate into English.")
    var task: WhisperTask = .transcribe

    @Option(help: "Beams for beam search at temperature 0 (1 = greedy).")
    var beamSize = 5

    @Option(help: "Candidates sampled at temperatures above 0.")
    var bestOf = 5

    @Option(help: "Beam search patience.")
    var patience = 1.0

    @Option(help: "Length penalty alpha for ranking (default: divide by length).")
    var lengthPenalty: Double?

    @Option(help: "First decoding temperature.")
    var temperature = 0.0

    @Option(help: "Temperature added on each fallback, up to 1.0 (0 disables fallback).")
    var temperatureIncrementOnFallback = 0.2

    @Option(help: "Gzip compression ratio above which a window is decoded again.")
    var compressionRatioThreshold = 2.4

    @Option(help: "Average log-probability below which a window is decoded again.")
    var logprobThreshold = -1.0

    @Option(help: "No-speech probability above which a low-confidence window is skipped as silence.")
    var noSpeechThreshold = 0.6

    @Option(help: "Text to condition the first window on.")
    var initialPrompt: String?

    @Flag(inversion: .prefixedNo, help: "Give each window the previous window's text as context.")
    var conditionOnPreviousText = true

    @Flag(help: "Sample text only, without timestamps (one segment per window).")
    var withoutTimestamps = false

    @Option(help: "Comma-separated token ids to suppress; -1 means Whisper's non-speech symbols.")
    var suppressTokens = "-1"

    func transcriptionOptions() throws -> TranscriptionOptions {
        var options = TranscriptionOptions()
        options.decoding.language = language
        options.decoding.task = task
        options.decoding.beamSize = beamSize
        options.decoding.bestOf = bestOf
        options.decoding.patience = patience
        options.decoding.lengthPenalty = lengthPenalty
        options.decoding.withoutTimestamps = withoutTimestamps
        let ids = try suppressTokens.split(separator: ",").map { part -> Int in
            guard let id = Int(part.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--suppress-tokens: '\(part)' is not a token id")
            }
            return id
        }
        options.decoding.suppressNonSpeech = ids.contains(-1)
        options.decoding.suppressTokens = ids.filter { $0 >= 0 }
        options.temperatures = TranscriptionOptions.fallbackTemperatures(from: temperature, increment: temperatureIncrementOnFallback)
        options.compressionRatioThreshold = compressionRatioThreshold
        options.logProbThreshold = logprobThreshold
        options.noSpeechThreshold = noSpeechThreshold
        options.initialPrompt = initialPrompt
        options.conditionOnPreviousText = conditionOnPreviousText
        return try options.validated()
    }
}

extension WhisperTask: ExpressibleByArgument {}
