import Foundation
import SottoModel
import SottoTensor
import SottoTestSupport
import Testing

/// Forward-pass invariants on the seeded toy model (milliseconds, no real weights).
@Suite("Toy model forward pass")
struct WhisperModelToyTests {
    /// Same float32 math in a different order (one call vs token by token, batch vs single row).
    static let reorderingTolerance: Float = 1e-5

    let model: WhisperModel
    let audio: EncoderOutput

    init() throws {
        model = try WhisperModel.load(directory: try ToyWhisper.write())
        audio = model.encode(mel: ToyWhisper.mel())
    }

    private func expectClose(_ a: [Float], _ b: [Float], _ what: String, tolerance: Float = reorderingTolerance) {
        let closeness = Closeness(a, b)
        #expect(closeness.within(maxAbs: tolerance), "\(what): \(closeness)")
    }

    @Test("encoder output is finite and sized [nAudioCtx, nAudioState]")
    func encoderShape() {
        #expect(audio.hidden.count == 10 * 8 && audio.hidden.allSatisfy(\.isFinite))
    }

    @Test("a sequence in one call equals it token by token (causal mask + KV cache)")
    func cacheConsistency() {
        let tokens = [3, 17, 42, 5, 59, 0]
        let whole = model.makeDecoderState(audio: audio, batchSize: 1)
        let all = model.decode([tokens], state: whole)[0]
        #expect(whole.length == tokens.count)
        for split in 1..<tokens.count {
            let state = model.makeDecoderState(audio: audio, batchSize: 1)
            _ = model.decode([Array(tokens[..<split])], state: state)
            var last: [Float] = []
            for token in tokens[split...] { last = model.decode([[token]], state: state)[0] }
            expectClose(last, all, "prefix \(split) then one by one")
        }
        // Logits at a middle position must not see later tokens.
        let prefix = model.makeDecoderState(audio: audio, batchSize: 1)
        let middle = model.decode([Array(tokens[..<3])], state: prefix)[0]
        let stepwise = model.makeDecoderState(audio: audio, batchSize: 1)
        var third: [Float] = []
        for token in tokens[..<3] { third = model.decode([[token]], state: stepwise)[0] }
        expectClose(middle, third, "position 2")
    }

    @Test("batch rows are independent of each other")
    func batchIndependence() {
        let rows = [[1, 2, 3], [40, 41, 42], [1, 2, 3], [7, 7, 7]]
        let batch = model.makeDecoderState(audio: audio, batchSize: rows.count)
        var batched = model.decode(rows, state: batch)
        batched = model.decode(rows.indices.map { [10 + $0] }, state: batch)
        for (i, row) in rows.enumerated() {
            let single = model.makeDecoderState(audio: audio, batchSize: 1)
            _ = model.decode([row], state: single)
            expectClose(batched[i], model.decode([[10 + i]], state: single)[0], "row \(i)")
        }
    }

    @Test("reorder makes row i continue old row sourceRows[i]")
    func reorder() {
        let rows = [[1, 2], [30, 31], [50, 51]]
        let state = model.makeDecoderState(audio: audio, batchSize: 3)
        _ = model.decode(rows, state: state)
        let order = [2, 0, 2]
        state.reorder(order)
        let next = model.decode([[5], [6], [7]], state: state)
        for (i, source) in order.enumerated() {
            let single = model.makeDecoderState(audio: audio, batchSize: 1)
            _ = model.decode([rows[source]], state: single)
            expectClose(next[i], model.decode([[5 + i]], state: single)[0], "row \(i) from \(source)")
        }
    }

    /// The server's batch: states with different audio windows, prompt lengths and row counts
    /// step together; each row's logits are those of its state stepped alone, and every state
    /// moves on by one token.
    @Test("decodeStep over states of different windows and lengths equals each state alone")
    func decodeStepAcrossStates() {
        let otherAudio = model.encode(mel: ToyWhisper.mel(seed: 99))
        let setups: [(audio: EncoderOutput, prompt: [Int], rows: Int)] = [
            (audio, [1, 2, 3], 1), (otherAudio, [4], 1), (audio, [7, 8, 9, 10, 11, 12], 2), (otherAudio, [13, 14], 1),
        ]
        let batched = setups.map { model.makeDecoderState(audio: $0.audio, batchSize: $0.rows) }
        let alone = setups.map { model.makeDecoderState(audio: $0.audio, batchSize: $0.rows) }
        for (i, setup) in setups.enumerated() {
            let prompt = Array(repeating: setup.prompt, count: setup.rows)
            _ = model.decode(prompt, state: batched[i])
            _ = model.decode(prompt, state: alone[i])
        }
        for step in 0..<3 {
            let tokens = setups.indices.map { i in (0..<setups[i].rows).map { 20 + 7 * i + 3 * step + $0 } }
            let logits = model.decodeStep(tokens, states: batched)
            for i in setups.indices {
                #expect(batched[i].length == setups[i].prompt.count + step + 1)
                let expected = model.decode(tokens[i].map { [$0] }, state: alone[i])
                #expect(logits[i].count == setups[i].rows)
                for row in expected.indices { expectClose(logits[i][row], expected[row], "step \(step) state \(i) row \(row)") }
            }
        }
    }

    @Test("float16 and int8 checkpoints load to nearby weights", arguments: [DType.float16, .int8])
    func storedDTypes(dtype: DType) throws {
        let quantized = try WhisperModel.load(directory: try ToyWhisper.write(ToyWhisper.writer(dtype: dtype)))
        let q = quantized.encode(mel: ToyWhisper.mel())
        let tolerance: Float = dtype == .int8 ? 0.15 : 5e-3
        expectClose(q.hidden, audio.hidden, "\(dtype) encoder", tolerance: tolerance)
        let a = model.decode([[1, 2, 3]], state: model.makeDecoderState(audio: audio, batchSize: 1))[0]
        let b = quantized.decode([[1, 2, 3]], state: quantized.makeDecoderState(audio: q, batchSize: 1))[0]
        #expect(Closeness(a, b).cosine > (dtype == .int8 ? 0.99 : 0.9999), "\(dtype) logits: \(Closeness(a, b))")
    }
}
