import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import SottoTestSupport
import Testing

/// `sotto bench` run as a user would: each model in a child process, results as JSON.
@Suite(.serialized) struct BenchCommandTests {
    let cli = TranscribeCommandTests()

    func results(_ json: URL) throws -> (results: [[String: Any]], failures: [[String: Any]]) {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any]
        return (object?["results"] as? [[String: Any]] ?? [], object?["failures"] as? [[String: Any]] ?? [])
    }

    func median(_ result: [String: Any], _ key: String) -> Double {
        ((result[key] as? [String: Any])?["median"] as? Double) ?? -1
    }

    @Test func twoModelsAreMeasuredAndCompared() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let json = directory.appendingPathComponent("out.json")
        let jfk = try TestPaths.devFile("audio/en_jfk.wav").path
        let run = try cli.sotto(["bench", "--model", "tiny.en", "--model", "tiny.en", "--audio", jfk,
                                 "--repeats", "1", "--json", json.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("encoder ms/window"))
        #expect(run.stdout.contains("against tiny.en"))
        let (results, failures) = try results(json)
        #expect(results.count == 2)
        #expect(failures.isEmpty)
        for result in results {
            for key in ["loadSeconds", "encoderMillisecondsPerWindow", "decoderMillisecondsPerToken", "realTimeFactor"] {
                #expect(median(result, key) > 0, "\(key)")
            }
            #expect((result["peakMemoryBytes"] as? Int ?? 0) > 0)
        }
        #expect((results[0]["sizeBytes"] as? Int ?? 0) > 0)
        #expect(results[0]["sizeBytes"] as? Int == results[1]["sizeBytes"] as? Int)
    }

    /// Two manifests of English dev utterances, named "first" and "second" by their files.
    func twoManifests(in directory: URL) throws -> [URL] {
        let source = try TestPaths.devFile("manifest.jsonl")
        let english = try String(contentsOf: source, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains(#""language": "en""#) }.prefix(4)
        return try [("first", english.prefix(2)), ("second", english.suffix(2))].map { name, lines in
            let rewritten = try lines.map { line -> String in
                var entry = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                entry["audio"] = source.deletingLastPathComponent().appendingPathComponent(try #require(entry["audio"] as? String)).path
                return String(decoding: try JSONSerialization.data(withJSONObject: entry), as: UTF8.self)
            }
            let url = directory.appendingPathComponent("\(name).jsonl")
            try (rewritten.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
            return url
        }
    }

    /// Each manifest and the pool get a bootstrap interval; the second model's difference from the
    /// first is paired on the same utterances (identical models: exactly zero).
    @Test func severalManifestsAreScoredEachAndPooledWithIntervals() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifests = try twoManifests(in: directory)
        let bench = try cli.sotto(["bench", "--model", "tiny.en", "--model", "tiny.en", "--manifest", manifests[0].path,
                                   "--manifest", manifests[1].path, "--repeats", "1"])
        #expect(bench.status == 0, "\(bench.stderr)")
        let rows = bench.stdout.split(separator: "\n").map(String.init)
        #expect(rows.contains { $0.contains("error rates (bootstrap") }, "\(bench.stdout)")
        for set in ["first", "second", "all (WER)"] {
            #expect(rows.filter { $0.hasPrefix("tiny.en") && $0.contains(set) && $0.contains("[") }.count == 2, "\(set): \(bench.stdout)")
        }
        #expect(rows.contains { $0.contains("+0.00  [+0.00, +0.00]") }, "\(bench.stdout)")
        let eval = try cli.sotto(["eval", "--model", "tiny.en", "--manifest", manifests[0].path, "--manifest", manifests[1].path,
                                  "--beam-size", "1"])
        #expect(eval.status == 0, "\(eval.stderr)")
        for group in ["first (WER)", "second (WER)", "all (WER)"] {
            #expect(eval.stdout.split(separator: "\n").contains { $0.hasPrefix(group) && $0.contains("[") }, "\(eval.stdout)")
        }
    }

    @Test func aBadModelIsNamedAndTheOthersStillMeasured() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let broken = directory.appendingPathComponent("broken-model")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: broken.appendingPathComponent("config.json"))
        let json = directory.appendingPathComponent("out.json")
        let jfk = try TestPaths.devFile("audio/en_jfk.wav").path
        let run = try cli.sotto(["bench", "--model", broken.path, "--model", try TestPaths.model("tiny.en").path,
                                 "--audio", jfk, "--repeats", "1", "--json", json.path])
        #expect(run.status != 0)
        #expect(run.stderr.contains("broken-model"))
        #expect(run.stdout.contains("failed: \(broken.path)"))
        let (results, failures) = try results(json)
        #expect(results.count == 1)
        #expect(failures.first?["model"] as? String == broken.path)
        #expect(median(results.first ?? [:], "realTimeFactor") > 0)
    }

    /// One result as `sotto bench --json` saves it; `wer` nil is an --audio run (no error rates).
    static func savedResult(_ model: String, sizeBytes: Int, realTimeFactor: Double, wer: (errors: Int, words: Int)?) throws -> String {
        func measurement(_ value: Double) -> String { #"{"median": \#(value), "min": \#(value), "max": \#(value)}"# }
        let rates = wer.map { #"[{"name": "all (WER)", "unit": "words", "utterances": 3, "counts": "#
            + #"{"substitutions": \#($0.errors), "deletions": 0, "insertions": 0, "referenceLength": \#($0.words)}}]"# } ?? "[]"
        let name = String(decoding: try JSONSerialization.data(withJSONObject: model, options: .fragmentsAllowed), as: UTF8.self)
        return #"{"model": \#(name), "directory": "/models/x", "sizeBytes": \#(sizeBytes), "#
            + #""loadSeconds": \#(measurement(0.2)), "peakMemoryBytes": 300000000, "#
            + #""encoderMillisecondsPerWindow": \#(measurement(400)), "decoderMillisecondsPerToken": \#(measurement(5)), "#
            + #""decoderTokens": 64, "realTimeFactor": \#(measurement(realTimeFactor)), "audioSeconds": 42.5, "#
            + #""utterances": 3, "errorRates": \#(rates), "threads": 2}"#
    }

    static func savedReport(_ results: [String]) -> String {
        #"{"settings": {"input": "dev/manifest.jsonl", "languages": ["en"], "threads": 2, "repeats": 3, "#
            + #""beamSize": 1, "cpuPath": "avx2"}, "results": [\#(results.joined(separator: ", "))], "failures": []}"#
    }

    /// The chart drawn again from a saved report: no model runs, so no weights needed.
    @Test func aSavedReportIsShownAndChartedWithoutMeasuring() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let json = directory.appendingPathComponent("bench.json"), svg = directory.appendingPathComponent("bench.svg")
        try Data(Self.savedReport([
            try Self.savedResult("tiny.en", sizeBytes: 75_000_000, realTimeFactor: 0.05, wer: (10, 200)),
            try Self.savedResult("tiny.en <int8 & \"q\">", sizeBytes: 40_000_000, realTimeFactor: 0.03, wer: (12, 200)),
        ]).utf8).write(to: json)
        let run = try cli.sotto(["bench", "--from-json", json.path, "--chart", svg.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("against tiny.en"))
        let document = try XMLDocument(contentsOf: svg, options: [])
        func circles(_ element: XMLElement) -> [XMLElement] {
            let children = (element.children ?? []).compactMap { $0 as? XMLElement }
            return children.filter { $0.name == "circle" } + children.flatMap(circles)
        }
        // Linux Foundation's `attribute(forName:)` misses attributes in SVG's default namespace.
        let models = try #require(document.rootElement()).elements(forName: "g").first { group in
            group.attributes?.contains { $0.name == "id" && $0.stringValue == "models" } == true
        }
        #expect(circles(try #require(models)).count == 2)
        #expect(try String(contentsOf: svg, encoding: .utf8).contains("tiny.en &lt;int8 &amp; &quot;q&quot;&gt;"))
    }

    @Test func aReportWithoutErrorRatesIsNotCharted() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let json = directory.appendingPathComponent("audio.json"), svg = directory.appendingPathComponent("audio.svg")
        try Data(Self.savedReport([try Self.savedResult("tiny.en", sizeBytes: 1, realTimeFactor: 0.1, wer: nil)]).utf8).write(to: json)
        let run = try cli.sotto(["bench", "--from-json", json.path, "--chart", svg.path])
        #expect(run.status != 0)
        #expect(run.stderr.contains("--manifest"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: svg.path))
    }

    @Test(arguments: [
        (["bench", "--from-json", "r.json", "--model", "tiny.en"], "takes no --model"),
        (["bench", "--from-json", "r.json", "--manifest", "m.jsonl", "--threads", "2"], "drop --manifest, --threads"),
        (["bench", "--from-json", "r.json", "--json", "copy.json"], "drop --json"),
        (["bench", "--audio", "a.wav"], "at least one --model"),
        (["bench", "--model", "tiny.en"], "one of --audio and --manifest"),
        (["bench", "--model", "tiny.en", "--audio", "a.wav", "--chart", "c.svg"], "needs --manifest"),
        (["bench", "--from-json", "/nonexistent/r.json"], "cannot read the benchmark report"),
    ])
    func badCombinationsAreRefusedBeforeMeasuring(arguments: [String], message: String) throws {
        let run = try cli.sotto(arguments)
        #expect(run.status != 0)
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }
}
