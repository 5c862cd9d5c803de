import Foundation
import SottoDecoding
import SottoEval
import SottoModel
import SottoTensor
import SottoText
import SottoTrain

/// Where a distillation run reports.
public struct DistillationCallbacks {
    public var labelProgress: (_ done: Int, _ total: Int, _ id: String) -> Void = { _, _, _ in }
    public var progress: (DistillationProgress) -> Void = { _ in }
    public var evaluated: (DistillationEvalScore) -> Void = { _ in }

    public init() {}
}

/// Knowledge distillation from a teacher checkpoint to a student with fewer layers: pseudo-labels
/// from the teacher, the student initialized from teacher layers, trained against the teacher's
/// cached encoder output (decoder students) or on the mel (encoder students), the best-scoring
/// student written as a Sotto model directory with its loss curve (`loss.svg`).
public enum Distillation {
    /// `studentModel`: a model directory whose weights start the student instead of teacher layers.
    /// `scorer` normalizes text for the label WER filter and checkpoint selection.
    public static func run(
        teacher directory: URL, teacherName: String, studentModel: URL? = nil, data manifests: [Manifest],
        options: DistillationOptions, output: URL, scorer: TranscriptScorer?, callbacks: DistillationCallbacks = .init()
    ) throws -> DistillationReport {
        try options.validate()
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: output.path), !existing.isEmpty {
            throw ModelError.unwritable(file: output.path, reason: "directory exists and is not empty")
        }
        let checkpoint = try Checkpoint.read(directory: directory)
        let tokenizer = try Tokenizer(contentsOf: directory.appendingPathComponent("tokenizer.json"), isMultilingual: checkpoint.dims.isMultilingual)
        let teacher = try TrainingModel<Float>(checkpoint: checkpoint, frozen: [.encoder])
        let student = try StudentSource.make(options.student, model: studentModel, teacher: checkpoint, teacherModel: teacher,
                                             teacherTokenizer: tokenizer, encoderOnly: options.encoderOnly, freezeEncoder: options.freezeEncoder,
                                             audioMargin: options.audioMargin)
        if options.encoderMSEWeight > 0, student.encoderFrozen {
            throw DistillationError.invalidOptions("--encoder-mse needs a student with an encoder of its own that trains (it keeps the teacher's, or --freeze-encoder)")
        }
        try PseudoLabels.checkFiles(manifests + options.eval)
        var state = DistillationState()
        if options.resume, let saved = options.checkpointDirectory { state = try DistillationState.load(from: saved) }
        let selecting = options.evalEvery > 0 || !options.eval.isEmpty
        if selecting, scorer == nil { throw DistillationError.invalidOptions("checkpoint selection needs the English spelling table") }

        let labelStart = ContinuousClock.now
        let transcriber = Transcriber(model: try WhisperModel(checkpoint: checkpoint), tokenizer: tokenizer)
        let labels = try PseudoLabels.make(transcriber: transcriber, manifests: manifests, settings: PseudoLabels.Settings(
            studentAudio: try studentAudio(student), studentAudioMargin: student.like.config.audioContextMargin,
            transcribe: !options.encoderOnly,
            teacherHearsCopies: options.encoderMSEWeight > 0, limit: options.limit, sources: options.sources, scorer: scorer, maxLabelWER: options.maxLabelWER,
            timestamps: options.timestamps,
            augmentation: options.augmentation, seed: options.seed, labelCache: try labelCache(options, teacher: checkpoint, scorer: scorer)),
            progress: callbacks.labelProgress)
        let labelSeconds = labelStart.duration(to: .now) / .seconds(1)
        var (training, heldOut) = split(labels.utterances, holdout: selecting && options.eval.isEmpty ? options.holdout : 0, seed: options.seed)
        // An encoder-only stage decoded no labels: only the held-out utterances need the teacher's transcripts.
        if options.encoderOnly { heldOut = try PseudoLabels.transcribeHeldOut(heldOut, transcriber: transcriber) }
        let examples = training.flatMap(\.examples)
        guard !examples.isEmpty else { throw TrainError.missingData("no utterance left to train on after filtering and holding out") }
        let selection = try selectionSet(options, heldOut: heldOut, multilingual: checkpoint.dims.isMultilingual, scorer: scorer, tokenizer: tokenizer)

        let stopSteps = options.steps ?? options.epochs.map { Int((Double(examples.count) * $0 / Double(options.batchSize * options.accumulationSteps)).rounded(.up)) }
        let scheduleSteps = stopSteps ?? state.scheduleSteps ?? DistillationLoop.provisionalScheduleSteps
        let trainer = Trainer(model: student.model, teacher: options.klWeight > 0 ? teacher : nil, examples: examples,
                              options: trainingOptions(options, frozen: student.model.frozen, scheduleSteps: scheduleSteps,
                                                       padToken: tokenizer.special.eot))
        let best = options.resume ? try state.restore(trainer, from: options.checkpointDirectory!) : nil
        let loop = DistillationLoop(trainer: trainer, selection: selection, like: student.like, options: options,
                                    stopSteps: stopSteps, state: state, best: best)
        try loop.run(progress: callbacks.progress, evaluated: callbacks.evaluated)

        let last = trainer.history.last!
        let crops = training.map(\.crops).reduce(0, +)
        let report = DistillationReport(
            student: student.description, utterances: training.count, droppedUnsure: labels.unsure, droppedTooLong: labels.tooLong,
            droppedByWER: labels.byWER, heldOut: heldOut.count, labelsFromCache: labels.fromCache,
            shortCrops: crops, augmentedCopies: examples.count - training.count - crops,
            audioSeconds: training.map(\.durationSeconds).reduce(0, +), steps: trainer.stepsTaken,
            scheduleSteps: trainer.options.schedule.totalSteps, keptStep: loop.state.bestStep ?? trainer.stepsTaken,
            finalLoss: last.loss, finalCrossEntropy: last.crossEntropy, finalKL: last.kl, finalEncoderMSE: last.encoderMSE, labelSeconds: labelSeconds,
            trainSeconds: loop.state.trainSeconds, evals: loop.state.evals, losses: trainer.history.map(\.loss))
        let kept = loop.best.map { TrainingModel<Float>(dims: student.model.dims, parameters: $0) } ?? trainer.model
        try DistillationOutput.write(kept, like: student.like, teacher: checkpoint, teacherName: teacherName, manifests: manifests,
                                     options: options, report: report, to: output)
        return report
    }

    /// `--labels-cache`, keyed by the teacher's weights and the options the decisions depend on.
    static func labelCache(_ options: DistillationOptions, teacher: Checkpoint, scorer: TranscriptScorer?) throws -> LabelCache? {
        guard let directory = options.labelsCache else { return nil }
        return try LabelCache(directory: directory, teacherSHA256: try SHA256.hex(of: URL(fileURLWithPath: teacher.file)),
                              timestamps: options.timestamps, maxLabelWER: scorer == nil ? nil : options.maxLabelWER)
    }

    /// Where the student's audio features come from: the teacher's cached encoder output, its own
    /// encoder on the mel, or its own frozen (cut) encoder's cached output.
    static func studentAudio(_ student: StudentSource) throws -> PseudoLabels.StudentAudio {
        if student.keepsTeacherEncoder { return .teacherEncoder }
        guard student.encoderFrozen else { return .trainedEncoder }
        return .frozenEncoder(try WhisperModel(checkpoint: student.model.checkpoint(like: student.like)))
    }

    /// Held-out utterances for checkpoint selection: a seeded choice, so a resume holds out the same.
    package static func split(_ utterances: [LabelledUtterance], holdout: Int, seed: UInt64) -> (training: [LabelledUtterance], heldOut: [LabelledUtterance]) {
        let count = min(holdout, utterances.count / 2)
        guard count > 0 else { return (utterances, []) }
        let chosen = Set(ExampleOrder(count: utterances.count, seed: seed ^ 0x484F_4C44).permutation(epoch: 0).prefix(count))
        return (utterances.indices.filter { !chosen.contains($0) }.map { utterances[$0] },
                utterances.indices.filter { chosen.contains($0) }.map { utterances[$0] })
    }

    static func selectionSet(_ options: DistillationOptions, heldOut: [LabelledUtterance], multilingual: Bool,
                             scorer: TranscriptScorer?, tokenizer: Tokenizer) throws -> CheckpointSelection? {
        guard options.evalEvery > 0 || !options.eval.isEmpty else { return nil }
        guard let scorer else { throw DistillationError.invalidOptions("checkpoint selection needs the English spelling table") }
        var selection: CheckpointSelection
        if !options.eval.isEmpty {
            selection = try CheckpointSelection.fromManifests(options.eval, limit: options.evalLimit, multilingual: multilingual,
                                                              scorer: scorer, tokenizer: tokenizer)
        } else if !heldOut.isEmpty {
            selection = try CheckpointSelection.fromHeldOut(heldOut, scorer: scorer, tokenizer: tokenizer)
        } else {
            return nil
        }
        selection.timestamps = options.timestamps
        return selection
    }

    static func trainingOptions(_ options: DistillationOptions, frozen: ParameterGroups, scheduleSteps: Int, padToken: Int) -> TrainingOptions {
        var training = TrainingOptions(schedule: LearningRateSchedule(
            peak: options.learningRate, minimum: options.minLearningRate, warmupSteps: options.warmupSteps,
            totalSteps: scheduleSteps, decay: .cosine))
        training.loss = LossWeights(crossEntropy: options.crossEntropyWeight, kl: options.klWeight, temperature: options.temperature,
                                    encoderMSE: options.encoderMSEWeight)
        (training.batchSize, training.accumulationSteps, training.seed) = (options.batchSize, options.accumulationSteps, options.seed)
        training.frozen = frozen
        training.padToken = padToken
        return training
    }
}
