import SottoTensor
import SottoText

/// A pooled error rate (or a difference of two) with a bootstrap interval, all in percent.
public struct RateInterval: Sendable, Codable, Equatable {
    /// The rate measured on the utterances themselves.
    public var rate: Double
    public var lower: Double
    public var upper: Double
    /// Two-sided coverage of [lower, upper], e.g. 0.95.
    public var confidence: Double

    public init(rate: Double, lower: Double, upper: Double, confidence: Double) {
        (self.rate, self.lower, self.upper, self.confidence) = (rate, lower, upper, confidence)
    }

    /// "2.19 [1.10, 3.45]".
    public var formatted: String { String(format: "%.2f [%.2f, %.2f]", rate, lower, upper) }
}

/// Percentile bootstrap over utterances: resample the utterances with replacement, pool the counts
/// of each resample (a corpus rate is total errors over total reference length, not a mean of
/// rates), and read the interval off the resampled rates. Utterances, not words, are the unit
/// because errors cluster within an utterance. The paired form resamples the same utterances for
/// both models, so what the two share (hard audio) cancels out of their difference.
public enum Bootstrap {
    public static let defaultResamples = 2000
    public static let defaultSeed: UInt64 = 20_261_130

    /// The pooled rate of `counts` with a two-sided interval.
    public static func interval(_ counts: [ErrorCounts], confidence: Double = 0.95,
                                resamples: Int = defaultResamples, seed: UInt64 = defaultSeed) -> RateInterval {
        let rates = resampledRates(counts.count, resamples: resamples, seed: seed) { pick in
            pooledRate(pick.map { counts[$0] })
        }
        return bounds(pooledRate(counts), rates, confidence: confidence)
    }

    /// rate(candidate) - rate(baseline) on the same utterances (index i is one utterance in both).
    public static func pairedDifference(_ candidate: [ErrorCounts], _ baseline: [ErrorCounts], confidence: Double = 0.95,
                                        resamples: Int = defaultResamples, seed: UInt64 = defaultSeed) -> RateInterval {
        precondition(candidate.count == baseline.count, "paired counts must cover the same utterances")
        let rates = resampledRates(candidate.count, resamples: resamples, seed: seed) { pick in
            pooledRate(pick.map { candidate[$0] }) - pooledRate(pick.map { baseline[$0] })
        }
        return bounds(pooledRate(candidate) - pooledRate(baseline), rates, confidence: confidence)
    }

    /// The one-sided upper bound at `confidence` of rate(candidate) - rate(baseline): the difference
    /// is at most this with that confidence.
    public static func pairedUpperBound(_ candidate: [ErrorCounts], _ baseline: [ErrorCounts], confidence: Double,
                                        resamples: Int = defaultResamples, seed: UInt64 = defaultSeed) -> Double {
        pairedDifference(candidate, baseline, confidence: 2 * confidence - 1, resamples: resamples, seed: seed).upper
    }

    /// Errors over reference length, in percent (0 for no utterances).
    public static func pooledRate(_ counts: [ErrorCounts]) -> Double {
        let total = counts.reduce(ErrorCounts(), +)
        return total.referenceLength == 0 && total.errors == 0 ? 0 : total.rate * 100
    }

    private static func resampledRates(_ n: Int, resamples: Int, seed: UInt64, _ rate: ([Int]) -> Double) -> [Double] {
        guard n > 0 else { return [0] }
        var random = SeededRandom(seed: seed)
        var pick = [Int](repeating: 0, count: n)
        return (0..<max(resamples, 1)).map { _ in
            for i in 0..<n { pick[i] = Int(random.next() % UInt64(n)) }
            return rate(pick)
        }
    }

    /// The (1 - confidence) / 2 and (1 + confidence) / 2 quantiles, interpolated between order statistics.
    static func bounds(_ rate: Double, _ samples: [Double], confidence: Double) -> RateInterval {
        let sorted = samples.sorted()
        let tail = (1 - confidence) / 2
        return RateInterval(rate: rate, lower: quantile(sorted, tail), upper: quantile(sorted, 1 - tail), confidence: confidence)
    }

    package static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let position = p * Double(sorted.count - 1)
        let below = Int(position.rounded(.down)), above = min(below + 1, sorted.count - 1)
        return sorted[below] + (position - Double(below)) * (sorted[above] - sorted[below])
    }
}
