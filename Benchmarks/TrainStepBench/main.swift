// Times decoder-only training steps of a real model with a frozen encoder (cached encoder output),
// split into forward, loss, backward and AdamW, for a batch of `SOTTO_BATCH` rows of `SOTTO_TOKENS`
// tokens; then whole Trainer steps with and without a teacher forward (KL) and with the
// cross-attention key/value projections frozen too.
// Run: swift run -c release TrainStepBench MODEL_DIR
import Foundation
import SottoModel
import SottoTensor
import SottoTrain

guard CommandLine.arguments.count == 2 else {
    print("usage: TrainStepBench MODEL_DIR")
    exit(2)
}
let environment = ProcessInfo.processInfo.environment
let threads = Int(environment["SOTTO_THREADS"] ?? "") ?? 2
let batch = Int(environment["SOTTO_BATCH"] ?? "") ?? 4
let length = Int(environment["SOTTO_TOKENS"] ?? "") ?? 32
let steps = Int(environment["SOTTO_STEPS"] ?? "") ?? 5
Compute.setThreads(threads)

let checkpoint = try Checkpoint.read(directory: URL(fileURLWithPath: CommandLine.arguments[1]))
let dims = checkpoint.dims
let silence = [Float](repeating: -1.5, count: dims.nMels * dims.nFrames)
let audio = try WhisperModel(checkpoint: checkpoint).encode(mel: silence).hidden
var generator = SeededRandom(state: 1)
let examples = (0..<batch).map { _ in
    TrainingExample(sequence: [50257] + (0..<length).map { _ in Int(generator.next() % 50000) }, promptLength: 1, audio: .float32(audio))
}

func seconds(_ body: () -> Void) -> Double {
    let start = ContinuousClock.now
    body()
    return start.duration(to: .now) / .seconds(1)
}

// Phases of one step, by hand.
let model = try TrainingModel<Float>(checkpoint: checkpoint, frozen: [.encoder])
let activations = DecoderActivations(model, batch: batch, length: length)
let audioBuffer = TrainBuffer(examples.flatMap { $0.audio!.floats })
let tokens = examples.flatMap(\.tokens), targets = examples.flatMap(\.targets)
let optimizer = AdamW(count: model.layout.totalCount, options: AdamWOptions())
var phases = [0.0, 0.0, 0.0, 0.0]
for _ in 0..<steps {
    model.gradients.zero()
    phases[0] += seconds { model.decoderForward(activations, tokens: tokens, audio: audioBuffer) }
    phases[1] += seconds {
        _ = LossOp.forwardBackward(dlogits: activations.logits.pointer, logits: activations.logits.pointer, targets: targets,
                                   teacher: nil, rows: batch * length, vocab: dims.nVocab, weights: LossWeights())
    }
    phases[2] += seconds { model.decoderBackward(activations, audio: audioBuffer, daudio: nil) }
    phases[3] += seconds { optimizer.update(model, learningRate: 1e-5) }
}
let names = ["decoder forward", "loss (CE)", "decoder backward", "AdamW"]
print("\(CommandLine.arguments[1]): batch \(batch) x \(length) tokens, \(threads) threads, mean of \(steps) steps")
for (name, total) in zip(names, phases) {
    print("  " + name.padding(toLength: 20, withPad: " ", startingAt: 0) + String(format: "%8.1f ms", total / Double(steps) * 1000))
}

// Whole steps through the Trainer.
func trainerRun(_ label: String, frozen: ParameterGroups, teacher: Bool) throws {
    var options = TrainingOptions(schedule: LearningRateSchedule(peak: 1e-5, totalSteps: steps))
    (options.batchSize, options.frozen) = (batch, frozen)
    options.loss = teacher ? LossWeights(crossEntropy: 0.8, kl: 1, temperature: 2) : LossWeights()
    let student = try TrainingModel<Float>(checkpoint: checkpoint, frozen: frozen)
    let teacherModel = teacher ? try TrainingModel<Float>(checkpoint: checkpoint, frozen: frozen) : nil
    let trainer = Trainer(model: student, teacher: teacherModel, examples: examples, options: options)
    trainer.step()  // warm-up: allocations
    let start = ContinuousClock.now
    try trainer.run(steps: steps + 1)
    let elapsed = start.duration(to: .now) / .seconds(1)
    let counted = trainer.history.dropFirst().map(\.tokens).reduce(0, +)
    print("  " + label.padding(toLength: 48, withPad: " ", startingAt: 0)
          + String(format: "%6.3f steps/s  %7.1f target tokens/s", Double(steps) / elapsed, Double(counted) / elapsed))
}
try trainerRun("step, CE, encoder frozen", frozen: [.encoder], teacher: false)
try trainerRun("step, 0.8 CE + KL (teacher forward)", frozen: [.encoder], teacher: true)
try trainerRun("step, CE, encoder + cross-attention k/v frozen", frozen: [.encoder, .crossAttentionKeysValues], teacher: false)
