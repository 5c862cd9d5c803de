import Foundation

/// Options of word timing that only change how words are cut and clamped.
public struct WordTimestampOptions: Sendable, Codable, Equatable {
    /// Punctuation that joins the word after it (faster-whisper's `prepend_punctuations`).
    public var prependPunctuations = "\"'“¿([{-"
    /// Punctuation that joins the word before it (faster-whisper's `append_punctuations`).
    public var appendPunctuations = "\"'.。,，!！?？:：”)]}、"

    public init() {}
}

/// Word-list edits that both references apply before words are attached to segments.
package enum PunctuationMerging {
    /// Marks that end a sentence; a word that is one of them, or follows one, may not last more than
    /// twice the median word duration.
    static let sentenceEndMarks = ".。!！?？"

    /// Python's `needle in haystack` for strings: a substring test where "" is always inside.
    static func isInside(_ needle: String, _ haystack: String) -> Bool {
        needle.isEmpty || haystack.contains(needle)
    }

    /// openai/whisper timing.py `merge_punctuations`: a word that is opening punctuation (after a
    /// space) moves into the next word, closing punctuation into the previous word; the emptied
    /// entries stay, with no text and no tokens, so that token counts still line up.
    package static func merge(_ words: inout [AlignedWord], prepended: String, appended: String) {
        guard words.count >= 2 else { return }
        var i = words.count - 2
        var j = words.count - 1
        while i >= 0 {
            let word = words[i].timing.word
            if word.hasPrefix(" ") && isInside(word.trimmingCharacters(in: .whitespacesAndNewlines), prepended) {
                words[j].timing.word = words[i].timing.word + words[j].timing.word
                words[j].tokens = words[i].tokens + words[j].tokens
                words[i].timing.word = ""
                words[i].tokens = []
            } else {
                j = i
            }
            i -= 1
        }
        i = 0
        j = 1
        while j < words.count {
            if !words[i].timing.word.hasSuffix(" ") && isInside(words[j].timing.word, appended) {
                words[i].timing.word += words[j].timing.word
                words[i].tokens += words[j].tokens
                words[j].timing.word = ""
                words[j].tokens = []
            } else {
                i = j
            }
            j += 1
        }
    }

    /// The median of the nonzero word durations, at most 0.7 s (references' `median_duration`);
    /// nil when every word has zero duration (the references then use 0 and skip the clamps).
    package static func medianDuration(_ words: [AlignedWord]) -> Double? {
        let durations = words.map { $0.timing.end - $0.timing.start }.filter { $0 != 0 }.sorted()
        guard !durations.isEmpty else { return nil }
        let middle = durations.count / 2
        let median = durations.count % 2 == 1 ? durations[middle] : (durations[middle - 1] + durations[middle]) / 2
        return min(0.7, median)
    }

    /// A sentence-ending mark keeps its start and loses its end; the word after one keeps its end.
    package static func clampAtSentenceEnds(_ words: inout [AlignedWord], maxDuration: Double) {
        guard words.count > 1 else { return }
        for i in 1..<words.count where words[i].timing.end - words[i].timing.start > maxDuration {
            if isInside(words[i].timing.word, sentenceEndMarks) {
                words[i].timing.end = words[i].timing.start + maxDuration
            } else if isInside(words[i - 1].timing.word, sentenceEndMarks) {
                words[i].timing.start = words[i].timing.end - maxDuration
            }
        }
    }
}
