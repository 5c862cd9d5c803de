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
