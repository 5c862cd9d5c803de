// Times the decoder alone: one encode of silence, then single-token steps with the KV cache for a
// fixed wall-clock budget per model, models interleaved in rounds so machine noise hits them alike.
// Prints ms/token per model and the speed-up against the first, and the bytes a step streams (the
// decoder's weights as held in memory and every layer's cross-attention keys and values) over its time:
// the bandwidth to set against LimitsBench's read bandwidth. Steady state for `perf record`.
// Run: swift run -c release DecoderStepBench MODEL_DIR [MODEL_DIR ...]
import Foundation
import SottoModel
import SottoTensor

let directories = CommandLine.arguments.dropFirst()
guard !directories.isEmpty else {
    print("usage: DecoderStepBench MODEL_DIR [MODEL_DIR ...]")
    exit(2)
}
let threads = Int(ProcessInfo.processInfo.environment["SOTTO_THREADS"] ?? "") ?? 2
let rounds = Int(ProcessInfo.processInfo.environment["SOTTO_ROUNDS"] ?? "") ?? 5
let tokensPerRound = 64
Compute.setThreads(threads)

struct Subject {
    let name: String
    let model: WhisperModel
    let audio: EncoderOutput
    /// Bytes one single-token step reads: every decoder matrix but the cross-attention key/value
    /// projection (run once per window) and the position table (one row a step), plus the audio keys/values.
    let bytesPerStep: Int
}

let subjects: [Subject] = try directories.map { path in
    let checkpoint = try Checkpoint.read(directory: URL(fileURLWithPath: path))
    let model = try WhisperModel(checkpoint: checkpoint)
    let silence = [Float](repeating: -1.5, count: model.dims.nMels * 3000)
    let audio = model.encode(mel: silence)
    let weightBytes = checkpoint.tensors.filter { name, _ in
        name.hasPrefix("decoder.") && !name.contains("cross_attn.kv") && !name.contains("positional_embedding")
    }.values.reduce(0) { $0 + $1.byteCount }
    return Subject(name: path, model: model, audio: audio,
                   bytesPerStep: weightBytes + audio.crossKeysValues.reduce(0) { $0 + $1.byteCount })
}

/// 64 greedy single-token steps after a 3-token prompt; returns milliseconds per token.
func stepMilliseconds(_ s: Subject) -> Double {
    let state = s.model.makeDecoderState(audio: s.audio, batchSize: 1)
    var logits = s.model.decode([[50257, 50362, 50363].map { min($0, s.model.dims.nVocab - 1) }], state: state)[0]
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<tokensPerRound {
        let next = logits.indices.max { logits[$0] < logits[$1] } ?? 0
        logits = s.model.decode([[next]], state: state)[0]
    }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(tokensPerRound)
}

for s in subjects { _ = stepMilliseconds(s) }
var samples = [[Double]](repeating: [], count: subjects.count)
for _ in 0..<rounds {
    for (i, s) in subjects.enumerated() { samples[i].append(stepMilliseconds(s)) }
}
let medians = samples.map { $0.sorted()[$0.count / 2] }
print("DecoderStepBench: \(threads) threads, \(rounds) rounds of \(tokensPerRound) tokens, kernel path \(WeightKernelPath.best)")
print("CPU: \(CPUReport.current().summary)")
for (i, s) in subjects.enumerated() {
    print(String(format: "%-40@ %7.3f ms/token  %5.2fx  %6.1f MB/step  %5.1f GB/s", s.name as NSString, medians[i],
                 medians[0] / medians[i], Double(s.bytesPerStep) / 1e6, Double(s.bytesPerStep) / medians[i] / 1e6))
}
