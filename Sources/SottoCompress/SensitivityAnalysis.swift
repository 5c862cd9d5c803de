import Foundation
import SottoAudio
import SottoDecoding
import SottoEval
import SottoModel
import SottoTensor
import SottoText

/// One calibration utterance's first 30-second window, with the float model's own transcript of it
/// as the teacher-forced token sequence.
public struct CalibrationWindow: Sendable {
    public let id: String
    /// `[nMels, framesPerChunk]`, zero-padded as Whisper pads.
    public let mel: [Float]
    /// Start-of-transcript prompt with no-timestamps, the float model's text tokens, end of text.
    public let tokens: [Int]
    /// The same transcript as decoded with timestamps (the default mode): start-of-transcript
    /// prompt, text and timestamp tokens of the first window, end of text.
    public let timedTokens: [Int]
}

/// How much each weight matrix hurts when it alone is quantized: the mean KL divergence between the
/// float model's next-token distributions and the one-layer-quantized model's, teacher-forced on
/// the float model's transcripts. Cheap (one forward pass per window and layer; decoder layers
/// reuse the float encoder output) and aligned with what WER sees.
public enum SensitivityAnalysis {
    public static func windows(transcriber: Transcriber, manifest: Manifest, limit: Int,
                               progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> [CalibrationWindow] {
        let model = transcriber.model
        let multilingual = model.dims.isMultilingual
        let entries = Calibration.usableEntries(manifest, multilingual: multilingual, limit: limit)
        return try entries.enumerated().map { index, entry in
            defer { progress(index + 1, entries.count) }
            let samples = try AudioLoader.load(path: manifest.audioURL(for: entry).path)
            let first = Array(samples.prefix(AudioTiming.sampleRateHz * 30))
            var options = TranscriptionOptions()
            options.decoding.beamSize = 1
            options.decoding.language = multilingual ? entry.language : nil
            options.temperatures = [0]
            let result = try transcriber.transcribe(samples: first, options: options)
            let special = transcriber.tokenizer.special
            let text = result.segments.flatMap(\.tokens).filter { $0 < special.eot }
            let timed = result.segments.filter { $0.seekFrames == 0 }.flatMap(\.tokens)
                .filter { $0 < special.eot || $0 >= special.timestampBegin }
            let sot = transcriber.tokenizer.sotSequence(language: multilingual ? result.language : nil, task: .transcribe)
            let tokens = Array((sot + [special.noTimestamps] + text + [special.eot]).prefix(model.dims.nTextCtx))
            let timedTokens = Array((sot + timed + [special.eot]).prefix(model.dims.nTextCtx))
            return CalibrationWindow(id: entry.id, mel: paddedWindow(first, nMels: model.dims.nMels), tokens: tokens,
                                     timedTokens: timedTokens)
        }
    }

    /// Sensitivity of each key in `keys` to its encoding in `quantized` (the float checkpoint with
    /// that one matrix taken from `quantized`), in `keys` order.
    public static func measure(_ checkpoint: Checkpoint, quantized: Checkpoint, keys: [String],
                               windows: [CalibrationWindow],
                               progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> [String: Double] {
        let float = try WhisperModel(checkpoint: checkpoint)
        let audio = windows.map { float.encode(mel: $0.mel) }
        let reference = zip(windows, audio).map { logProbabilities(float, $0.tokens, $1) }
        var result: [String: Double] = [:]
        for (done, key) in keys.enumerated() {
            var probe = checkpoint
            probe.tensors[key] = quantized.tensors[key]
            let model = try WhisperModel(checkpoint: probe)
            var divergence = 0.0
            for (i, window) in windows.enumerated() {
                // Only encoder layers change the audio features; decoder probes reuse the float encoding.
                let encoded = key.hasPrefix("encoder.") ? model.encode(mel: window.mel) : audio[i]
                divergence += klDivergence(reference[i], logProbabilities(model, window.tokens, encoded))
            }
            result[key] = divergence / Double(max(windows.count, 1))
            progress(done + 1, keys.count)
        }
        return result
    }

    /// How much each row of the tied token embedding matters as the output projection: the float
    /// model's next-token probability of each vocabulary entry, averaged over every teacher-forced
    /// position of `windows`, decoded both without and with timestamps. Logit noise on row v costs KL
    /// in proportion to p(v), so rows with high mean probability are the ones worth storing
    /// precisely; the timestamp tokens earn theirs in the timed sequences (an int4 end-of-segment
    /// timestamp made base repeat a whole segment into the padding).
    public static func tokenImportance(_ model: WhisperModel, windows: [CalibrationWindow]) -> [String: [Double]] {
        var mean = [Double](repeating: 0, count: model.dims.nVocab)
        var positions = 0
        for window in windows {
            let audio = model.encode(mel: window.mel)
            for tokens in [window.tokens, window.timedTokens] {
                for logProbabilities in logProbabilities(model, tokens, audio) {
                    for (token, logProbability) in logProbabilities.enumerated() { mean[token] += Double(exp(logProbability)) }
                    positions += 1
                }
            }
        }
        return [CheckpointNames.tokenEmbedding: mean.map { $0 / Double(max(positions, 1)) }]
    }

    /// Log-probabilities at every position after the prompt's first token.
    static func logProbabilities(_ model: WhisperModel, _ tokens: [Int], _ audio: EncoderOutput) -> [[Float]] {
        let state = model.makeDecoderState(audio: audio, batchSize: 1)
        return model.decodeAllPositions(Array(tokens.dropLast()), state: state).map(logSoftmax)
    }

    /// Mean over positions of KL(p || q) with p, q given as log-probabilities.
    static func klDivergence(_ p: [[Float]], _ q: [[Float]]) -> Double {
        var total = 0.0
        for (lp, lq) in zip(p, q) {
            var kl = 0.0
            for i in lp.indices { kl += Double(exp(lp[i])) * Double(lp[i] - lq[i]) }
            total += kl
        }
        return total / Double(max(p.count, 1))
    }

    private static func logSoftmax(_ logits: [Float]) -> [Float] {
        let maximum = logits.max() ?? 0
        let logSum = log(logits.reduce(0.0) { $0 + Double(exp($1 - maximum)) })
        return logits.map { $0 - maximum - Float(logSum) }
    }

    private static func paddedWindow(_ samples: [Float], nMels: Int) -> [Float] {
        let features = LogMelSpectrogram(nMels: nMels).compute(samples)
        return features.paddedWindow(startFrame: 0, frames: features.nFrames - 1)
    }
}
