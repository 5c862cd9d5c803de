import Foundation
import SottoDecoding
import SottoEval
import SottoModel
import SottoTensor
import SottoText
import SottoTrain

/// What `sotto distill` asks for (validated when the run starts).
public struct DistillationOptions: Sendable {
    /// Teacher layers the student keeps: `decoder=0,3`, `decoder:2`, … (see `StudentSpec`).
    public var student: String
    /// Optimizer steps.
    public var steps = 100
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
    public var seed: UInt64 = 0
    /// At most this many utterances from each manifest (default all).
    public var limit: Int?

    public init(student: String) { self.student = student }
}

/// One optimizer step, for a progress line.
public struct DistillationProgress: Sendable {
    public var step, steps: Int
    public var loss, learningRate: Double
    public var tokensPerSecond: Double
    public var etaSeconds: Double
}

/// What a distillation run did (also recorded in the model's sotto.json).
public struct DistillationReport: Sendable {
    public var student: String
    public var utterances, droppedUnsure, droppedTooLong: Int
    public var audioSeconds: Double
    public var steps: Int
    public var finalLoss, finalCrossEntropy, finalKL: Double
    public var labelSeconds, trainSeconds: Double
}

/// Knowledge distillation from a teacher checkpoint to a student with fewer layers: pseudo-labels
/// from the teacher, the student initialized from teacher layers, trained against the teacher's
/// cached encoder output (decoder students) or on the mel (encoder students), the student written
/// as a Sotto model directory.
public enum Distillation {
    public static func run(
        teacher directory: URL, teacherName: String, data manifests: [Manifest], options: DistillationOptions,
        output: URL, labelProgress: (_ done: Int, _ total: Int, _ id: String) -> Void = { _, _, _ in },
        progress: (DistillationProgress) -> Void = { _ in }
    ) throws -> DistillationReport {
        let checkpoint = try Checkpoint.read(directory: directory)
        let spec = try StudentSpec(options.student, teacher: checkpoint.dims)
        try validate(options)
        try PseudoLabels.checkFiles(manifests)
        let transcriber = Transcriber(
            model: try WhisperModel(checkpoint: checkpoint),
            tokenizer: try Tokenizer(contentsOf: directory.appendingPathComponent("tokenizer.json"), isMultilingual: checkpoint.dims.isMultilingual))
        let labelStart = ContinuousClock.now
        let labels = try PseudoLabels.make(transcriber: transcriber, manifests: manifests, limit: options.limit,
                                           keepMel: !spec.keepsEncoder, progress: labelProgress)
        let labelSeconds = labelStart.duration(to: .now) / .seconds(1)
        guard !labels.examples.isEmpty else { throw TrainError.missingData("no utterance left to train on after filtering") }

        // A student that keeps the teacher's encoder trains its decoder only, on the cached encoder
        // output; one with fewer encoder layers trains everything on the mel windows.
        let frozen: ParameterGroups = spec.keepsEncoder ? [.encoder] : []
        let teacher = try TrainingModel<Float>(checkpoint: checkpoint, frozen: [.encoder])
        let student = spec.initialize(from: teacher, frozen: frozen)
        let trainer = Trainer(model: student, teacher: options.klWeight > 0 ? teacher : nil, examples: labels.examples,
                              options: trainingOptions(options, frozen: frozen, padToken: transcriber.tokenizer.special.eot))
        let trainStart = ContinuousClock.now
        try trainer.run(steps: options.steps) { report in
            let elapsed = trainStart.duration(to: .now) / .seconds(1)
            let tokens = trainer.history.map(\.tokens).reduce(0, +)
            progress(DistillationProgress(step: report.step, steps: options.steps, loss: report.loss, learningRate: report.learningRate,
                                          tokensPerSecond: Double(tokens) / max(elapsed, 1e-9),
                                          etaSeconds: elapsed / Double(report.step) * Double(options.steps - report.step)))
        }
        let trainSeconds = trainStart.duration(to: .now) / .seconds(1)
        let last = trainer.history.last!
        let report = DistillationReport(
            student: spec.description, utterances: labels.examples.count, droppedUnsure: labels.unsure,
            droppedTooLong: labels.tooLong, audioSeconds: labels.audioSeconds, steps: options.steps, finalLoss: last.loss,
            finalCrossEntropy: last.crossEntropy, finalKL: last.kl, labelSeconds: labelSeconds, trainSeconds: trainSeconds)
        try write(student, like: checkpoint, teacherName: teacherName, manifests: manifests, options: options,
                  report: report, losses: trainer.history.map(\.loss), to: output)
        return report
    }

    static func validate(_ options: DistillationOptions) throws {
        guard options.steps > 0, options.batchSize > 0, options.accumulationSteps > 0, options.warmupSteps >= 0 else {
            throw TrainError.invalidStudent("steps, batch size and accumulation must be positive")
        }
        guard options.learningRate > 0, options.temperature > 0, options.crossEntropyWeight >= 0, options.klWeight >= 0,
              options.crossEntropyWeight + options.klWeight > 0 else {
            throw TrainError.invalidStudent("learning rate and temperature must be positive, loss weights non-negative and not both 0")
        }
    }

    static func trainingOptions(_ options: DistillationOptions, frozen: ParameterGroups, padToken: Int) -> TrainingOptions {
        var training = TrainingOptions(schedule: LearningRateSchedule(
            peak: options.learningRate, minimum: options.minLearningRate, warmupSteps: options.warmupSteps,
            totalSteps: options.steps, decay: .cosine))
        training.loss = LossWeights(crossEntropy: options.crossEntropyWeight, kl: options.klWeight, temperature: options.temperature)
        (training.batchSize, training.accumulationSteps, training.seed) = (options.batchSize, options.accumulationSteps, options.seed)
        training.frozen = frozen
        training.padToken = padToken
        return training
    }

    /// The student as a Sotto model directory; sotto.json's provenance records the teacher's and the
    /// data manifests' SHA-256, the student spec, the steps and the losses.
    private static func write(_ student: TrainingModel<Float>, like checkpoint: Checkpoint, teacherName: String,
                              manifests: [Manifest], options: DistillationOptions, report: DistillationReport,
                              losses: [Double], to output: URL) throws {
        let stride = max(1, losses.count / 100)
        let curve = Swift.stride(from: 0, to: losses.count, by: stride).map { String(format: "%.5f", losses[$0]) }
        let recorded: [String: String] = [
            "student": report.student,
            "steps": "\(report.steps)",
            "batchSize": "\(options.batchSize)", "accumulationSteps": "\(options.accumulationSteps)",
            "learningRate": "\(options.learningRate)", "warmupSteps": "\(options.warmupSteps)",
            "loss": "\(options.crossEntropyWeight) CE + \(options.klWeight) KL(T=\(options.temperature))",
            "finalLoss": String(format: "%.5f", report.finalLoss),
            "finalCrossEntropy": String(format: "%.5f", report.finalCrossEntropy),
            "finalKL": String(format: "%.5f", report.finalKL),
            "lossCurve": curve.joined(separator: ","), "lossCurveStride": "\(stride)",
            "dataManifestSHA256": try manifests.map { try SHA256.hex(of: $0.url) }.joined(separator: ","),
            "utterances": "\(report.utterances)", "droppedUnsure": "\(report.droppedUnsure)",
            "droppedTooLong": "\(report.droppedTooLong)", "audioSeconds": String(format: "%.1f", report.audioSeconds),
            "seed": "\(options.seed)",
        ]
        let provenance = Provenance(sourceModel: teacherName, sourceSHA256: try SHA256.hex(of: URL(fileURLWithPath: checkpoint.file)),
                                    scheme: "distill", options: recorded)
        try SottoModelWriter.write(student.checkpoint(like: checkpoint), floatEncoding: .float32, provenance: provenance, to: output)
    }
}
