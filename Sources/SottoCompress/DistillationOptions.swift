import Foundation
import SottoEval

/// What `sotto distill` asks for (validated when the run starts).
public struct DistillationOptions: Sendable {
    /// Teacher layers the student keeps: `decoder=0,3`, `decoder:2`, … (see `StudentSpec`), or a
    /// model directory or name whose weights start the student (its tokenizer must be the teacher's).
    public var student: String
    /// When training stops: the first of `steps`, `epochs` (converted to steps) and `maxMinutes`.
    /// The learning-rate schedule spans `steps` or `epochs`; with `maxMinutes` alone it spans the
    /// steps the first few steps' speed predicts (recorded, so a resume keeps it).
    public var steps: Int?
    public var epochs: Double?
    public var maxMinutes: Double?
    /// Utterances per forward/backward, and passes accumulated per step.
    public var batchSize = 4
    public var accumulationSteps = 1
    /// Peak learning rate after `warmupSteps` linear warm-up, then cosine decay to `minLearningRate`.
    public var learningRate = 1e-4
    public var minLearningRate = 1e-5
    public var warmupSteps = 10
    /// loss = crossEntropyWeight · CE(pseudo-labels) + klWeight · T² · KL(teacher ‖ student) at `temperature`.
    public var crossEntropyWeight = 0.8
    public var klWeight = 1.0
    public var temperature = 2.0
    /// Weight of the mean squared error between the student's encoder output and the teacher's
    /// (encoder students only; 0: none). With both other weights 0 the run is an encoder-only stage:
    /// no pseudo-labels are decoded and no decoder runs, the student's encoder learns to reproduce
    /// the teacher's cached output.
    public var encoderMSEWeight = 0.0
    /// A student with an encoder of its own (teacher layers cut, or a model directory's) keeps it
    /// frozen as it starts: its output is computed once per example and cached (float16) like the
    /// teacher's, the teacher's KL targets attend to the teacher's own cached output, and a step
    /// costs what a decoder student's does. The decoder learns to read the cut encoder's features.
    public var freezeEncoder = false
    /// Teaches the student to attend to its audio alone: its encoder sees the frames that hold audio
    /// plus this many encoder positions (20 ms each) instead of a 30 s window padded with silence,
    /// while the teacher's KL targets come from the whole window. The student records the margin
    /// (`ModelConfig.audioContextMargin`) and every command runs it that way: a 10 s clip costs a third
    /// of a window's encoder. nil: whole windows.
    public var audioMargin: Int?
    public var seed: UInt64 = 0
    /// At most this many utterances from each manifest (default all).
    public var limit: Int?
    /// Only entries whose `source` is one of these (nil: every entry), e.g. the read-speech parts
    /// of train-extra.
    public var sources: Set<String>?
    /// Pseudo-labels further than this word error rate from the manifest's own text (where it has
    /// one) are dropped, as distil-whisper filters at WER 10%.
    public var maxLabelWER = 0.1
    /// Pseudo-labels keep the teacher's timestamp tokens (decoded with timestamps, as `sotto
    /// transcribe` and `sotto bench` decode), and checkpoint selection decodes with timestamps too.
    /// Without it labels are text only (`<|notimestamps|>`), and a decoder student trained on them
    /// unlearns the timestamp mode the benchmarks use. Utterances the teacher needed a second
    /// window for keep a text-only label: their first window's tokens are not one sequence.
    public var timestamps = false
    /// Where the teacher's labelling decisions are kept across runs (nil: none; see `LabelCache`).
    public var labelsCache: URL?
    /// Checkpoint selection: the greedy WER of the student on `eval` manifests (English, at most
    /// `evalLimit` utterances each) every `evalEvery` steps, or when `eval` is empty on `holdout`
    /// utterances taken out of the training data (scored against their pseudo-labels, or the
    /// manifest's text). The best-scoring parameters are the result. 0: no selection, the last step wins.
    public var eval: [Manifest] = []
    public var evalEvery = 0
    public var evalLimit = 20
    public var holdout = 16
    /// Resumable training state every `checkpointEvery` steps in `checkpointDirectory` (nil: none).
    public var checkpointEvery = 0
    public var checkpointDirectory: URL?
    /// Continue the run saved in `checkpointDirectory` (same data and options).
    public var resume = false
    /// Waveform and mel augmentation (see `AugmentationOptions`).
    public var augmentation = AugmentationOptions()

    public init(student: String) { self.student = student }

    /// An encoder-only stage: the loss is the encoder MSE alone, so nothing needs pseudo-labels.
    package var encoderOnly: Bool { crossEntropyWeight == 0 && klWeight == 0 && encoderMSEWeight > 0 }

    package func validate() throws {
        guard steps.map({ $0 > 0 }) ?? true, epochs.map({ $0 > 0 }) ?? true, maxMinutes.map({ $0 > 0 }) ?? true,
              steps != nil || epochs != nil || maxMinutes != nil else {
            throw DistillationError.invalidOptions("give a positive --steps, --epochs or --max-minutes")
        }
        guard batchSize > 0, accumulationSteps > 0, warmupSteps >= 0, evalEvery >= 0, evalLimit > 0, holdout >= 0,
              checkpointEvery >= 0 else {
            throw DistillationError.invalidOptions("batch size, accumulation and eval limit must be positive; counts non-negative")
        }
        guard learningRate > 0, temperature > 0, crossEntropyWeight >= 0, klWeight >= 0, encoderMSEWeight >= 0,
              crossEntropyWeight + klWeight + encoderMSEWeight > 0 else {
            throw DistillationError.invalidOptions("learning rate and temperature must be positive, loss weights non-negative and not all 0")
        }
        guard !freezeEncoder || encoderMSEWeight == 0 else {
            throw DistillationError.invalidOptions("--freeze-encoder keeps the encoder as it is: --encoder-mse would train it")
        }
        if let audioMargin {
            guard audioMargin >= 0 else { throw DistillationError.invalidOptions("--audio-margin must be non-negative") }
            guard !freezeEncoder, encoderMSEWeight == 0 else {
                throw DistillationError.invalidOptions("--audio-margin trains the encoder on shorter windows: it cannot be frozen or matched frame by frame (--encoder-mse)")
            }
        }
        guard maxLabelWER >= 0 else { throw DistillationError.invalidOptions("--max-label-wer must be non-negative") }
        guard !resume || checkpointDirectory != nil else { throw DistillationError.invalidOptions("resume needs a checkpoint directory") }
        try augmentation.validate()
    }
}

/// One optimizer step, for a progress line.
public struct DistillationProgress: Sendable {
    /// `steps` is 0 while a clock-bounded run has not fixed its length yet.
    public var step, steps: Int
    public var loss, learningRate: Double
    public var tokensPerSecond: Double
    public var etaSeconds: Double
}

/// One checkpoint-selection score.
public struct DistillationEvalScore: Sendable, Codable, Equatable {
    public var step: Int
    /// Corpus WER over the selection set (0.05 = 5%).
    public var wordErrorRate: Double
    public var words: Int
    public var isBest: Bool
}

/// What a distillation run did (also recorded in the model's sotto.json).
public struct DistillationReport: Sendable {
    public var student: String
    public var utterances, droppedUnsure, droppedTooLong, droppedByWER, heldOut: Int
    /// Labelling decisions read from `--labels-cache` (not decoded again).
    public var labelsFromCache = 0
    /// Short crops among the training examples (see `ShortCropOptions`).
    public var shortCrops = 0
    public var augmentedCopies: Int
    public var audioSeconds: Double
    public var steps, scheduleSteps: Int
    /// The step whose parameters were written (the best-scoring one, or the last).
    public var keptStep: Int
    public var finalLoss, finalCrossEntropy, finalKL, finalEncoderMSE: Double
    public var labelSeconds, trainSeconds: Double
    public var evals: [DistillationEvalScore]
    public var losses: [Double]
}

/// Errors of `sotto distill`'s setup, each naming its input.
public enum DistillationError: Error, CustomStringConvertible, Equatable {
    case invalidOptions(String)
    case tokenizerMismatch(teacher: String, student: String, reason: String)
    case noCheckpoint(String)

    public var description: String {
        switch self {
        case .invalidOptions(let reason): "distill: \(reason)"
        case .tokenizerMismatch(let teacher, let student, let reason):
            "tokenizer: the teacher \(teacher) and the student \(student) do not share a tokenizer (\(reason)); "
                + "KL and pseudo-labels need the same token ids"
        case .noCheckpoint(let path): "distill: no training state to resume in \(path)"
        }
    }
}
