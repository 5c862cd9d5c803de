import Foundation
import SottoTestSupport
import Testing

/// `sotto quantize` run as a user would, and the model it writes used by every other command.
@Suite(.serialized) struct QuantizeCommandTests {
    let cli = TranscribeCommandTests()

    /// A manifest of the first `count` lines of `source`, with absolute audio paths.
    func manifest(from source: URL, count: Int, into directory: URL, name: String) throws -> URL {
        let lines = try String(contentsOf: source, encoding: .utf8).split(separator: "\n").prefix(count)
        let rewritten = try lines.map { line -> String in
            var entry = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            entry["audio"] = source.deletingLastPathComponent().appendingPathComponent(try #require(entry["audio"] as? String)).path
            return String(decoding: try JSONSerialization.data(withJSONObject: entry), as: UTF8.self)
        }
        let url = directory.appendingPathComponent(name)
        try (rewritten.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func gptqModelRunsThroughEveryCommand() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let calibration = try manifest(from: try TestPaths.trainFile("manifest.jsonl"), count: 2, into: directory, name: "calibration.jsonl")
        let dev = try manifest(from: try TestPaths.devFile("manifest.jsonl"), count: 1, into: directory, name: "dev.jsonl")
        let model = directory.appendingPathComponent("tiny-int4")
        let quantize = try cli.sotto(["quantize", "--model", "tiny.en", "--scheme", "int4-g32", "--calibration", calibration.path,
                                      "-o", model.path])
        #expect(quantize.status == 0, "\(quantize.stderr)")
        #expect(quantize.stdout.contains("int4-g32"))
        let manifestJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: model.appendingPathComponent("sotto.json"))) as? [String: Any]
        let provenance = manifestJSON?["provenance"] as? [String: Any]
        #expect((provenance?["options"] as? [String: String])?["rounding"] == "gptq", "\(String(describing: provenance))")
        #expect(provenance?["calibrationManifestSHA256"] as? String != nil)

        let jfk = try TestPaths.devFile("audio/en_jfk.wav").path
        let transcribe = try cli.sotto(["transcribe", jfk, "--model", model.path, "--beam-size", "1"])
        #expect(transcribe.status == 0, "\(transcribe.stderr)")
        #expect(transcribe.stdout.lowercased().contains("ask not what your country can do for you"), "\(transcribe.stdout)")
        let eval = try cli.sotto(["eval", "--model", model.path, "--manifest", dev.path, "--beam-size", "1"])
        #expect(eval.status == 0 && eval.stdout.contains("WER"), "\(eval.stderr)")
        let inspect = try cli.sotto(["inspect", model.path])
        #expect(inspect.status == 0 && inspect.stdout.contains("int4-g32"), "\(inspect.stderr)")
        let bench = try cli.sotto(["bench", "--model", model.path, "--audio", jfk, "--repeats", "1"])
        #expect(bench.status == 0 && bench.stdout.contains("decoder ms/token"), "\(bench.stderr)")
    }

    @Test func contradictoryOptionsAreRefusedBeforeAnyWork() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("out").path
        let cases: [([String], String)] = [
            (["--scheme", "int4-g32", "--rounding", "gptq"], "--rounding gptq needs calibration audio"),
            (["--scheme", "int8", "--rounding", "gptq", "--calibration", "x.jsonl"], "--rounding gptq applies to int4 schemes"),
            (["--scheme", "int4-g32", "--rounding", "sideways"], "--rounding takes gptq or nearest"),
            (["--scheme", "int4-g32", "--plan", "auto"], "--plan auto needs calibration audio"),
        ]
        for (arguments, message) in cases {
            let run = try cli.sotto(["quantize", "--model", "tiny.en", "-o", output] + arguments)
            #expect(run.status != 0 && run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
