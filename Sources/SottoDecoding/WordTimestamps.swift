import SottoAudio
import SottoModel

/// Words of one window attached to its segments, with the duration clamps faster-whisper's
/// `add_word_timestamps` (after openai/whisper timing.py) applies: long words at sentence ends,
/// the first words after a pause, and segment starts and ends that disagree with their words.
/// Segment times move to their first and last word unless the words look wrong.
package struct WordTimestamps {
    let alignment: WordAlignment
    let options: WordTimestampOptions
    let eot: Int

    package init(alignment: WordAlignment, options: WordTimestampOptions, eot: Int) {
        self.alignment = alignment
        self.options = options
        self.eot = eot
    }

    /// What one window's words did: per piece its words; pieces' start and end adjusted.
    package struct Outcome {
        package var pieces: [SegmentSplitter.Piece]
        package var words: [[WordTiming]]
    }

    /// `pieces` of the window that starts at `seekFrames` and holds `segmentFrames` frames of audio;
    /// `lastSpeechSeconds` (where speech before the window ended) guards the first words after a pause.
    package func apply(pieces: [SegmentSplitter.Piece], seekFrames: Int, segmentFrames: Int, audio: EncoderOutput,
                       sotSequence: [Int], language: String, lastSpeechSeconds: Double) -> Outcome {
        let textTokens = pieces.map { $0.tokens.filter { $0 < eot } }
        var aligned = alignment.align(textTokens: textTokens.flatMap { $0 }, sotSequence: sotSequence, audio: audio,
                                      segmentFrames: segmentFrames, language: language)
        let median = PunctuationMerging.medianDuration(aligned)
        let medianSeconds = median ?? 0
        let maxSeconds = medianSeconds * 2
        if median != nil { PunctuationMerging.clampAtSentenceEnds(&aligned, maxDuration: maxSeconds) }
        PunctuationMerging.merge(&aligned, prepended: options.prependPunctuations, appended: options.appendPunctuations)

        let timeOffset = Double(seekFrames) * AudioTiming.secondsPerFrame
        var outcome = Outcome(pieces: pieces, words: [])
        var lastSpeechSeconds = lastSpeechSeconds
        var wordIndex = 0
        for (p, pieceTokens) in textTokens.enumerated() {
            var words: [WordTiming] = []
            var savedTokens = 0
            while wordIndex < aligned.count && savedTokens < pieceTokens.count {
                let timing = aligned[wordIndex].timing
                if !timing.word.isEmpty {
                    words.append(WordTiming(word: timing.word, start: Self.round2(timeOffset + timing.start),
                                            end: Self.round2(timeOffset + timing.end), probability: timing.probability))
                }
                savedTokens += aligned[wordIndex].tokens.count
                wordIndex += 1
            }
            if !words.isEmpty {
                Self.clampAfterPause(&words, lastSpeechSeconds: lastSpeechSeconds, median: medianSeconds, max: maxSeconds)
                Self.reconcile(&outcome.pieces[p], &words, median: medianSeconds)
                lastSpeechSeconds = outcome.pieces[p].end
            }
            outcome.words.append(words)
        }
        return outcome
    }

    /// The first word after a pause, and the second, may not stretch back into the silence.
    package static func clampAfterPause(_ words: inout [WordTiming], lastSpeechSeconds: Double, median: Double, max maxSeconds: Double) {
        let long = words[0].end - words[0].start > maxSeconds
            || (words.count > 1 && words[1].end - words[0].start > maxSeconds * 2)
        guard words[0].end - lastSpeechSeconds > median * 4 && long else { return }
        if words.count > 1 && words[1].end - words[1].start > maxSeconds {
            let boundary = Swift.max(words[1].end / 2, words[1].end - maxSeconds)
            words[0].end = boundary
            words[1].start = boundary
        }
        words[0].start = Swift.max(0, words[0].end - maxSeconds)
    }

    /// A segment takes its first word's start and last word's end, unless that word runs more than
    /// half a second past the segment's own timestamp; then the word is cut to the segment instead.
    package static func reconcile(_ piece: inout SegmentSplitter.Piece, _ words: inout [WordTiming], median: Double) {
        if piece.start < words[0].end && piece.start - 0.5 > words[0].start {
            words[0].start = Swift.max(0, Swift.min(words[0].end - median, piece.start))
        } else {
            piece.start = words[0].start
        }
        let last = words.count - 1
        if piece.end > words[last].start && piece.end + 0.5 < words[last].end {
            words[last].end = Swift.max(words[last].start + median, piece.end)
        } else {
            piece.end = words[last].end
        }
    }

    /// Python's `round(x, 2)` for the sums of 20 ms steps and 10 ms offsets rounded here.
    package static func round2(_ seconds: Double) -> Double { (seconds * 100).rounded(.toNearestOrEven) / 100 }
}
