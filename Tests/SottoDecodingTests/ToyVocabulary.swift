import SottoText

/// A 30-token vocabulary laid out like Whisper's: text 0..<10, specials 10...17, timestamps 18..<30.
enum ToyVocabulary {
    static let size = 30
    static let special = SpecialTokens(
        eot: 10, sot: 11, translate: 12, transcribe: 13, sotLm: 14, sotPrev: 15,
        noSpeech: 16, noTimestamps: 17)
    static func timestamp(_ index: Int) -> Int { special.timestampBegin + index }

    /// Logits that prefer `favourite` by `margin` over everything else at 0.
    static func logits(favouring favourite: Int, margin: Float = 5) -> [Float] {
        var logits = [Float](repeating: 0, count: size)
        logits[favourite] = margin
        return logits
    }
}
