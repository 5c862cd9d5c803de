import Foundation

/// A benchmark as an SVG scatter chart for the docs: error rate against real-time factor, one circle
/// per model with its area proportional to the model's size on disk. Self-contained (no fonts, CSS or
/// scripts) and on a white background, so it looks the same in a browser and on GitHub.
public enum BenchmarkChart {
    /// WER when any model was scored in words, else CER (a Chinese or Japanese run).
    public static func defaultUnit(for report: BenchmarkReport) -> ScoringUnit {
        report.results.contains { $0.errorRate(.words) != nil } ? .words : .characters
    }

    /// Throws `EvalError.noBenchmarkResults` or `.chartNeedsErrorRates` when a model cannot be placed.
    public static func render(_ report: BenchmarkReport, unit: ScoringUnit? = nil) throws -> String {
        let unit = unit ?? defaultUnit(for: report)
        let points = try chartPoints(report, unit: unit)
        let x = ChartAxis(covering: points.map(\.realTimeFactor).max() ?? 0, from: points.map(\.realTimeFactor).min() ?? 0,
                          atZero: Layout.plotLeft, atMaximum: Layout.plotRight)
        let y = ChartAxis(covering: points.map(\.errorPercent).max() ?? 0,
                          atZero: Layout.plotBottom, atMaximum: Layout.plotTop)
        let sizes = SizeScale(largestMegabytes: points.map(\.megabytes).max() ?? 0)
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Layout.width)" height="\#(Layout.height)" "#
                + #"viewBox="0 0 \#(Layout.width) \#(Layout.height)" font-family="sans-serif" font-size="12">"#,
            #"<rect width="100%" height="100%" fill="white"/>"#,
        ]
        lines += titles(report, unit: unit)
        lines += axes(x: x, y: y, unit: unit)
        lines += pointMarks(points, x: x, y: y, sizes: sizes, unit: unit)
        lines += legend(sizes)
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Pixel geometry of the canvas; the legend has a column of its own right of the plot.
    enum Layout {
        static let width = 760, height = 490
        static let plotLeft = 72.0, plotRight = 600.0, plotTop = 86.0, plotBottom = 420.0
        static let legendLeft = 624.0
        static let maxRadius = 24.0
        static let edge = 6.0
        /// A generous average advance of one character at 12 px sans-serif, for keeping labels on the canvas.
        static let characterWidth = 7.0
        static let labelCharacters = 32
        /// Vertical distance between stacked labels.
        static let lineHeight = 14.0
        /// Matplotlib's default cycle (tab10), distinguishable and colour-blind tolerable.
        static let colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                             "#bcbd22", "#17becf"]
    }

    struct ChartPoint {
        var model: String
        var megabytes: Double
        var realTimeFactor: Double
        var errorPercent: Double
        var color: String
    }

    static func chartPoints(_ report: BenchmarkReport, unit: ScoringUnit) throws -> [ChartPoint] {
        guard !report.results.isEmpty else { throw EvalError.noBenchmarkResults }
        let unscored = report.results.filter { $0.errorRate(unit) == nil }.map(\.model)
        guard unscored.isEmpty else { throw EvalError.chartNeedsErrorRates(unit: unit, models: unscored) }
        return report.results.enumerated().map { index, result in
            ChartPoint(model: result.model, megabytes: Double(result.sizeBytes) / 1e6,
                       realTimeFactor: max(0, result.realTimeFactor.median),
                       errorPercent: max(0, (result.errorRate(unit) ?? 0) * 100),
                       color: Layout.colors[index % Layout.colors.count])
        }
    }

    static func titles(_ report: BenchmarkReport, unit: ScoringUnit) -> [String] {
        // A long input path keeps its end (the manifest's name) so the line stays on the canvas.
        var shown = report
        shown.settings.input = abbreviated(report.settings.input, toCharacters: 48)
        return [
            text("\(unit.rateName) against real-time factor", x: Layout.plotLeft, y: 26,
                 attributes: #"font-size="16" font-weight="bold""#),
            text(BenchmarkTable.inputDescription(shown), x: Layout.plotLeft, y: 46, attributes: "fill=\"#444\""),
            text(BenchmarkTable.settingsDescription(report.settings), x: Layout.plotLeft, y: 62,
                 attributes: "fill=\"#444\""),
        ]
    }

    static func axes(x: ChartAxis, y: ChartAxis, unit: ScoringUnit) -> [String] {
        var lines = [#"<g id="axes" stroke-width="1">"#]
        for tick in x.ticks {
            let px = x.pixel(tick)
            lines.append(line(px, Layout.plotTop, px, Layout.plotBottom, stroke: "#e6e6e6"))
            lines.append(text(x.label(tick), x: px, y: Layout.plotBottom + 18, attributes: #"text-anchor="middle""#))
        }
        for tick in y.ticks {
            let py = y.pixel(tick)
            lines.append(line(Layout.plotLeft, py, Layout.plotRight, py, stroke: "#e6e6e6"))
            lines.append(text(y.label(tick), x: Layout.plotLeft - 8, y: py + 4, attributes: #"text-anchor="end""#))
        }
        lines.append(line(Layout.plotLeft, Layout.plotBottom, Layout.plotRight, Layout.plotBottom, stroke: "#333"))
        lines.append(line(Layout.plotLeft, Layout.plotTop, Layout.plotLeft, Layout.plotBottom, stroke: "#333"))
        lines.append(text("real-time factor (transcription time / audio time, median; lower is faster)",
                          x: (Layout.plotLeft + Layout.plotRight) / 2, y: Layout.plotBottom + 44,
                          attributes: #"text-anchor="middle""#))
        let middle = format((Layout.plotTop + Layout.plotBottom) / 2)
        lines.append(#"<text transform="translate(22 \#(middle)) rotate(-90)" text-anchor="middle">"#
                     + "\(unit.rateName) (%; lower is better)</text>")
        lines.append("</g>")
        return lines
    }

    /// Largest circles first so small ones stay visible on top; labels after every circle so none is
    /// hidden, each moved down past the labels already placed that it would overlap (models of
    /// equal error rate and similar speed otherwise print on top of each other).
    static func pointMarks(_ points: [ChartPoint], x: ChartAxis, y: ChartAxis, sizes: SizeScale,
                           unit: ScoringUnit) -> [String] {
        let ordered = points.sorted { $0.megabytes > $1.megabytes }
        var circles = [#"<g id="models" fill-opacity="0.55" stroke-width="1.5">"#]
        var labels = [#"<g id="labels">"#]
        var placed: [(x0: Double, x1: Double, y: Double)] = []
        for point in ordered {
            let cx = x.pixel(point.realTimeFactor), cy = y.pixel(point.errorPercent), r = sizes.radius(point.megabytes)
            let summary = point.model + String(format: ": %.1f MB, real-time factor %.3f, %.2f %% ", point.megabytes,
                                               point.realTimeFactor, point.errorPercent) + unit.rateName
            circles.append(#"<circle cx="\#(format(cx))" cy="\#(format(cy))" r="\#(format(r))" "#
                           + #"fill="\#(point.color)" stroke="\#(point.color)"><title>\#(escaped(summary))</title></circle>"#)
            let name = abbreviated(displayName(point.model), toCharacters: Layout.labelCharacters)
            let (labelX, anchor) = labelPlacement(centerX: cx, radius: r, characters: name.count)
            let width = Double(name.count) * Layout.characterWidth
            let (x0, x1) = anchor == "end" ? (labelX - width, labelX) : (labelX, labelX + width)
            // Nearest free line: 0, one up, one down, two up, ... inside the plot (points at 0% WER
            // would otherwise stack labels below the axis).
            func isFree(_ y: Double) -> Bool {
                guard y >= Layout.plotTop + Layout.lineHeight, y <= Layout.plotBottom - 2 else { return false }
                return !placed.contains { $0.x0 < x1 && x0 < $0.x1 && abs($0.y - y) < Layout.lineHeight }
            }
            var labelY = cy + 4
            for step in 0..<40 {
                let lines = Double((step + 1) / 2) * (step % 2 == 1 ? -1.0 : 1.0)
                if isFree(cy + 4 + lines * Layout.lineHeight) {
                    labelY = cy + 4 + lines * Layout.lineHeight
                    break
                }
            }
            placed.append((x0, x1, labelY))
            labels.append(text(name, x: labelX, y: labelY, attributes: #"text-anchor="\#(anchor)""#))
        }
        return circles + ["</g>"] + labels + ["</g>"]
    }

    /// Right of the circle, or left of it where the label would cross into the legend column; a label
    /// too long for either side is pushed back inside the canvas.
    static func labelPlacement(centerX: Double, radius: Double, characters: Int) -> (x: Double, anchor: String) {
        let width = Double(characters) * Layout.characterWidth
        let rightStart = centerX + radius + 4
        if rightStart + width <= Layout.plotRight { return (rightStart, "start") }
        let leftEnd = centerX - radius - 4
        if leftEnd - width >= Layout.edge { return (leftEnd, "end") }
        return (max(Layout.edge, min(rightStart, Double(Layout.width) - Layout.edge - width)), "start")
    }

    static func legend(_ sizes: SizeScale) -> [String] {
        var lines = [#"<g id="legend">"#,
                     text("model size", x: Layout.legendLeft, y: Layout.plotTop + 4, attributes: #"font-weight="bold""#),
                     text("(circle area)", x: Layout.legendLeft, y: Layout.plotTop + 20, attributes: "fill=\"#444\"")]
        let centerX = Layout.legendLeft + Layout.maxRadius
        var top = Layout.plotTop + 34
        for megabytes in sizes.legendMegabytes {
            let r = sizes.radius(megabytes)
            lines.append(#"<circle cx="\#(format(centerX))" cy="\#(format(top + r))" r="\#(format(r))" "#
                         + "fill=\"none\" stroke=\"#666\"/>")
            lines.append(text(String(format: "%g MB", megabytes), x: centerX + Layout.maxRadius + 8, y: top + r + 4))
            top += 2 * r + 12
        }
        lines.append("</g>")
        return lines
    }

    // MARK: SVG text

    static func text(_ content: String, x: Double, y: Double, attributes: String = "") -> String {
        let extra = attributes.isEmpty ? "" : " " + attributes
        return #"<text x="\#(format(x))" y="\#(format(y))"\#(extra)>\#(escaped(content))</text>"#
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String) -> String {
        #"<line x1="\#(format(x1))" y1="\#(format(y1))" x2="\#(format(x2))" y2="\#(format(y2))" stroke="\#(stroke)"/>"#
    }

    /// Coordinates to a tenth of a pixel: sharp enough, and diffs of regenerated charts stay small.
    static func format(_ pixels: Double) -> String { String(format: "%.1f", pixels) }

    /// XML's special characters as entities, and the control characters XML 1.0 forbids (model names
    /// and paths are user input) replaced, so the document always parses.
    static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                result += "\u{FFFD}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A model directory's own name (`/tmp/models/tiny-int8` -> `tiny-int8`); names and hub ids stay.
    static func displayName(_ model: String) -> String {
        model.hasPrefix("/") || model.hasPrefix(".") ? URL(fileURLWithPath: model).lastPathComponent : model
    }

    /// The end of a long name or path (the distinctive part: the model directory, the manifest file).
    static func abbreviated(_ text: String, toCharacters limit: Int) -> String {
        text.count <= limit ? text : "…" + text.suffix(limit - 1)
    }
}

/// A linear axis from 0 to a round maximum, ticked every 1, 2 or 5 × 10^k.
struct ChartAxis {
    let step: Double
    let ticks: [Double]
    let pixelAtZero: Double
    let pixelAtMaximum: Double

    /// From 0, or with `smallest` from a round value a little below it when 0 would squeeze the points
    /// into a corner (compressed models of one family often differ by a few percent in speed).
    init(covering largest: Double, from smallest: Double = 0, atZero pixelAtZero: Double, atMaximum pixelAtMaximum: Double) {
        // Headroom so the largest point's circle is not flush with the frame; 1 when all values are 0.
        let top = largest.isFinite && largest > 0 ? largest * 1.08 : 1
        let lowest = smallest.isFinite && smallest > 0 && smallest < top ? max(0, smallest - 0.2 * (top - smallest) - 0.02 * top) : 0
        let step = Self.roundStep(atLeast: (top - lowest) / 5)
        let start = (lowest / step).rounded(.down) * step
        let steps = max(1, Int(((top - start) / step - 1e-9).rounded(.up)))
        self.step = step
        ticks = (0...steps).map { start + Double($0) * step }
        self.pixelAtZero = pixelAtZero
        self.pixelAtMaximum = pixelAtMaximum
    }

    static func roundStep(atLeast rough: Double) -> Double {
        let magnitude = pow(10, log10(rough).rounded(.down))
        let mantissa = rough / magnitude
        let round: Double = mantissa <= 1 ? 1 : mantissa <= 2 ? 2 : mantissa <= 5 ? 5 : 10
        return round * magnitude
    }

    func pixel(_ value: Double) -> Double {
        let (first, last) = (ticks.first ?? 0, ticks.last ?? 1)
        return pixelAtZero + (pixelAtMaximum - pixelAtZero) * (value - first) / (last - first)
    }

    /// As many decimals as the step needs (0.05 -> 2, 20 -> 0).
    func label(_ tick: Double) -> String {
        String(format: "%.\(max(0, Int(-log10(step).rounded(.down))))f", tick)
    }
}

/// Circle radius from model size: area proportional to megabytes, the largest model at `maxRadius`.
struct SizeScale {
    let largestMegabytes: Double

    func radius(_ megabytes: Double) -> Double {
        guard largestMegabytes > 0 else { return 0 }
        return BenchmarkChart.Layout.maxRadius * (max(0, megabytes) / largestMegabytes).squareRoot()
    }

    /// Three round sizes (1, 2 or 5 × 10^k MB), each about a fifth of the one before, the largest no
    /// bigger than the largest model; sizes too small to draw are left out.
    var legendMegabytes: [Double] {
        guard largestMegabytes > 0 else { return [] }
        let exponent = Int(log10(largestMegabytes).rounded(.down))
        let roundSizes = (exponent - 3...exponent).flatMap { power in [1.0, 2, 5].map { $0 * pow(10, Double(power)) } }
        let candidates = roundSizes.filter { $0 <= largestMegabytes * (1 + 1e-9) }.sorted(by: >)
        return stride(from: 0, to: min(candidates.count, 5), by: 2).map { candidates[$0] }.filter { radius($0) >= 2 }
    }
}
