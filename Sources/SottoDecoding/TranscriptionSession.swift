import SottoAudio
import SottoModel
import SottoText

/// One long-form transcription advanced a 30-second window at a time, so that a server can
/// interleave the windows of several requests on one model. `Transcriber.transcribe` is this
/// session stepped to the end, so both give the same text.
public struct TranscriptionSession: Sendable {
    public let transcriber: Transcriber
    public let durationSeconds: Double
    public let language: String
    public let languageProbability: Double
    private let options: TranscriptionOptions
    private let decoding: DecodingOptions
    private let features: MelFeatures
    private let contentFrames: Int
    private let prompter: PromptBuilder
    private var run: LongFormRun
    private var timings: TranscriptionTimings
    /// The next window through the encoder, waiting for its decode (see `advance`).
    private var encoded: EncoderOutput?

    /// Computes the log-mel spectrogram and resolves the language (one encoder pass when it must
    /// be detected); no window is decoded yet.
    init(transcriber: Transcriber, samples: [Float], options: TranscriptionOptions) throws {
        self.transcriber = transcriber
        self.options = try options.validated()
        var timings = TranscriptionTimings()
        let melStart = ContinuousClock.now
        features = LogMelSpectrogram(nMels: transcriber.model.dims.nMels).compute(samples)
        timings.melSeconds = melStart.duration(to: .now).seconds
        contentFrames = max(features.nFrames - 1, 0)
        durationSeconds = Double(samples.count) / Double(AudioTiming.sampleRateHz)
        let detected = try transcriber.resolveLanguage(options: options.decoding, features: features, timings: &timings)
        language = detected.language
        languageProbability = detected.probability
        var decoding = options.decoding
        decoding.language = detected.language
        self.decoding = decoding
        prompter = PromptBuilder(tokenizer: transcriber.tokenizer, options: decoding,
                                 textContext: transcriber.model.dims.nTextCtx)
        try prompter.check()
        let tokenizer = transcriber.tokenizer
        run = LongFormRun(initialPrompt: options.initialPrompt.map { tokenizer.encode(" " + $0.trimmingWhitespace()) } ?? [])
        self.timings = timings
    }

    public var isFinished: Bool { encoded == nil && run.seekFrames >= contentFrames }

    /// Seconds of audio behind the next window's start.
    public var processedSeconds: Double {
        min(Double(run.seekFrames), Double(contentFrames)) * AudioTiming.secondsPerFrame
    }

    public var segments: [Segment] { run.segments }

    /// Encodes and decodes the next window; returns the segments it added.
    @discardableResult
    public mutating func step() -> ArraySlice<Segment> {
        let before = run.segments.count
        while !isFinished {
            advance()
            if encoded == nil { break }
        }
        return run.segments[before...]
    }

    /// Half a window: the encoder pass when none is pending, else the decode of the pending one
    /// (returning the segments it added). A scheduler interleaving requests at this grain makes
    /// a newcomer wait for the shorter of the two halves, not for a whole window.
    @discardableResult
    public mutating func advance() -> ArraySlice<Segment> {
        guard !isFinished else { return [] }
        let segmentFrames = min(AudioTiming.framesPerChunk, contentFrames - run.seekFrames)
        guard let audio = encoded else {
            encoded = transcriber.encodeWindow(features, seekFrames: run.seekFrames, frames: segmentFrames, timings: &timings)
            return []
        }
        encoded = nil
        let before = run.segments.count
        let prompt = prompter.prompt(previousTokens: run.contextTokens)
        let decodeStart = ContinuousClock.now
        let result = transcriber.decodeWithFallback(audio: audio, prompt: prompt, decoding: decoding,
                                                    options: options, timings: &timings)
        timings.decodeSeconds += decodeStart.duration(to: .now).seconds
        timings.decodedTokens += result.tokens.count + 1
        run.accept(result, segmentFrames: segmentFrames, options: options,
                   splitter: SegmentSplitter(timestampBegin: transcriber.tokenizer.special.timestampBegin),
                   tokenizer: transcriber.tokenizer)
        return run.segments[before...]
    }

    /// The transcript so far (the whole one once `isFinished`).
    public var result: TranscriptionResult {
        TranscriptionResult(
            text: run.segments.map(\.text).joined(), language: language,
            languageProbability: languageProbability, durationSeconds: durationSeconds,
            segments: run.segments, timings: timings)
    }
}
