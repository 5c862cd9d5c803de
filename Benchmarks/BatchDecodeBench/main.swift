// Would batching decoder steps across requests pay on this CPU? Times one decoder step for
// batch sizes 1, 2, 4 and 8, two ways: rows of one state sharing one audio window (the best case),
// and one state per row, each with its own window, through `decodeStep` (what the server runs:
// every row also reads its own window's cross-attention keys/values). Prints ms per step, ms per
// row-token and the throughput gain against batch 1, sizes interleaved in rounds so machine noise
// hits them alike.
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
/// Distinct windows for the one-state-per-row case (different mels, so different keys/values).
let windows = (0..<8).map { i in model.encode(mel: [Float](repeating: -1.5 + Float(i) * 0.1, count: model.dims.nMels * 3000)) }
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

/// The same steps with one state per row, each on its own window, through `decodeStep`.
func separateWindowsMilliseconds(batch: Int) -> Double {
    let states = (0..<batch).map { model.makeDecoderState(audio: windows[$0], batchSize: 1) }
    var logits = states.map { model.decode([prompt], state: $0) }
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<steps {
        let next = logits.map { rows in rows.map { row in row.indices.max { row[$0] < row[$1] } ?? 0 } }
        logits = model.decodeStep(next, states: states)
    }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(steps)
}

let variants: [(String, (Int) -> Double)] = [("one window", stepMilliseconds), ("own windows", separateWindowsMilliseconds)]
for (_, run) in variants { for batch in batchSizes { _ = run(batch) } }
var samples = [[[Double]]](repeating: [[Double]](repeating: [], count: batchSizes.count), count: variants.count)
for _ in 0..<rounds {
    for (v, (_, run)) in variants.enumerated() {
        for (i, batch) in batchSizes.enumerated() { samples[v][i].append(run(batch)) }
    }
}
print("BatchDecodeBench: \(CommandLine.arguments[1]), \(threads) threads, \(rounds) rounds of \(steps) steps")
print("rows share     batch  ms/step  ms/row-token  throughput vs batch 1")
for (v, (name, _)) in variants.enumerated() {
    let medians = samples[v].map { $0.sorted()[$0.count / 2] }
    for (i, batch) in batchSizes.enumerated() {
        let perRow = medians[i] / Double(batch)
        print(String(format: "%@  %5d  %7.2f  %12.2f  %5.2fx", name.padding(toLength: 11, withPad: " ", startingAt: 0),
                     batch, medians[i], perRow, medians[0] / perRow))
    }
}
