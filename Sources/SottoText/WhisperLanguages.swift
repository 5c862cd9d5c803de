/// The 100 languages Whisper knows, in openai/whisper's order (tokenizer.py `LANGUAGES`), which is
/// also the order of the language tokens in the vocabulary. v1/v2 models stop before "yue".
public enum WhisperLanguages {
    public struct Language: Sendable, Equatable, Hashable {
        /// ISO-style code as Whisper spells it, e.g. "en", "haw", "jw".
        public let code: String
        /// Lowercase English name, e.g. "english".
        public let name: String

        public init(code: String, name: String) {
            self.code = code
            self.name = name
        }
    }

    public static let all: [Language] = table.map { Language(code: $0.0, name: $0.1) }

    /// The code for a code, a language name or one of openai's aliases ("mandarin", "castilian"),
    /// ignoring case; nil when Whisper does not know the language.
    public static func code(for codeOrName: String) -> String? {
        let key = codeOrName.lowercased()
        if byCode[key] != nil { return key }
        return byName[key] ?? aliases[key]
    }

    /// The English name for a code, e.g. "de" -> "german".
    public static func name(for code: String) -> String? {
        byCode[code.lowercased()]
    }

    private static let byCode: [String: String] = Dictionary(uniqueKeysWithValues: table.map { ($0.0, $0.1) })
    private static let byName: [String: String] = Dictionary(uniqueKeysWithValues: table.map { ($0.1, $0.0) })

    /// openai/whisper `TO_LANGUAGE_CODE` extras.
    private static let aliases: [String: String] = [
        "burmese": "my", "valencian": "ca", "flemish": "nl", "haitian": "ht", "letzeburgesch": "lb",
        "pushto": "ps", "panjabi": "pa", "moldavian": "ro", "moldovan": "ro", "sinhalese": "si",
        "castilian": "es", "mandarin": "zh",
    ]

    private static let table: [(String, String)] = [
        ("en", "english"), ("zh", "chinese"), ("de", "german"), ("es", "spanish"), ("ru", "russian"),
        ("ko", "korean"), ("fr", "french"), ("ja", "japanese"), ("pt", "portuguese"), ("tr", "turkish"),
        ("pl", "polish"), ("ca", "catalan"), ("nl", "dutch"), ("ar", "arabic"), ("sv", "swedish"),
        ("it", "italian"), ("id", "indonesian"), ("hi", "hindi"), ("fi", "finnish"), ("vi", "vietnamese"),
        ("he", "hebrew"), ("uk", "ukrainian"), ("el", "greek"), ("ms", "malay"), ("cs", "czech"),
        ("ro", "romanian"), ("da", "danish"), ("hu", "hungarian"), ("ta", "tamil"), ("no", "norwegian"),
        ("th", "thai"), ("ur", "urdu"), ("hr", "croatian"), ("bg", "bulgarian"), ("lt", "lithuanian"),
        ("la", "latin"), ("mi", "maori"), ("ml", "malayalam"), ("cy", "welsh"), ("sk", "slovak"),
        ("te", "telugu"), ("fa", "persian"), ("lv", "latvian"), ("bn", "bengali"), ("sr", "serbian"),
        ("az", "azerbaijani"), ("sl", "slovenian"), ("kn", "kannada"), ("et", "estonian"), ("mk", "macedonian"),
        ("br", "breton"), ("eu", "basque"), ("is", "icelandic"), ("hy", "armenian"), ("ne", "nepali"),
        ("mn", "mongolian"), ("bs", "bosnian"), ("kk", "kazakh"), ("sq", "albanian"), ("sw", "swahili"),
        ("gl", "galician"), ("mr", "marathi"), ("pa", "punjabi"), ("si", "sinhala"), ("km", "khmer"),
        ("sn", "shona"), ("yo", "yoruba"), ("so", "somali"), ("af", "afrikaans"), ("oc", "occitan"),
        ("ka", "georgian"), ("be", "belarusian"), ("tg", "tajik"), ("sd", "sindhi"), ("gu", "gujarati"),
        ("am", "amharic"), ("yi", "yiddish"), ("lo", "lao"), ("uz", "uzbek"), ("fo", "faroese"),
        ("ht", "haitian creole"), ("ps", "pashto"), ("tk", "turkmen"), ("nn", "nynorsk"), ("mt", "maltese"),
        ("sa", "sanskrit"), ("lb", "luxembourgish"), ("my", "myanmar"), ("bo", "tibetan"), ("tl", "tagalog"),
        ("mg", "malagasy"), ("as", "assamese"), ("tt", "tatar"), ("haw", "hawaiian"), ("ln", "lingala"),
        ("ha", "hausa"), ("ba", "bashkir"), ("jw", "javanese"), ("su", "sundanese"), ("yue", "cantonese"),
    ]
}
