import Foundation
import SottoModel
import SottoTestSupport
import SottoTrain
import Testing

/// The training loop on a toy float32 model with cached audio features.
@Suite("trainer")
struct TrainerTests {
    static let dims = TrainingModelTests.dims

    static func examples(count: Int, seed: UInt64) -> [TrainingExample] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let length = Int.random(in: 3...5, using: &generator)
            let sequence = [1] + (0..<length).map { _ in Int.random(in: 2..<dims.nVocab, using: &generator) }
            return TrainingExample(sequence: sequence, promptLength: 1,
                                   audio: .float32(generator.floats(dims.nAudioCtx * dims.nAudioState)))
        }
    }

    static func trainer(_ options: TrainingOptions, teacher: Bool = false) -> Trainer {
        let count = ParameterLayout(dims: dims).totalCount
        var generator = SeededGenerator(seed: 40)
        let model = TrainingModel<Float>(dims: dims, parameters: generator.floats(count, scale: 0.3), frozen: options.frozen)
        let teacherModel = teacher ? TrainingModel<Float>(dims: dims, parameters: generator.floats(count, scale: 0.3)) : nil
        return Trainer(model: model, teacher: teacherModel, examples: examples(count: 7, seed: 41), options: options)
    }

    /// Random weights from `seed`, the teacher they make (encoder frozen) and the generator after them.
    static func randomTeacher(seed: UInt64) -> (weights: [Float], teacher: TrainingModel<Float>, generator: SeededGenerator) {
        var generator = SeededGenerator(seed: seed)
        let weights = generator.floats(ParameterLayout(dims: dims).totalCount, scale: 0.3)
        return (weights, TrainingModel<Float>(dims: dims, parameters: weights, frozen: [.encoder]), generator)
    }

    /// `model`'s encoder output for one mel window.
    static func encoderOutput(_ model: TrainingModel<Float>, mel: [Float]) -> [Float] {
        let encoder = EncoderActivations(model, batch: 1, forwardOnly: true)
        model.encoderForward(encoder, mel: mel)
        return encoder.output.array
    }

    static func options(steps: Int) -> TrainingOptions {
        var options = TrainingOptions(schedule: LearningRateSchedule(peak: 3e-3, minimum: 3e-4, warmupSteps: 2, totalSteps: steps))
        options.batchSize = 3
        options.accumulationSteps = 2
        options.padToken = 0
        options.loss = LossWeights(crossEntropy: 0.8, kl: 1, temperature: 2)
        options.frozen = [.encoder]
        return options
    }

    @Test("training lowers the loss")
    func learns() throws {
        var options = Self.options(steps: 80)
        options.loss = LossWeights()
        options.schedule.peak = 3e-2
        let trainer = Self.trainer(options)
        try trainer.run(steps: 80)
        let first = trainer.history.prefix(3).map(\.loss).reduce(0, +)
        let last = trainer.history.suffix(3).map(\.loss).reduce(0, +)
        #expect(last < 0.7 * first, "loss went from \(first / 3) to \(last / 3)")
    }

    /// Stop at step 4 (a checkpoint), restart from the file in a fresh trainer, continue to step 9:
    /// every reported loss equals the uninterrupted run's, bit for bit, and so do the parameters.
    @Test("a resumed run equals the uninterrupted one")
    func resume() throws {
        let options = Self.options(steps: 9)
        let uninterrupted = Self.trainer(options, teacher: true)
        try uninterrupted.run(steps: 9)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sotto-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("run.ckpt")
        let first = Self.trainer(options, teacher: true)
        try first.run(steps: 4, checkpointEvery: 2, checkpoint: file)
        let resumed = Self.trainer(options, teacher: true)
        try TrainingCheckpoint.restore(resumed, from: file)
        #expect(resumed.stepsTaken == 4 && resumed.cursor == 4 * 6)
        try resumed.run(steps: 9)
        #expect(resumed.history.map(\.loss) == uninterrupted.history.map(\.loss))
        #expect(resumed.history == uninterrupted.history)
        #expect(resumed.model.parameters.array == uninterrupted.model.parameters.array)
    }

    @Test("a checkpoint from another configuration is refused")
    func refusesMismatch() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sotto-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("run.ckpt")
        let trainer = Self.trainer(Self.options(steps: 2))
        try trainer.run(steps: 1)
        try TrainingCheckpoint.save(trainer, to: file)
        var other = Self.options(steps: 2)
        other.seed = 9
        #expect(throws: TrainError.self) { try TrainingCheckpoint.restore(Self.trainer(other), from: file) }
        try Data("not a checkpoint".utf8).write(to: file)
        #expect(throws: TrainError.self) { try TrainingCheckpoint.restore(Self.trainer(Self.options(steps: 2)), from: file) }
    }

    /// Two accumulated batches of one example each give the gradient of one batch of both when both
    /// have the same number of counted targets (the loss is a mean per batch).
    @Test("gradient accumulation equals the larger batch")
    func accumulation() {
        var options = Self.options(steps: 1)
        options.loss = LossWeights()
        let examples = Self.examples(count: 7, seed: 41).filter { $0.tokens.count == 4 }.prefix(2)
        #expect(examples.count == 2)
        options.batchSize = 2
        options.accumulationSteps = 1
        let whole = Self.trainer(options)
        whole.model.gradients.zero()
        _ = whole.accumulate(TrainingBatch(Array(examples), padToken: 0))
        options.batchSize = 1
        options.accumulationSteps = 2
        let split = Self.trainer(options)
        split.model.gradients.zero()
        for e in examples { _ = split.accumulate(TrainingBatch([e], padToken: 0)) }
        let closeness = Closeness(split.model.gradients.array, whole.model.gradients.array)
        #expect(closeness.within(maxAbs: 1e-6), "\(closeness)")
    }

    /// An encoder student runs and trains its encoder on the mel, while the teacher's logits come
    /// from the teacher's own cached encoder output: with the teacher's output the KL of an
    /// identical student is 0, with other audio it is not.
    @Test("an encoder student trains its encoder; the teacher attends to its own audio")
    func encoderStudent() throws {
        var (weights, teacher, generator) = Self.randomTeacher(seed: 50)
        let mel = generator.floats(Self.dims.nMels * Self.dims.nFrames)
        let teacherAudio = Self.encoderOutput(teacher, mel: mel)
        var options = Self.options(steps: 1)
        (options.batchSize, options.accumulationSteps, options.frozen) = (1, 1, [])
        func firstStep(teacherAudio: [Float]) throws -> (StepReport, TrainingModel<Float>) {
            let student = TrainingModel<Float>(dims: Self.dims, parameters: weights, frozen: [])
            let example = TrainingExample(sequence: [1, 5, 7, 2], promptLength: 1, mel: mel, teacherAudio: .float32(teacherAudio))
            let trainer = Trainer(model: student, teacher: teacher, examples: [example], options: options)
            return (trainer.step(), student)
        }
        let (matched, student) = try firstStep(teacherAudio: teacherAudio)
        #expect(abs(matched.kl) < 1e-6, "KL \(matched.kl) between identical models on the same audio")
        #expect(student.values("encoder.conv1.weight") != teacher.values("encoder.conv1.weight"), "the encoder did not train")
        #expect(student.values("encoder.positional_embedding") == teacher.values("encoder.positional_embedding"))
        let (mismatched, _) = try firstStep(teacherAudio: generator.floats(teacherAudio.count))
        #expect(mismatched.kl > 1e-4, "the teacher ignored its own audio (KL \(mismatched.kl))")
    }

    /// With only the encoder MSE the decoder never runs: examples without tokens train, the frozen
    /// decoder does not move (no weight decay either), the MSE falls, and a student that equals its teacher starts at 0.
    @Test("an encoder-only stage trains the encoder towards the teacher's output")
    func encoderOnly() throws {
        let (weights, teacher, seeded) = Self.randomTeacher(seed: 60)
        var generator = seeded
        let mels = (0..<3).map { _ in generator.floats(Self.dims.nMels * Self.dims.nFrames) }
        let targets = mels.map { Self.encoderOutput(teacher, mel: $0) }
        var options = Self.options(steps: 30)
        (options.batchSize, options.accumulationSteps, options.frozen) = (3, 1, [.decoder])
        options.loss = LossWeights(crossEntropy: 0, kl: 0, encoderMSE: 1)
        let examples = zip(mels, targets).map { TrainingExample(tokens: [], targets: [], mel: $0, teacherAudio: .float32($1)) }
        let same = Trainer(model: TrainingModel(dims: Self.dims, parameters: weights, frozen: [.decoder]), examples: examples, options: options)
        #expect(same.step().encoderMSE < 1e-12, "a student equal to its teacher")
        let student = TrainingModel<Float>(dims: Self.dims, parameters: generator.floats(weights.count, scale: 0.3), frozen: [.decoder])
        let decoderBefore = student.values("decoder.blocks.0.attn.qkv.weight")
        let trainer = Trainer(model: student, examples: examples, options: options)
        try trainer.run(steps: 30)
        let (first, last) = (trainer.history.first!, trainer.history.last!)
        #expect(last.encoderMSE < 0.5 * first.encoderMSE, "MSE went from \(first.encoderMSE) to \(last.encoderMSE)")
        #expect(first.loss == first.encoderMSE && first.tokens == 0 && first.crossEntropy == 0)
        #expect(student.values("decoder.blocks.0.attn.qkv.weight") == decoderBefore, "the decoder moved")
    }

    /// `--freeze-encoder` with a cut encoder: the student keeps teacher encoder layer 0 of 2, frozen; its
    /// output and the teacher's are cached as float16 (the teacher's KL targets attend to the teacher's).
    /// The encoder does not move (no gradient, no weight decay), the decoder learns to read it, the loss falls.
    @Test("a cut, frozen encoder stays as copied while the decoder learns on its cached output")
    func frozenCutEncoder() throws {
        var generator = SeededGenerator(seed: 70)
        let d = Self.dims
        let teacherDims = ModelDimensions(nMels: d.nMels, nAudioCtx: d.nAudioCtx, nAudioState: d.nAudioState, nAudioHead: d.nAudioHead,
                                          nAudioLayer: 2, nVocab: d.nVocab, nTextCtx: d.nTextCtx, nTextState: d.nTextState,
                                          nTextHead: d.nTextHead, nTextLayer: d.nTextLayer)
        let teacher = TrainingModel<Float>(dims: teacherDims, parameters: generator.floats(ParameterLayout(dims: teacherDims).totalCount, scale: 0.3),
                                           frozen: [.encoder])
        let spec = try StudentSpec("encoder=0", teacher: teacherDims)
        let student = spec.initialize(from: teacher, frozen: [.encoder])
        let encoderKeys = student.layout.entries.map(\.key).filter { $0.hasPrefix("encoder.") }
        let encoderBefore = encoderKeys.map { student.values($0) }
        #expect(student.values("encoder.blocks.0.mlp.0.weight") == teacher.values("encoder.blocks.0.mlp.0.weight"))
        let examples = Self.examples(count: 4, seed: 71).map { example in
            let mel = generator.floats(Self.dims.nMels * Self.dims.nFrames)
            return TrainingExample(tokens: example.tokens, targets: example.targets,
                                   audio: .half(Self.encoderOutput(student, mel: mel)), teacherAudio: .half(Self.encoderOutput(teacher, mel: mel)))
        }
        var options = Self.options(steps: 80)
        (options.batchSize, options.accumulationSteps, options.schedule.peak) = (2, 1, 3e-2)
        options.adamW.weightDecay = 0.1
        let trainer = Trainer(model: student, teacher: teacher, examples: examples, options: options)
        let decoderBefore = student.values("decoder.blocks.0.attn.qkv.weight")
        try trainer.run(steps: 80)
        #expect(encoderKeys.map { student.values($0) } == encoderBefore, "the frozen encoder moved")
        #expect(student.values("decoder.blocks.0.attn.qkv.weight") != decoderBefore, "the decoder did not train")
        let first = trainer.history.prefix(4).map(\.loss).reduce(0, +), last = trainer.history.suffix(4).map(\.loss).reduce(0, +)
        // Measured 2.00 -> 1.59: the KL to a random teacher that hears other features has a floor.
        #expect(last < 0.85 * first, "loss went from \(first / 4) to \(last / 4)")
    }

    /// A student that attends to its audio alone gets mel windows of their own lengths: the batch
    /// runs at its longest (3 of 4 positions here), the shorter zero-padded to it, which is the same
    /// step as handing every example that padded window; the teacher's targets come from its own whole windows.
    @Test("mel windows shorter than the window train at the batch's longest, zero-padded")
    func shortWindows() throws {
        let (weights, teacher, seeded) = Self.randomTeacher(seed: 60)
        var generator = seeded
        let nMels = Self.dims.nMels
        let (short, long) = (generator.floats(nMels * 4), generator.floats(nMels * 6))  // 2 and 3 positions
        let teacherAudio = (0..<2).map { _ in generator.floats(Self.dims.nAudioCtx * Self.dims.nAudioState) }
        var options = Self.options(steps: 1)
        (options.batchSize, options.accumulationSteps, options.frozen) = (2, 1, [])
        func step(_ mels: [[Float]]) -> (StepReport, [Float]) {
            let student = TrainingModel<Float>(dims: Self.dims, parameters: weights, frozen: [])
            let examples = zip(mels, teacherAudio).map { mel, audio in
                TrainingExample(sequence: [1, 5, 7, 2], promptLength: 1, mel: mel, teacherAudio: .float32(audio))
            }
            let trainer = Trainer(model: student, teacher: teacher, examples: examples, options: options)
            return (trainer.step(), student.parameters.array)
        }
        let padded = (0..<nMels).flatMap { m in short[(m * 4)..<(m * 4 + 4)] + [0, 0] }
        let (mixed, mixedWeights) = step([short, long])
        let (explicit, explicitWeights) = step([padded, long])
        #expect(mixed.loss == explicit.loss && mixedWeights == explicitWeights, "\(mixed) against \(explicit)")
        #expect(mixed.kl > 0 && mixedWeights != weights)
    }

    @Test("seeded order: each epoch a permutation, the same for the same seed")
    func order() {
        let order = ExampleOrder(count: 5, seed: 3)
        let epoch0 = (0..<5).map { order.index(at: $0) }, epoch1 = (5..<10).map { order.index(at: $0) }
        #expect(epoch0.sorted() == [0, 1, 2, 3, 4] && epoch1.sorted() == [0, 1, 2, 3, 4] && epoch0 != epoch1)
        #expect(epoch0 == (0..<5).map { ExampleOrder(count: 5, seed: 3).index(at: $0) })
    }
}
