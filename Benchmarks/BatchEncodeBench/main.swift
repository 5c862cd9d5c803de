// Would grouping the encoder windows of different requests into one pass pay on this CPU? The
// encoder's cost is its linear layers over 1500 frames (attention is per window either way), so
// this times each tiny-encoder linear shape on 1500 rows twice (two windows, one after the other)
// against 3000 rows once (two windows grouped), per weight encoding the server runs (float32
// through BLAS, int8 per channel as `sotto quantize --scheme int8` writes), variants interleaved in
// rounds so machine noise hits them alike. Prints ms per window and the grouped/separate ratio.
// Run: swift run -c release BatchEncodeBench [threads]   (default 2)
import Dispatch
import Foundation
import SottoTensor

let threads = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 2
let frames = 1500
let rounds = 15
/// tiny's encoder linears per block: fused qkv, attention out, MLP in, MLP out ([out, in]).
let shapes: [(out: Int, in: Int, what: String)] = [(1152, 384, "qkv"), (384, 384, "out"), (1536, 384, "fc1"), (384, 1536, "fc2")]
let encodings: [(WeightEncoding, String)] = [(.float32, "f32"), (.int8Channel, "int8")]
Compute.setThreads(threads)

func milliseconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}

func randomFloats(_ count: Int, seed: UInt64) -> [Float] {
    var rng = SeededRandom(seed: seed)
    return (0..<count).map { _ in Float(rng.nextUnit() * 2 - 1) }
}

print("BatchEncodeBench: \(threads) threads, \(rounds) rounds; CPU: \(CPUReport.current().summary)")
print("| encoding | shape [out, in] | 2 x 1500 rows, ms per window | 1 x 3000 rows, ms per window | grouped / separate |")
print("| --- | --- | ---: | ---: | ---: |")
var totals: [String: (separate: Double, grouped: Double)] = [:]
for (encoding, name) in encodings {
    for shape in shapes {
        let matrix = WeightMatrix.quantize(Tensor(shape: [shape.out, shape.in], data: randomFloats(shape.out * shape.in, seed: 1)),
                                           as: encoding)
        let bias = randomFloats(shape.out, seed: 2)
        let one = randomFloats(frames * shape.in, seed: 3)
        let two = one + randomFloats(frames * shape.in, seed: 4)
        var output = [Float](repeating: 0, count: 2 * frames * shape.out)
        let separate = {
            matrix.linear(one, rows: frames, bias: bias, into: &output)
            matrix.linear(one, rows: frames, bias: bias, into: &output)
        }
        let grouped = { matrix.linear(two, rows: 2 * frames, bias: bias, into: &output) }
        separate()
        grouped()
        var samples: ([Double], [Double]) = ([], [])
        for round in 0..<rounds {
            if round % 2 == 0 {
                samples.0.append(milliseconds(separate))
                samples.1.append(milliseconds(grouped))
            } else {
                samples.1.append(milliseconds(grouped))
                samples.0.append(milliseconds(separate))
            }
        }
        let medians = (samples.0.sorted()[rounds / 2] / 2, samples.1.sorted()[rounds / 2] / 2)
        totals[name, default: (0, 0)].separate += medians.0
        totals[name, default: (0, 0)].grouped += medians.1
        print(String(format: "| %@ | [%d, %d] %@ | %.2f | %.2f | %.3f |", name, shape.out, shape.in, shape.what,
                     medians.0, medians.1, medians.1 / medians.0))
    }
}
for (_, name) in encodings {
    let total = totals[name]!
    print(String(format: "| %@ | one block's linears | %.2f | %.2f | %.3f |", name, total.separate, total.grouped,
                 total.grouped / total.separate))
}
