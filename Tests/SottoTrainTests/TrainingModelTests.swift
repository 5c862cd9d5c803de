import SottoModel
import SottoTestSupport
import SottoTrain
import Testing

/// The whole model (encoder stem, encoder block, two decoder blocks with cross-attention, tied
/// output, CE + KL) differentiated end to end in float64 on a toy shape.
@Suite("training model gradients")
struct TrainingModelTests {
    static let dims = ModelDimensions(nMels: 3, nAudioCtx: 4, nAudioState: 8, nAudioHead: 2, nAudioLayer: 1,
                                      nVocab: 13, nTextCtx: 6, nTextState: 8, nTextHead: 2, nTextLayer: 2)
    static let tokens = [1, 5, 7, 12, 3, 3, 9, 0]    // [2, 4]
    static let targets = [5, 7, 12, -1, 3, 9, 0, 11]

    static func model(frozen: ParameterGroups) -> TrainingModel<Double> {
        let count = ParameterLayout(dims: dims).totalCount
        return TrainingModel(dims: dims, parameters: GradientCheck.random(count, seed: 30, scale: 0.5).array, frozen: frozen)
    }

    /// Loss of the batch and, with `backward`, the gradients accumulated into `model.gradients`.
    /// `audioFrames`: encoder positions (the mel holds twice as many frames); nil: whole windows.
    static func loss(_ model: TrainingModel<Double>, mel: [Double], teacher: TrainBuffer<Double>, backward: Bool,
                     audioFrames: Int? = nil) -> Double {
        let encoder = EncoderActivations(model, batch: 2)
        encoder.prepare(batch: 2, audioFrames: audioFrames)
        model.encoderForward(encoder, mel: mel)
        let decoder = DecoderActivations(model, batch: 2, length: 4)
        decoder.prepare(batch: 2, length: 4, audioFrames: audioFrames)
        model.decoderForward(decoder, tokens: tokens, audio: encoder.output)
        let loss = LossOp.forwardBackward(dlogits: decoder.logits.pointer, logits: decoder.logits.pointer, targets: targets,
                                          teacher: teacher.pointer, rows: 8, vocab: dims.nVocab,
                                          weights: LossWeights(crossEntropy: 0.8, kl: 1, temperature: 2))
        if backward {
            let trainsEncoder = model.trains("encoder.conv1.weight")
            model.decoderBackward(decoder, audio: encoder.output, daudio: trainsEncoder ? encoder.outputGradient : nil)
            if trainsEncoder { model.encoderBackward(encoder) }
        }
        return loss.total
    }

    /// Whole windows (4 positions), and a context shorter than the window (3 of 4 positions: a
    /// student that attends to its audio alone), where every buffer's front is used.
    @Test("every parameter's gradient matches finite differences", arguments: [nil, 3])
    func wholeModel(audioFrames: Int?) {
        let model = Self.model(frozen: [])
        let frames = audioFrames ?? Self.dims.nAudioCtx
        let mel = GradientCheck.random(2 * Self.dims.nMels * 2 * frames, seed: 31).array
        let teacher = GradientCheck.random(8 * Self.dims.nVocab, seed: 32, scale: 3)
        _ = Self.loss(model, mel: mel, teacher: teacher, backward: true, audioFrames: audioFrames)
        let analytic = model.gradients.array
        for entry in model.layout.entries where entry.key != "encoder.positional_embedding" {
            let view = ParameterView(model: model, entry: entry)
            GradientCheck.expect(entry.key, analytic: Array(analytic[entry.range]), wrt: view.buffer, samples: 24) {
                view.load()
                return Self.loss(model, mel: mel, teacher: teacher, backward: false, audioFrames: audioFrames)
            }
            view.load()  // the check leaves the buffer restored; put the unperturbed values back in the model
        }
    }

    @Test("frozen groups get no gradient; the others match the unfrozen run")
    func freezing() {
        let mel = GradientCheck.random(2 * Self.dims.nMels * Self.dims.nFrames, seed: 31).array
        let teacher = GradientCheck.random(8 * Self.dims.nVocab, seed: 32, scale: 3)
        let full = Self.model(frozen: [])
        let frozen = Self.model(frozen: [.encoder, .embeddings])
        _ = Self.loss(full, mel: mel, teacher: teacher, backward: true)
        _ = Self.loss(frozen, mel: mel, teacher: teacher, backward: true)
        for entry in full.layout.entries {
            let got = Array(frozen.gradients.array[entry.range])
            if frozen.trains(entry.key) {
                let expected = Array(full.gradients.array[entry.range])
                let error = zip(got, expected).map { abs($0 - $1) }.max() ?? 0
                #expect(error < 1e-12, "\(entry.key) differs by \(error) when other groups are frozen")
            } else {
                #expect(got.allSatisfy { $0 == 0 }, "\(entry.key) is frozen but got a gradient")
            }
        }
    }
}

/// One parameter copied out to a buffer the gradient check perturbs, and written back before each loss.
private struct ParameterView {
    let model: TrainingModel<Double>
    let entry: ParameterLayout.Entry
    let buffer: TrainBuffer<Double>

    init(model: TrainingModel<Double>, entry: ParameterLayout.Entry) {
        (self.model, self.entry) = (model, entry)
        buffer = TrainBuffer(model.values(entry.key))
    }

    func load() {
        (model.parameters.pointer + entry.offset).update(from: buffer.pointer, count: entry.count)
    }
}

@Suite("training model determinism")
struct TrainingModelDeterminismTests {
    @Test("the same batch gives the same loss, bit for bit")
    func repeatable() {
        let model = TrainingModelTests.model(frozen: [])
        let mel = GradientCheck.random(2 * TrainingModelTests.dims.nMels * TrainingModelTests.dims.nFrames, seed: 31).array
        let teacher = GradientCheck.random(8 * TrainingModelTests.dims.nVocab, seed: 32, scale: 3)
        let losses = (0..<50).map { _ in TrainingModelTests.loss(model, mel: mel, teacher: teacher, backward: false) }
        #expect(Set(losses).count == 1, "losses vary: \(Set(losses).sorted())")
    }
}
