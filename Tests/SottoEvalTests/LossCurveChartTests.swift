import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import SottoEval
import Testing

/// The learning-curve SVG, read back as XML.
@Suite struct LossCurveChartTests {
    static func root(_ svg: String) throws -> XMLElement {
        try #require(try XMLDocument(xmlString: svg, options: []).rootElement())
    }

    static func descendants(_ element: XMLElement) -> [XMLElement] {
        (element.children ?? []).compactMap { $0 as? XMLElement }.flatMap { [$0] + descendants($0) }
    }

    static func attribute(_ element: XMLElement, _ name: String) -> String? { element.attributes?.first { $0.name == name }?.stringValue }

    @Test func drawsEveryLossAndEveryScore() throws {
        let losses = [12.0, 8.5, 4.0, 2.5, 1.75]
        let svg = LossCurveChart.render(losses: losses, scores: [(0, 0.9), (3, 0.25), (5, 0.3)], title: "tiny.en -> <student>")
        let all = Self.descendants(try Self.root(svg))
        let line = try #require(all.first { $0.name == "polyline" })
        let points = try #require(Self.attribute(line, "points")).split(separator: " ")
        #expect(points.count == losses.count)
        // SVG y grows downwards, so a falling loss has rising y.
        let ys = points.map { Double($0.split(separator: ",")[1])! }
        #expect(zip(ys, ys.dropFirst()).allSatisfy { $0 < $1 })
        #expect(all.filter { $0.name == "circle" }.count == 3)
        #expect(svg.contains("&lt;student&gt;"))
        #expect(svg.contains("step 3: WER 25.00 %"))
    }

    @Test func nonFiniteLossesAreLeftOutAndNoScoresDrawNoRateAxis() throws {
        let svg = LossCurveChart.render(losses: [3, .nan, 1], scores: [], title: "run")
        let all = Self.descendants(try Self.root(svg))
        let line = try #require(all.first { $0.name == "polyline" })
        #expect(try #require(Self.attribute(line, "points")).split(separator: " ").count == 2)
        #expect(!svg.contains("selection WER"))
    }
}
