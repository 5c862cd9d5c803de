import SottoModel

/// Temperature fallback over one window (faster-whisper's `generate_with_fallback`), resumable
/// between model calls: decodes at each temperature in turn until the output is neither repetitive
/// nor unlikely. A retry at a new temperature starts in place (its prompt runs alone), so a
/// sequence in the server's batch keeps its place while it falls back.
///
/// `@unchecked Sendable`: it holds a window's `DecoderState` (a class with the KV cache). The one
/// `TranscriptionSession` that owns it is a value that a scheduler moves between threads whole and
/// advances on one thread at a time; nothing else keeps a reference to the state.
struct FallbackDecoding: @unchecked Sendable {
    private let transcriber: Transcriber
    private let audio: EncoderOutput
    private let prompt: [Int]
    private let decoding: DecodingOptions
    private let options: TranscriptionOptions
    private var attempt = 0
    private var all: [WindowDecodingResult] = []
    private var belowCompressionThreshold: [WindowDecodingResult] = []
    private var current: WindowDecoding
    /// The window's result once every needed temperature has run.
    private(set) var outcome: WindowDecodingResult?

    init(transcriber: Transcriber, audio: EncoderOutput, prompt: [Int], decoding: DecodingOptions,
         options: TranscriptionOptions) {
        self.transcriber = transcriber
        self.audio = audio
        self.prompt = prompt
        self.decoding = decoding
        self.options = options
        current = Self.start(attempt: 0, transcriber, audio, prompt, decoding, options)
        settle()
    }

    var isFinished: Bool { outcome != nil }
    /// Temperatures tried after the first.
    var fallbacks: Int { attempt }
    /// The running attempt's cache and the tokens it needs run next.
    var state: DecoderState { current.state }
    var nextTokens: [Int] { current.nextTokens }

    /// Hands the model's logits for `nextTokens` to the running attempt.
    mutating func accept(_ logits: [[Float]]) {
        current.accept(logits)
        settle()
    }

    private static func start(attempt: Int, _ transcriber: Transcriber, _ audio: EncoderOutput, _ prompt: [Int],
                              _ decoding: DecodingOptions, _ options: TranscriptionOptions) -> WindowDecoding {
        var windowOptions = decoding
        windowOptions.temperature = options.temperatures[attempt]
        windowOptions.seed = decoding.seed &+ UInt64(attempt)
        return WindowDecoder(model: transcriber.model, tokenizer: transcriber.tokenizer, options: windowOptions)
            .start(audio: audio, prompt: prompt)
    }

    /// While the running attempt is done: keep its result, or move on to the next temperature.
    private mutating func settle() {
        while outcome == nil && current.isFinished {
            let result = current.result(tokenizer: transcriber.tokenizer)
            all.append(result)
            var needsFallback = false
            if let threshold = options.compressionRatioThreshold {
                if result.compressionRatio > threshold { needsFallback = true } else { belowCompressionThreshold.append(result) }
            }
            if let threshold = options.logProbThreshold, result.avgLogprob < threshold { needsFallback = true }
            if isSilence(result, options) { needsFallback = false }
            if !needsFallback {
                outcome = result
            } else if attempt + 1 < options.temperatures.count {
                attempt += 1
                current = Self.start(attempt: attempt, transcriber, audio, prompt, decoding, options)
            } else {
                // Every temperature failed: keep the most likely output, reported at the last temperature.
                var best = (belowCompressionThreshold.isEmpty ? all : belowCompressionThreshold)
                    .max { $0.avgLogprob < $1.avgLogprob }!
                best.temperature = options.temperatures.last!
                outcome = best
            }
        }
    }
}
