import SottoModel

/// Where each parameter lives in the one flat buffer that holds all of them (llm.c's
/// `ParameterTensors` over one allocation): the same order and names as the checkpoint name table,
/// so gradients, AdamW moments and checkpoints share one layout and the optimizer is one loop.
package struct ParameterLayout: Sendable {
    package struct Entry: Sendable {
        package let key: String
        package let shape: [Int]
        package let offset: Int
        package var count: Int { shape.reduce(1, *) }
        package var range: Range<Int> { offset..<offset + count }
    }

    package let dims: ModelDimensions
    package let entries: [Entry]
    package let totalCount: Int
    private let index: [String: Int]

    package init(dims: ModelDimensions) {
        self.dims = dims
        var offset = 0
        var entries: [Entry] = []
        for name in CheckpointNames.parameters(dims) {
            entries.append(Entry(key: name.key, shape: name.shape, offset: offset))
            offset += name.shape.reduce(1, *)
        }
        self.entries = entries
        totalCount = offset
        index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.key, $0) })
    }

    package subscript(key: String) -> Entry {
        guard let i = index[key] else { preconditionFailure("no parameter \(key) in the layout") }
        return entries[i]
    }

    package func offset(_ key: String) -> Int { self[key].offset }
}

/// Parameter groups that can be frozen (no gradient computed, no update).
package struct ParameterGroups: OptionSet, Sendable, Codable, Hashable {
    package let rawValue: Int
    package init(rawValue: Int) { self.rawValue = rawValue }

    /// Everything under `encoder.` (the stem, its blocks, `ln_post`).
    package static let encoder = ParameterGroups(rawValue: 1 << 0)
    /// The decoder's token and position embeddings (the token embedding is also the output layer).
    package static let embeddings = ParameterGroups(rawValue: 1 << 1)
    /// The decoder's cross-attention key/value projections of the audio.
    package static let crossAttentionKeysValues = ParameterGroups(rawValue: 1 << 2)
    /// Everything under `decoder.` (the two groups above included): frozen in an encoder-only stage,
    /// where AdamW's decoupled weight decay would otherwise shrink the unused decoder.
    package static let decoder = ParameterGroups(rawValue: 1 << 3)

    /// The group a parameter belongs to (empty: the decoder's blocks and final norm).
    package static func of(_ key: String) -> ParameterGroups {
        if key.hasPrefix("encoder.") { return .encoder }
        if key.hasPrefix("decoder.token_embedding") || key.hasPrefix("decoder.positional_embedding") { return .embeddings }
        if key.contains(".cross_attn.kv.") { return .crossAttentionKeysValues }
        return []
    }

    /// Whether a parameter trains when `self` is frozen. The encoder's sinusoidal positions never
    /// train (a fixed buffer in openai/whisper).
    package func trains(_ key: String) -> Bool {
        key != "encoder.positional_embedding" && isDisjoint(with: Self.of(key)) && !(contains(.decoder) && key.hasPrefix("decoder."))
    }
}
