/// What the decoder is asked to produce: text in the spoken language, or an English translation.
public enum WhisperTask: String, Sendable, Codable, CaseIterable {
    case transcribe, translate
}

/// Whisper's special token ids for one vocabulary (English-only and multilingual differ by one).
public struct SpecialTokens: Sendable, Equatable {
    /// `<|endoftext|>`; every id below it is text.
    public let eot: Int
    /// `<|startoftranscript|>`.
    public let sot: Int
    /// `<|translate|>`.
    public let translate: Int
    /// `<|transcribe|>`.
    public let transcribe: Int
    /// `<|startoflm|>`.
    public let sotLm: Int
    /// `<|startofprev|>`, which precedes the prompt of earlier text.
    public let sotPrev: Int
    /// `<|nospeech|>`, called `<|nocaptions|>` in the original vocabularies.
    public let noSpeech: Int
    /// `<|notimestamps|>`.
    public let noTimestamps: Int
    /// The first timestamp token `<|0.00|>`: `noTimestamps + 1`, as faster-whisper derives it,
    /// because tokenizer.json files often omit the 1,501 timestamp tokens.
    public let timestampBegin: Int

    public init(
        eot: Int, sot: Int, translate: Int, transcribe: Int, sotLm: Int, sotPrev: Int,
        noSpeech: Int, noTimestamps: Int
    ) {
        self.eot = eot
        self.sot = sot
        self.translate = translate
        self.transcribe = transcribe
        self.sotLm = sotLm
        self.sotPrev = sotPrev
        self.noSpeech = noSpeech
        self.noTimestamps = noTimestamps
        self.timestampBegin = noTimestamps + 1
    }

    /// Reads the ids from a token lookup; `file` names the tokenizer in the error.
    static func lookUp(in tokenId: (String) -> Int?, file: String) throws -> SpecialTokens {
        func id(_ names: String...) throws -> Int {
            for name in names {
                if let id = tokenId(name) { return id }
            }
            throw TextError.missingSpecialToken(path: file, token: names.joined(separator: " or "))
        }
        return SpecialTokens(
            eot: try id("<|endoftext|>"),
            sot: try id("<|startoftranscript|>"),
            translate: try id("<|translate|>"),
            transcribe: try id("<|transcribe|>"),
            sotLm: try id("<|startoflm|>"),
            sotPrev: try id("<|startofprev|>"),
            noSpeech: try id("<|nospeech|>", "<|nocaptions|>"),
            noTimestamps: try id("<|notimestamps|>"))
    }
}
