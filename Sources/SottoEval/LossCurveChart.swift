import Foundation

/// A training run's learning curve as SVG, drawn with `BenchmarkChart`'s axes and text helpers: the
/// loss of every optimizer step (a line, left axis) and the checkpoint-selection WER where the
/// student was scored (dots, right axis in %).
public enum LossCurveChart {
    enum Layout {
        static let width = 760, height = 420
        static let plotLeft = 72.0, plotRight = 680.0, plotTop = 56.0, plotBottom = 350.0
        static let lossColor = "#1f77b4", rateColor = "#d62728"
    }

    /// `losses[i]` is step i + 1's loss; `scores` are (step, rate) with rate a fraction (0.05 = 5%).
    public static func render(losses: [Double], scores: [(step: Int, rate: Double)], title: String) -> String {
        let steps = max(losses.count, scores.map(\.step).max() ?? 0, 1)
        let finite = losses.filter(\.isFinite)
        let x = ChartAxis(covering: Double(steps), atZero: Layout.plotLeft, atMaximum: Layout.plotRight)
        let y = ChartAxis(covering: finite.max() ?? 1, atZero: Layout.plotBottom, atMaximum: Layout.plotTop)
        let rates = ChartAxis(covering: (scores.map(\.rate).max() ?? 0) * 100, atZero: Layout.plotBottom, atMaximum: Layout.plotTop)
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Layout.width)" height="\#(Layout.height)" "#
                + #"viewBox="0 0 \#(Layout.width) \#(Layout.height)" font-family="sans-serif" font-size="12">"#,
            #"<rect width="100%" height="100%" fill="white"/>"#,
            BenchmarkChart.text(BenchmarkChart.abbreviated(title, toCharacters: 90), x: Layout.plotLeft, y: 26,
                                attributes: #"font-size="15" font-weight="bold""#),
        ]
        lines += axes(x: x, y: y, rates: scores.isEmpty ? nil : rates)
        let points = losses.enumerated().filter { $0.element.isFinite }.map {
            "\(BenchmarkChart.format(x.pixel(Double($0.offset + 1)))),\(BenchmarkChart.format(y.pixel($0.element)))"
        }
        lines.append(#"<polyline id="loss" fill="none" stroke="\#(Layout.lossColor)" stroke-width="1.5" points="\#(points.joined(separator: " "))"/>"#)
        lines.append(#"<g id="selection" fill="\#(Layout.rateColor)">"#)
        for score in scores {
            let cx = BenchmarkChart.format(x.pixel(Double(score.step))), cy = BenchmarkChart.format(rates.pixel(score.rate * 100))
            lines.append(#"<circle cx="\#(cx)" cy="\#(cy)" r="3.5"><title>step \#(score.step): WER \#(String(format: "%.2f", score.rate * 100)) %</title></circle>"#)
        }
        lines += ["</g>", "</svg>"]
        return lines.joined(separator: "\n") + "\n"
    }

    static func axes(x: ChartAxis, y: ChartAxis, rates: ChartAxis?) -> [String] {
        var lines = [#"<g id="axes" stroke-width="1">"#]
        for tick in x.ticks {
            let px = x.pixel(tick)
            lines.append(BenchmarkChart.line(px, Layout.plotTop, px, Layout.plotBottom, stroke: "#e6e6e6"))
            lines.append(BenchmarkChart.text(x.label(tick), x: px, y: Layout.plotBottom + 18, attributes: #"text-anchor="middle""#))
        }
        for tick in y.ticks {
            let py = y.pixel(tick)
            lines.append(BenchmarkChart.line(Layout.plotLeft, py, Layout.plotRight, py, stroke: "#e6e6e6"))
            lines.append(BenchmarkChart.text(y.label(tick), x: Layout.plotLeft - 8, y: py + 4, attributes: #"text-anchor="end""#))
        }
        if let rates {
            for tick in rates.ticks {
                lines.append(BenchmarkChart.text(rates.label(tick), x: Layout.plotRight + 8, y: rates.pixel(tick) + 4,
                                                 attributes: "fill=\"\(Layout.rateColor)\""))
            }
        }
        lines.append(BenchmarkChart.line(Layout.plotLeft, Layout.plotBottom, Layout.plotRight, Layout.plotBottom, stroke: "#333"))
        lines.append(BenchmarkChart.line(Layout.plotLeft, Layout.plotTop, Layout.plotLeft, Layout.plotBottom, stroke: "#333"))
        lines.append(BenchmarkChart.text("optimizer step", x: (Layout.plotLeft + Layout.plotRight) / 2, y: Layout.plotBottom + 40,
                                         attributes: #"text-anchor="middle""#))
        let middle = BenchmarkChart.format((Layout.plotTop + Layout.plotBottom) / 2)
        lines.append(#"<text transform="translate(22 \#(middle)) rotate(-90)" text-anchor="middle" fill="\#(Layout.lossColor)">training loss</text>"#)
        if rates != nil {
            lines.append(#"<text transform="translate(740 \#(middle)) rotate(90)" text-anchor="middle" fill="\#(Layout.rateColor)">selection WER (%)</text>"#)
        }
        lines.append("</g>")
        return lines
    }
}
