import Foundation
import SottoAudio
import SottoDecoding
import SottoEval
import SottoModel
import SottoText
import SottoTrain

/// The utterances that choose which checkpoint a distillation run keeps, and how they are scored:
/// the student's greedy transcripts (temperature 0, no fallback; timestamps as the labels had them) against a
/// reference, as one corpus WER. Selection is the only thing these scores influence: they never
/// reach a loss, a label or a learning rate.
struct CheckpointSelection {
    struct Utterance {
        var samples: [Float]
        var reference: String
        var language: String
    }

    let utterances: [Utterance]
    let scorer: TranscriptScorer
    let tokenizer: Tokenizer
    /// Decode with timestamps, as a student trained on timestamped labels is used.
    var timestamps = false

    var words: Int {
        utterances.reduce(0) { $0 + scorer.normalize($1.reference, language: $1.language).split(separator: " ").count }
    }

    /// The English utterances with text of `manifests`, at most `limit` from each.
    static func fromManifests(_ manifests: [Manifest], limit: Int, multilingual: Bool, scorer: TranscriptScorer,
                              tokenizer: Tokenizer) throws -> CheckpointSelection {
        var utterances: [Utterance] = []
        for manifest in manifests {
            let scored = manifest.entries.filter { ($0.language ?? "en") == "en" && !($0.text ?? "").isEmpty }.prefix(limit)
            guard !scored.isEmpty else { throw EvalError.noLabelledUtterances(manifest.url.path) }
            for entry in scored {
                utterances.append(Utterance(samples: try AudioLoader.load(path: manifest.audioURL(for: entry).path),
                                            reference: entry.text ?? "", language: "en"))
            }
        }
        return CheckpointSelection(utterances: utterances, scorer: scorer, tokenizer: tokenizer)
    }

    /// Held-out training utterances, scored against the manifest's text or else the teacher's transcript.
    static func fromHeldOut(_ held: [LabelledUtterance], scorer: TranscriptScorer, tokenizer: Tokenizer) throws -> CheckpointSelection {
        let utterances = try held.map {
            Utterance(samples: try AudioLoader.load(path: $0.audio.path), reference: $0.reference, language: $0.language)
        }
        return CheckpointSelection(utterances: utterances, scorer: scorer, tokenizer: tokenizer)
    }

    /// The corpus WER of `model` (a student being trained; `like` supplies config and tokenizer).
    func wordErrorRate(of model: TrainingModel<Float>, like source: Checkpoint) throws -> Double {
        let whisper = try WhisperModel(checkpoint: model.checkpoint(like: source))
        let transcriber = Transcriber(model: whisper, tokenizer: tokenizer)
        var counts = ErrorCounts()
        for utterance in utterances {
            var options = TranscriptionOptions()
            options.decoding.beamSize = 1
            options.decoding.withoutTimestamps = !timestamps
            options.decoding.language = whisper.dims.isMultilingual ? utterance.language : nil
            options.temperatures = [0]
            options.conditionOnPreviousText = false
            let result = try transcriber.transcribe(samples: utterance.samples, options: options)
            let hypothesis = result.text
            counts += scorer.score(reference: utterance.reference, hypothesis: hypothesis, language: utterance.language).counts
        }
        return counts.rate
    }
}
