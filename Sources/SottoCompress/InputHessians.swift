import Foundation
import SottoModel
import SottoTensor

/// Each weight matrix's input Hessian `sum x^T x` over calibration audio, the statistic GPTQ-style
/// int4 quantization (ErrorFeedbackQuantization) weighs rounding errors with. Collected by running the
/// float model teacher-forced over calibration windows: the encoder once per window, the decoder over
/// every position of the float model's own transcript, so the output projection sees real text.
public enum InputHessians {
    public static func collect(_ model: WhisperModel, windows: [CalibrationWindow], keys: Set<String>,
                               progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) -> [String: [Double]] {
        let recorder = GramRecorder(keys: keys)
        for (done, window) in windows.enumerated() {
            ActivationObservation.$observer.withValue(recorder) {
                let audio = model.encode(mel: window.mel)
                let state = model.makeDecoderState(audio: audio, batchSize: 1)
                _ = model.decodeAllPositions(Array(window.tokens.dropLast()), state: state)
            }
            progress(done + 1, windows.count)
        }
        return recorder.grams.mapValues { $0.map(Double.init) }
    }
}

/// Accumulates `x^T x` per observed layer. Observations arrive from the one running forward pass; the
/// lock makes reading the sums afterwards safe.
final class GramRecorder: ActivationObserver, @unchecked Sendable {
    private let lock = NSLock()
    private let keys: Set<String>
    private var sums: [String: [Float]] = [:]

    init(keys: Set<String>) { self.keys = keys }

    func observe(_ key: String, input: ArraySlice<Float>, rows: Int, cols: Int) {
        guard keys.contains(key) else { return }
        lock.withLock {
            var gram = sums.removeValue(forKey: key) ?? [Float](repeating: 0, count: cols * cols)
            Gemm.accumulateGram(input, rows: rows, cols: cols, into: &gram)
            sums[key] = gram
        }
    }

    var grams: [String: [Float]] { lock.withLock { sums } }
}
