import SottoText

/// The state of one long-form transcription between windows: where the next window starts,
/// the segments so far and the text the next window is conditioned on.
struct LongFormRun {
    var seekFrames = 0
    var segments: [Segment] = []
    private var allTokens: [Int]
    private var promptResetSince = 0

    init(initialPrompt: [Int]) {
        allTokens = initialPrompt
    }

    var contextTokens: [Int] { Array(allTokens[promptResetSince...]) }

    mutating func accept(_ result: WindowDecodingResult, segmentFrames: Int, options: TranscriptionOptions,
                         splitter: SegmentSplitter, tokenizer: Tokenizer) {
        if shouldSkipAsSilence(result, options) {
            seekFrames += segmentFrames
            return
        }
        let windowSeek = seekFrames
        let split = splitter.split(tokens: result.tokens, seekFrames: seekFrames, segmentFrames: segmentFrames)
        seekFrames = split.nextSeekFrames
        for piece in split.pieces {
            let text = tokenizer.decode(piece.tokens)
            if piece.start == piece.end || text.trimmingWhitespace().isEmpty { continue }
            allTokens.append(contentsOf: piece.tokens)
            segments.append(Segment(
                id: segments.count + 1, seekFrames: windowSeek, start: piece.start, end: piece.end,
                text: text, tokens: piece.tokens, temperature: result.temperature,
                avgLogprob: result.avgLogprob, compressionRatio: result.compressionRatio,
                noSpeechProb: result.noSpeechProb))
        }
        if !options.conditionOnPreviousText || result.temperature > options.promptResetOnTemperature {
            promptResetSince = allTokens.count
        }
    }

    /// A window is skipped when it is probably silence and the text is not confident enough to keep.
    private func shouldSkipAsSilence(_ result: WindowDecodingResult, _ options: TranscriptionOptions) -> Bool {
        guard let threshold = options.noSpeechThreshold, result.noSpeechProb > threshold else { return false }
        if let logProbThreshold = options.logProbThreshold, result.avgLogprob > logProbThreshold { return false }
        return true
    }
}
