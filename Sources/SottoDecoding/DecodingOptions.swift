import SottoText

/// Options for decoding one 30-second window, with openai-whisper's defaults.
public struct DecodingOptions: Sendable, Codable, Equatable {
    /// Transcribe in the spoken language, or translate into English.
    public var task: WhisperTask = .transcribe
    /// Language code ("en", "de", ...); nil means detect it (multilingual models only).
    public var language: String?
    /// 0 picks the most likely token; above 0 samples with that temperature.
    public var temperature: Double = 0
    /// Most tokens to sample in one window (openai: n_text_ctx / 2).
    public var sampleLength: Int = 224
    /// Candidates sampled at temperature > 0; the most likely wins.
    public var bestOf: Int = 5
    /// Beams at temperature 0; 1 means greedy decoding.
    public var beamSize: Int = 5
    /// Beam search stops after `beamSize * patience` finished candidates.
    public var patience: Double = 1
    /// nil ranks candidates by log-probability per token, as openai's default does.
    public var lengthPenalty: Double?
    /// Tokens of previous text given as context after `<|startofprev|>`.
    public var promptTokens: [Int] = []
    /// Suppress a leading blank and end-of-text at the first sampled position.
    public var suppressBlank: Bool = true
    /// Extra token ids never sampled; `suppressNonSpeech` adds Whisper's non-speech symbols.
    public var suppressTokens: [Int] = []
    public var suppressNonSpeech: Bool = true
    /// Sample text only, with `<|notimestamps|>` in the prompt.
    public var withoutTimestamps: Bool = false
    /// The first timestamp may not be later than this (seconds).
    public var maxInitialTimestampSeconds: Double = 1.0
    /// Where the window's audio ends (seconds): no segment opens at or after it. nil: no such rule,
    /// as Whisper decodes. Set per window for models that encode only their audio and a margin
    /// (`ModelConfig.audioContextMargin`), whose encoder holds nothing past the audio to end on.
    public var audioEndSeconds: Double?
    /// Seed for sampling at temperature > 0, so runs repeat.
    public var seed: UInt64 = 0

    public init() {}

    /// Checks the values once, at entry.
    public func validated() throws -> DecodingOptions {
        guard temperature >= 0 else { throw DecodingError.invalidOption("temperature must be >= 0, got \(temperature)") }
        guard beamSize >= 1 else { throw DecodingError.invalidOption("beam size must be >= 1, got \(beamSize)") }
        guard bestOf >= 1 else { throw DecodingError.invalidOption("best-of must be >= 1, got \(bestOf)") }
        guard patience > 0 else { throw DecodingError.invalidOption("patience must be > 0, got \(patience)") }
        guard sampleLength >= 1 else { throw DecodingError.invalidOption("sample length must be >= 1") }
        if let lengthPenalty, !(0...1).contains(lengthPenalty) {
            throw DecodingError.invalidOption("length penalty must be between 0 and 1, got \(lengthPenalty)")
        }
        return self
    }
}

public enum DecodingError: Error, CustomStringConvertible, Equatable {
    case invalidOption(String)
    case unknownLanguage(String)
    case languageNotSupported(model: String, language: String)
    case promptTooLong(tokens: Int, limit: Int)
    /// Word timestamps need the model's alignment heads (config.json `alignment_heads`).
    case noAlignmentHeads(model: String, reason: String)

    public var description: String {
        switch self {
        case .invalidOption(let why): return "invalid option: \(why)"
        case .unknownLanguage(let code): return "unknown language '\(code)'"
        case .languageNotSupported(let model, let language):
            return "the \(model) model is English-only and cannot use language '\(language)' or translate"
        case .promptTooLong(let tokens, let limit):
            return "the prompt has \(tokens) tokens; the model's text context holds \(limit)"
        case .noAlignmentHeads(let model, let reason):
            return "word timestamps need the model's alignment heads, and \(model) \(reason)"
        }
    }
}
