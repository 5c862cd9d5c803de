import Foundation
import SottoModel
import SottoTensor
import SottoTestSupport
import Testing

/// Parity with CTranslate2's float32 forward pass on JFK (fixtures: scripts/make_model_fixtures.py).
@Suite("CTranslate2 parity", .serialized)
struct WhisperModelGoldenTests {
    /// Encoder rows: float32 vs float32 through differently ordered GEMMs, four to six layers deep.
    static let encoderMaxAbs: Float = 2e-3
    static let encoderMinCosine = 0.9999
    /// Raw logits (magnitudes around 10-40).
    static let logitsMaxAbs: Float = 5e-3
    static let logitsMinCosine = 0.99999

    struct Fixture: Decodable {
        let nAudioCtx, nAudioState, nVocab, encoderRowStride, logitsVocabStride: Int
        let encoderRowNorms: [Float]
        let prompt, greedyTokens, logitPositions: [Int]
        let topTokens: [[Int]]
    }

    @Test("encoder, logits and greedy tokens match CTranslate2", arguments: ["tiny.en", "base"])
    func matchesCTranslate2(name: String) throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: TestPaths.fixture("model/\(name).json")))
        let model = try WhisperModel.load(directory: try TestPaths.model(name))
        let mel = try FloatFile.read(TestPaths.fixture("model/jfk_mel.f32"))
        let audio = model.encode(mel: mel)
        try checkEncoder(audio, fixture, name)
        try checkLogitsAndGreedy(model, audio, fixture, name)
    }

    private func checkEncoder(_ audio: EncoderOutput, _ fixture: Fixture, _ name: String) throws {
        let expected = try FloatFile.read(TestPaths.fixture("model/\(name)_encoder_rows.f32"))
        let n = fixture.nAudioState
        let rows = stride(from: 0, to: fixture.nAudioCtx, by: fixture.encoderRowStride)
        let actual = rows.flatMap { audio.hidden[($0 * n)..<(($0 + 1) * n)] }
        let closeness = Closeness(actual, expected)
        #expect(closeness.within(maxAbs: Self.encoderMaxAbs, minCosine: Self.encoderMinCosine), "\(name) encoder: \(closeness)")
        let norms = (0..<fixture.nAudioCtx).map { r in audio.hidden[(r * n)..<((r + 1) * n)].reduce(0) { $0 + $1 * $1 }.squareRoot() }
        let normCloseness = Closeness(norms, fixture.encoderRowNorms)
        #expect(normCloseness.within(maxAbs: Self.encoderMaxAbs * 20, minCosine: Self.encoderMinCosine), "\(name) encoder row norms: \(normCloseness)")
        print("\(name) encoder vs CTranslate2: \(closeness)")
    }

    /// Greedy decoding with no suppression, as the fixture's `generate(beam_size=1, suppress_tokens=[])`;
    /// logits at the recorded steps compared on the stored vocabulary stride.
    private func checkLogitsAndGreedy(_ model: WhisperModel, _ audio: EncoderOutput, _ fixture: Fixture, _ name: String) throws {
        let expected = try FloatFile.read(TestPaths.fixture("model/\(name)_logits.f32"))
        let kept = stride(from: 0, to: fixture.nVocab, by: fixture.logitsVocabStride).map { $0 }
        let endOfText = model.dims.isMultilingual ? 50257 : 50256
        let state = model.makeDecoderState(audio: audio, batchSize: 1)
        var logits = model.decode([fixture.prompt], state: state)[0]
        var tokens: [Int] = []
        var step = 0
        while true {
            if let p = fixture.logitPositions.firstIndex(of: step) {
                let reference = Array(expected[(p * kept.count)..<((p + 1) * kept.count)])
                let closeness = Closeness(kept.map { logits[$0] }, reference)
                #expect(closeness.within(maxAbs: Self.logitsMaxAbs, minCosine: Self.logitsMinCosine), "\(name) logits step \(step): \(closeness)")
                #expect(topTokens(logits, 5) == Array(fixture.topTokens[p].prefix(5)), "\(name) top tokens at step \(step)")
                print("\(name) logits step \(step) vs CTranslate2: \(closeness)")
            }
            let next = logits.indices.max { logits[$0] < logits[$1] }!
            if next == endOfText || tokens.count >= fixture.greedyTokens.count + 5 { break }
            tokens.append(next)
            logits = model.decode([[next]], state: state)[0]
            step += 1
        }
        #expect(tokens == fixture.greedyTokens, "\(name) greedy tokens")
    }

    private func topTokens(_ logits: [Float], _ k: Int) -> [Int] {
        Array(logits.indices.sorted { logits[$0] > logits[$1] }.prefix(k))
    }
}
