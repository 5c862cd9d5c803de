import SottoModel
import SottoText

/// What decoding one window at one temperature produced.
public struct WindowDecodingResult: Sendable, Equatable {
    /// Sampled tokens (text and timestamps), end-of-text removed.
    public var tokens: [Int]
    public var text: String
    /// Summed log-probability divided by (token count + 1), as openai reports it.
    public var avgLogprob: Double
    /// Probability of `<|nospeech|>` at the start-of-transcript position.
    public var noSpeechProb: Double
    public var temperature: Double
    public var compressionRatio: Double
}

/// Decodes one 30-second window: the prompt, then tokens until end-of-text (openai's `DecodingTask`).
struct WindowDecoder {
    let model: WhisperModel
    let tokenizer: Tokenizer
    let options: DecodingOptions

    func run(audio: EncoderOutput, prompt: [Int]) -> WindowDecodingResult {
        var decoding = start(audio: audio, prompt: prompt)
        while !decoding.isFinished {
            decoding.accept(model.decode(decoding.nextTokens.map { [$0] }, state: decoding.state))
        }
        return decoding.result(tokenizer: tokenizer)
    }

    /// Runs the prompt and samples the first token; the caller feeds `nextTokens` through the model
    /// (alone or batched with other windows) and hands the logits back until `isFinished`.
    func start(audio: EncoderOutput, prompt: [Int]) -> WindowDecoding {
        let rowCount = options.temperature == 0 ? options.beamSize : options.bestOf
        let state = model.makeDecoderState(audio: audio, batchSize: rowCount)
        let (firstLogits, noSpeechProb) = runPrompt(prompt, rowCount: rowCount, state: state)
        var decoding = WindowDecoding(
            state: state, tokenDecoder: makeTokenDecoder(), filters: makeLogitFilters(), options: options,
            noSpeechProb: noSpeechProb, sampleLength: min(options.sampleLength, model.dims.nTextCtx - prompt.count))
        if !decoding.isFinished { decoding.accept(firstLogits) }
        return decoding
    }

    /// Feeds the prompt in two calls so the logits at `<|startoftranscript|>` give the
    /// no-speech probability; the KV cache makes the split free.
    private func runPrompt(_ prompt: [Int], rowCount: Int, state: DecoderState) -> ([[Float]], Double) {
        let sotIndex = prompt.firstIndex(of: tokenizer.special.sot) ?? 0
        let head = Array(prompt[...sotIndex])
        let tail = Array(prompt[(sotIndex + 1)...])
        let sotLogits = model.decode(Array(repeating: head, count: rowCount), state: state)
        let noSpeechProb = Double(LogProbabilities.softmax(sotLogits[0])[tokenizer.special.noSpeech])
        guard !tail.isEmpty else { return (sotLogits, noSpeechProb) }
        return (model.decode(Array(repeating: tail, count: rowCount), state: state), noSpeechProb)
    }

    private func makeTokenDecoder() -> any TokenDecoder {
        if options.temperature == 0 && options.beamSize > 1 {
            return BeamSearchDecoder(beamSize: options.beamSize, patience: options.patience,
                                     eot: tokenizer.special.eot)
        }
        return GreedyDecoder(temperature: options.temperature, eot: tokenizer.special.eot, seed: options.seed)
    }

    private func makeLogitFilters() -> [any LogitFilter] {
        var filters: [any LogitFilter] = []
        if options.suppressBlank {
            filters.append(SuppressBlank(blankTokens: tokenizer.encode(" ") + [tokenizer.special.eot]))
        }
        filters.append(SuppressTokens(tokens: suppressedTokens()))
        if !options.withoutTimestamps {
            let precision = 0.02
            filters.append(ApplyTimestampRules(
                special: tokenizer.special,
                maxInitialTimestampIndex: Int((options.maxInitialTimestampSeconds / precision).rounded()),
                audioEndIndex: options.audioEndSeconds.map { Int(($0 / precision).rounded(.down)) }))
        }
        return filters
    }

    /// The user's list, Whisper's non-speech symbols, and the special tokens that must never be sampled.
    private func suppressedTokens() -> [Int] {
        let special = tokenizer.special
        var tokens = Set(options.suppressTokens)
        if options.suppressNonSpeech { tokens.formUnion(tokenizer.nonSpeechTokens) }
        tokens.formUnion([special.transcribe, special.translate, special.sot, special.sotPrev,
                          special.sotLm, special.noSpeech])
        return tokens.sorted()
    }
}

/// One window's token loop between model calls: filters and samples each step's logits, and says
/// which tokens the model must run next. `WindowDecoder.run` drives it alone; the server's
/// scheduler drives many at once through `WhisperModel.decodeStep`, so both give the same tokens.
struct WindowDecoding {
    let state: DecoderState
    private var tokenDecoder: any TokenDecoder
    private let filters: [any LogitFilter]
    private let options: DecodingOptions
    private let noSpeechProb: Double
    private let sampleLength: Int
    private var sequences: [[Int]]
    private var sumLogprobs: [Double]
    private var steps = 0
    private(set) var isFinished: Bool

    init(state: DecoderState, tokenDecoder: any TokenDecoder, filters: [any LogitFilter], options: DecodingOptions,
         noSpeechProb: Double, sampleLength: Int) {
        self.state = state
        self.tokenDecoder = tokenDecoder
        self.filters = filters
        self.options = options
        self.noSpeechProb = noSpeechProb
        self.sampleLength = max(sampleLength, 0)
        sequences = Array(repeating: [], count: state.batchSize)
        sumLogprobs = Array(repeating: 0, count: state.batchSize)
        isFinished = self.sampleLength == 0
    }

    /// The token each row feeds the model next (its last sampled one).
    var nextTokens: [Int] { sequences.map { $0.last! } }

    /// Filters and samples one token per row from `logits` (`[rows][nVocab]`, the model's output
    /// for the previous `nextTokens` or the prompt), reordering the cache rows after a beam step.
    mutating func accept(_ logits: [[Float]]) {
        precondition(!isFinished, "accept after the window finished")
        var logits = logits
        for row in logits.indices {
            for filter in filters { filter.apply(&logits[row], sampled: sequences[row]) }
        }
        let logprobs = logits.map(LogProbabilities.logSoftmax)
        let sourceRows = tokenDecoder.update(sequences: &sequences, sumLogprobs: &sumLogprobs,
                                             logits: logits, logprobs: logprobs)
        steps += 1
        if tokenDecoder.isCompleted || steps == sampleLength {
            isFinished = true
            return
        }
        if sourceRows != Array(0..<sequences.count) { state.reorder(sourceRows) }
    }

    func result(tokenizer: Tokenizer) -> WindowDecodingResult {
        let candidates = tokenDecoder.finalize(sequences: sequences, sumLogprobs: sumLogprobs)
        let best = SequenceRanker.best(candidates, lengthPenalty: options.lengthPenalty)
            ?? Candidate(tokens: [], sumLogprob: 0)
        let text = tokenizer.decode(best.tokens)
        return WindowDecodingResult(
            tokens: best.tokens, text: text,
            avgLogprob: best.sumLogprob / Double(best.tokens.count + 1),
            noSpeechProb: noSpeechProb, temperature: options.temperature,
            compressionRatio: CompressionRatio.of(text.trimmingWhitespace()))
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while view.first?.isWhitespace == true { view.removeFirst() }
        while view.last?.isWhitespace == true { view.removeLast() }
        return String(view)
    }
}
