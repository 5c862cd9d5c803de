import Foundation
import SottoTensor

/// The teacher's labelling decision for one utterance: its pseudo-label, or why it was dropped.
package enum LabelDecision: Codable, Equatable, Sendable {
    /// `sequence` is `[sot …] + tokens + [eot]`, the first `promptLength` of it the prompt.
    case kept(sequence: [Int], promptLength: Int, text: String)
    /// Unsure or empty transcript (log-probability, compression ratio, silence).
    case unsure
    /// Further than the WER limit from the manifest's text.
    case farFromText
}

/// Pseudo-labels kept on disk across runs (`--labels-cache DIR`): greedy labelling is most of a
/// short run's setup (18 min for 337 utterances on one core), and a learning curve or a resume
/// labels the same audio again. One JSON file per utterance, named by the SHA-256 of everything the
/// decision depends on: the teacher's weights (SHA-256), the audio file's bytes (SHA-256: a copy of the
/// data set elsewhere or with new modification times, as a fresh checkout's shared data has each
/// session, still hits), the manifest's language and text, and the labelling options. A changed
/// input is a different name, so stale entries are never read; they stay until the directory is removed.
package struct LabelCache: Sendable {
    /// Bumped when what a decision means changes (filters, label layout).
    static let formatVersion = 1
    let directory: URL
    /// The teacher and labelling options, the part of every key shared by the run.
    let runKey: String

    package init(directory: URL, teacherSHA256: String, timestamps: Bool, maxLabelWER: Double?) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        runKey = "v\(Self.formatVersion)|teacher \(teacherSHA256)|timestamps \(timestamps)|maxLabelWER \(maxLabelWER.map { "\($0)" } ?? "none")"
            + "|minLogProb \(PseudoLabels.minAverageLogProbability)|maxCompression \(PseudoLabels.maxCompressionRatio)"
            + "|noSpeech \(PseudoLabels.noSpeechThreshold)"
    }

    /// The file name for one utterance (or a crop of its first `crop` samples); nil when the audio
    /// file cannot be described (then it is not cached).
    package func key(audio: URL, language: String, text: String?, crop: Int? = nil) -> String? {
        guard let content = try? SHA256.hex(of: audio) else { return nil }
        let described = "\(runKey)|audio sha256 \(content)"
            + "|language \(language)|text \(text ?? "<none>")" + (crop.map { "|first \($0) samples" } ?? "")
        return SHA256.hex(of: Data(described.utf8))
    }

    package func load(_ key: String) -> LabelDecision? {
        guard let data = try? Data(contentsOf: file(key)) else { return nil }
        return try? JSONDecoder().decode(LabelDecision.self, from: data)
    }

    package func store(_ decision: LabelDecision, key: String) throws {
        try JSONEncoder().encode(decision).write(to: file(key), options: .atomic)
    }

    private func file(_ key: String) -> URL { directory.appendingPathComponent(key + ".json") }
}
