/// Word and character error counts by Levenshtein alignment.
public struct ErrorCounts: Sendable, Codable, Equatable {
    public var substitutions: Int
    public var deletions: Int
    public var insertions: Int
    /// Words (or characters) in the reference: the denominator of the rate.
    public var referenceLength: Int

    public init(substitutions: Int = 0, deletions: Int = 0, insertions: Int = 0, referenceLength: Int = 0) {
        self.substitutions = substitutions
        self.deletions = deletions
        self.insertions = insertions
        self.referenceLength = referenceLength
    }

    public var errors: Int { substitutions + deletions + insertions }

    /// errors / referenceLength. An empty reference counts as length 1, so the rate stays finite
    /// (and encodable) while any hypothesis text still counts against it.
    public var rate: Double { Double(errors) / Double(max(referenceLength, 1)) }

    /// Corpus-level counts are sums of utterance counts (WER is not an average of rates).
    public static func + (lhs: ErrorCounts, rhs: ErrorCounts) -> ErrorCounts {
        ErrorCounts(
            substitutions: lhs.substitutions + rhs.substitutions, deletions: lhs.deletions + rhs.deletions,
            insertions: lhs.insertions + rhs.insertions, referenceLength: lhs.referenceLength + rhs.referenceLength)
    }

    public static func += (lhs: inout ErrorCounts, rhs: ErrorCounts) {
        lhs = lhs + rhs
    }
}

public enum ErrorRate {
    /// Word errors; words are separated by whitespace. Normalize both texts first for Whisper's WER.
    public static func words(reference: String, hypothesis: String) -> ErrorCounts {
        align(
            reference.split(whereSeparator: \.isWhitespace).map(String.init),
            hypothesis.split(whereSeparator: \.isWhitespace).map(String.init))
    }

    /// Character errors over grapheme clusters, with whitespace removed from both texts.
    public static func characters(reference: String, hypothesis: String) -> ErrorCounts {
        align(reference.filter { !$0.isWhitespace }.map { $0 }, hypothesis.filter { !$0.isWhitespace }.map { $0 })
    }

    /// Minimum-edit alignment, one row at a time (O(n*m) time, O(m) memory). Among alignments with the
    /// fewest errors, prefers substitutions, then deletions, then insertions, so counts are deterministic.
    static func align<T: Equatable>(_ reference: [T], _ hypothesis: [T]) -> ErrorCounts {
        // previous[j]: counts aligning reference[..<i] with hypothesis[..<j]
        var previous = (0...hypothesis.count).map { ErrorCounts(insertions: $0) }
        var current = previous
        for (i, word) in reference.enumerated() {
            current[0] = ErrorCounts(deletions: i + 1)
            for (offset, candidate) in hypothesis.enumerated() {
                let j = offset + 1
                var best = previous[j - 1]
                if candidate != word { best.substitutions += 1 }
                if previous[j].errors + 1 < best.errors {
                    best = previous[j]
                    best.deletions += 1
                }
                if current[j - 1].errors + 1 < best.errors {
                    best = current[j - 1]
                    best.insertions += 1
                }
                current[j] = best
            }
            swap(&previous, &current)
        }
        var result = previous[hypothesis.count]
        result.referenceLength = reference.count
        return result
    }
}
