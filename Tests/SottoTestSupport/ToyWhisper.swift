import Foundation
import SottoModel
import SottoTensor

/// A seeded, tiny Whisper-shaped CTranslate2 model (2+2 layers, width 8, 2 heads, vocabulary 60) for
/// millisecond unit tests of the loader and the forward pass. Names follow CTranslate2's WhisperSpec.
public enum ToyWhisper {
    public static let dims = ModelDimensions(
        nMels: 6, nAudioCtx: 10, nAudioState: 8, nAudioHead: 2, nAudioLayer: 2,
        nVocab: 60, nTextCtx: 16, nTextState: 8, nTextHead: 2, nTextLayer: 2)

    /// The writer for the toy model; callers may remove or alter variables before writing.
    public static func writer(seed: UInt64 = 7, dtype: DType = .float32) -> CTranslate2FileWriter {
        var rng = SeededGenerator(seed: seed)
        var w = CTranslate2FileWriter()
        let d = dims
        let (a, t) = (d.nAudioState, d.nTextState)
        func weight(_ name: String, _ shape: [Int], scale: Float = 0.5) {
            w.add(name, shape: shape, values: rng.floats(shape.reduce(1, *), scale: scale), as: dtype)
        }
        func vector(_ name: String, _ n: Int, around center: Float = 0) {
            w.add(name, shape: [n], values: rng.floats(n, scale: 0.2).map { $0 + center })
        }
        func linear(_ scope: String, out: Int, in n: Int) {
            weight("\(scope)/weight", [out, n])
            vector("\(scope)/bias", out)
        }
        func norm(_ scope: String, _ n: Int) {
            vector("\(scope)/gamma", n, around: 1)
            vector("\(scope)/beta", n)
        }
        w.addScalar("encoder/num_heads", int16: Int16(d.nAudioHead))
        weight("encoder/conv1/weight", [a, d.nMels, 3])
        vector("encoder/conv1/bias", a)
        weight("encoder/conv2/weight", [a, a, 3])
        vector("encoder/conv2/bias", a)
        w.add("encoder/position_encodings/encodings", shape: [d.nAudioCtx, a], values: rng.floats(d.nAudioCtx * a))
        for i in 0..<d.nAudioLayer {
            norm("encoder/layer_\(i)/self_attention/layer_norm", a)
            linear("encoder/layer_\(i)/self_attention/linear_0", out: 3 * a, in: a)
            linear("encoder/layer_\(i)/self_attention/linear_1", out: a, in: a)
            norm("encoder/layer_\(i)/ffn/layer_norm", a)
            linear("encoder/layer_\(i)/ffn/linear_0", out: 4 * a, in: a)
            linear("encoder/layer_\(i)/ffn/linear_1", out: a, in: 4 * a)
        }
        norm("encoder/layer_norm", a)
        w.addScalar("decoder/num_heads", int16: Int16(d.nTextHead))
        weight("decoder/embeddings/weight", [d.nVocab, t], scale: 1)
        w.add("decoder/position_encodings/encodings", shape: [d.nTextCtx, t], values: rng.floats(d.nTextCtx * t))
        for i in 0..<d.nTextLayer {
            let scope = "decoder/layer_\(i)"
            norm("\(scope)/self_attention/layer_norm", t)
            linear("\(scope)/self_attention/linear_0", out: 3 * t, in: t)
            linear("\(scope)/self_attention/linear_1", out: t, in: t)
            norm("\(scope)/attention/layer_norm", t)
            linear("\(scope)/attention/linear_0", out: t, in: t)
            linear("\(scope)/attention/linear_1", out: 2 * t, in: a)
            linear("\(scope)/attention/linear_2", out: t, in: t)
            norm("\(scope)/ffn/layer_norm", t)
            linear("\(scope)/ffn/linear_0", out: 4 * t, in: t)
            linear("\(scope)/ffn/linear_1", out: t, in: 4 * t)
        }
        norm("decoder/layer_norm", t)
        w.aliases.append(("decoder/projection/weight", "decoder/embeddings/weight"))
        return w
    }

    /// Writes model.bin and config.json into a fresh temporary directory and returns it.
    public static func write(_ writer: CTranslate2FileWriter = writer(), config: String? = #"{"suppress_ids": [1, 2]}"#) throws -> URL {
        let dir = try temporaryDirectory()
        try writer.write(to: dir.appendingPathComponent("model.bin"))
        if let config { try Data(config.utf8).write(to: dir.appendingPathComponent("config.json")) }
        return dir
    }

    /// A seeded mel window `[nMels, 2 * nAudioCtx]`.
    public static func mel(seed: UInt64 = 11) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return rng.floats(dims.nMels * dims.nFrames)
    }

    /// A fresh directory under the test process's own temporary root, which is removed when the
    /// process exits (hundreds of tests write toy models; none has to clean up after itself).
    public static func temporaryDirectory() throws -> URL {
        let dir = testTemporaryRoot.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

private let testTemporaryRoot: URL = {
    atexit { try? FileManager.default.removeItem(at: testTemporaryRootPath) }
    return testTemporaryRootPath
}()

private let testTemporaryRootPath = FileManager.default.temporaryDirectory
    .appendingPathComponent("sotto-tests-\(ProcessInfo.processInfo.processIdentifier)")
