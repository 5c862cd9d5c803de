import SottoTestSupport
import SottoTrain
import Testing

/// Cached encoder outputs in float16: the round trip's error, and that a training step on them
/// sees what it would see on float32 features.
@Suite("cached features")
struct CachedFeaturesTests {
    /// float16 keeps 11 significant bits: round to nearest, relative error at most 2^-11.
    static let halfRelative: Float = 1.0 / 2048

    @Test("float16 round trip within half an ulp; float32 storage is exact")
    func roundTrip() {
        var generator = SeededGenerator(seed: 80)
        let values = generator.floats(1500, scale: 8) + [0, -0, 1, -1, 65504, 6.1e-5, 1e-3, -40.25]
        let half = CachedFeatures.half(values)
        #expect(half.count == values.count && CachedFeatures.float32(values).floats == values)
        guard case .float16(let stored) = half else { Issue.record("not stored as float16"); return }
        #expect(MemoryLayout.size(ofValue: stored[0]) == 2)
        let worst = zip(half.floats, values).map { abs($0 - $1) / max(abs($1), 1.0 / 16384) }.max() ?? 0  // subnormals: absolute 2^-25
        #expect(worst <= Self.halfRelative, "worst relative error \(worst)")
        #expect(CachedFeatures.half(half.floats) == half, "widening and rounding again changes nothing")
    }

    /// The same batch with float16 and float32 features: the loss and the gradient agree to the rounding.
    /// (Not the parameters after an AdamW step: its first update is ±lr wherever a gradient is not
    /// tiny, so a rounding-sized change of a near-zero gradient moves a parameter by up to 2 lr.)
    @Test("a batch of float16 features gives float32's loss and gradient")
    func trainsOnHalf() {
        let full = TrainerTests.examples(count: 6, seed: 81)
        let half = full.map { TrainingExample(tokens: $0.tokens, targets: $0.targets, audio: .half($0.audio!.floats)) }
        var options = TrainerTests.options(steps: 1)
        (options.batchSize, options.accumulationSteps) = (6, 1)
        let (a, b) = (TrainerTests.trainer(options, teacher: true), TrainerTests.trainer(options, teacher: true))
        a.model.gradients.zero()
        b.model.gradients.zero()
        let fullLoss = a.accumulate(TrainingBatch(full, padToken: 0)), halfLoss = b.accumulate(TrainingBatch(half, padToken: 0))
        #expect(abs(fullLoss.total - halfLoss.total) < 1e-3 * fullLoss.total, "float32 \(fullLoss.total), float16 \(halfLoss.total)")
        let closeness = Closeness(b.model.gradients.array, a.model.gradients.array)
        #expect(closeness.within(maxAbs: 1e-2, minCosine: 0.9999), "\(closeness)")
    }
}
