/// Shell-style patterns over parameter names (`*` any run of characters, `?` one character), as
/// `--keep-float 'decoder.token_embedding.*'` takes them.
public struct GlobPattern: Sendable, Equatable, CustomStringConvertible {
    public let description: String
    private let characters: [Character]

    public init(_ pattern: String) {
        description = pattern
        characters = Array(pattern)
    }

    public func matches(_ name: String) -> Bool {
        let text = Array(name)
        // Iterative matching with one backtrack point for the last `*` seen.
        var (p, t) = (0, 0)
        var star: (p: Int, t: Int)?
        while t < text.count {
            if p < characters.count, characters[p] == "?" || characters[p] == text[t] {
                p += 1
                t += 1
            } else if p < characters.count, characters[p] == "*" {
                star = (p, t)
                p += 1
            } else if let s = star {
                p = s.p + 1
                t = s.t + 1
                star = (s.p, s.t + 1)
            } else {
                return false
            }
        }
        while p < characters.count, characters[p] == "*" { p += 1 }
        return p == characters.count
    }
}
