/// Audio features cached for training (a frozen encoder's output, computed once per example).
/// Stored as float16 by distillation: a student with a cut, frozen encoder caches two outputs per
/// example (its own and the teacher's, which the KL targets attend to), and tiny.en's are 2.3 MB
/// each in float32; half the memory, for a relative rounding of 2^-11 that the decoder does not
/// notice. Compute stays float32: `floats` widens a batch when it is assembled. float32 storage
/// stays for checks that compare with a reference bit for bit.
package enum CachedFeatures: Sendable, Equatable {
    case float32([Float])
    case float16([Float16])

    /// `values` rounded to float16 (round to nearest even; beyond ±65504 they become infinite).
    package static func half(_ values: [Float]) -> CachedFeatures { .float16(values.map { Float16($0) }) }

    package var count: Int {
        switch self {
        case .float32(let values): values.count
        case .float16(let values): values.count
        }
    }

    /// The features as float32, for compute.
    package var floats: [Float] {
        switch self {
        case .float32(let values): values
        case .float16(let values): values.map { Float($0) }
        }
    }
}
