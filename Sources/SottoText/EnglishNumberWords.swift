/// The vocabulary of openai/whisper's EnglishNumberNormalizer, built the way english.py builds it.
/// Quirks are kept on purpose: "nine" + "th" gives "nineth", so "ninth" is not a number word there.
struct EnglishNumberWords: Sendable {
    let zeros: Set<String> = ["o", "oh", "zero"]
    let ones: [String: Int]
    /// Plurals and ordinals of `ones`: "sixes" -> (6, "s"), "third" -> (3, "rd").
    let onesSuffixed: [String: (value: Int, suffix: String)]
    let tens: [String: Int]
    let tensSuffixed: [String: (value: Int, suffix: String)]
    /// Multipliers as powers of ten: "hundred" -> 2, "decillion" -> 33.
    let multipliers: [String: Int]
    let multipliersSuffixed: [String: (exponent: Int, suffix: String)]
    /// Words that may follow "point": digits and tens, including "o"/"oh"/"zero".
    let decimals: Set<String>
    let precedingPrefixers: [String: String] = ["minus": "-", "negative": "-", "plus": "+", "positive": "+"]
    let followingPrefixers: [String: String] = [
        "pound": "£", "pounds": "£", "euro": "€", "euros": "€", "dollar": "$", "dollars": "$",
        "cent": "¢", "cents": "¢",
    ]
    /// First characters that make an arabic number signed or a currency amount.
    let prefixes: Set<Unicode.Scalar> = ["-", "+", "£", "€", "$", "¢"]
    /// "percent" -> "%"; "per" only before "cent".
    let suffixers: Set<String> = ["per", "percent"]
    let specials: Set<String> = ["and", "double", "triple", "point"]
    /// Every word the normalizer treats as part of a number.
    let words: Set<String>

    init() {
        let oneNames = [
            "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
            "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
        ]
        let ones = Dictionary(uniqueKeysWithValues: oneNames.enumerated().map { ($0.element, $0.offset + 1) })
        var onesSuffixed: [String: (value: Int, suffix: String)] = [:]
        for (name, value) in ones { onesSuffixed[name == "six" ? "sixes" : name + "s"] = (value, "s") }
        let irregularOrdinals: [(String, Int, String)] = [
            ("zeroth", 0, "th"), ("first", 1, "st"), ("second", 2, "nd"), ("third", 3, "rd"), ("fifth", 5, "th"),
            ("twelfth", 12, "th"),
        ]
        for (name, value, suffix) in irregularOrdinals { onesSuffixed[name] = (value, suffix) }
        for (name, value) in ones where value > 3 && value != 5 && value != 12 {
            onesSuffixed[name + (name.hasSuffix("t") ? "h" : "th")] = (value, "th")
        }

        let tenNames = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
        let tens = Dictionary(uniqueKeysWithValues: tenNames.enumerated().map { ($0.element, ($0.offset + 2) * 10) })
        var tensSuffixed: [String: (value: Int, suffix: String)] = [:]
        for (name, value) in tens {
            tensSuffixed[name.replacingOccurrences(of: "y", with: "ies")] = (value, "s")
            tensSuffixed[name.replacingOccurrences(of: "y", with: "ieth")] = (value, "th")
        }

        let multiplierNames = [
            "hundred", "thousand", "million", "billion", "trillion", "quadrillion", "quintillion", "sextillion",
            "septillion", "octillion", "nonillion", "decillion",
        ]
        let multipliers = Dictionary(
            uniqueKeysWithValues: multiplierNames.enumerated().map { ($0.element, $0.offset == 0 ? 2 : $0.offset * 3) })
        var multipliersSuffixed: [String: (exponent: Int, suffix: String)] = [:]
        for (name, exponent) in multipliers {
            multipliersSuffixed[name + "s"] = (exponent, "s")
            multipliersSuffixed[name + "th"] = (exponent, "th")
        }

        self.ones = ones
        self.onesSuffixed = onesSuffixed
        self.tens = tens
        self.tensSuffixed = tensSuffixed
        self.multipliers = multipliers
        self.multipliersSuffixed = multipliersSuffixed
        decimals = zeros.union(ones.keys).union(tens.keys)
        var words = decimals.union(onesSuffixed.keys).union(tensSuffixed.keys)
        words.formUnion(multipliers.keys)
        words.formUnion(multipliersSuffixed.keys)
        words.formUnion(precedingPrefixers.keys)
        words.formUnion(followingPrefixers.keys)
        words.formUnion(suffixers)
        words.formUnion(specials)
        self.words = words
    }
}
