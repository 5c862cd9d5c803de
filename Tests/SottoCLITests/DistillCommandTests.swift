import Foundation
import SottoTestSupport
import Testing

/// `sotto distill` end to end on real tiny.en weights and two training utterances (a few steps:
/// this checks the pipeline, not the student's quality), and its refusals of bad inputs.
@Suite(.serialized) struct DistillCommandTests {
    let cli = TranscribeCommandTests()
    let manifests = QuantizeCommandTests()

    @Test func studentTrainsAndRunsThroughTranscribe() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try manifests.manifest(from: try TestPaths.trainFile("manifest.jsonl"), count: 2, into: directory, name: "train.jsonl")
        let student = directory.appendingPathComponent("student")
        let distill = try cli.sotto(["distill", "--teacher", "tiny.en", "--data", data.path, "--student", "decoder:2",
                                     "--steps", "2", "--batch-size", "2", "--warmup-steps", "1", "-o", student.path])
        #expect(distill.status == 0, "\(distill.stderr)")
        #expect(distill.stderr.contains("step 2/2"), "\(distill.stderr)")
        #expect(distill.stdout.contains("encoder=0,1,2,3;decoder=0,3"), "\(distill.stdout)")

        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: student.appendingPathComponent("sotto.json"))) as? [String: Any])
        #expect((manifest["dims"] as? [String: Any])?["nTextLayer"] as? Int == 2)
        let provenance = try #require(manifest["provenance"] as? [String: Any])
        let options = try #require(provenance["options"] as? [String: String])
        #expect(provenance["scheme"] as? String == "distill")
        #expect((provenance["sourceSHA256"] as? String)?.count == 64)
        #expect(options["dataManifestSHA256"]?.count == 64 && options["steps"] == "2" && options["student"] == "encoder=0,1,2,3;decoder=0,3")
        #expect(options["lossCurve"]?.split(separator: ",").count == 2)

        let jfk = try TestPaths.devFile("audio/en_jfk.wav").path
        let transcribe = try cli.sotto(["transcribe", jfk, "--model", student.path, "--beam-size", "1"])
        #expect(transcribe.status == 0, "\(transcribe.stderr)")
    }

    @Test func encoderStudentTrainsAndLoads() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try manifests.manifest(from: try TestPaths.trainFile("manifest.jsonl"), count: 1, into: directory, name: "train.jsonl")
        let student = directory.appendingPathComponent("student")
        let distill = try cli.sotto(["distill", "--data", data.path, "--student", "encoder:2;decoder:2", "--steps", "1",
                                     "--batch-size", "1", "--warmup-steps", "0", "-o", student.path])
        #expect(distill.status == 0, "\(distill.stderr)")
        #expect(distill.stdout.contains("encoder=0,3;decoder=0,3"), "\(distill.stdout)")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: student.appendingPathComponent("sotto.json"))) as? [String: Any])
        #expect((manifest["dims"] as? [String: Any])?["nAudioLayer"] as? Int == 2)
        let transcribe = try cli.sotto(["transcribe", try TestPaths.devFile("audio/en_jfk.wav").path, "--model", student.path,
                                        "--beam-size", "1"])
        #expect(transcribe.status == 0, "\(transcribe.stderr)")
    }

    @Test func refusesAStudentTheTeacherCannotGive() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try manifests.manifest(from: try TestPaths.trainFile("manifest.jsonl"), count: 1, into: directory, name: "train.jsonl")
        for spec in ["decoder=0,4", "decoder:9", "decoder=2,1", "layers=3"] {
            let run = try cli.sotto(["distill", "--data", data.path, "--student", spec, "--steps", "1",
                                     "-o", directory.appendingPathComponent("out").path])
            #expect(run.status != 0)
            #expect(run.stderr.contains("student spec"), "\(spec): \(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("out").path))
    }

    @Test func refusesAManifestWithMissingAudio() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("train.jsonl")
        try #"{"id": "ghost", "audio": "/nonexistent/ghost.flac", "language": "en"}"#.write(to: data, atomically: true, encoding: .utf8)
        let run = try cli.sotto(["distill", "--data", data.path, "--student", "decoder:2", "--steps", "1",
                                 "-o", directory.appendingPathComponent("out").path])
        #expect(run.status != 0)
        #expect(run.stderr.contains("ghost") && run.stderr.contains("does not exist"), "\(run.stderr)")
    }
}
