import Foundation
import SottoCompress
import SottoModel
import SottoTensor
import SottoTestSupport
import Testing

/// The promotion search on the toy model, with error rates made up from how each candidate is
/// encoded, so the expected plan is known exactly.
@Suite struct MixedPrecisionPlannerTests {
    static func encodings(_ checkpoint: Checkpoint) -> [String: WeightEncoding] {
        checkpoint.tensors.compactMapValues { stored in
            if case .matrix(let matrix) = stored { return matrix.encoding }
            return nil
        }
    }

    @Test func promotesTheFewestMatricesToInt8() throws {
        let float = try Checkpoint.read(directory: try ToyWhisper.write())
        let keys = float.parameterNames.filter(\.isMatrix).map(\.key)
        let target = WeightEncoding.int4Block(size: 32, zeroPoint: false)
        let quantized = try Quantizer.quantize(float, options: QuantizationOptions(scheme: .weightOnly(target)))
        // Sensitivity grows with the key's position; the rate falls by two points per int8 matrix.
        let sensitivities = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, Double($0 + 1)) })
        var evaluations = 0
        let (planned, record, _) = try MixedPrecisionPlanner.plan(
            quantized, float: float, target: target, keys: keys, sensitivities: sensitivities,
            maxIncrease: 3, baselineRate: 0,
            errorRate: { candidate in
                evaluations += 1
                return 10 - 2 * Double(Self.encodings(candidate).values.filter { $0 == .int8Channel }.count)
            })
        let chosen = Self.encodings(planned)
        #expect(chosen.values.filter { $0 == .int8Channel }.count == 4)
        #expect(chosen.values.filter { $0 == target }.count == keys.count - 4)
        #expect(record.planWER == 2)
        #expect(record.promoted.count == 4 && record.promoted.values.allSatisfy { $0 == "int8" })
        #expect(evaluations < 2 + keys.count / 2, "a binary search, not a scan: \(evaluations) evaluations")
        // The four promoted are those with the most sensitivity per extra byte.
        let perByte = keys.map { key -> (String, Double) in
            let shape = float.tensors[key]!.shape
            let extraBits = WeightEncoding.int8Channel.bitsPerWeight(cols: shape[1]) - target.bitsPerWeight(cols: shape[1])
            return (key, sensitivities[key]! / max(Double(shape.reduce(1, *)) * extraBits / 8, 1))
        }.sorted { $0.1 > $1.1 }
        #expect(Set(perByte.prefix(4).map(\.0)) == Set(chosen.filter { $0.value == .int8Channel }.keys))
    }

    /// Calibration alone would stop at four int8 matrices; the held-out check (here: its bound on the
    /// increase falls by half a point per promotion) wants six, so the plan keeps promoting.
    @Test func aFailingHeldOutCheckPromotesMore() throws {
        let float = try Checkpoint.read(directory: try ToyWhisper.write())
        let keys = float.parameterNames.filter(\.isMatrix).map(\.key)
        let target = WeightEncoding.int4Block(size: 32, zeroPoint: false)
        let quantized = try Quantizer.quantize(float, options: QuantizationOptions(scheme: .weightOnly(target)))
        let sensitivities = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, Double($0 + 1)) })
        let int8Count = { (candidate: Checkpoint) in Self.encodings(candidate).values.filter { $0 == .int8Channel }.count }
        var checked: [Int] = []
        let (planned, record, held) = try MixedPrecisionPlanner.plan(
            quantized, float: float, target: target, keys: keys, sensitivities: sensitivities,
            maxIncrease: 3, baselineRate: 0,
            errorRate: { 10 - 2 * Double(int8Count($0)) },
            validate: { candidate in
                let promoted = int8Count(candidate)
                checked.append(promoted)
                return PlanValidationResult(rate: 6 - 0.5 * Double(promoted), baselineRate: 1,
                                            upperIncrease: 6 - 0.5 * Double(promoted))
            })
        #expect(int8Count(planned) == 6)
        #expect(record.planWER == 10 - 2 * 6)
        #expect(held?.upperIncrease == 3)
        #expect(checked.allSatisfy { $0 >= 4 }, "the held-out check runs only where calibration passes: \(checked)")
    }

    @Test func aPassingStartPromotesNothing() throws {
        let float = try Checkpoint.read(directory: try ToyWhisper.write())
        let keys = float.parameterNames.filter(\.isMatrix).map(\.key)
        let quantized = try Quantizer.quantize(float, options: QuantizationOptions(scheme: .weightOnly(.int8Channel)))
        let (_, record, _) = try MixedPrecisionPlanner.plan(
            quantized, float: float, target: .int8Channel, keys: keys, sensitivities: [:], maxIncrease: 1, baselineRate: 2,
            errorRate: { _ in 2.5 })
        #expect(record.promoted.isEmpty && record.planWER == 2.5)
    }
}

extension MixedPrecisionPlannerTests {
    /// One large matrix alone would meet the bound, but four small ones do too in fewer bytes: the
    /// planner must find the smaller model, not just the fewest promotions. (A hand-made checkpoint:
    /// the toy model's matrices are too narrow for int4 to be smaller than int8.)
    @Test func prefersManySmallPromotionsToOneLargeOne() throws {
        let large = "large.weight"
        let small = (0..<6).map { "small\($0).weight" }
        var rng = SeededGenerator(seed: 4)
        var tensors: [String: StoredTensor] = [large: .float(Tensor(shape: [512, 64], data: rng.floats(512 * 64)))]
        for key in small { tensors[key] = .float(Tensor(shape: [32, 64], data: rng.floats(32 * 64))) }
        let float = Checkpoint(dims: ToyWhisper.dims, config: ModelConfig(), tensors: tensors,
                               directory: URL(fileURLWithPath: "/nonexistent"), file: "hand-made")
        let target = WeightEncoding.int4Block(size: 32, zeroPoint: false)
        var quantized = float
        for (key, stored) in tensors {
            guard case .float(let tensor) = stored else { continue }
            quantized.tensors[key] = .matrix(WeightMatrix.quantize(tensor, as: target))
        }
        // The large matrix is by far the most sensitive per byte, so it heads the promotion order.
        var sensitivities = Dictionary(uniqueKeysWithValues: small.enumerated().map { ($1, Double(6 - $0)) })
        sensitivities[large] = 1e6
        let (planned, record, _) = try MixedPrecisionPlanner.plan(
            quantized, float: float, target: target, keys: [large] + small, sensitivities: sensitivities,
            maxIncrease: 3, baselineRate: 0,
            errorRate: { candidate in
                let int8 = Self.encodings(candidate).filter { $0.value == .int8Channel }.map(\.key)
                return 10 - (int8.contains(large) ? 8 : 0) - 2 * Double(int8.filter { $0 != large }.count)
            })
        let chosen = Set(Self.encodings(planned).filter { $0.value == .int8Channel }.map(\.key))
        #expect(chosen == Set(small.prefix(4)), "\(chosen.sorted())")
        #expect(record.planWER == 2)
    }
}

extension MixedPrecisionPlannerTests {
    /// A matrix with row importance is corrected slice by slice, most important rows first, instead
    /// of being promoted whole: here 300 scattered rows carry all of the error.
    @Test func correctsTheImportantRowsOfAnEmbedding() throws {
        let embedding = "embedding.weight", small = "small.weight"
        var rng = SeededGenerator(seed: 9)
        let float = Checkpoint(
            dims: ToyWhisper.dims, config: ModelConfig(),
            tensors: [embedding: .float(Tensor(shape: [2048, 64], data: rng.floats(2048 * 64))),
                      small: .float(Tensor(shape: [32, 64], data: rng.floats(32 * 64)))],
            directory: URL(fileURLWithPath: "/nonexistent"), file: "hand-made")
        let target = WeightEncoding.int4Block(size: 32, zeroPoint: false)
        var quantized = float
        for key in [embedding, small] { quantized.tensors[key] = .matrix(WeightMatrix.quantize(try float.tensor(key), as: target)) }
        let important = Set(stride(from: 0, to: 1500, by: 5))
        let importance = (0..<2048).map { important.contains($0) ? 1.0 : 1e-6 }
        let (planned, record, _) = try MixedPrecisionPlanner.plan(
            quantized, float: float, target: target, keys: [embedding, small], sensitivities: [embedding: 100, small: 0.001],
            rowImportance: [embedding: importance], maxIncrease: 2, baselineRate: 0,
            errorRate: { candidate in
                guard case .matrix(let matrix) = candidate.tensors[embedding] else { return 100 }
                let corrected = Set((matrix.correction?.rows ?? []).map(Int.init))
                return 4 - 3 * Double(corrected.intersection(important).count) / Double(important.count)
            })
        #expect(record.correctedRows == [embedding: MixedPrecisionPlanner.rowSliceSize])
        #expect(record.promoted.isEmpty && record.planWER == 1)
        guard case .matrix(let matrix) = planned.tensors[embedding] else {
            Issue.record("a matrix")
            return
        }
        #expect(important.isSubset(of: Set((matrix.correction?.rows ?? []).map(Int.init))))
        #expect(matrix.encoding == target)
    }
}
