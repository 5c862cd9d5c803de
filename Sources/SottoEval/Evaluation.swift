import Foundation
import SottoAudio
import SottoDecoding
import SottoText

/// One utterance's transcript and its score.
public struct UtteranceScore: Sendable, Codable, Equatable {
    public var id: String
    public var language: String
    public var detectedLanguage: String
    public var reference: String
    public var hypothesis: String
    public var unit: ScoringUnit
    public var counts: ErrorCounts
    public var durationSeconds: Double
    public var processingSeconds: Double
}

/// Error rate of a group of utterances scored in the same unit.
public struct GroupScore: Sendable, Codable, Equatable {
    public var name: String
    public var unit: ScoringUnit
    public var utterances: Int
    public var counts: ErrorCounts

    public init(name: String, unit: ScoringUnit, utterances: Int, counts: ErrorCounts) {
        self.name = name
        self.unit = unit
        self.utterances = utterances
        self.counts = counts
    }
}

public struct EvaluationReport: Sendable, Codable, Equatable {
    public var model: String
    public var utterances: [UtteranceScore]
    public var languages: [GroupScore]
    /// Pooled over word-scored languages (WER) and character-scored ones (CER).
    public var overall: [GroupScore]
    public var audioSeconds: Double
    public var processingSeconds: Double
    public var realTimeFactor: Double { audioSeconds > 0 ? processingSeconds / audioSeconds : 0 }

    init(model: String, utterances: [UtteranceScore]) {
        self.model = model
        self.utterances = utterances
        audioSeconds = utterances.map(\.durationSeconds).reduce(0, +)
        processingSeconds = utterances.map(\.processingSeconds).reduce(0, +)
        let byLanguage = Dictionary(grouping: utterances, by: \.language)
        languages = byLanguage.keys.sorted().map { Self.group($0, byLanguage[$0]!) }
        overall = [ScoringUnit.words, .characters].compactMap { unit in
            let members = utterances.filter { $0.unit == unit }
            return members.isEmpty ? nil : Self.group(unit == .words ? "all (WER)" : "all (CER)", members)
        }
    }

    private static func group(_ name: String, _ members: [UtteranceScore]) -> GroupScore {
        GroupScore(name: name, unit: members[0].unit, utterances: members.count,
                   counts: members.map(\.counts).reduce(ErrorCounts(), +))
    }
}

/// Transcribes every labelled utterance of a manifest and scores it.
public struct EvaluationRun: Sendable {
    public let transcriber: Transcriber
    public let options: TranscriptionOptions
    public let scorer: TranscriptScorer

    public init(transcriber: Transcriber, options: TranscriptionOptions, scorer: TranscriptScorer) {
        self.transcriber = transcriber
        self.options = options
        self.scorer = scorer
    }

    /// `onUtterance` sees each score as it is made (for progress output).
    public func run(manifest: Manifest, modelName: String,
                    onUtterance: (UtteranceScore, Int, Int) -> Void = { _, _, _ in }) throws -> EvaluationReport {
        let labelled = manifest.entries.filter { $0.text != nil }
        var scores: [UtteranceScore] = []
        for (index, entry) in labelled.enumerated() {
            let score = try evaluate(entry, audio: manifest.audioURL(for: entry))
            scores.append(score)
            onUtterance(score, index + 1, labelled.count)
        }
        return EvaluationReport(model: modelName, utterances: scores)
    }

    private func evaluate(_ entry: ManifestEntry, audio: URL) throws -> UtteranceScore {
        let samples = try AudioLoader.load(path: audio.path)
        let start = ContinuousClock.now
        let result = try transcriber.transcribe(samples: samples, options: options)
        let elapsed = start.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let language = entry.language ?? result.language
        let (unit, counts) = scorer.score(reference: entry.text ?? "", hypothesis: result.text, language: language)
        return UtteranceScore(
            id: entry.id, language: language, detectedLanguage: result.language,
            reference: entry.text ?? "", hypothesis: result.text, unit: unit, counts: counts,
            durationSeconds: Double(samples.count) / Double(AudioTiming.sampleRateHz), processingSeconds: seconds)
    }
}
