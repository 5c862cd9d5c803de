/// Whisper's `non_speech_tokens` (openai tokenizer.py, same in faster-whisper): tokens that would let
/// the model write speaker tags or annotations ("♪♪♪", "( SPEAKING FOREIGN LANGUAGE )", "[DAVID]")
/// rather than speech, while keeping ordinary punctuation.
enum NonSpeechTokens {
    static func ids(encode: (String) -> [Int]) -> [Int] {
        var symbols = "\"#()*+/:;<=>@[\\]^_`{|}~「」『』".map(String.init)
        symbols += "<< >> <<< >>> -- --- -( -[ (' (\" (( )) ((( ))) [[ ]] {{ }} ♪♪ ♪♪♪".split(separator: " ").map(String.init)
        // Musical symbols may span several tokens; their shared first token (U+2640..U+267F share the
        // first two UTF-8 bytes) is safe to suppress.
        let miscellaneous = "♩♪♫♬♭♮♯".map(String.init)

        // Hyphens and apostrophes stay allowed between words, but not at the start of one.
        var result: Set<Int> = []
        for start in [" -", " '"] {
            if let first = encode(start).first { result.insert(first) }
        }
        for symbol in symbols + miscellaneous {
            for tokens in [encode(symbol), encode(" " + symbol)] {
                guard let first = tokens.first else { continue }
                if tokens.count == 1 || miscellaneous.contains(symbol) { result.insert(first) }
            }
        }
        return result.sorted()
    }
}
