import SottoEval
import SottoText
import Testing

/// The bootstrap against an exact reference: with n utterances there are n^n equally likely ordered
/// resamples, so the bootstrap distribution's quantiles can be computed by enumerating all of them.
@Suite struct BootstrapTests {
    static func counts(_ pairs: [(errors: Int, words: Int)]) -> [ErrorCounts] {
        pairs.map { ErrorCounts(substitutions: $0.errors, referenceLength: $0.words) }
    }

    static let candidate = counts([(3, 20), (0, 15), (7, 31), (1, 9), (4, 40), (0, 12), (9, 27)])
    static let baseline = counts([(2, 20), (1, 15), (3, 31), (1, 9), (2, 40), (0, 12), (5, 27)])

    /// Every ordered resample of n indices, applied to `statistic`, sorted.
    static func exactDistribution(_ n: Int, _ statistic: ([Int]) -> Double) -> [Double] {
        var values: [Double] = []
        var pick = [Int](repeating: 0, count: n)
        func fill(_ position: Int) {
            guard position < n else { values.append(statistic(pick)); return }
            for i in 0..<n { pick[position] = i; fill(position + 1) }
        }
        fill(0)
        return values.sorted()
    }

    @Test func intervalMatchesTheExactBootstrapDistribution() {
        let exact = Self.exactDistribution(7) { pick in Bootstrap.pooledRate(pick.map { Self.candidate[$0] }) }
        let interval = Bootstrap.interval(Self.candidate, confidence: 0.95, resamples: 40_000)
        #expect(abs(interval.lower - Bootstrap.quantile(exact, 0.025)) < 0.15, "lower \(interval.lower) vs \(Bootstrap.quantile(exact, 0.025))")
        #expect(abs(interval.upper - Bootstrap.quantile(exact, 0.975)) < 0.15, "upper \(interval.upper) vs \(Bootstrap.quantile(exact, 0.975))")
        #expect(abs(interval.rate - 100.0 * 24 / 154) < 1e-9)
    }

    @Test func pairedDifferenceMatchesTheExactBootstrapDistribution() {
        let exact = Self.exactDistribution(7) { pick in
            Bootstrap.pooledRate(pick.map { Self.candidate[$0] }) - Bootstrap.pooledRate(pick.map { Self.baseline[$0] })
        }
        let difference = Bootstrap.pairedDifference(Self.candidate, Self.baseline, confidence: 0.95, resamples: 40_000)
        #expect(abs(difference.lower - Bootstrap.quantile(exact, 0.025)) < 0.1)
        #expect(abs(difference.upper - Bootstrap.quantile(exact, 0.975)) < 0.1)
        #expect(abs(difference.rate - 100.0 * (24 - 14) / 154) < 1e-9)
        let upper90 = Bootstrap.pairedUpperBound(Self.candidate, Self.baseline, confidence: 0.9, resamples: 40_000)
        #expect(abs(upper90 - Bootstrap.quantile(exact, 0.9)) < 0.1)
    }

    /// Pairing is what makes small differences visible: the unpaired intervals of two models overlap
    /// far more than the paired interval of their difference is wide.
    @Test func pairingNarrowsTheDifference() {
        let paired = Bootstrap.pairedDifference(Self.candidate, Self.baseline)
        let a = Bootstrap.interval(Self.candidate), b = Bootstrap.interval(Self.baseline)
        #expect(paired.upper - paired.lower < (a.upper - a.lower) + (b.upper - b.lower))
        #expect(paired.lower > 0, "the candidate is worse on almost every utterance: \(paired.formatted)")
    }

    @Test func identicalModelsDifferByExactlyZero() {
        let same = Bootstrap.pairedDifference(Self.candidate, Self.candidate)
        #expect(same.rate == 0 && same.lower == 0 && same.upper == 0)
    }

    @Test func sameSeedSameInterval() {
        #expect(Bootstrap.interval(Self.candidate) == Bootstrap.interval(Self.candidate))
        #expect(Bootstrap.interval(Self.candidate, seed: 1) != Bootstrap.interval(Self.candidate, seed: 2))
    }
}
