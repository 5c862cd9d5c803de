import Foundation

/// Byte-level BPE over one vocabulary: bytes -> ids by merge rank, ids -> bytes.
/// Ids are plain `Int`s; each token's bytes live in one flat array to keep decoding allocation-light.
final class BytePairEncoder: Sendable {
    /// (left id, right id) packed as `left << 32 | right` -> (rank, merged id) packed the same way.
    private let merges: [UInt64: UInt64]
    /// The id of the single-byte token for each byte.
    private let idForByte: [Int]
    /// `tokenBytes[tokenOffsets[id]..<tokenOffsets[id + 1]]` are the bytes of token `id`.
    private let tokenBytes: [UInt8]
    private let tokenOffsets: [Int]
    private let cache = PieceCache()

    init(vocab: [String: Int], merges rules: [(String, String)], path: String) throws {
        var idForByte = [Int](repeating: -1, count: 256)
        for (byte, scalar) in ByteLevel.scalarForByte.enumerated() {
            guard let id = vocab[String(Character(scalar))] else {
                throw TextError.invalidJSON(path: path, reason: "`model.vocab` lacks the byte token for \(byte)")
            }
            idForByte[byte] = id
        }
        self.idForByte = idForByte

        var merges: [UInt64: UInt64] = [:]
        merges.reserveCapacity(rules.count)
        for (rank, (left, right)) in rules.enumerated() {
            guard let leftId = vocab[left], let rightId = vocab[right], let merged = vocab[left + right] else {
                throw TextError.invalidMerge(path: path, rule: "\(left) \(right)")
            }
            let key = UInt64(leftId) << 32 | UInt64(rightId)
            // A repeated rule keeps its first (lowest) rank, as Hugging Face does.
            if merges[key] == nil { merges[key] = UInt64(rank) << 32 | UInt64(merged) }
        }
        self.merges = merges

        let count = (vocab.values.max() ?? -1) + 1
        var spelled = [[UInt8]](repeating: [], count: count)
        for (token, id) in vocab {
            guard let bytes = ByteLevel.bytes(ofToken: token) else {
                throw TextError.invalidJSON(path: path, reason: "vocab token \"\(token)\" is not byte-level text")
            }
            spelled[id] = bytes
        }
        var offsets = [0]
        offsets.reserveCapacity(count + 1)
        for bytes in spelled { offsets.append(offsets[offsets.count - 1] + bytes.count) }
        tokenBytes = spelled.flatMap { $0 }
        tokenOffsets = offsets
    }

    /// The ids of one pre-tokenized piece, given as its UTF-8 bytes.
    func encode(piece: [UInt8]) -> [Int] {
        if let cached = cache.lookUp(piece) { return cached }
        let ids = merge(piece.map { idForByte[Int($0)] })
        cache.store(ids, for: piece)
        return ids
    }

    /// Appends the bytes of `id` (nothing for ids outside the vocabulary).
    func appendBytes(of id: Int, to bytes: inout [UInt8]) {
        guard id >= 0, id + 1 < tokenOffsets.count else { return }
        bytes.append(contentsOf: tokenBytes[tokenOffsets[id]..<tokenOffsets[id + 1]])
    }

    /// Repeatedly merges the lowest-ranked adjacent pair (leftmost first), as Hugging Face's BPE does.
    /// `pairs[i]` caches the merge of `symbols[i]` and `symbols[i + 1]` so each step rehashes two pairs.
    private func merge(_ start: [Int]) -> [Int] {
        var symbols = start
        guard symbols.count > 1 else { return symbols }
        let none = UInt64.max
        func pair(_ index: Int) -> UInt64 {
            merges[UInt64(symbols[index]) << 32 | UInt64(symbols[index + 1])] ?? none
        }
        var pairs = (0..<(symbols.count - 1)).map(pair)
        while true {
            var bestIndex = -1
            var bestEntry = none
            for (index, entry) in pairs.enumerated() where entry < bestEntry {
                bestEntry = entry
                bestIndex = index
            }
            guard bestIndex >= 0 else { break }
            symbols[bestIndex] = Int(bestEntry & 0xFFFF_FFFF)
            symbols.remove(at: bestIndex + 1)
            pairs.remove(at: bestIndex)
            if bestIndex < pairs.count { pairs[bestIndex] = pair(bestIndex) }
            if bestIndex > 0 { pairs[bestIndex - 1] = pair(bestIndex - 1) }
        }
        return symbols
    }
}

/// Memoized piece encodings. Pieces repeat heavily in speech transcripts, so the cache pays for itself.
/// `@unchecked Sendable`: every access to `entries` holds `lock`.
private final class PieceCache: @unchecked Sendable {
    private let lock = NSLock()
    /// Keyed by bytes, not `String`: Swift string equality is canonical equivalence, BPE is not.
    private var entries: [[UInt8]: [Int]] = [:]
    /// Bounds memory on long-running servers; clearing is cheap and rare.
    private let capacity = 50_000

    func lookUp(_ piece: [UInt8]) -> [Int]? {
        lock.lock()
        defer { lock.unlock() }
        return entries[piece]
    }

    func store(_ ids: [Int], for piece: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[piece] = ids
    }
}
