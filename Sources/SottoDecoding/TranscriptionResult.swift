/// One timed piece of a transcript.
public struct Segment: Sendable, Codable, Equatable {
    public var id: Int
    /// Mel frame where the window that produced this segment began.
    public var seekFrames: Int
    public var start: Double
    public var end: Double
    public var text: String
    public var tokens: [Int]
    public var temperature: Double
    public var avgLogprob: Double
    public var compressionRatio: Double
    public var noSpeechProb: Double
    /// The segment's words with their times, when word timestamps were asked for.
    public var words: [WordTiming]?

    public init(id: Int, seekFrames: Int, start: Double, end: Double, text: String, tokens: [Int],
                temperature: Double, avgLogprob: Double, compressionRatio: Double, noSpeechProb: Double,
                words: [WordTiming]? = nil) {
        self.id = id
        self.seekFrames = seekFrames
        self.start = start
        self.end = end
        self.text = text
        self.tokens = tokens
        self.temperature = temperature
        self.avgLogprob = avgLogprob
        self.compressionRatio = compressionRatio
        self.noSpeechProb = noSpeechProb
        self.words = words
    }

    enum CodingKeys: String, CodingKey {
        case id, start, end, text, tokens, temperature, words
        case seekFrames = "seek"
        case avgLogprob = "avg_logprob"
        case compressionRatio = "compression_ratio"
        case noSpeechProb = "no_speech_prob"
    }
}

/// Where the time went, for benchmarks and the CLI's summary.
public struct TranscriptionTimings: Sendable, Codable, Equatable {
    public var melSeconds = 0.0
    public var encodeSeconds = 0.0
    public var decodeSeconds = 0.0
    public var windows = 0
    public var decodedTokens = 0
    public var fallbacks = 0

    public init() {}
}

public struct TranscriptionResult: Sendable, Codable, Equatable {
    public var text: String
    public var language: String
    public var languageProbability: Double
    public var durationSeconds: Double
    public var segments: [Segment]
    public var timings = TranscriptionTimings()

    public init(text: String, language: String, languageProbability: Double, durationSeconds: Double,
                segments: [Segment], timings: TranscriptionTimings = TranscriptionTimings()) {
        self.text = text
        self.language = language
        self.languageProbability = languageProbability
        self.durationSeconds = durationSeconds
        self.segments = segments
        self.timings = timings
    }

    enum CodingKeys: String, CodingKey {
        case text, language, segments, timings
        case languageProbability = "language_probability"
        case durationSeconds = "duration"
    }
}
