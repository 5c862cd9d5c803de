import Foundation
import SottoTestSupport
import Testing

/// The built `sotto` executable, run as a user would.
@Suite(.serialized) struct TranscribeCommandTests {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The `sotto` binary sits beside the test bundle in the build directory.
    static var executable: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while directory.pathExtension == "xctest" || directory.lastPathComponent == "Contents" || directory.lastPathComponent == "MacOS" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("sotto")
    }

    func sotto(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        // stderr goes to a file so neither pipe can fill up and block the child.
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("sotto-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderrText = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: stderrText)
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sotto-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// `--word-timestamps`: json gets words per segment (inside the segment's span); srt stays per segment.
    @Test func wordTimestampsGoIntoJSON() throws {
        let clip = try TestPaths.devFile("audio/en_jfk.wav").path
        let run = try sotto(["transcribe", "--model", "tiny.en", "--beam-size", "1", "--word-timestamps",
                             "--output-format", "json", clip], environment: ["SOTTO_HOME": TestPaths.sottoHome.path])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let segments = json?["segments"] as? [[String: Any]] ?? []
        #expect(!segments.isEmpty)
        for segment in segments {
            let words = segment["words"] as? [[String: Any]] ?? []
            #expect(!words.isEmpty)
            #expect(words.allSatisfy { Set($0.keys) == ["word", "start", "end", "probability"] })
            let (start, end) = (segment["start"] as? Double ?? -1, segment["end"] as? Double ?? -1)
            #expect(words.allSatisfy { ($0["start"] as? Double ?? -1) >= start && ($0["end"] as? Double ?? 99) <= end })
        }
        let srt = try sotto(["transcribe", "--model", "tiny.en", "--beam-size", "1", "--word-timestamps",
                             "--output-format", "srt", clip], environment: ["SOTTO_HOME": TestPaths.sottoHome.path])
        #expect(srt.status == 0 && srt.stdout.hasPrefix("1\n00:00:00,000 --> "))
    }

    @Test func badFilesAreReportedAndTheOthersStillTranscribed() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fake = directory.appendingPathComponent("notes.wav")
        try Data("just some text, not audio\n".utf8).write(to: fake)
        let jfk = try TestPaths.devFile("audio/en_jfk.wav").path
        let run = try sotto(["transcribe", fake.path, jfk, directory.appendingPathComponent("missing.wav").path,
                             "--model", try TestPaths.model("tiny.en").path, "--beam-size", "1"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("notes.wav"))
        #expect(run.stderr.contains("missing.wav"))
        #expect(run.stdout.contains("ask not what your country can do for you"))
    }

    @Test func outputDirGetsEveryFormatPerInput() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let jfk = try TestPaths.devFile("audio/en_jfk.wav").path
        let run = try sotto(["transcribe", jfk, "--model", "tiny.en", "--beam-size", "1",
                             "--output-format", "all", "--output-dir", directory.path])
        #expect(run.status == 0, "\(run.stderr)")
        for format in ["txt", "srt", "vtt", "json", "tsv"] {
            let file = directory.appendingPathComponent("en_jfk.\(format)")
            #expect(FileManager.default.fileExists(atPath: file.path), "\(format)")
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("en_jfk.json")))
        #expect((json as? [String: Any])?["language"] as? String == "en")
    }

    @Test func standardInputIsRead() throws {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["transcribe", "-", "--model", "tiny.en", "--beam-size", "1"]
        process.standardInput = try FileHandle(forReadingFrom: try TestPaths.devFile("audio/en_jfk.wav"))
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(String(decoding: data, as: UTF8.self).contains("fellow Americans"))
    }

    @Test func missingAndCorruptModelsAreClearErrors() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let jfk = try TestPaths.devFile("audio/en_jfk.wav").path
        let missing = try sotto(["transcribe", jfk, "--model", directory.appendingPathComponent("nope").path])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("nope"))
        let notDownloaded = try sotto(["transcribe", jfk, "--model", "base"], environment: ["SOTTO_HOME": directory.path, "HF_ENDPOINT": "http://127.0.0.1:9"])
        #expect(notDownloaded.status != 0)
        #expect(notDownloaded.stderr.contains("not downloaded"))

        let corrupt = directory.appendingPathComponent("corrupt")
        try FileManager.default.createDirectory(at: corrupt, withIntermediateDirectories: true)
        let tiny = try TestPaths.model("tiny.en")
        for file in ["config.json", "tokenizer.json"] {
            try FileManager.default.copyItem(at: tiny.appendingPathComponent(file), to: corrupt.appendingPathComponent(file))
        }
        let original = try Data(contentsOf: tiny.appendingPathComponent("model.bin"))
        try original.prefix(original.count / 2).write(to: corrupt.appendingPathComponent("model.bin"))
        let truncated = try sotto(["transcribe", jfk, "--model", corrupt.path])
        #expect(truncated.status != 0)
        #expect(truncated.stderr.contains("model.bin"))
        #expect(!truncated.stderr.contains("Fatal error"))
    }
}
