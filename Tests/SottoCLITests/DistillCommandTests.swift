import Foundation
import SottoModel
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
                                     "--steps", "2", "--batch-size", "2", "--warmup-steps", "1", "--timestamps", "-o", student.path])
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
        // Labels with the teacher's timestamps, the mode transcribe and bench decode in (the other tests: text only).
        #expect(options["timestamps"] == "true" && options["droppedUnsure"] == "0", "\(options)")

        let jfk = try TestPaths.devFile("audio/en_jfk.wav").path
        let transcribe = try cli.sotto(["transcribe", jfk, "--model", student.path, "--beam-size", "1"])
        #expect(transcribe.status == 0, "\(transcribe.stderr)")
    }

    /// scripts/distill_recipe.sh end to end, shrunk to one utterance of each manifest and one step: the
    /// audio-margin student (every teacher layer, margin 32, timestamped labels) loads in `sotto transcribe`.
    @Test func theRecipesStudentTrainsAndLoads() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let student = directory.appendingPathComponent("student")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash", TestPaths.repositoryRoot.appendingPathComponent("scripts/distill_recipe.sh").path, "tiny.en", student.path]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["SOTTO_BIN": TranscribeCommandTests.executable.path, "EXTRA_ARGS": "--limit 1 --steps 1 --holdout 1"]) { $1 }
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: student.appendingPathComponent("sotto.json"))) as? [String: Any])
        #expect((manifest["config"] as? [String: Any])?["audio_context_margin"] as? Int == 32, "\(manifest["config"] ?? "")")
        let options = try provenance(student)
        #expect(options["student"] == "encoder=0,1,2,3;decoder=0,1,2,3;audio-margin=32" && options["steps"] == "1"
                && options["timestamps"] == "true", "\(options)")
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

    func provenance(_ student: URL) throws -> [String: String] {
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: student.appendingPathComponent("sotto.json"))) as? [String: Any])
        return try #require((manifest["provenance"] as? [String: Any])?["options"] as? [String: String])
    }

    /// Four train utterances, the third given a transcript nobody speaks in it (the WER filter drops it),
    /// one held out for selection, one augmented copy of each of the other two.
    @Test func selectionKeepsTheBestStepFiltersLabelsAugmentsAndDrawsTheCurve() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try manifests.manifest(from: try TestPaths.trainFile("manifest.jsonl"), count: 4, into: directory, name: "train.jsonl")
        var lines = try String(contentsOf: data, encoding: .utf8).split(separator: "\n").map(String.init)
        var entry = try #require(try JSONSerialization.jsonObject(with: Data(lines[2].utf8)) as? [String: Any])
        entry["text"] = "purple elephants dance quietly on the moon tonight"
        lines[2] = String(decoding: try JSONSerialization.data(withJSONObject: entry), as: UTF8.self)
        try (lines.joined(separator: "\n") + "\n").write(to: data, atomically: true, encoding: .utf8)
        let student = directory.appendingPathComponent("student")
        let run = try cli.sotto(["distill", "--data", data.path, "--student", "decoder:2", "--epochs", "1", "--batch-size", "2",
                                 "--warmup-steps", "0", "--eval-every", "1", "--holdout", "1", "--augment-copies", "1",
                                 "--noise-snr", "10:20", "--spec-augment", "-o", student.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("eval at step 0") && run.stderr.contains("eval at step 2"), "\(run.stderr)")
        #expect(run.stderr.contains("tokens/s") && run.stderr.contains("ETA"), "\(run.stderr)")
        let options = try provenance(student)
        #expect(options["droppedByWER"] == "1" && options["heldOut"] == "1" && options["utterances"] == "2", "\(options)")
        #expect(options["augmentedCopies"] == "2" && options["steps"] == "2", "\(options)")
        // The kept step is the first with the lowest selection WER.
        let scores = try #require(options["selectionWER"]).split(separator: ",").map { $0.split(separator: ":") }
        #expect(scores.count == 3)
        let best = try #require(scores.min { Double($0[1])! < Double($1[1])! })
        #expect(options["keptStep"] == String(best[0]), "\(options)")
        let chart = try String(contentsOf: student.appendingPathComponent("loss.svg"), encoding: .utf8)
        #expect(chart.contains("<polyline") && chart.contains("<circle"))
        // Stored as tiny.en's float16 matrices (the linear layers' weights; norms and biases stay float32).
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: student.appendingPathComponent("sotto.json"))) as? [String: Any]
        let encodings = try #require(manifest?["encodings"] as? [String: String])
        let linear = encodings.filter { $0.key.hasSuffix(".weight") && ($0.key.contains("attn.") || $0.key.contains(".mlp.")) }
        #expect(!linear.isEmpty && linear.values.allSatisfy { $0 == "f16" }, "\(linear)")
    }

    /// A run stopped by its clock after one step and resumed from its checkpoint directory ends with
    /// the losses of an uninterrupted run; scoring a dev manifest for selection changes no loss.
    @Test func aResumedRunEqualsTheUninterruptedOne() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try manifests.manifest(from: try TestPaths.trainFile("manifest.jsonl"), count: 2, into: directory, name: "train.jsonl")
        let common = ["distill", "--data", data.path, "--student", "decoder:2", "--steps", "3", "--batch-size", "1", "--warmup-steps", "1"]
        let (first, resumed, whole) = (directory.appendingPathComponent("first"), directory.appendingPathComponent("resumed"),
                                       directory.appendingPathComponent("whole"))
        let stopped = try cli.sotto(common + ["--max-minutes", "0.0001", "--checkpoint-every", "1", "-o", first.path])
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(try provenance(first)["steps"] == "1")
        let resume = try cli.sotto(common + ["--resume", first.path + ".checkpoints", "-o", resumed.path])
        #expect(resume.status == 0, "\(resume.stderr)")
        #expect(resume.stderr.contains("step 2/3") && !resume.stderr.contains("step 1/3"), "\(resume.stderr)")
        let uninterrupted = try cli.sotto(common + ["--eval", try TestPaths.devFile("manifest.jsonl").path, "--eval-limit", "1",
                                                    "-o", whole.path])
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
        let (a, b) = (try provenance(resumed), try provenance(whole))
        #expect(a["steps"] == "3" && a["lossCurve"] == b["lossCurve"], "resumed \(a["lossCurve"] ?? "") whole \(b["lossCurve"] ?? "")")
        #expect(b["selectionWER"]?.split(separator: ",").count == 2 && b["selection"]?.contains("English of") == true)
    }

    /// `--encoder-mse` alone is an encoder-only stage (no labels decoded, no decoder run; the held-out
    /// utterance is transcribed by the teacher for selection); a joint CE + KL + MSE stage continues from
    /// its output; the result loads in `sotto transcribe`. A student without an encoder of its own is refused.
    @Test func anEncoderOnlyStageThenAJointStage() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try manifests.manifest(from: try TestPaths.trainFile("manifest.jsonl"), count: 3, into: directory, name: "train.jsonl")
        let refused = try cli.sotto(["distill", "--data", data.path, "--student", "decoder:2", "--encoder-mse", "1", "--steps", "1",
                                     "-o", directory.appendingPathComponent("refused").path])
        #expect(refused.status != 0 && refused.stderr.contains("--encoder-mse"), "\(refused.stderr)")
        let (stageA, stageB) = (directory.appendingPathComponent("a"), directory.appendingPathComponent("b"))
        let encoderOnly = try cli.sotto(["distill", "--data", data.path, "--student", "encoder=0,1,3", "--ce-weight", "0",
                                         "--kl-weight", "0", "--encoder-mse", "1", "--steps", "2", "--batch-size", "1",
                                         "--warmup-steps", "0", "--eval-every", "2", "--holdout", "1", "--augment-copies", "1",
                                         "--speed", "0.9:1.1", "-o", stageA.path])
        #expect(encoderOnly.status == 0, "\(encoderOnly.stderr)")
        let a = try provenance(stageA)
        #expect(a["student"] == "encoder=0,1,3;decoder=0,1,2,3" && a["heldOut"] == "1" && a["augmentedCopies"] == "2", "\(a)")
        #expect(a["finalCrossEntropy"] == "0.00000" && Double(a["finalEncoderMSE"] ?? "") ?? 0 > 0, "\(a)")
        #expect(a["selectionWER"]?.split(separator: ",").count == 2, "\(a)")
        let joint = try cli.sotto(["distill", "--data", data.path, "--student", stageA.path, "--encoder-mse", "1", "--steps", "1",
                                   "--batch-size", "1", "-o", stageB.path])
        #expect(joint.status == 0, "\(joint.stderr)")
        let b = try provenance(stageB)
        #expect(b["loss"]?.hasSuffix("+ 1.0 encoder MSE") == true && Double(b["finalCrossEntropy"] ?? "") ?? 0 > 0, "\(b)")
        let transcribe = try cli.sotto(["transcribe", try TestPaths.devFile("audio/en_jfk.wav").path, "--model", stageB.path,
                                        "--beam-size", "1"])
        #expect(transcribe.status == 0, "\(transcribe.stderr)")
    }

    /// `--freeze-encoder` with a cut encoder: the student keeps teacher encoder layers 0-2 frozen (their
    /// output cached once), trains its decoder, and loads in `sotto transcribe`; `--encoder-mse` with it is refused.
    @Test func aCutFrozenEncoderStudentTrainsItsDecoder() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try manifests.manifest(from: try TestPaths.trainFile("manifest.jsonl"), count: 2, into: directory, name: "train.jsonl")
        let student = directory.appendingPathComponent("student")
        let common = ["distill", "--data", data.path, "--student", "encoder=0,1,2;decoder=0,3", "--freeze-encoder", "--steps", "2",
                      "--batch-size", "2", "--warmup-steps", "0", "--learning-rate", "1e-3"]
        let refused = try cli.sotto(common + ["--encoder-mse", "1", "-o", directory.appendingPathComponent("refused").path])
        #expect(refused.status != 0 && refused.stderr.contains("--freeze-encoder"), "\(refused.stderr)")
        let run = try cli.sotto(common + ["--timestamps", "-o", student.path])
        #expect(run.status == 0, "\(run.stderr)")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: student.appendingPathComponent("sotto.json"))) as? [String: Any])
        #expect((manifest["dims"] as? [String: Any])?["nAudioLayer"] as? Int == 3 && (manifest["dims"] as? [String: Any])?["nTextLayer"] as? Int == 2)
        let options = try provenance(student)
        #expect(options["student"] == "encoder=0,1,2;decoder=0,3" && options["freezeEncoder"] == "true" && options["steps"] == "2", "\(options)")
        let losses = try #require(options["lossCurve"]).split(separator: ",").compactMap { Double($0) }
        #expect(losses.count == 2 && losses[1] < losses[0], "\(losses)")
        let transcribe = try cli.sotto(["transcribe", try TestPaths.devFile("audio/en_jfk.wav").path, "--model", student.path, "--beam-size", "1"])
        #expect(transcribe.status == 0, "\(transcribe.stderr)")
    }

    /// `--audio-margin`: a student that keeps every teacher layer trains its encoder on its audio alone;
    /// the margin is in its sotto.json (and its quantized copy's), and `sotto transcribe` runs it on
    /// fewer encoder positions than the teacher, opening no segment past a short clip's end. Frozen encoders
    /// and `--encoder-mse` are refused with it.
    @Test func anAudioMarginStudentTrainsItsEncoderOnItsAudioAlone() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try manifests.manifest(from: try TestPaths.trainFile("manifest.jsonl"), count: 2, into: directory, name: "train.jsonl")
        let (student, quantized) = (directory.appendingPathComponent("student"), directory.appendingPathComponent("student-int8"))
        let common = ["distill", "--data", data.path, "--student", "decoder:4", "--audio-margin", "16", "--steps", "2",
                      "--batch-size", "2", "--warmup-steps", "0", "--learning-rate", "1e-4"]
        for extra in [["--freeze-encoder"], ["--encoder-mse", "1"]] {
            let refused = try cli.sotto(common + extra + ["-o", directory.appendingPathComponent("refused").path])
            #expect(refused.status != 0 && refused.stderr.contains("--audio-margin"), "\(refused.stderr)")
        }
        let run = try cli.sotto(common + ["--timestamps", "-o", student.path])
        #expect(run.status == 0, "\(run.stderr)")
        let options = try provenance(student)
        #expect(options["student"] == "encoder=0,1,2,3;decoder=0,1,2,3;audio-margin=16", "\(options)")
        let teacher = try Checkpoint.read(directory: try TestPaths.model("tiny.en"))
        let trained = try Checkpoint.read(directory: student)
        #expect(trained.config.audioContextMargin == 16 && teacher.config.audioContextMargin == nil)
        #expect(try trained.tensor("encoder.conv1.weight").data != (try teacher.tensor("encoder.conv1.weight").data), "the encoder did not train")
        let quantize = try cli.sotto(["quantize", "--model", student.path, "--scheme", "int8-dynamic", "-o", quantized.path])
        #expect(quantize.status == 0, "\(quantize.stderr)")
        #expect(try Checkpoint.read(directory: quantized).config.audioContextMargin == 16)
        // JFK is 11 s: 550 positions and the margin, against the teacher's 1,500 a window.
        for model in [student, quantized] {
            let transcribe = try cli.sotto(["transcribe", try TestPaths.devFile("audio/en_jfk.wav").path, "--model", model.path,
                                            "--beam-size", "1"])
            #expect(transcribe.status == 0 && transcribe.stdout.lowercased().contains("ask not what your country"), "\(transcribe.stdout) \(transcribe.stderr)")
        }
        // Its encoder holds nothing past the audio: no segment opens at or after a 1.9 s clip's end
        // (without the rule this student went on with made-up segments at 1 s and 3 s).
        let short = try cli.sotto(["transcribe", try TestPaths.devFile("audio/en_ljspeech_LJ001-0002.wav").path, "--model", student.path,
                                   "--beam-size", "1", "--output-format", "json"])
        let segments = (try JSONSerialization.jsonObject(with: Data(short.stdout.utf8)) as? [String: Any])?["segments"] as? [[String: Any]]
        let starts = segments?.compactMap { ($0["start"] as? NSNumber)?.doubleValue } ?? []
        #expect(short.status == 0 && !starts.isEmpty && starts.allSatisfy { $0 < 1.9 }, "\(short.stdout) \(short.stderr)")
    }

    /// `--labels-cache`: a second run over the same audio decodes nothing (every decision from the cache,
    /// the same labels: the same losses); labelling with other options (timestamps) misses the cache.
    @Test func aSecondRunReadsItsLabelsFromTheCache() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try manifests.manifest(from: try TestPaths.trainFile("manifest.jsonl"), count: 2, into: directory, name: "train.jsonl")
        let cache = directory.appendingPathComponent("labels").path
        let common = ["distill", "--data", data.path, "--student", "decoder:2", "--steps", "2", "--batch-size", "1",
                      "--warmup-steps", "0", "--labels-cache", cache]
        let (first, second, other) = (directory.appendingPathComponent("first"), directory.appendingPathComponent("second"),
                                      directory.appendingPathComponent("other"))
        for (output, extra) in [(first, [String]()), (second, []), (other, ["--timestamps"])] {
            let run = try cli.sotto(common + extra + ["-o", output.path])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let (a, b, c) = (try provenance(first), try provenance(second), try provenance(other))
        #expect(a["labelsFromCache"] == "0" && b["labelsFromCache"] == "2" && c["labelsFromCache"] == "0", "\(a) \(b) \(c)")
        #expect(a["lossCurve"] == b["lossCurve"] && a["utterances"] == b["utterances"], "\(a) \(b)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache).count == 4)
    }

    /// `--short-crops 1`: every utterance also trains as a crop of its first 1-3 s, labelled on its own
    /// (a decision of its own in the label cache), counted apart from the augmented copies.
    @Test func shortCropsAreLabelledOnTheirOwn() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try manifests.manifest(from: try TestPaths.trainFile("manifest.jsonl"), count: 2, into: directory, name: "train.jsonl")
        let cache = directory.appendingPathComponent("labels").path
        let output = directory.appendingPathComponent("student")
        let run = try cli.sotto(["distill", "--data", data.path, "--student", "decoder:4", "--audio-margin", "16", "--timestamps",
                                 "--steps", "2", "--batch-size", "2", "--warmup-steps", "0", "--short-crops", "1",
                                 "--short-crop-seconds", "1:3", "--labels-cache", cache, "-o", output.path])
        #expect(run.status == 0, "\(run.stderr)")
        let recorded = try provenance(output)
        #expect(recorded["shortCrops"].flatMap { Int($0) }.map { (1...2).contains($0) } == true, "\(recorded)")
        #expect(recorded["augmentedCopies"] == "0" && recorded["augmentation"]?.contains("short crops of 1.0") == true, "\(recorded)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache).count == 4, "two utterances and their two crops")
        let bad = try cli.sotto(["distill", "--data", data.path, "--student", "decoder:2", "--steps", "1", "--short-crops", "0", "-o", directory.appendingPathComponent("bad").path])
        #expect(bad.status != 0 && bad.stderr.contains("--short-crops"), "\(bad.stderr)")
    }

    @Test func refusesAStudentWhoseTokenizerDiffersFromTheTeachers() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try manifests.manifest(from: try TestPaths.trainFile("manifest.jsonl"), count: 1, into: directory, name: "train.jsonl")
        let run = try cli.sotto(["distill", "--teacher", "tiny.en", "--student", "base", "--data", data.path, "--steps", "1",
                                 "-o", directory.appendingPathComponent("out").path])
        #expect(run.status != 0)
        #expect(run.stderr.contains("tokenizer") && run.stderr.contains("51864 against 51865"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("out").path))
    }
}
