import Foundation
import SottoAudio
import SottoDecoding
import SottoEval
import SottoModel
import SottoTensor
import SottoText

/// Scores candidate models on calibration audio: the error rate against the manifest's reference
/// text, or, where the manifest has none, against the float model's own transcripts.
public struct CalibrationScorer: Sendable {
    public let manifest: Manifest
    let scorer: TranscriptScorer
    let tokenizer: Tokenizer

    /// Transcribes the unlabelled entries with `float` to make their references.
    public init(manifest: Manifest, limit: Int, float: Transcriber, scorer: TranscriptScorer) throws {
        var entries = Calibration.usableEntries(manifest, multilingual: float.model.dims.isMultilingual, limit: limit)
        let options = Self.options
        for index in entries.indices where entries[index].text == nil {
            let samples = try AudioLoader.load(path: manifest.audioURL(for: entries[index]).path)
            entries[index].text = try float.transcribe(samples: samples, options: options).text
        }
        self.manifest = Manifest(url: manifest.url, entries: entries)
        self.scorer = scorer
        tokenizer = float.tokenizer
    }

    static var options: TranscriptionOptions {
        var options = TranscriptionOptions()
        options.decoding.beamSize = 1
        return options
    }

    /// Pooled error rate in percent (WER, or CER for a character-scored set).
    public func errorRate(_ model: WhisperModel) throws -> Double {
        let run = EvaluationRun(transcriber: Transcriber(model: model, tokenizer: tokenizer), options: Self.options, scorer: scorer)
        let report = try run.run(manifest: manifest, modelName: "")
        return (report.overall.first?.counts.rate ?? 0) * 100
    }
}

/// `--plan auto`: start every weight matrix at the target encoding, then promote the matrices that
/// buy the most accuracy per byte (sensitivity / extra bytes) to int8, and if that is not enough to
/// float16, until the calibration error rate is within the allowed increase. A binary search over
/// how many to promote keeps the number of evaluations logarithmic; the smallest passing count wins.
public enum MixedPrecisionPlanner {
    /// `quantized` has every key at `target`; `float` holds the values promotions are encoded from.
    public static func plan(
        _ quantized: Checkpoint, float checkpoint: Checkpoint, target: WeightEncoding, keys: [String], sensitivities: [String: Double],
        maxIncrease: Double, baselineRate: Double, errorRate: (Checkpoint) throws -> Double,
        progress: (String) -> Void = { _ in }
    ) throws -> (checkpoint: Checkpoint, record: PrecisionPlanRecord) {
        // Rates are percentages of word counts: 20 errors in 1000 words must meet a 2-point bound,
        // though 20.0 / 1000 * 100 lands a rounding error above 2.0.
        let bound = baselineRate + maxIncrease + 1e-9
        let ladder = promotionLadder(from: target)
        var base = quantized
        var promoted: [String: String] = [:]
        var current = target
        var rate = try errorRate(base)
        progress(String(format: "all %@: error rate %.2f%% (bound %.2f%%)", target.description, rate, bound))
        for higher in ladder where rate > bound {
            var order = promotionOrder(checkpoint, keys: keys, from: current, to: higher, sensitivities: sensitivities)
            var cache: [[String]: (Checkpoint, Double)] = [:]
            func candidate(_ promoted: [String]) throws -> (Checkpoint, Double) {
                if let known = cache[promoted] { return known }
                let model = try encoded(base, from: checkpoint, promoted.map { ($0, higher) })
                let result = (model, try errorRate(model))
                progress(String(format: "%d matrices at %@: error rate %.2f%%", promoted.count, higher.description, result.1))
                cache[promoted] = result
                return result
            }
            /// The shortest prefix of `order` within the bound (a binary search), or nil if none is.
            func shortestPassingPrefix(_ order: [String]) throws -> [String]? {
                guard !order.isEmpty, try candidate(order).1 <= bound else { return nil }
                var (low, high) = (1, order.count)
                while low < high {
                    let middle = (low + high) / 2
                    if try candidate(Array(order.prefix(middle))).1 <= bound { high = middle } else { low = middle + 1 }
                }
                return Array(order.prefix(low))
            }
            guard var chosen = try shortestPassingPrefix(order) else {
                // Even all of them at this precision is not enough: keep them and climb the ladder.
                (base, rate) = try candidate(order)
                for key in order { promoted[key] = higher.description }
                current = higher
                continue
            }
            // The fewest promotions need not be the fewest bytes: when one matrix outweighs all the
            // others chosen (tiny.en's tied token embedding is half the model), search again without
            // it and keep the smaller answer.
            let extra = { (key: String) in extraBytes(checkpoint, key, from: current, to: higher) }
            while let largest = chosen.max(by: { extra($0) < extra($1) }),
                  extra(largest) > chosen.filter({ $0 != largest }).reduce(0, { $0 + extra($1) }) {
                let without = order.filter { $0 != largest }
                guard let alternative = try shortestPassingPrefix(without),
                      alternative.reduce(0, { $0 + extra($1) }) < chosen.reduce(0, { $0 + extra($1) }) else { break }
                (order, chosen) = (without, alternative)
            }
            (base, rate) = try candidate(chosen)
            for key in chosen { promoted[key] = higher.description }
        }
        base.plan = PrecisionPlanRecord(target: target.description, maxWERIncrease: maxIncrease, baselineWER: baselineRate,
                                        planWER: rate, sensitivities: sensitivities, promoted: promoted, calibrationUtterances: 0)
        return (base, base.plan!)
    }

    /// The encodings a matrix may climb to, cheapest first. (A zero-point int4 rung was tried on
    /// tiny.en: it scored no better than symmetric int4 on calibration audio and only delayed the
    /// int8 promotions, giving a larger model.)
    static func promotionLadder(from target: WeightEncoding) -> [WeightEncoding] {
        [WeightEncoding.int8Channel, .float16].filter { $0.bitsPerWeight(cols: 512) > target.bitsPerWeight(cols: 512) }
    }

    /// Bytes a matrix gains going from `from` to `to` (at least 1).
    static func extraBytes(_ checkpoint: Checkpoint, _ key: String, from: WeightEncoding, to: WeightEncoding) -> Double {
        let shape = checkpoint.tensors[key]?.shape ?? [1, 1]
        let cols = shape.last ?? 1
        return max(Double(shape.reduce(1, *)) * (to.bitsPerWeight(cols: cols) - from.bitsPerWeight(cols: cols)) / 8, 1)
    }

    /// Keys ordered by sensitivity gained per extra byte of `to` over `from`.
    static func promotionOrder(_ checkpoint: Checkpoint, keys: [String], from: WeightEncoding, to: WeightEncoding,
                               sensitivities: [String: Double]) -> [String] {
        let extra = { (key: String) in extraBytes(checkpoint, key, from: from, to: to) }
        return keys.sorted { a, b in
            let (ga, gb) = ((sensitivities[a] ?? 0) / extra(a), (sensitivities[b] ?? 0) / extra(b))
            return ga != gb ? ga > gb : a < b
        }
    }

    /// `base` with each listed matrix re-encoded from the float model's values (never from an
    /// already quantized copy).
    static func encoded(_ base: Checkpoint, from float: Checkpoint, _ choices: [(String, WeightEncoding)]) throws -> Checkpoint {
        var result = base
        for (key, encoding) in choices {
            result.tensors[key] = .matrix(WeightMatrix.quantize(try float.tensor(key), as: encoding))
        }
        return result
    }
}
