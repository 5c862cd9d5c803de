import Foundation
import SottoAudio
import SottoModel
import SottoText

/// How far a transcription has got, for progress bars.
public struct TranscriptionProgress: Sendable {
    public var processedSeconds: Double
    public var totalSeconds: Double
}

/// Long-form transcription: 30-second windows, each advanced to the last timestamp the model
/// produced, with temperature fallback and the previous text as context (openai's `transcribe`).
public final class Transcriber: Sendable {
    public let model: WhisperModel
    public let tokenizer: Tokenizer

    public init(model: WhisperModel, tokenizer: Tokenizer) {
        self.model = model
        self.tokenizer = tokenizer
    }

    /// Loads the weights and the tokenizer of one model directory.
    public static func load(directory: URL) throws -> Transcriber {
        let model = try WhisperModel.load(directory: directory)
        let tokenizer = try Tokenizer(contentsOf: directory.appendingPathComponent("tokenizer.json"),
                                      isMultilingual: model.dims.isMultilingual)
        return Transcriber(model: model, tokenizer: tokenizer)
    }

    public func transcribe(samples: [Float], options: TranscriptionOptions = TranscriptionOptions(),
                           progress: (@Sendable (TranscriptionProgress) -> Void)? = nil) throws -> TranscriptionResult {
        var session = try makeSession(samples: samples, options: options)
        while !session.isFinished {
            session.step()
            progress?(TranscriptionProgress(processedSeconds: session.processedSeconds,
                                            totalSeconds: session.durationSeconds))
        }
        return session.result
    }

    /// A transcription to advance window by window (what `transcribe` does in one call).
    public func makeSession(samples: [Float], options: TranscriptionOptions = TranscriptionOptions()) throws -> TranscriptionSession {
        try TranscriptionSession(transcriber: self, samples: samples, options: options)
    }

    /// Detects the language of the first window when the model is multilingual and none was given.
    public func detectLanguage(samples: [Float]) -> LanguageDetectionResult {
        let features = LogMelSpectrogram(nMels: model.dims.nMels).compute(samples)
        var timings = TranscriptionTimings()
        let frames = min(AudioTiming.framesPerChunk, max(features.nFrames - 1, 0))
        let audio = encodeWindow(features, seekFrames: 0, frames: frames, timings: &timings)
        return LanguageDetector(model: model, tokenizer: tokenizer).detect(audio: audio)
    }

    func resolveLanguage(options: DecodingOptions, features: MelFeatures,
                                 timings: inout TranscriptionTimings) throws -> (language: String, probability: Double) {
        guard tokenizer.isMultilingual else {
            if let language = options.language, WhisperLanguageCode.normalize(language) != "en" {
                throw DecodingError.languageNotSupported(model: "English-only", language: language)
            }
            if options.task == .translate {
                throw DecodingError.languageNotSupported(model: "English-only", language: "translate")
            }
            return ("en", 1)
        }
        if let language = options.language {
            let code = WhisperLanguageCode.normalize(language)
            guard tokenizer.languageToken(for: code) != nil else { throw DecodingError.unknownLanguage(language) }
            return (code, 1)
        }
        let frames = min(AudioTiming.framesPerChunk, max(features.nFrames - 1, 0))
        let audio = encodeWindow(features, seekFrames: 0, frames: frames, timings: &timings)
        let detected = LanguageDetector(model: model, tokenizer: tokenizer).detect(audio: audio)
        return (detected.language, detected.probability)
    }

    /// Mel frames [seek, seek+frames) zero-padded to one 30 s window (or, for a model trained to attend
    /// to its audio alone, to its frames and margin), through the encoder.
    func encodeWindow(_ features: MelFeatures, seekFrames: Int, frames: Int,
                              timings: inout TranscriptionTimings) -> EncoderOutput {
        let audioFrames = model.config.audioFrames(melFrames: frames, nAudioCtx: model.dims.nAudioCtx)
        let mel = features.paddedWindow(startFrame: seekFrames, frames: frames, count: 2 * audioFrames)
        let start = ContinuousClock.now
        let audio = model.encode(mel: mel, audioFrames: audioFrames)
        timings.encodeSeconds += start.duration(to: .now).seconds
        timings.windows += 1
        return audio
    }
}

func isSilence(_ result: WindowDecodingResult, _ options: TranscriptionOptions) -> Bool {
    guard let noSpeech = options.noSpeechThreshold, let logProb = options.logProbThreshold else { return false }
    return result.noSpeechProb > noSpeech && result.avgLogprob < logProb
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
