import Foundation
import SottoAudio
import SottoDecoding
import SottoEval
import SottoModel
import SottoText

/// Scores candidate models on calibration audio: the error rate against the manifest's reference
/// text, or, where the manifest has none, against the float model's own transcripts.
public struct CalibrationScorer: Sendable {
    public let manifest: Manifest
    let scorer: TranscriptScorer
    let tokenizer: Tokenizer

    /// Transcribes the unlabelled entries with `float` to make their references.
    public init(manifest: Manifest, limit: Int, float: Transcriber, scorer: TranscriptScorer) throws {
        var entries = Calibration.usableEntries(manifest, multilingual: float.model.dims.isMultilingual, limit: limit)
        let options = Self.options
        for index in entries.indices where entries[index].text == nil {
            let samples = try AudioLoader.load(path: manifest.audioURL(for: entries[index]).path)
            entries[index].text = try float.transcribe(samples: samples, options: options).text
        }
        self.manifest = Manifest(url: manifest.url, entries: entries)
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
