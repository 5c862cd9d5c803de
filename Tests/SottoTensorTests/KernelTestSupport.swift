import SottoTensor
import SottoTestSupport
import Testing

/// Kernels are float32 with reassociated sums; references are double precision.
let kernelTolerance: Float = 1e-4

func expectClose(_ actual: [Float], _ expected: [Float], tolerance: Float = kernelTolerance, _ what: String) {
    let closeness = Closeness(actual, expected)
    #expect(closeness.within(maxAbs: tolerance), "\(what): \(closeness)")
}

/// The awkward sizes every kernel is tested with.
let awkwardSizes = [1, 31, 33, 1500]

/// Encodings the weight tests run, including awkward block sizes (8, 64) and both int4 variants.
let testedWeightEncodings: [WeightEncoding] = [
    .float32, .float16, .int8Channel, .int8Block(size: 32), .int8Block(size: 8), .int8Block(size: 64),
    .int4Block(size: 32, zeroPoint: false), .int4Block(size: 64, zeroPoint: false),
    .int4Block(size: 32, zeroPoint: true), .int4Block(size: 128, zeroPoint: true),
]

/// Uniform weights in ±1 with a sprinkling of outliers (±20) and, from 3 rows on, an all-zero row 1,
/// the features that stress per-block scales.
func syntheticWeights(rows: Int, cols: Int, seed: UInt64) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    var data = rng.floats(rows * cols)
    for i in stride(from: Int(seed % 7), to: data.count, by: 97) { data[i] *= 20 }
    if rows >= 3 { for k in 0..<cols { data[cols + k] = 0 } }
    return Tensor(shape: [rows, cols], data: data)
}
