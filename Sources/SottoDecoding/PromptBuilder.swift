import SottoText

/// Builds each window's prompt: `<|startofprev|>` + previous text, then the start-of-transcript
/// sequence (faster-whisper's `get_prompt`).
struct PromptBuilder {
    let tokenizer: Tokenizer
    let options: DecodingOptions
    let textContext: Int

    /// Previous text gets at most half the context, as in openai and faster-whisper.
    var maxPreviousTokens: Int { textContext / 2 - 1 }

    func prompt(previousTokens: [Int]) -> [Int] {
        var prompt: [Int] = []
        let context = options.promptTokens + previousTokens
        if !context.isEmpty {
            prompt.append(tokenizer.special.sotPrev)
            prompt.append(contentsOf: context.suffix(maxPreviousTokens))
        }
        prompt.append(contentsOf: tokenizer.sotSequence(language: options.language, task: options.task))
        if options.withoutTimestamps { prompt.append(tokenizer.special.noTimestamps) }
        return prompt
    }

    /// The longest prompt must leave room to sample.
    func check() throws {
        let longest = 1 + maxPreviousTokens + 4
        if longest >= textContext { throw DecodingError.promptTooLong(tokens: longest, limit: textContext) }
    }
}

/// Accepts "en", "EN" or "english" and returns Whisper's code.
enum WhisperLanguageCode {
    static func normalize(_ language: String) -> String {
        let lowered = language.lowercased().trimmingWhitespace()
        return WhisperLanguages.code(for: lowered) ?? lowered
    }
}
