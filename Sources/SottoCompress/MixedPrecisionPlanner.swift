import Foundation
import SottoAudio
import SottoDecoding
import SottoEval
import SottoModel
import SottoTensor
import SottoText

/// One step of a plan: a whole matrix to the next encoding up, or one slice of a matrix's rows given
/// a residual correction (`RowCorrection`).
enum Promotion: Hashable, Comparable, CustomStringConvertible {
    case matrix(String)
    /// Slice `slice` of the key's rows, most important first.
    case rows(String, slice: Int)

    var key: String {
        switch self {
        case .matrix(let key), .rows(let key, _): key
        }
    }

    var description: String {
        switch self {
        case .matrix(let key): key
        case .rows(let key, let slice): "\(key) rows slice \(slice)"
        }
    }

    static func < (a: Promotion, b: Promotion) -> Bool { a.description < b.description }
}

/// `--plan auto`: start every weight matrix at the target encoding, then promote the matrices that
/// buy the most accuracy per byte (sensitivity / extra bytes) to int8, and if that is not enough to
/// float16, until the calibration error rate is within the allowed increase. A binary search over
/// how many to promote keeps the number of evaluations logarithmic; the smallest passing count wins.
///
/// Matrices with a row importance (the tied token embedding, whose rows are vocabulary entries) are
/// not promoted whole on the first rung: their rows are corrected slice by slice, most important
/// first, since a few thousand likely tokens carry nearly all of the output projection's error.
public enum MixedPrecisionPlanner {
    /// Rows per corrected slice.
    public static let rowSliceSize = 512

    /// One scored candidate: its calibration error rate and, when that is within the bound and a
    /// held-out check was given, the check's outcome.
    struct Assessment {
        let checkpoint: Checkpoint
        let rate: Double
        let validation: PlanValidationResult?
        let passes: Bool
    }

    /// `quantized` has every key at `target`; `float` holds the values promotions are encoded from.
    /// `rowImportance[key]` weighs each row of `key` (e.g. the float model's mean probability of each
    /// token); those keys are corrected by row slices, the residuals stored as `target`. With
    /// `validate`, a candidate passes only if its held-out increase is also within `maxIncrease`
    /// (checked after the calibration bound, which is cheaper and fails first).
    public static func plan(
        _ quantized: Checkpoint, float checkpoint: Checkpoint, target: WeightEncoding, keys: [String], sensitivities: [String: Double],
        rowImportance: [String: [Double]] = [:],
        maxIncrease: Double, baselineRate: Double, errorRate: (Checkpoint) throws -> Double,
        validate: ((Checkpoint) throws -> PlanValidationResult)? = nil,
        progress: (String) -> Void = { _ in }
    ) throws -> (checkpoint: Checkpoint, record: PrecisionPlanRecord, validation: PlanValidationResult?) {
        // Rates are percentages of word counts: 20 errors in 1000 words must meet a 2-point bound,
        // though 20.0 / 1000 * 100 lands a rounding error above 2.0.
        let bound = baselineRate + maxIncrease + 1e-9
        func assess(_ model: Checkpoint, _ label: String) throws -> Assessment {
            let rate = try errorRate(model)
            let validation = rate <= bound ? try validate?(model) : nil
            let passes = rate <= bound && (validation.map { $0.upperIncrease <= maxIncrease + 1e-9 } ?? true)
            progress(String(format: "%@: error rate %.2f%% (bound %.2f%%)", label, rate, bound)
                + (validation.map { String(format: "; held out %.2f%% vs float %.2f%%, increase at most %+.2f", $0.rate,
                                           $0.baselineRate, $0.upperIncrease) } ?? ""))
            return Assessment(checkpoint: model, rate: rate, validation: validation, passes: passes)
        }
        let rowSlices = try RowSlices(quantized, float: checkpoint, importance: rowImportance.filter { keys.contains($0.key) },
                                      encoding: target)
        var promoted: [String: String] = [:]
        var correctedRows: [String: Int] = [:]
        var current = target
        var best = try assess(quantized, "all \(target.description)")
        for (rung, higher) in promotionLadder(from: target).enumerated() where !best.passes {
            let base = best.checkpoint
            let candidates: [Promotion] = rung == 0
                ? keys.filter { rowSlices.slices[$0] == nil }.map(Promotion.matrix)
                    + rowSlices.slices.flatMap { key, slices in slices.indices.map { Promotion.rows(key, slice: $0) } }
                : keys.map(Promotion.matrix)
            let extra = { (promotion: Promotion) in
                extraBytes(checkpoint, promotion, from: current, to: higher, rowSlices: rowSlices)
            }
            // A row slice carries its share of the whole matrix's measured sensitivity.
            let gain = { (promotion: Promotion) -> Double in
                switch promotion {
                case .matrix(let key): (sensitivities[key] ?? 0) / extra(promotion)
                case .rows(let key, let slice): (sensitivities[key] ?? 0) * rowSlices.shares[key]![slice] / extra(promotion)
                }
            }
            var order = candidates.sorted { a, b in gain(a) != gain(b) ? gain(a) > gain(b) : a < b }
            var cache: [[Promotion]: Assessment] = [:]
            func candidate(_ chosen: [Promotion]) throws -> Assessment {
                if let known = cache[chosen] { return known }
                let result = try assess(try encoded(base, from: checkpoint, chosen, as: higher, rowSlices: rowSlices),
                                        summary(chosen, higher))
                cache[chosen] = result
                return result
            }
            /// The shortest prefix of `order` that passes (a binary search), or nil if none does.
            func shortestPassingPrefix(_ order: [Promotion]) throws -> [Promotion]? {
                guard !order.isEmpty, try candidate(order).passes else { return nil }
                var (low, high) = (1, order.count)
                while low < high {
                    let middle = (low + high) / 2
                    if try candidate(Array(order.prefix(middle))).passes { high = middle } else { low = middle + 1 }
                }
                return Array(order.prefix(low))
            }
            func record(_ chosen: [Promotion]) {
                for promotion in chosen {
                    switch promotion {
                    case .matrix(let key):
                        promoted[key] = higher.description
                        correctedRows[key] = nil
                    case .rows(let key, let slice):
                        correctedRows[key, default: 0] += rowSlices.slices[key]![slice].count
                    }
                }
            }
            guard var chosen = try shortestPassingPrefix(order) else {
                // Even all of them at this precision is not enough: keep them and climb the ladder.
                best = try candidate(order)
                record(order)
                current = higher
                continue
            }
            // The fewest promotions need not be the fewest bytes: when one matrix outweighs all the
            // others chosen, search again without it and keep the smaller answer (unless it is too
            // small a part of the model for another search to be worth its evaluations).
            let bytes = { (promotions: [Promotion]) in promotions.reduce(0) { $0 + extra($1) } }
            let worthSearching = 0.01 * Double(base.parameterBytes)
            while let largest = chosen.max(by: { extra($0) < extra($1) }), extra(largest) > worthSearching,
                  extra(largest) > bytes(chosen) - extra(largest) {
                let without = order.filter { $0 != largest }
                guard let alternative = try shortestPassingPrefix(without), bytes(alternative) < bytes(chosen) else { break }
                (order, chosen) = (without, alternative)
            }
            best = try candidate(chosen)
            record(chosen)
        }
        var planned = best.checkpoint
        let validation = try best.validation ?? validate?(planned)
        planned.plan = PrecisionPlanRecord(target: target.description, maxWERIncrease: maxIncrease, baselineWER: baselineRate,
                                           planWER: best.rate, sensitivities: sensitivities, promoted: promoted,
                                           correctedRows: correctedRows.isEmpty ? nil : correctedRows, calibrationUtterances: 0)
        return (planned, planned.plan!, validation)
    }

    /// "3 matrices at int8, 1024 rows corrected".
    private static func summary(_ chosen: [Promotion], _ higher: WeightEncoding) -> String {
        let slices = chosen.filter { if case .rows = $0 { true } else { false } }.count
        let matrices = chosen.count - slices
        return "\(matrices) matrices at \(higher)" + (slices > 0 ? ", \(slices * rowSliceSize) rows corrected" : "")
    }

    /// The encodings a matrix may climb to, cheapest first. (A zero-point int4 rung was tried on
    /// tiny.en: it scored no better than symmetric int4 on calibration audio and only delayed the
    /// int8 promotions, giving a larger model.)
    static func promotionLadder(from target: WeightEncoding) -> [WeightEncoding] {
        [WeightEncoding.int8Channel, .float16].filter { $0.bitsPerWeight(cols: 512) > target.bitsPerWeight(cols: 512) }
    }

    /// Bytes a promotion adds going from `from` to `to` (at least 1).
    static func extraBytes(_ checkpoint: Checkpoint, _ promotion: Promotion, from: WeightEncoding, to: WeightEncoding,
                           rowSlices: RowSlices) -> Double {
        let shape = checkpoint.tensors[promotion.key]?.shape ?? [1, 1]
        let cols = shape.last ?? 1
        switch promotion {
        case .matrix:
            return max(Double(shape.reduce(1, *)) * (to.bitsPerWeight(cols: cols) - from.bitsPerWeight(cols: cols)) / 8, 1)
        case .rows(let key, let slice):
            let rows = Double(rowSlices.slices[key]?[slice].count ?? 0)
            return max(rows * (Double(cols) * rowSlices.encoding.bitsPerWeight(cols: cols) / 8 + 4), 1)
        }
    }

    /// `base` with each promotion applied: matrices re-encoded as `higher`, row slices corrected,
    /// always from the float model's values (never from an already quantized copy).
    static func encoded(_ base: Checkpoint, from float: Checkpoint, _ promotions: [Promotion], as higher: WeightEncoding,
                        rowSlices: RowSlices) throws -> Checkpoint {
        var result = base
        var rows: [String: [Int]] = [:]
        for promotion in promotions {
            switch promotion {
            case .matrix(let key): result.tensors[key] = .matrix(WeightMatrix.quantize(try float.tensor(key), as: higher))
            case .rows(let key, let slice): rows[key, default: []] += rowSlices.slices[key]![slice]
            }
        }
        for (key, rows) in rows {
            guard case .matrix(let main) = base.tensors[key] else { continue }
            let plain = try main.corrected(by: nil)
            let correction = RowCorrection.residual(of: try float.tensor(key), after: plain, rows: rows, as: rowSlices.encoding)
            result.tensors[key] = .matrix(try plain.corrected(by: correction))
        }
        return result
    }
}

/// The row slices a plan may correct: each row-importance key's rows cut into slices, most deserving
/// first (importance times the row's squared rounding error in `quantized`), each slice's share of
/// the key's total, and the encoding the corrections are stored in.
struct RowSlices {
    let slices: [String: [[Int]]]
    let shares: [String: [Double]]
    let encoding: WeightEncoding

    init(_ quantized: Checkpoint, float: Checkpoint, importance: [String: [Double]], encoding: WeightEncoding) throws {
        var slices: [String: [[Int]]] = [:]
        var shares: [String: [Double]] = [:]
        for (key, weights) in importance {
            guard case .matrix(let main) = quantized.tensors[key] else { continue }
            let original = try float.tensor(key)
            let rounded = main.dequantized()
            precondition(weights.count == main.rows, "row importance of \(key): \(weights.count) weights for \(main.rows) rows")
            let cols = main.cols
            let gain = (0..<main.rows).map { row in
                var error = 0.0
                for k in (row * cols)..<((row + 1) * cols) { error += Double((rounded.data[k] - original.data[k]) * (rounded.data[k] - original.data[k])) }
                return weights[row] * error
            }
            let total = max(gain.reduce(0, +), .leastNonzeroMagnitude)
            let order = gain.indices.sorted { gain[$0] != gain[$1] ? gain[$0] > gain[$1] : $0 < $1 }
            let size = MixedPrecisionPlanner.rowSliceSize
            slices[key] = stride(from: 0, to: order.count, by: size).map { Array(order[$0..<min($0 + size, order.count)]) }
            shares[key] = slices[key]!.map { $0.reduce(0) { $0 + gain[$1] } / total }
        }
        (self.slices, self.shares, self.encoding) = (slices, shares, encoding)
    }
}
