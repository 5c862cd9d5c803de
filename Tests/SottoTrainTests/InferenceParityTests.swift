import Foundation
import SottoModel
import SottoTestSupport
import SottoTrain
import Testing

/// The training forward is the inference model's forward: on real tiny.en weights and JFK's mel,
/// the training encoder's output equals `WhisperModel.encode` and the teacher-forced logits equal
/// `WhisperModel.decodeAllPositions`, within float32 reordering (measured: 8e-5 on both) (different GEMM blockings, and the
/// inference GELU's erf polynomial, accurate to ~1.5e-7).
@Suite("training forward equals inference", .serialized)
struct InferenceParityTests {
    static let encoderMaxAbs: Float = 5e-4
    static let logitsMaxAbs: Float = 5e-4
    static let minCosine = 0.999_999_9

    struct GoldenFixture: Decodable { let prompt, greedyTokens: [Int] }

    @Test("tiny.en encoder output and logits")
    func tinyEn() throws {
        let checkpoint = try Checkpoint.read(directory: try TestPaths.model("tiny.en"))
        let inference = try WhisperModel(checkpoint: checkpoint)
        let model = try TrainingModel<Float>(checkpoint: checkpoint, frozen: [.encoder])
        let mel = try FloatFile.read(TestPaths.fixture("model/jfk_mel.f32"))
        let audio = inference.encode(mel: mel)

        let encoder = EncoderActivations(model, batch: 1, forwardOnly: true)
        model.encoderForward(encoder, mel: mel)
        let encoderCloseness = Closeness(encoder.output.array, audio.hidden)
        #expect(encoderCloseness.within(maxAbs: Self.encoderMaxAbs, minCosine: Self.minCosine), "encoder: \(encoderCloseness)")

        let golden = try JSONDecoder().decode(GoldenFixture.self, from: Data(contentsOf: TestPaths.fixture("model/tiny.en.json")))
        let tokens = golden.prompt + golden.greedyTokens
        let expected = inference.decodeAllPositions(tokens, state: inference.makeDecoderState(audio: audio, batchSize: 1))
        let decoder = DecoderActivations(model, batch: 1, length: tokens.count)
        model.decoderForward(decoder, tokens: tokens, audio: TrainBuffer(audio.hidden))
        let logitsCloseness = Closeness(decoder.logits.array, expected.flatMap { $0 })
        #expect(logitsCloseness.within(maxAbs: Self.logitsMaxAbs, minCosine: Self.minCosine), "logits: \(logitsCloseness)")
        print("training vs inference forward, tiny.en: encoder \(encoderCloseness); logits \(logitsCloseness)")
    }

    /// A student that attends to its audio alone: JFK's 11 s (the first 1,100 mel frames) and a margin
    /// make 582 encoder positions; both engines encode and decode that context alike.
    @Test("tiny.en on a context shorter than the window")
    func shortContext() throws {
        let checkpoint = try Checkpoint.read(directory: try TestPaths.model("tiny.en"))
        let inference = try WhisperModel(checkpoint: checkpoint)
        let model = try TrainingModel<Float>(checkpoint: checkpoint, frozen: [])
        let whole = try FloatFile.read(TestPaths.fixture("model/jfk_mel.f32"))
        let (nMels, frames) = (checkpoint.dims.nMels, 582)
        let windowFrames = whole.count / nMels
        let mel = (0..<nMels).flatMap { whole[($0 * windowFrames)..<($0 * windowFrames + 2 * frames)] }
        let audio = inference.encode(mel: mel, audioFrames: frames)
        #expect(audio.frames == frames && audio.hidden.count == frames * checkpoint.dims.nAudioState)

        let encoder = EncoderActivations(model, batch: 1)
        encoder.prepare(batch: 1, audioFrames: frames)
        model.encoderForward(encoder, mel: mel)
        let encoderCloseness = Closeness(Array(encoder.output.array.prefix(audio.hidden.count)), audio.hidden)
        #expect(encoderCloseness.within(maxAbs: Self.encoderMaxAbs, minCosine: Self.minCosine), "encoder: \(encoderCloseness)")

        let golden = try JSONDecoder().decode(GoldenFixture.self, from: Data(contentsOf: TestPaths.fixture("model/tiny.en.json")))
        let tokens = golden.prompt + golden.greedyTokens
        let expected = inference.decodeAllPositions(tokens, state: inference.makeDecoderState(audio: audio, batchSize: 1))
        let decoder = DecoderActivations(model, batch: 1, length: tokens.count)
        decoder.prepare(batch: 1, length: tokens.count, audioFrames: frames)
        model.decoderForward(decoder, tokens: tokens, audio: TrainBuffer(audio.hidden))
        let logitsCloseness = Closeness(decoder.logits.array, expected.flatMap { $0 })
        #expect(logitsCloseness.within(maxAbs: Self.logitsMaxAbs, minCosine: Self.minCosine), "logits: \(logitsCloseness)")
    }
}
