// Would batching decoder steps across requests pay on this CPU? Times one decoder step for
// batch sizes 1, 2, 4 and 8 (rows share one audio window, which is the best case: the engine's
// cross-attention cache is per state, not per row) and prints ms per step, ms per row-token and
// the throughput gain against batch 1, sizes interleaved in rounds so machine noise hits them alike.
// Run: swift run -c release BatchDecodeBench MODEL_DIR   (SOTTO_THREADS, default 2)
import Foundation
import SottoModel
import SottoTensor

guard CommandLine.arguments.count == 2 else {
    print("usage: BatchDecodeBench MODEL_DIR")
    exit(2)
}
let threads = Int(ProcessInfo.processInfo.environment["SOTTO_THREADS"] ?? "") ?? 2
let rounds = 5
let steps = 48
let batchSizes = [1, 2, 4, 8]
Compute.setThreads(threads)

let model = try WhisperModel.load(directory: URL(fileURLWithPath: CommandLine.arguments[1]))
let audio = model.encode(mel: [Float](repeating: -1.5, count: model.dims.nMels * 3000))
let prompt = [50257, 50362, 50363].map { min($0, model.dims.nVocab - 1) }

/// `steps` greedy single-token steps for `batch` rows after the prompt; milliseconds per step.
func stepMilliseconds(batch: Int) -> Double {
    let state = model.makeDecoderState(audio: audio, batchSize: batch)
    var logits = model.decode(Array(repeating: prompt, count: batch), state: state)
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<steps {
        let next = logits.map { row in [row.indices.max { row[$0] < row[$1] } ?? 0] }
        logits = model.decode(next, state: state)
    }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(steps)
}

for batch in batchSizes { _ = stepMilliseconds(batch: batch) }
var samples = [[Double]](repeating: [], count: batchSizes.count)
for _ in 0..<rounds {
    for (i, batch) in batchSizes.enumerated() { samples[i].append(stepMilliseconds(batch: batch)) }
}
let medians = samples.map { $0.sorted()[$0.count / 2] }
print("BatchDecodeBench: \(CommandLine.arguments[1]), \(threads) threads, \(rounds) rounds of \(steps) steps")
print("batch  ms/step  ms/row-token  throughput vs batch 1")
for (i, batch) in batchSizes.enumerated() {
    let perRow = medians[i] / Double(batch)
    print(String(format: "%5d  %7.2f  %12.2f  %5.2fx", batch, medians[i], perRow, medians[0] / perRow))
}
