import Foundation

/// One model against the baseline (the first model measured). Speed-ups are baseline time over
/// this model's time, so above 1 is faster; size and memory ratios are this model's over the
/// baseline's, so below 1 is smaller; error-rate deltas are in percentage points.
public struct BenchmarkComparison: Sendable, Equatable {
    public var sizeRatio: Double
    public var memoryRatio: Double?
    public var encoderSpeedup: Double
    public var decoderSpeedup: Double
    public var realTimeSpeedup: Double
    public var werDeltaPoints: Double?
    public var cerDeltaPoints: Double?

    public init(_ result: ModelBenchmarkResult, against baseline: ModelBenchmarkResult) {
        sizeRatio = Self.ratio(Double(result.sizeBytes), Double(baseline.sizeBytes))
        if let peak = result.peakMemoryBytes, let basePeak = baseline.peakMemoryBytes {
            memoryRatio = Self.ratio(Double(peak), Double(basePeak))
        }
        encoderSpeedup = Self.ratio(baseline.encoderMillisecondsPerWindow.median, result.encoderMillisecondsPerWindow.median)
        decoderSpeedup = Self.ratio(baseline.decoderMillisecondsPerToken.median, result.decoderMillisecondsPerToken.median)
        realTimeSpeedup = Self.ratio(baseline.realTimeFactor.median, result.realTimeFactor.median)
        werDeltaPoints = Self.deltaPoints(result.errorRate(.words), baseline.errorRate(.words))
        cerDeltaPoints = Self.deltaPoints(result.errorRate(.characters), baseline.errorRate(.characters))
    }

    /// A zero denominator (an unmeasurably fast baseline) gives 0 rather than infinity, which JSON
    /// and tables cannot show.
    static func ratio(_ numerator: Double, _ denominator: Double) -> Double {
        denominator > 0 ? numerator / denominator : 0
    }

    static func deltaPoints(_ rate: Double?, _ baseline: Double?) -> Double? {
        guard let rate, let baseline else { return nil }
        return (rate - baseline) * 100
    }
}

/// The terminal rendering of a benchmark: measurements, then ratios against the first model.
public enum BenchmarkTable {
    public static func render(_ report: BenchmarkReport) -> String {
        var lines = [header(report)]
        if let baseline = report.results.first {
            let showsCER = report.results.contains { $0.errorRate(.characters) != nil }
            lines += ["", columns(measurementRows(report.results, showsCER: showsCER)), "",
                      "against \(baseline.model) (size and memory: ratio; encoder, decoder, RTF: speed-up; error rates: points)",
                      columns(comparisonRows(report.results, baseline: baseline, showsCER: showsCER))]
            if let errorRows = BenchmarkErrorRates.rows(report.results, baseline: baseline) {
                lines += ["", "error rates (bootstrap over utterances; differences paired on the same utterances)",
                          columns(errorRows)]
            }
        }
        for failure in report.failures {
            lines.append("failed: \(failure.model): \(failure.reason)")
        }
        return lines.joined(separator: "\n")
    }

    static func header(_ report: BenchmarkReport) -> String {
        inputDescription(report) + "; " + settingsDescription(report.settings)
            + (report.settings.cpu.map { "\ncpu: \($0.summary)" } ?? "")
    }

    /// "input dev/manifest.jsonl [en], 3 utterances, 42.5 s" (the chart shows it on a line of its own).
    static func inputDescription(_ report: BenchmarkReport) -> String {
        let settings = report.settings
        var input = settings.input
        if !settings.languages.isEmpty { input += " [\(settings.languages.joined(separator: " "))]" }
        if let first = report.results.first {
            input += String(format: ", %d utterance%@, %.1f s", first.utterances, first.utterances == 1 ? "" : "s", first.audioSeconds)
        }
        return "input \(input)"
    }

    static func settingsDescription(_ settings: BenchmarkSettings) -> String {
        "threads \(settings.threads), repeats \(settings.repeats) (median), beam size \(settings.beamSize)"
            + (settings.cpuPath.map { ", cpu \($0)" } ?? "")
    }

    static func measurementRows(_ results: [ModelBenchmarkResult], showsCER: Bool) -> [[String]] {
        var title = ["model", "size MB", "load s", "peak MB", "encoder ms/window", "decoder ms/token", "RTF", "WER %"]
        if showsCER { title.append("CER %") }
        return [title] + results.map { result in
            var row = [result.model, megabytes(result.sizeBytes), String(format: "%.2f", result.loadSeconds.median),
                       result.peakMemoryBytes.map(megabytes) ?? "-",
                       String(format: "%.1f", result.encoderMillisecondsPerWindow.median),
                       String(format: "%.2f", result.decoderMillisecondsPerToken.median),
                       String(format: "%.3f", result.realTimeFactor.median), percent(result.errorRate(.words))]
            if showsCER { row.append(percent(result.errorRate(.characters))) }
            return row
        }
    }

    static func comparisonRows(_ results: [ModelBenchmarkResult], baseline: ModelBenchmarkResult,
                               showsCER: Bool) -> [[String]] {
        var title = ["model", "size", "memory", "encoder", "decoder", "RTF", "WER"]
        if showsCER { title.append("CER") }
        return [title] + results.map { result in
            let comparison = BenchmarkComparison(result, against: baseline)
            var row = [result.model, times(comparison.sizeRatio), comparison.memoryRatio.map(times) ?? "-",
                       times(comparison.encoderSpeedup), times(comparison.decoderSpeedup),
                       times(comparison.realTimeSpeedup), points(comparison.werDeltaPoints)]
            if showsCER { row.append(points(comparison.cerDeltaPoints)) }
            return row
        }
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1e6) }
    static func times(_ ratio: Double) -> String { String(format: "%.2fx", ratio) }
    static func percent(_ rate: Double?) -> String { rate.map { String(format: "%.2f", $0 * 100) } ?? "-" }
    static func points(_ delta: Double?) -> String { delta.map { String(format: "%+.2f", $0) } ?? "-" }

    /// Left-aligned first column, right-aligned numbers, two spaces between columns.
    static func columns(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.map(\.count).max() ?? 0)).map { column in
            rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
