import Foundation

/// The terminal rendering of an evaluation report.
public enum EvaluationTable {
    public static func render(_ report: EvaluationReport) -> String {
        var lines = ["model: \(report.model)", "",
                     pad("group", 16) + pad("utts", 6) + pad("metric", 8) + pad("rate %", 9) + pad("95% interval", 17) + "errors/ref"]
        for group in report.languages + report.sets + report.overall {
            let metric = group.unit == .words ? "WER" : "CER"
            let interval = group.interval.map { String(format: "[%.2f, %.2f]", $0.lower, $0.upper) } ?? "-"
            lines.append(pad(group.name, 16) + pad("\(group.utterances)", 6) + pad(metric, 8)
                         + pad(String(format: "%.2f", group.counts.rate * 100), 9) + pad(interval, 17)
                         + "\(group.counts.errors)/\(group.counts.referenceLength)")
        }
        lines.append("")
        lines.append("intervals: percentile bootstrap over utterances, \(Bootstrap.defaultResamples) resamples")
        lines.append(String(format: "audio %.1f s, processing %.1f s, real-time factor %.3f",
                            report.audioSeconds, report.processingSeconds, report.realTimeFactor))
        return lines.joined(separator: "\n")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
