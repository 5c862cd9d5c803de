import SottoAudio
import SottoModel
import SottoText

/// What word timing needs of one window beyond its tokens.
struct WindowWordTimer {
    let timestamps: WordTimestamps
    let audio: EncoderOutput
    let sotSequence: [Int]
    let language: String
}

/// The state of one long-form transcription between windows: where the next window starts,
/// the segments so far and the text the next window is conditioned on.
struct LongFormRun {
    var seekFrames = 0
    var segments: [Segment] = []
    private var allTokens: [Int]
    private var promptResetSince = 0
    /// End of the last word timed so far (word timestamps only).
    private var lastSpeechSeconds = 0.0

    init(initialPrompt: [Int]) {
        allTokens = initialPrompt
    }

    var contextTokens: [Int] { Array(allTokens[promptResetSince...]) }

    mutating func accept(_ result: WindowDecodingResult, segmentFrames: Int, options: TranscriptionOptions,
                         splitter: SegmentSplitter, tokenizer: Tokenizer, wordTimer: WindowWordTimer? = nil) {
        if shouldSkipAsSilence(result, options) {
            seekFrames += segmentFrames
            return
        }
        let windowSeek = seekFrames
        var split = splitter.split(tokens: result.tokens, seekFrames: seekFrames, segmentFrames: segmentFrames)
        var words: [[WordTiming]]?
        if let wordTimer {
            words = timeWords(&split, windowSeek: windowSeek, segmentFrames: segmentFrames, wordTimer)
        }
        seekFrames = split.nextSeekFrames
        for (index, piece) in split.pieces.enumerated() {
            let text = tokenizer.decode(piece.tokens)
            if piece.start == piece.end || text.trimmingWhitespace().isEmpty { continue }
            allTokens.append(contentsOf: piece.tokens)
            segments.append(Segment(
                id: segments.count + 1, seekFrames: windowSeek, start: piece.start, end: piece.end,
                text: text, tokens: piece.tokens, temperature: result.temperature,
                avgLogprob: result.avgLogprob, compressionRatio: result.compressionRatio,
                noSpeechProb: result.noSpeechProb, words: words?[index]))
        }
        if !options.conditionOnPreviousText || result.temperature > options.promptResetOnTemperature {
            promptResetSince = allTokens.count
        }
    }

    /// Words of the window's pieces; unless the window ended on a lone timestamp, the next window
    /// starts at the last word's end (openai/whisper and faster-whisper do the same).
    private mutating func timeWords(_ split: inout SegmentSplitter.Split, windowSeek: Int, segmentFrames: Int,
                                    _ timer: WindowWordTimer) -> [[WordTiming]] {
        let outcome = timer.timestamps.apply(pieces: split.pieces, seekFrames: windowSeek, segmentFrames: segmentFrames,
                                             audio: timer.audio, sotSequence: timer.sotSequence, language: timer.language,
                                             lastSpeechSeconds: lastSpeechSeconds)
        split.pieces = outcome.pieces
        // faster-whisper's `get_end`: the last word's end, else the last segment's end.
        let lastEnd = outcome.words.last(where: { !$0.isEmpty })?.last?.end ?? split.pieces.last?.end
        if let lastEnd {
            let timeOffset = Double(windowSeek) * AudioTiming.secondsPerFrame
            if !split.singleTimestampEnding && lastEnd > timeOffset {
                split.nextSeekFrames = Int((lastEnd * Double(AudioTiming.framesPerSecond)).rounded(.toNearestOrEven))
            }
            lastSpeechSeconds = lastEnd
        }
        return outcome.words
    }

    /// A window is skipped when it is probably silence and the text is not confident enough to keep.
    private func shouldSkipAsSilence(_ result: WindowDecodingResult, _ options: TranscriptionOptions) -> Bool {
        guard let threshold = options.noSpeechThreshold, result.noSpeechProb > threshold else { return false }
        if let logProbThreshold = options.logProbThreshold, result.avgLogprob > logProbThreshold { return false }
        return true
    }
}
