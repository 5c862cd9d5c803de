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
    /// The manifest the utterance came from (its directory's name), when several were scored.
    public var set: String? = nil
}

/// Error rate of a group of utterances scored in the same unit.
public struct GroupScore: Sendable, Codable, Equatable {
    public var name: String
    public var unit: ScoringUnit
    public var utterances: Int
    public var counts: ErrorCounts
    /// 95% bootstrap interval over the group's utterances (absent in reports of older versions).
    public var interval: RateInterval?

    public init(name: String, unit: ScoringUnit, utterances: Int, counts: ErrorCounts, interval: RateInterval? = nil) {
        self.name = name
        self.unit = unit
        self.utterances = utterances
        self.counts = counts
        self.interval = interval
    }

    /// The group of `members` (all scored in one unit), with its bootstrap interval.
    public init(name: String, members: [UtteranceScore]) {
        self.init(name: name, unit: members[0].unit, utterances: members.count,
                  counts: members.map(\.counts).reduce(ErrorCounts(), +),
                  interval: Bootstrap.interval(members.map(\.counts)))
    }
}

public struct EvaluationReport: Sendable, Codable, Equatable {
    public var model: String
    public var utterances: [UtteranceScore]
    public var languages: [GroupScore]
    /// Per manifest and unit, when several manifests were scored (empty otherwise).
    public var sets: [GroupScore]
    /// Pooled over word-scored languages (WER) and character-scored ones (CER).
    public var overall: [GroupScore]
    public var audioSeconds: Double
    public var processingSeconds: Double
    public var realTimeFactor: Double { audioSeconds > 0 ? processingSeconds / audioSeconds : 0 }

    public init(model: String, utterances: [UtteranceScore]) {
        self.model = model
        self.utterances = utterances
        audioSeconds = utterances.map(\.durationSeconds).reduce(0, +)
        processingSeconds = utterances.map(\.processingSeconds).reduce(0, +)
        let byLanguage = Dictionary(grouping: utterances, by: \.language)
        languages = byLanguage.keys.sorted().map { GroupScore(name: $0, members: byLanguage[$0]!) }
        overall = Self.byUnit(utterances) { $0 == .words ? "all (WER)" : "all (CER)" }
        let setNames = utterances.compactMap(\.set).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        sets = setNames.count < 2 ? [] : setNames.flatMap { set in
            Self.byUnit(utterances.filter { $0.set == set }) { "\(set) (\($0 == .words ? "WER" : "CER"))" }
        }
    }

    private static func byUnit(_ utterances: [UtteranceScore], name: (ScoringUnit) -> String) -> [GroupScore] {
        [ScoringUnit.words, .characters].compactMap { unit in
            let members = utterances.filter { $0.unit == unit }
            return members.isEmpty ? nil : GroupScore(name: name(unit), members: members)
        }
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
        try run(manifests: [manifest], modelName: modelName, onUtterance: onUtterance)
    }

    /// Scores several manifests in one report: each utterance is tagged with its manifest's name, and
    /// the report has a group per manifest besides the pooled figures.
    public func run(manifests: [Manifest], modelName: String,
                    onUtterance: (UtteranceScore, Int, Int) -> Void = { _, _, _ in }) throws -> EvaluationReport {
        let labelled = manifests.flatMap { manifest in manifest.entries.filter { $0.text != nil }.map { (manifest, $0) } }
        var scores: [UtteranceScore] = []
        for (index, (manifest, entry)) in labelled.enumerated() {
            var score = try evaluate(entry, audio: manifest.audioURL(for: entry))
            score.set = manifests.count > 1 ? manifest.name : nil
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
