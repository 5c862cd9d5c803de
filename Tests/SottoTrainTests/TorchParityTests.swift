import Foundation
import SottoModel
import SottoTestSupport
import SottoTrain
import Testing

/// The training engine against PyTorch autograd on real tiny.en weights (fixture:
/// scripts/make_train_fixtures.py, float64 torch): logits, loss and every decoder parameter's
/// gradient (norm, sum, 64 sampled entries) with the encoder frozen, first from the engine's float64
/// twin (tight: the same math), then from the float32 engine, whose 10 AdamW steps of
/// 0.8 CE + KL(T = 2) against a frozen teacher follow torch's losses.
@Suite("PyTorch parity", .serialized)
struct TorchParityTests {
    struct Tolerances {
        /// Logits and log-sum-exps (magnitudes ~10-40).
        let logitsMaxAbs: Double
        /// The loss (~0.13; the model is confident, so it inherits the logits' absolute error).
        let lossMaxAbs: Double
        /// Gradient norm, sum and sampled entries, relative to the parameter's gradient norm.
        let gradientRelative: Double
        let gradientMinCosine: Double
    }

    static let float64 = Tolerances(logitsMaxAbs: 1e-9, lossMaxAbs: 1e-10, gradientRelative: 1e-7, gradientMinCosine: 0.999_999_999)
    /// float32 rounding (sgemm over 1500 audio frames, 4-6 layers deep) against float64.
    static let float32 = Tolerances(logitsMaxAbs: 5e-4, lossMaxAbs: 5e-4, gradientRelative: 5e-2, gradientMinCosine: 0.9995)
    /// After 10 AdamW steps (the float32 offset of the first loss carries through).
    static let stepLossMaxAbs = 5e-4

    struct Fixture: Decodable {
        struct Schedule: Decodable { let peak, minimum: Double; let warmupSteps, totalSteps: Int }
        struct Logits: Decodable { let logSumExp: [Double]; let vocabIndices: [Int]; let values: [Double] }
        struct Gradient: Decodable { let norm, sum: Double; let indices: [Int]; let values: [Double] }
        let keptFrames: Int
        let fills: [Float]
        let tokens, targets: [[Int]]
        let loss: LossWeights
        let schedule: Schedule
        let adamW: AdamWOptions
        let steps: Int
        let initialLoss, initialCrossEntropy, initialKL: Double
        let logits: Logits
        let gradients: [String: Gradient]
        let stepLosses, gradientNorms: [Double]
    }

    static func fixture() throws -> Fixture {
        try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: TestPaths.fixture("train/tinyen.json")))
    }

    @Test("float64 twin: logits, loss and gradients match PyTorch tightly")
    func float64Engine() throws {
        let fixture = try Self.fixture()
        let checkpoint = try Checkpoint.read(directory: try TestPaths.model("tiny.en"))
        let model = try TrainingModel<Double>(checkpoint: checkpoint, frozen: [.encoder])
        let audio = TrainBuffer(try encode(fixture, model))
        let decoder = try checkLogits(fixture, model, audio, Self.float64)
        let teacher = TrainBuffer(decoder.logits.array)
        let loss = LossOp.forwardBackward(dlogits: decoder.logits.pointer, logits: decoder.logits.pointer,
                                          targets: fixture.targets.flatMap { $0 }, teacher: teacher.pointer,
                                          rows: decoder.batch * decoder.length, vocab: model.dims.nVocab, weights: fixture.loss)
        withExtendedLifetime(teacher) {}
        #expect(abs(loss.total - fixture.initialLoss) <= Self.float64.lossMaxAbs, "loss \(loss.total) vs torch \(fixture.initialLoss)")
        model.gradients.zero()
        model.decoderBackward(decoder, audio: audio, daudio: nil)
        checkGradients(fixture, model, Self.float64)
    }

    @Test("float32 engine: loss, gradients and 10 AdamW steps follow PyTorch")
    func float32Engine() throws {
        let fixture = try Self.fixture()
        let checkpoint = try Checkpoint.read(directory: try TestPaths.model("tiny.en"))
        let model = try TrainingModel<Float>(checkpoint: checkpoint, frozen: [.encoder])
        let teacher = try TrainingModel<Float>(checkpoint: checkpoint, frozen: [.encoder])
        let audio = try encode(fixture, model)
        let examples = (0..<2).map { b in
            TrainingExample(tokens: fixture.tokens[b], targets: fixture.targets[b],
                            audio: .float32(Array(audio[(b * audio.count / 2)..<((b + 1) * audio.count / 2)])))
        }
        var options = TrainingOptions(schedule: LearningRateSchedule(
            peak: fixture.schedule.peak, minimum: fixture.schedule.minimum, warmupSteps: fixture.schedule.warmupSteps,
            totalSteps: fixture.schedule.totalSteps, decay: .cosine))
        (options.adamW, options.loss, options.batchSize, options.frozen) = (fixture.adamW, fixture.loss, 2, [.encoder])
        let trainer = Trainer(model: model, teacher: teacher, examples: examples, options: options)
        _ = try checkLogits(fixture, model, TrainBuffer(audio), Self.float32)
        model.gradients.zero()
        let loss = trainer.accumulate(TrainingBatch(examples, padToken: options.padToken))
        #expect(abs(loss.total - fixture.initialLoss) <= Self.float32.lossMaxAbs, "loss \(loss.total) vs torch \(fixture.initialLoss)")
        checkGradients(fixture, model, Self.float32)
        let start = ContinuousClock.now
        try trainer.run(steps: fixture.steps)
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        let losses = trainer.history.map(\.loss), norms = trainer.history.map(\.gradientNorm)
        let lossError = zip(losses, fixture.stepLosses).map { abs($0 - $1) }.max() ?? 0
        #expect(lossError <= Self.stepLossMaxAbs, "step losses \(losses) vs torch \(fixture.stepLosses)")
        let normError = zip(norms, fixture.gradientNorms).map { abs($0 - $1) / $1 }.max() ?? 0
        #expect(normError <= Self.float32.gradientRelative, "gradient norms \(norms) vs torch \(fixture.gradientNorms)")
        let tokens = trainer.history.map(\.tokens).reduce(0, +)
        print("torch parity float32: step loss max abs error \(lossError), gradient norm relative error \(normError); "
              + "\(fixture.steps) steps in \(seconds) s (\(Double(fixture.steps) / seconds) steps/s, "
              + "\(Double(tokens) / seconds) target tokens/s, batch 2, decoder with a teacher forward)")
    }

    /// The fixture's mel frames, padded to the window with each utterance's fill value, through the
    /// (frozen) training encoder: `[2 · nAudioCtx, nAudioState]`.
    private func encode<T: TrainScalar>(_ fixture: Fixture, _ model: TrainingModel<T>) throws -> [T] {
        let stored = try FloatFile.read(TestPaths.fixture("train/tinyen_mel.f32")).map { T($0) }
        let (nMels, frames, kept) = (model.dims.nMels, model.dims.nFrames, fixture.keptFrames)
        var mel = [T](repeating: 0, count: 2 * nMels * frames)
        for b in 0..<2 {
            for m in 0..<nMels {
                for t in 0..<frames {
                    mel[(b * nMels + m) * frames + t] = t < kept ? stored[(b * nMels + m) * kept + t] : T(fixture.fills[b])
                }
            }
        }
        let encoder = EncoderActivations(model, batch: 2, forwardOnly: true)
        model.encoderForward(encoder, mel: mel)
        return encoder.output.array
    }

    /// Runs the decoder on the fixture's tokens and checks its logits; returns the activations.
    private func checkLogits<T: TrainScalar>(_ fixture: Fixture, _ model: TrainingModel<T>, _ audio: TrainBuffer<T>,
                                             _ tolerance: Tolerances) throws -> DecoderActivations<T> {
        let length = fixture.tokens[0].count
        let decoder = DecoderActivations(model, batch: 2, length: length)
        model.decoderForward(decoder, tokens: fixture.tokens.flatMap { $0 }, audio: audio)
        let v = model.dims.nVocab
        let logits = decoder.logits.array
        let sampled = (0..<2 * length).flatMap { r in fixture.logits.vocabIndices.map { Double(logits[r * v + $0]) } }
        let logSumExp = (0..<2 * length).map { r in
            let row = logits[(r * v)..<((r + 1) * v)].map { Double($0) }
            let m = row.max()!
            return m + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - m) })
        }
        let error = zip(sampled + logSumExp, fixture.logits.values + fixture.logits.logSumExp).map { abs($0 - $1) }.max() ?? 0
        #expect(error <= tolerance.logitsMaxAbs, "logits max abs error \(error)")
        print("torch parity \(T.self): logits max abs error \(error)")
        return decoder
    }

    private func checkGradients<T: TrainScalar>(_ fixture: Fixture, _ model: TrainingModel<T>, _ tolerance: Tolerances) {
        #expect(fixture.gradients.count == model.layout.entries.filter { model.trains($0.key) }.count)
        var worst = (relative: 0.0, key: "")
        for (key, expected) in fixture.gradients.sorted(by: { $0.key < $1.key }) {
            let g = Array(model.gradients.array[model.layout[key].range]).map { Double($0) }
            let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let sum = g.reduce(0, +)
            let sampled = expected.indices.map { g[$0] }
            let scale = max(expected.norm, 1e-12)
            let entryError = zip(sampled, expected.values).map { abs($0 - $1) }.max() ?? 0
            let relative = max(abs(norm - expected.norm), abs(sum - expected.sum), entryError) / scale
            let dot = zip(sampled, expected.values).map { $0 * $1 }.reduce(0, +)
            let cosine = dot / max(1e-300, (sampled.map { $0 * $0 }.reduce(0, +) * expected.values.map { $0 * $0 }.reduce(0, +)).squareRoot())
            #expect(relative <= tolerance.gradientRelative && cosine >= tolerance.gradientMinCosine,
                    "\(key): norm \(norm) vs \(expected.norm), sum \(sum) vs \(expected.sum), entries \(entryError), cosine \(cosine)")
            if relative > worst.relative { worst = (relative, key) }
        }
        print("torch parity \(T.self): worst gradient error \(worst.relative) of its norm (\(worst.key))")
    }
}
