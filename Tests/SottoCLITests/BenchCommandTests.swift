import Foundation
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
}
