/// Finds added (special) tokens such as `<|endoftext|>` in raw text, leftmost-longest, before BPE runs,
/// as Hugging Face tokenizers does for added tokens that are not normalized.
struct AddedTokenMatcher: Sendable {
    enum Segment: Equatable {
        case text(Range<Int>)
        case special(Int)
    }

    /// First scalar -> candidate tokens, longest first.
    private let candidates: [Unicode.Scalar: [(scalars: [Unicode.Scalar], id: Int)]]

    init(_ tokens: [String: Int]) {
        var candidates: [Unicode.Scalar: [(scalars: [Unicode.Scalar], id: Int)]] = [:]
        for (content, id) in tokens {
            let scalars = Array(content.unicodeScalars)
            guard let first = scalars.first else { continue }
            candidates[first, default: []].append((scalars, id))
        }
        self.candidates = candidates.mapValues { $0.sorted { $0.scalars.count > $1.scalars.count } }
    }

    func split(_ text: [Unicode.Scalar]) -> [Segment] {
        var segments: [Segment] = []
        var textStart = 0
        var index = 0
        while index < text.count {
            guard let match = longestMatch(in: text, at: index) else {
                index += 1
                continue
            }
            if textStart < index { segments.append(.text(textStart..<index)) }
            segments.append(.special(match.id))
            index += match.length
            textStart = index
        }
        if textStart < text.count { segments.append(.text(textStart..<text.count)) }
        return segments
    }

    private func longestMatch(in text: [Unicode.Scalar], at index: Int) -> (id: Int, length: Int)? {
        guard let options = candidates[text[index]] else { return nil }
        for option in options where index + option.scalars.count <= text.count {
            if text[index..<(index + option.scalars.count)].elementsEqual(option.scalars) {
                return (option.id, option.scalars.count)
            }
        }
        return nil
    }
}
