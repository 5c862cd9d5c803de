import SottoText

/// A rule that masks logits before a token is chosen (openai's `LogitFilter`).
package protocol LogitFilter: Sendable {
    /// `sampled` is this row's tokens after the prompt.
    func apply(_ logits: inout [Float], sampled: [Int])
}

/// At the first sampled position, forbid a leading blank and an empty transcript.
package struct SuppressBlank: LogitFilter {
    let blankTokens: [Int]

    package init(blankTokens: [Int]) { self.blankTokens = blankTokens }

    package func apply(_ logits: inout [Float], sampled: [Int]) {
        guard sampled.isEmpty else { return }
        for token in blankTokens where token < logits.count { logits[token] = -.infinity }
    }
}

/// Tokens that are never sampled.
package struct SuppressTokens: LogitFilter {
    let tokens: [Int]

    package init(tokens: [Int]) { self.tokens = tokens }

    package func apply(_ logits: inout [Float], sampled: [Int]) {
        for token in tokens where token < logits.count { logits[token] = -.infinity }
    }
}

/// Whisper's timestamp grammar: timestamps come in pairs, never decrease, the window starts with one,
/// and a timestamp is forced when all timestamps together outweigh the best text token.
package struct ApplyTimestampRules: LogitFilter {
    let special: SpecialTokens
    /// Last timestamp index allowed at the first position (nil: no limit).
    let maxInitialTimestampIndex: Int?
    /// The timestamp index where the window's audio ends: after a segment closes, the next one must
    /// open before it, or the window ends (nil: no limit; see `DecodingOptions.audioEndSeconds`).
    let audioEndIndex: Int?

    package init(special: SpecialTokens, maxInitialTimestampIndex: Int?, audioEndIndex: Int? = nil) {
        self.special = special
        self.maxInitialTimestampIndex = maxInitialTimestampIndex
        self.audioEndIndex = audioEndIndex
    }

    package func apply(_ logits: inout [Float], sampled: [Int]) {
        let timestampBegin = special.timestampBegin
        logits[special.noTimestamps] = -.infinity
        let lastWasTimestamp = (sampled.last ?? -1) >= timestampBegin
        let penultimateWasTimestamp = sampled.count < 2 || sampled[sampled.count - 2] >= timestampBegin
        if lastWasTimestamp {
            if penultimateWasTimestamp {
                mask(&logits, timestampBegin..<logits.count)
            } else {
                mask(&logits, 0..<special.eot)
                if let audioEndIndex { mask(&logits, min(timestampBegin + audioEndIndex, logits.count)..<logits.count) }
            }
        }
        if let lastTimestamp = sampled.last(where: { $0 >= timestampBegin }) {
            // Forbid going back in time; a new segment must also have a nonzero length.
            let lowestAllowed = lastWasTimestamp && !penultimateWasTimestamp ? lastTimestamp : lastTimestamp + 1
            mask(&logits, timestampBegin..<min(lowestAllowed, logits.count))
        }
        if sampled.isEmpty {
            mask(&logits, 0..<timestampBegin)
            if let maxInitialTimestampIndex {
                mask(&logits, min(timestampBegin + maxInitialTimestampIndex + 1, logits.count)..<logits.count)
            }
        }
        forceTimestampWhenLikelier(&logits)
    }

    /// Whisper compares the log-probability mass of all timestamps with the likeliest text token; both
    /// sides share the softmax's normalizer, so logits compare the same without a log-softmax over
    /// the whole vocabulary (once per step, 51,865 exponentials).
    private func forceTimestampWhenLikelier(_ logits: inout [Float]) {
        let timestampBegin = special.timestampBegin
        let timestampLogit = LogProbabilities.logSumExp(logits[timestampBegin...])
        let maxTextLogit = logits[..<timestampBegin].max() ?? -.infinity
        if timestampLogit > maxTextLogit {
            mask(&logits, 0..<timestampBegin)
        }
    }

    private func mask(_ logits: inout [Float], _ range: Range<Int>) {
        guard !range.isEmpty else { return }
        for i in range { logits[i] = -.infinity }
    }
}
