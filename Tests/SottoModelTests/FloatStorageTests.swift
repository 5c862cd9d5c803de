import Foundation
import SottoModel
import SottoTensor
import SottoTestSupport
import Testing

/// A float16 CTranslate2 checkpoint is run from its float16 bytes (half the bytes a decoding step
/// streams) with float32 arithmetic, so it computes what the same values widened to float32 compute.
@Suite struct FloatStorageTests {
    @Test("tiny.en's float16 matrices stay float16, and the model computes as its float32 widening does")
    func float16MatricesStayFloat16() throws {
        let checkpoint = try Checkpoint.read(directory: try TestPaths.model("tiny.en"))
        #expect(checkpoint.matrixEncodings == [.float16])
        let widened = checkpoint.storingMatrices(as: .float32)
        #expect(widened.matrixEncodings == [.float32])
        let (half, float32) = (try WhisperModel(checkpoint: checkpoint), try WhisperModel(checkpoint: widened))
        // Float weights keep float32 audio keys/values and float32 encoder attention (bfloat16 is for quantized models).
        #expect(half.audioPrecision == .float32 && half.encoderAttentionPrecision == .float32)
        #expect(half.audioPrecision == float32.audioPrecision && half.encoderAttentionPrecision == float32.encoderAttentionPrecision)

        let mel = try FloatFile.read(TestPaths.fixture("model/jfk_mel.f32"))
        let (audioHalf, audioFloat) = (half.encode(mel: mel), float32.encode(mel: mel))
        let encoder = Closeness(audioHalf.hidden, audioFloat.hidden)
        #expect(encoder.within(maxAbs: 1e-3, minCosine: 0.999_999), "encoder: \(encoder)")
        let prompt = [50257, 50362]  // tiny.en: start of transcript, no timestamps
        let logitsHalf = half.decode([prompt], state: half.makeDecoderState(audio: audioHalf, batchSize: 1))[0]
        let logitsFloat = float32.decode([prompt], state: float32.makeDecoderState(audio: audioFloat, batchSize: 1))[0]
        let logits = Closeness(logitsHalf, logitsFloat)
        #expect(logits.within(maxAbs: 1e-3, minCosine: 0.999_999), "logits: \(logits)")
        #expect(checkpoint.parameterBytes < widened.parameterBytes * 11 / 20, "float16 holds about half the bytes")
    }
}
