import Foundation
import SottoText

/// Groups text tokens into words (openai/whisper tokenizer.py `split_to_word_tokens`): at spaces
/// and punctuation for most languages; for languages written without spaces, wherever the tokens
/// so far decode to whole characters.
package struct WordSplitting {
    /// Languages whisper splits at character boundaries instead of spaces.
    package static let languagesWithoutSpaces: Set<String> = ["zh", "ja", "th", "lo", "my", "yue"]
    /// Python's `string.punctuation`.
    static let asciiPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

    let tokenizer: Tokenizer
    let language: String

    package init(tokenizer: Tokenizer, language: String) {
        self.tokenizer = tokenizer
        self.language = language
    }

    /// `tokens` (text tokens, optionally ending with end-of-text) cut into words with their text.
    /// End-of-text becomes a word of its own, which callers use as the end boundary.
    package func split(_ tokens: [Int]) -> [(word: String, tokens: [Int])] {
        Self.languagesWithoutSpaces.contains(language) ? splitOnUnicode(tokens) : splitOnSpaces(tokens)
    }

    /// A piece ends wherever the tokens so far decode without a U+FFFD that the whole text lacks,
    /// so a character split across tokens stays in one piece.
    func splitOnUnicode(_ tokens: [Int]) -> [(word: String, tokens: [Int])] {
        let replacement: Unicode.Scalar = "\u{FFFD}"
        let full = Array(decode(tokens).unicodeScalars)
        var pieces: [(word: String, tokens: [Int])] = []
        var current: [Int] = []
        var offset = 0
        for token in tokens {
            current.append(token)
            let decoded = decode(current)
            let scalars = Array(decoded.unicodeScalars)
            let firstReplacement = scalars.firstIndex(of: replacement).map { $0 + offset }
            if firstReplacement.map({ $0 < full.count && full[$0] == replacement }) ?? true {
                pieces.append((decoded, current))
                current = []
                offset += scalars.count
            }
        }
        return pieces
    }

    /// Pieces that start with a space, are punctuation or special start a new word; the others
    /// continue the previous one.
    func splitOnSpaces(_ tokens: [Int]) -> [(word: String, tokens: [Int])] {
        var words: [(word: String, tokens: [Int])] = []
        for piece in splitOnUnicode(tokens) {
            let special = piece.tokens[0] >= tokenizer.special.eot
            let withSpace = piece.word.hasPrefix(" ")
            // Python's `in string.punctuation` is a substring test, so "" and runs like ".," count.
            let trimmed = piece.word.trimmingWhitespace()
            let punctuation = trimmed.isEmpty || Self.asciiPunctuation.contains(trimmed)
            if special || withSpace || punctuation || words.isEmpty {
                words.append(piece)
            } else {
                words[words.count - 1].word += piece.word
                words[words.count - 1].tokens += piece.tokens
            }
        }
        return words
    }

    /// Text of the tokens, special tokens written as their names (`decode_with_timestamps`); only
    /// end-of-text reaches here, so it is the one name needed.
    private func decode(_ tokens: [Int]) -> String {
        var text = ""
        var run: [Int] = []
        for token in tokens {
            if token < tokenizer.special.eot {
                run.append(token)
            } else {
                text += tokenizer.decode(run) + (token == tokenizer.special.eot ? "<|endoftext|>" : "")
                run = []
            }
        }
        return text + tokenizer.decode(run)
    }
}
