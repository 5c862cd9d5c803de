import Foundation

/// Whisper's tokenizer: byte-level BPE from a Hugging Face tokenizer.json plus Whisper's special
/// tokens, language tokens and `non_speech_tokens`, matching faster-whisper's `Tokenizer`.
public final class Tokenizer: Sendable {
    public let isMultilingual: Bool
    public let special: SpecialTokens
    /// Language codes in Whisper's order with their token ids (empty for English-only models).
    public let languages: [(code: String, token: Int)]
    /// Whisper's `non_speech_tokens` (for suppress_tokens = -1), same ids as faster-whisper's.
    public let nonSpeechTokens: [Int]

    private let bpe: BytePairEncoder
    private let addedTokens: AddedTokenMatcher
    private let tokenForCode: [String: Int]
    private let codeForToken: [Int: String]

    /// Reads a Hugging Face tokenizer.json (byte-level BPE). Throws `TextError` naming the file.
    public init(contentsOf url: URL, isMultilingual: Bool) throws {
        let file = try TokenizerFile.read(url)
        self.isMultilingual = isMultilingual
        bpe = try BytePairEncoder(vocab: file.vocab, merges: file.merges, path: url.path)
        addedTokens = AddedTokenMatcher(file.addedTokens)
        special = try SpecialTokens.lookUp(in: { file.addedTokens[$0] ?? file.vocab[$0] }, file: url.path)

        // English-only vocabularies still carry language tokens, but the model was never trained on them.
        let languages: [(code: String, token: Int)] = isMultilingual
            ? WhisperLanguages.all.compactMap { language in
                file.addedTokens["<|\(language.code)|>"].map { (code: language.code, token: $0) }
            }
            : []
        self.languages = languages
        tokenForCode = Dictionary(uniqueKeysWithValues: languages.map { ($0.code, $0.token) })
        codeForToken = Dictionary(uniqueKeysWithValues: languages.map { ($0.token, $0.code) })
        let (bpe, addedTokens) = (bpe, addedTokens)
        nonSpeechTokens = NonSpeechTokens.ids { Self.encode($0, bpe: bpe, addedTokens: addedTokens) }
    }

    /// The token of a language given by code or name ("de", "german"); nil when the model lacks it.
    public func languageToken(for code: String) -> Int? {
        WhisperLanguages.code(for: code).flatMap { tokenForCode[$0] }
    }

    public func languageCode(for token: Int) -> String? {
        codeForToken[token]
    }

    /// Token ids of `text`, with no special tokens added. Special-token text such as `<|en|>` in the
    /// input becomes that token, as Hugging Face tokenizers does.
    public func encode(_ text: String) -> [Int] {
        Self.encode(text, bpe: bpe, addedTokens: addedTokens)
    }

    /// Text of the tokens below `eot` (timestamps and specials skipped), bytes joined then UTF-8
    /// decoded; invalid sequences become U+FFFD, as Hugging Face does.
    public func decode(_ tokens: [Int]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(tokens.count * 4)
        for token in tokens where token < special.eot {
            bpe.appendBytes(of: token, to: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `[sot, language?, task?]` as openai/faster-whisper build it (English-only: just `[sot]`).
    /// A language the model does not know is left out; callers validate it with `languageToken(for:)`.
    public func sotSequence(language: String?, task: WhisperTask) -> [Int] {
        guard isMultilingual else { return [special.sot] }
        var sequence = [special.sot]
        if let language, let token = languageToken(for: language) { sequence.append(token) }
        sequence.append(task == .transcribe ? special.transcribe : special.translate)
        return sequence
    }

    /// Special tokens first, then GPT-2 pre-tokenization of the text between them, then BPE per piece.
    /// Static so `init` can use it before every stored property is set.
    private static func encode(_ text: String, bpe: BytePairEncoder, addedTokens: AddedTokenMatcher) -> [Int] {
        let scalars = Array(text.unicodeScalars)
        var ids: [Int] = []
        for segment in addedTokens.split(scalars) {
            switch segment {
            case .special(let id):
                ids.append(id)
            case .text(let range):
                let slice = scalars[range]
                for piece in PreTokenizer.pieces(slice) {
                    var bytes: [UInt8] = []
                    for scalar in slice[piece] { bytes.append(contentsOf: UTF8.encode(scalar)!) }
                    ids.append(contentsOf: bpe.encode(piece: bytes))
                }
            }
        }
        return ids
    }
}
