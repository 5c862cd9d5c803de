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
    /// The decode of `encoded` under way, when it is stepped a token at a time (`SessionBatch`).
    var window: FallbackDecoding?
    /// Times each window's words after its decode (`wordTimestamps` only).
    private let wordTimestamps: WordTimestamps?

    /// Computes the log-mel spectrogram and resolves the language (one encoder pass when it must
    /// be detected); no window is decoded yet.
    init(transcriber: Transcriber, samples: [Float], options: TranscriptionOptions) throws {
        try self.init(transcriber: transcriber, audio: transcriber.prepare(samples: samples), options: options)
    }

    /// Resolves the language of audio whose log-mel is already computed; no window is decoded yet.
    init(transcriber: Transcriber, audio: PreparedAudio, options: TranscriptionOptions) throws {
        guard audio.features.nMels == transcriber.model.dims.nMels else {
            throw DecodingError.invalidOption(
                "audio prepared with \(audio.features.nMels) mel bands for a model that reads \(transcriber.model.dims.nMels)")
        }
        self.transcriber = transcriber
        self.options = try options.validated()
        var timings = TranscriptionTimings()
        timings.melSeconds = audio.melSeconds
        features = audio.features
        contentFrames = max(features.nFrames - 1, 0)
        durationSeconds = audio.durationSeconds
        let detected = try transcriber.resolveLanguage(options: options.decoding, features: features, timings: &timings)
        language = detected.language
        languageProbability = detected.probability
        var decoding = options.decoding
        decoding.language = detected.language
        self.decoding = decoding
        prompter = PromptBuilder(tokenizer: transcriber.tokenizer, options: decoding,
                                 textContext: transcriber.model.dims.nTextCtx)
        try prompter.check()
        wordTimestamps = options.wordTimestamps ? try Self.makeWordTimestamps(transcriber, options.wordTiming) : nil
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
        guard encoded != nil else {
            encodeNextWindow()
            return []
        }
        let decodeStart = ContinuousClock.now
        beginWindowDecode()
        while let window, !window.isFinished {
            self.window!.accept(transcriber.model.decode(window.nextTokens.map { [$0] }, state: window.state))
        }
        timings.decodeSeconds += decodeStart.duration(to: .now).seconds
        return finishWindowDecode()
    }

    /// Decoder rows each decoding step of this session runs: its window's rows (beam size, or
    /// best-of while sampling) or, before the window starts, those of the first temperature.
    public var decodingRows: Int {
        if let window { return window.state.batchSize }
        return options.temperatures[0] == 0 ? decoding.beamSize : decoding.bestOf
    }

    /// True when the next window is encoded and its turns are decoding steps (`SessionBatch`
    /// steps every such session at once); false when its next turn is an encoder pass.
    public var isDecodingWindow: Bool { encoded != nil }

    /// Audio frames in the window at the current seek (30 s, or what is left).
    private var segmentFrames: Int { min(AudioTiming.framesPerChunk, contentFrames - run.seekFrames) }

    /// The encoder pass of the next window (the first half of `advance`).
    public mutating func encodeNextWindow() {
        precondition(!isFinished && encoded == nil, "encodeNextWindow: a window is already encoded or the session ended")
        encoded = transcriber.encodeWindow(features, seekFrames: run.seekFrames, frames: segmentFrames, timings: &timings)
    }

    /// Runs the prompt of the encoded window (once) and samples its first token.
    mutating func beginWindowDecode() {
        guard window == nil, let audio = encoded else { return }
        var windowDecoding = decoding
        if transcriber.model.config.audioContextMargin != nil {
            windowDecoding.audioEndSeconds = Double(segmentFrames) * AudioTiming.secondsPerFrame
        }
        window = FallbackDecoding(transcriber: transcriber, audio: audio, prompt: prompter.prompt(previousTokens: run.contextTokens),
                                  decoding: windowDecoding, options: options)
    }

    mutating func addDecodeSeconds(_ seconds: Double) { timings.decodeSeconds += seconds }

    /// Takes the finished window's result into the transcript; returns the segments it added.
    mutating func finishWindowDecode() -> ArraySlice<Segment> {
        guard let window, let result = window.outcome else { preconditionFailure("finishWindowDecode before the window finished") }
        let audio = encoded
        self.window = nil
        encoded = nil
        timings.fallbacks += window.fallbacks
        timings.decodedTokens += result.tokens.count + 1
        let before = run.segments.count
        var wordTimer: WindowWordTimer?
        if let wordTimestamps, let audio {
            let sotSequence = transcriber.tokenizer.sotSequence(language: decoding.language, task: decoding.task)
            wordTimer = WindowWordTimer(timestamps: wordTimestamps, audio: audio, sotSequence: sotSequence, language: language)
        }
        // Word timing is one more decoder pass per window: it counts as decoding time.
        let acceptStart = ContinuousClock.now
        run.accept(result, segmentFrames: segmentFrames, options: options,
                   splitter: SegmentSplitter(timestampBegin: transcriber.tokenizer.special.timestampBegin),
                   tokenizer: transcriber.tokenizer, wordTimer: wordTimer)
        if wordTimer != nil { timings.decodeSeconds += acceptStart.duration(to: .now).seconds }
        return run.segments[before...]
    }

    /// Word timing for `transcriber`'s model; a model without usable alignment heads is refused
    /// here, before any window runs.
    private static func makeWordTimestamps(_ transcriber: Transcriber, _ options: WordTimestampOptions) throws -> WordTimestamps {
        let model = transcriber.model
        let name = model.directory.lastPathComponent
        guard !model.config.alignmentHeads.isEmpty else {
            throw DecodingError.noAlignmentHeads(model: name, reason: "lists none (config.json has no alignment_heads)")
        }
        let heads = model.alignmentHeads
        guard heads.count == model.config.alignmentHeads.count,
              heads.allSatisfy({ (0..<model.dims.nTextLayer).contains($0.layer) && (0..<model.dims.nTextHead).contains($0.head) }) else {
            throw DecodingError.noAlignmentHeads(
                model: name, reason: "lists \(model.config.alignmentHeads) outside its \(model.dims.nTextLayer) layers x \(model.dims.nTextHead) heads")
        }
        let alignment = WordAlignment(model: model, tokenizer: transcriber.tokenizer, heads: heads)
        return WordTimestamps(alignment: alignment, options: options, eot: transcriber.tokenizer.special.eot)
    }

    /// The transcript so far (the whole one once `isFinished`).
    public var result: TranscriptionResult {
        TranscriptionResult(
            text: run.segments.map(\.text).joined(), language: language,
            languageProbability: languageProbability, durationSeconds: durationSeconds,
            segments: run.segments, timings: timings)
    }
}
