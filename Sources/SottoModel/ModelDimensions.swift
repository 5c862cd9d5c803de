/// Hyperparameters of a Whisper checkpoint (openai/whisper model.py `ModelDimensions`), read from
/// tensor shapes at load time.
public struct ModelDimensions: Sendable, Codable, Equatable {
    public let nMels, nAudioCtx, nAudioState, nAudioHead, nAudioLayer: Int
    public let nVocab, nTextCtx, nTextState, nTextHead, nTextLayer: Int

    public init(
        nMels: Int, nAudioCtx: Int, nAudioState: Int, nAudioHead: Int, nAudioLayer: Int,
        nVocab: Int, nTextCtx: Int, nTextState: Int, nTextHead: Int, nTextLayer: Int
    ) {
        (self.nMels, self.nAudioCtx, self.nAudioState, self.nAudioHead, self.nAudioLayer) =
            (nMels, nAudioCtx, nAudioState, nAudioHead, nAudioLayer)
        (self.nVocab, self.nTextCtx, self.nTextState, self.nTextHead, self.nTextLayer) =
            (nVocab, nTextCtx, nTextState, nTextHead, nTextLayer)
    }

    /// As openai/whisper: English-only vocabularies have 51864 tokens, multilingual ones 51865 or more.
    public var isMultilingual: Bool { nVocab >= 51865 }
    public var numLanguages: Int { nVocab - 51765 - (isMultilingual ? 1 : 0) }

    /// Mel frames in one encoder window (the convolution stem halves time: 3000 -> 1500).
    public var nFrames: Int { nAudioCtx * 2 }
}

/// Decoding hints shipped in a CTranslate2 model's config.json; absent fields are empty.
public struct ModelConfig: Sendable, Codable, Equatable {
    public let suppressIds: [Int]
    public let suppressIdsBegin: [Int]
    public let langIds: [Int]
    public let alignmentHeads: [[Int]]
    /// Set for a model trained to attend to its audio alone (`sotto distill --audio-margin`): each
    /// window's encoder runs on the frames that hold audio plus this many encoder positions (20 ms
    /// each), not on a 30 s window padded with silence. nil: whole windows, as Whisper was trained.
    public var audioContextMargin: Int?

    public init(suppressIds: [Int] = [], suppressIdsBegin: [Int] = [], langIds: [Int] = [], alignmentHeads: [[Int]] = [],
                audioContextMargin: Int? = nil) {
        self.suppressIds = suppressIds
        self.suppressIdsBegin = suppressIdsBegin
        self.langIds = langIds
        self.alignmentHeads = alignmentHeads
        self.audioContextMargin = audioContextMargin
    }

    enum CodingKeys: String, CodingKey {
        case suppressIds = "suppress_ids", suppressIdsBegin = "suppress_ids_begin"
        case langIds = "lang_ids", alignmentHeads = "alignment_heads"
        case audioContextMargin = "audio_context_margin"
    }

    /// Encoder positions for a window whose first `melFrames` mel frames hold audio (two mel frames
    /// per position): every position for a whole-window model.
    public func audioFrames(melFrames: Int, nAudioCtx: Int) -> Int {
        Self.audioFrames(melFrames: melFrames, nAudioCtx: nAudioCtx, margin: audioContextMargin)
    }

    public static func audioFrames(melFrames: Int, nAudioCtx: Int, margin: Int?) -> Int {
        guard let margin else { return nAudioCtx }
        return min(nAudioCtx, max((melFrames + 1) / 2 + margin, 1))
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        suppressIds = try c.decodeIfPresent([Int].self, forKey: .suppressIds) ?? []
        suppressIdsBegin = try c.decodeIfPresent([Int].self, forKey: .suppressIdsBegin) ?? []
        langIds = try c.decodeIfPresent([Int].self, forKey: .langIds) ?? []
        alignmentHeads = try c.decodeIfPresent([[Int]].self, forKey: .alignmentHeads) ?? []
        audioContextMargin = try c.decodeIfPresent(Int.self, forKey: .audioContextMargin)
        if let margin = audioContextMargin, margin < 0 {
            throw DecodingError.dataCorruptedError(forKey: .audioContextMargin, in: c, debugDescription: "must be non-negative, got \(margin)")
        }
    }
}
