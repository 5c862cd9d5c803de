import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import SottoEval
import SottoText
import Testing

/// The SVG chart on synthetic results (no model runs), read back as XML.
@Suite struct BenchmarkChartTests {
    /// tiny.en: 75 MB, RTF 0.05, WER 5 %; base: 150 MB, RTF 0.2, WER 3 %.
    static let report = BenchmarkReport(settings: BenchmarkTableTests.settings,
                                        results: [BenchmarkTableTests.baseline, BenchmarkTableTests.larger])

    static func result(_ model: String, sizeBytes: Int, realTimeFactor: Double, wer: (Int, Int)?,
                       cer: (Int, Int)? = nil) -> ModelBenchmarkResult {
        BenchmarkTableTests.result(model, sizeBytes: sizeBytes, peakBytes: nil, encoderMs: 1, decoderMs: 1,
                                   realTimeFactor: realTimeFactor, wer: wer, cer: cer)
    }

    struct Chart {
        let root: XMLElement

        init(_ report: BenchmarkReport) throws {
            let document = try XMLDocument(xmlString: try BenchmarkChart.render(report), options: [])
            root = try #require(document.rootElement())
        }

        func elements(_ name: String, in group: String) -> [XMLElement] {
            let groups = Self.descendants(of: root).filter { $0.name == "g" && Self.attribute($0, "id") == group }
            return groups.flatMap(Self.descendants).filter { $0.name == name }
        }

        /// The model circle whose tooltip names `model`.
        func circle(_ model: String) throws -> (x: Double, y: Double, radius: Double) {
            let circle = try #require(elements("circle", in: "models").first { circle in
                (circle.children ?? []).contains { $0.name == "title" && ($0.stringValue ?? "").hasPrefix(model + ":") }
            }, "no circle for \(model)")
            return (number(circle, "cx"), number(circle, "cy"), number(circle, "r"))
        }

        func number(_ element: XMLElement, _ attribute: String) -> Double {
            Double(Self.attribute(element, attribute) ?? "") ?? .nan
        }

        /// Linux Foundation's `attribute(forName:)` finds nothing on elements in SVG's default namespace.
        static func attribute(_ element: XMLElement, _ name: String) -> String? {
            element.attributes?.first { $0.name == name }?.stringValue
        }

        func texts(in group: String) -> [String] { elements("text", in: group).compactMap(\.stringValue) }

        static func descendants(of element: XMLElement) -> [XMLElement] {
            let children = (element.children ?? []).compactMap { $0 as? XMLElement }
            return children + children.flatMap(descendants)
        }
    }

    @Test func oneCirclePerModelAndALegendOfRoundSizes() throws {
        let chart = try Chart(Self.report)
        #expect(chart.root.name == "svg")
        #expect(chart.elements("circle", in: "models").count == 2)
        #expect(chart.elements("circle", in: "legend").count == 3)
        #expect(chart.texts(in: "legend").filter { $0.hasSuffix(" MB") } == ["100 MB", "20 MB", "5 MB"])
        #expect(Set(chart.texts(in: "labels")) == ["tiny.en", "base"])
    }

    @Test func circleAreaIsProportionalToModelSize() throws {
        let chart = try Chart(Self.report)
        let small = try chart.circle("tiny.en"), large = try chart.circle("base")
        // Radii are written to 0.1 px, so the area ratio is good to about a percent.
        #expect(abs(large.radius * large.radius / (small.radius * small.radius) - 2) < 0.02)
        let legend100 = try #require(chart.elements("circle", in: "legend").first)
        let legendRadius = chart.number(legend100, "r")
        #expect(abs(legendRadius * legendRadius / (large.radius * large.radius) - 100.0 / 150) < 0.02)
    }

    @Test func fasterIsLeftAndHigherErrorIsHigher() throws {
        let chart = try Chart(Self.report)
        let tiny = try chart.circle("tiny.en"), base = try chart.circle("base")
        #expect(tiny.x < base.x, "RTF 0.05 left of RTF 0.2")
        #expect(tiny.y < base.y, "WER 5 % above WER 3 %")
    }

    @Test func axesStartAtZeroWithRoundTicks() throws {
        let texts = try Chart(Self.report).texts(in: "axes")
        #expect(texts.starts(with: ["0.00", "0.05", "0.10", "0.15", "0.20", "0.25", "0", "2", "4", "6"]))
        var clustered = Self.report
        clustered.results = [Self.result("a", sizeBytes: 40_000_000, realTimeFactor: 0.077, wer: (2, 100)),
                             Self.result("b", sizeBytes: 20_000_000, realTimeFactor: 0.089, wer: (4, 100))]
        // Speeds a few percent apart get an axis of their own rather than a sliver beside 0; WER keeps 0.
        let zoomed = try Chart(clustered).texts(in: "axes")
        #expect(zoomed.starts(with: ["0.070", "0.075", "0.080", "0.085", "0.090", "0.095", "0.100", "0", "1"]), "\(zoomed)")
        let chart = try Chart(clustered)
        #expect(try chart.circle("b").x - chart.circle("a").x > 100, "the two speeds are spread apart")
        #expect(texts.contains { $0.hasPrefix("real-time factor") })
        #expect(texts.contains { $0.hasPrefix("WER (%") })
    }

    @Test func titleNamesTheInputAndThreads() throws {
        let svg = try BenchmarkChart.render(Self.report)
        #expect(svg.contains("WER against real-time factor"))
        #expect(svg.contains("input dev/manifest.jsonl [en], 3 utterances, 42.5 s"))
        #expect(svg.contains("threads 2, repeats 3 (median), beam size 1, cpu avx2"))
    }

    @Test func specialCharactersInNamesAreEscaped() throws {
        let name = #"q&a <"int8"> it's"#
        var report = Self.report
        report.settings.input = "dev/a&b<c>.jsonl"
        report.results.append(Self.result(name, sizeBytes: 40_000_000, realTimeFactor: 0.03, wer: (12, 200)))
        let svg = try BenchmarkChart.render(report)
        #expect(!svg.contains(name))
        let chart = try Chart(report)
        #expect(chart.texts(in: "labels").contains(name))
        #expect(try chart.circle(name).x < chart.circle("tiny.en").x)
        #expect(svg.contains("dev/a&amp;b&lt;c&gt;.jsonl"))
    }

    @Test func labelsStayOnTheCanvas() throws {
        let long = String(repeating: "very-long-model-directory-name/", count: 3) + "int8"
        let report = BenchmarkReport(settings: BenchmarkTableTests.settings, results: [
            Self.result("slow-and-wide", sizeBytes: 100_000_000, realTimeFactor: 1, wer: (1, 10)),
            Self.result(long, sizeBytes: 100_000_000, realTimeFactor: 0.98, wer: (2, 10)),
        ])
        let chart = try Chart(report)
        let width = chart.number(chart.root, "width")
        for label in chart.elements("text", in: "labels") {
            let x = chart.number(label, "x"), characters = Double(label.stringValue?.count ?? 0)
            let rightEnd = Chart.attribute(label, "text-anchor") == "end" ? x : x + 7 * characters
            let leftEnd = rightEnd - 7 * characters
            #expect(leftEnd >= 0 && rightEnd <= width, "\(label.stringValue ?? "") at \(x)")
        }
    }

    @Test func characterScoredRunsAreChartedInCER() throws {
        let chinese = Self.result("zh-model", sizeBytes: 75_000_000, realTimeFactor: 0.1, wer: nil, cer: (5, 50))
        let svg = try BenchmarkChart.render(BenchmarkReport(settings: BenchmarkTableTests.settings, results: [chinese]))
        #expect(svg.contains("CER against real-time factor"))
    }

    @Test func resultsWithoutErrorRatesCannotBeCharted() throws {
        let unscored = Self.result("unscored", sizeBytes: 1, realTimeFactor: 0.1, wer: nil)
        let audioOnly = BenchmarkReport(settings: BenchmarkTableTests.settings, results: [unscored])
        #expect(throws: EvalError.chartNeedsErrorRates(unit: .characters, models: ["unscored"])) {
            try BenchmarkChart.render(audioOnly)
        }
        let mixed = BenchmarkReport(settings: BenchmarkTableTests.settings, results: [BenchmarkTableTests.baseline, unscored])
        let error = #expect(throws: EvalError.self) { try BenchmarkChart.render(mixed) }
        #expect(error?.description.contains("no error rate for unscored") == true)
        #expect(error?.description.contains("--manifest") == true)
        #expect(throws: EvalError.noBenchmarkResults) {
            try BenchmarkChart.render(BenchmarkReport(settings: BenchmarkTableTests.settings, results: []))
        }
    }

    @Test func savedReportsReadBackAndBadOnesNameTheField() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Self.report.jsonData().write(to: file)
        #expect(try BenchmarkReport(contentsOf: file) == Self.report)
        try Data(#"{"settings": {"input": "x", "languages": [], "threads": 1, "repeats": 1, "beamSize": 1}, "results": [{}], "failures": []}"#.utf8)
            .write(to: file)
        let error = #expect(throws: EvalError.self) { try BenchmarkReport(contentsOf: file) }
        #expect(error?.description.contains("results[0].") == true, "\(String(describing: error))")
    }
}
