import SottoModel
import SottoText

/// The spoken language of one window, with the probability of each candidate.
public struct LanguageDetectionResult: Sendable, Equatable {
    public var language: String
    public var probability: Double
    /// Every language's probability, most likely first.
    public var allProbabilities: [LanguageProbability]
}

public struct LanguageProbability: Sendable, Equatable, Codable {
    public var language: String
    public var probability: Double
}

/// openai's `detect_language`: the decoder's distribution right after `<|startoftranscript|>`,
/// restricted to the language tokens.
struct LanguageDetector {
    let model: WhisperModel
    let tokenizer: Tokenizer

    func detect(audio: EncoderOutput) -> LanguageDetectionResult {
        let state = model.makeDecoderState(audio: audio, batchSize: 1)
        let logits = model.decode([[tokenizer.special.sot]], state: state)[0]
        let languages = tokenizer.languages.filter { $0.token < logits.count }
        let probabilities = LogProbabilities.softmax(languages.map { logits[$0.token] })
        let ranked = zip(languages, probabilities)
            .map { LanguageProbability(language: $0.code, probability: Double($1)) }
            .sorted { $0.probability > $1.probability }
        let top = ranked.first ?? LanguageProbability(language: "en", probability: 1)
        return LanguageDetectionResult(language: top.language, probability: top.probability,
                                       allProbabilities: ranked)
    }
}
