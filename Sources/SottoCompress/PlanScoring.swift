import Foundation
import SottoAudio
import SottoDecoding
import SottoEval
import SottoModel
import SottoText

/// Scores candidate models on calibration audio: the error rate against the manifest's reference
/// text, or, where the manifest has none, against the float model's own transcripts.
///
/// An unlabelled utterance whose float transcript needed temperature fallback is left out: that
/// reference is a sample (the greedy output looped or was unlikely), and any rounding of the weights
/// changes which sample comes out, so it would measure chance instead of the plan. On train-extra's
/// game dialogue one such utterance made even the unquantized weights look 6 points worse.
public struct CalibrationScorer: Sendable {
    public let manifest: Manifest
    /// Unlabelled utterances left out because the float model fell back on them.
    public let droppedUnstable: Int
    let scorer: TranscriptScorer
    let tokenizer: Tokenizer

    /// Transcribes the unlabelled entries with `float` to make their references.
    public init(manifest: Manifest, limit: Int, float: Transcriber, scorer: TranscriptScorer) throws {
        var kept: [ManifestEntry] = []
        var dropped = 0
        for var entry in Calibration.usableEntries(manifest, multilingual: float.model.dims.isMultilingual, limit: limit) {
            if entry.text == nil {
                let samples = try AudioLoader.load(path: manifest.audioURL(for: entry).path)
                let result = try float.transcribe(samples: samples, options: Self.options)
                guard result.timings.fallbacks == 0 else {
                    dropped += 1
                    continue
                }
                entry.text = result.text
            }
            kept.append(entry)
        }
        guard !kept.isEmpty || dropped == 0 else { throw CalibrationScorerError.noStableUtterances(manifest.url.path, dropped) }
        self.manifest = Manifest(url: manifest.url, entries: kept)
        droppedUnstable = dropped
        self.scorer = scorer
        tokenizer = float.tokenizer
    }

    static var options: TranscriptionOptions {
        var options = TranscriptionOptions()
        options.decoding.beamSize = 1
        return options
    }

    /// Pooled error rate in percent (WER, or CER for a character-scored set).
    public func errorRate(_ model: WhisperModel) throws -> Double {
        Bootstrap.pooledRate(try counts(model))
    }

    /// Each utterance's errors, in manifest order (for paired comparisons).
    public func counts(_ model: WhisperModel) throws -> [ErrorCounts] {
        let run = EvaluationRun(transcriber: Transcriber(model: model, tokenizer: tokenizer), options: Self.options, scorer: scorer)
        return try run.run(manifest: manifest, modelName: "").utterances.map(\.counts)
    }
}

/// A plan's error rate on held-out utterances, against the float model's on the same ones.
public struct PlanValidationResult: Sendable {
    public var rate: Double
    public var baselineRate: Double
    /// Upper end of the paired bootstrap interval of rate - baselineRate, at the check's confidence.
    public var upperIncrease: Double

    public init(rate: Double, baselineRate: Double, upperIncrease: Double) {
        (self.rate, self.baselineRate, self.upperIncrease) = (rate, baselineRate, upperIncrease)
    }
}

/// The held-out check `--plan auto` must pass: transcribing validation utterances the way
/// `transcribe` does (timestamps, long-form windows), so a dropped or repeated segment counts, and
/// bounding the increase over the float model from above with a paired bootstrap.
public struct PlanValidation: Sendable {
    public let scorer: CalibrationScorer
    public let confidence: Double
    let baselineCounts: [ErrorCounts]

    public init(scorer: CalibrationScorer, float: WhisperModel, confidence: Double) throws {
        self.scorer = scorer
        self.confidence = confidence
        baselineCounts = try scorer.counts(float)
    }

    public var utterances: Int { baselineCounts.count }

    public func check(_ model: WhisperModel) throws -> PlanValidationResult {
        let counts = try scorer.counts(model)
        return PlanValidationResult(
            rate: Bootstrap.pooledRate(counts), baselineRate: Bootstrap.pooledRate(baselineCounts),
            upperIncrease: Bootstrap.pairedUpperBound(counts, baselineCounts, confidence: confidence))
    }

    public func record(_ result: PlanValidationResult) -> PlanValidationRecord {
        PlanValidationRecord(utterances: utterances, baselineWER: result.baselineRate, planWER: result.rate,
                             upperIncrease: result.upperIncrease, confidence: confidence)
    }
}

public enum CalibrationScorerError: Error, CustomStringConvertible {
    case noStableUtterances(String, Int)

    public var description: String {
        switch self {
        case .noStableUtterances(let path, let dropped):
            return "\(path): the float model needed temperature fallback on all \(dropped) unlabelled utterances, "
                + "so none gives a stable reference; add clearer speech or reference text"
        }
    }
}
