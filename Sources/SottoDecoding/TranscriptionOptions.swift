import SottoText

/// Options for transcribing a whole recording, with faster-whisper's defaults.
public struct TranscriptionOptions: Sendable, Codable, Equatable {
    /// Per-window decoding options; its `temperature` is replaced by each fallback temperature.
    public var decoding = DecodingOptions()
    /// Tried in order until a window's output passes the thresholds below.
    public var temperatures: [Double] = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    /// Above this gzip compression ratio the output is treated as a repetition loop.
    public var compressionRatioThreshold: Double? = 2.4
    /// Below this average log-probability the output is retried at a higher temperature.
    public var logProbThreshold: Double? = -1.0
    /// Above this no-speech probability (and below `logProbThreshold`) a window is silence.
    public var noSpeechThreshold: Double? = 0.6
    /// Give the previous window's text to the decoder as context.
    public var conditionOnPreviousText = true
    /// Context is dropped after a window needed a temperature above this.
    public var promptResetOnTemperature = 0.5
    /// Text to condition the first window on (names, spelling, style).
    public var initialPrompt: String?
    /// Time every word (one more decoder pass per window over its text; the model needs
    /// `alignment_heads`). Segment times then follow their words, and the next window starts
    /// after the last word, as in openai/whisper and faster-whisper.
    public var wordTimestamps = false
    /// How words are cut when `wordTimestamps` is on.
    public var wordTiming = WordTimestampOptions()

    public init() {}

    public func validated() throws -> TranscriptionOptions {
        _ = try decoding.validated()
        guard !temperatures.isEmpty, temperatures.allSatisfy({ $0 >= 0 }) else {
            throw DecodingError.invalidOption("temperatures must be a non-empty list of values >= 0")
        }
        return self
    }

    /// openai's `np.arange(start, 1.0 + 1e-6, increment)`: the fallback schedule from one start.
    public static func fallbackTemperatures(from start: Double, increment: Double) -> [Double] {
        guard increment > 0 else { return [start] }
        var values: [Double] = []
        var step = 0
        while start + Double(step) * increment <= 1.0 + 1e-6 {
            values.append(((start + Double(step) * increment) * 1e6).rounded() / 1e6)
            step += 1
        }
        return values.isEmpty ? [start] : values
    }
}
