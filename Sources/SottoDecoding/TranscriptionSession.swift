import SottoAudio
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

    public var isFinished: Bool { run.seekFrames >= contentFrames }

    /// Seconds of audio behind the next window's start.
    public var processedSeconds: Double {
        min(Double(run.seekFrames), Double(contentFrames)) * AudioTiming.secondsPerFrame
    }

    public var segments: [Segment] { run.segments }

    /// Encodes and decodes the next window; returns the segments it added.
    @discardableResult
    public mutating func step() -> ArraySlice<Segment> {
        guard !isFinished else { return [] }
        let before = run.segments.count
        let segmentFrames = min(AudioTiming.framesPerChunk, contentFrames - run.seekFrames)
        let audio = transcriber.encodeWindow(features, seekFrames: run.seekFrames, frames: segmentFrames, timings: &timings)
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
