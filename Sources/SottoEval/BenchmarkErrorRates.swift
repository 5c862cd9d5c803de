import Foundation
import SottoText

/// The error-rate section of a benchmark table: each model's rate per manifest and pooled, with a
/// 95% bootstrap interval, and its difference from the first model paired on the same utterances
/// (an interval that excludes 0 is a difference the data can tell).
enum BenchmarkErrorRates {
    /// `results[0]` is `baseline`.
    static func rows(_ results: [ModelBenchmarkResult], baseline: ModelBenchmarkResult) -> [[String]]? {
        guard results.contains(where: { $0.utteranceCounts != nil }) else { return nil }
        var rows = [["model", "set", "rate %", "95% interval", "vs \(baseline.model), points", "95% interval"]]
        for (index, result) in results.enumerated() {
            let isBaseline = index == 0
            for group in (result.sets ?? []) + result.errorRates {
                let metric = group.unit == .words ? "WER" : "CER"
                let set = group.name.hasPrefix("all") ? "all (\(metric))" : group.name
                let difference = pairedDifference(result, baseline, set: group.name.hasPrefix("all") ? nil : setName(group.name),
                                                  unit: group.unit)
                rows.append([result.model, set, String(format: "%.2f", group.counts.rate * 100),
                             group.interval.map { String(format: "[%.2f, %.2f]", $0.lower, $0.upper) } ?? "-",
                             isBaseline ? "" : difference.map { String(format: "%+.2f", $0.rate) } ?? "-",
                             isBaseline ? "" : difference.map {
                                 String(format: "[%+.2f, %+.2f]", $0.lower, $0.upper) } ?? "-"])
            }
        }
        return rows
    }

    /// "dev-extra (WER)" -> "dev-extra".
    static func setName(_ group: String) -> String {
        group.range(of: " (").map { String(group[..<$0.lowerBound]) } ?? group
    }

    /// rate(result) - rate(baseline) over the utterances both scored (matched by set and id).
    static func pairedDifference(_ result: ModelBenchmarkResult, _ baseline: ModelBenchmarkResult,
                                 set: String?, unit: ScoringUnit) -> RateInterval? {
        guard let mine = result.utteranceCounts, let theirs = baseline.utteranceCounts else { return nil }
        let key = { (u: UtteranceCounts) in "\(u.set ?? "")/\(u.id)" }
        let baselineCounts = Dictionary(theirs.map { (key($0), $0.counts) }, uniquingKeysWith: { a, _ in a })
        let pairs = mine.filter { $0.unit == unit && (set == nil || $0.set == set) }
            .compactMap { u in baselineCounts[key(u)].map { (u.counts, $0) } }
        guard !pairs.isEmpty else { return nil }
        return Bootstrap.pairedDifference(pairs.map(\.0), pairs.map(\.1))
    }
}
