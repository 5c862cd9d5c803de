import Foundation
import SottoModel
import SottoTestSupport
import Testing

/// Hub downloads against a local HTTP server laid out like huggingface.co's `resolve` URLs.
@Suite(.serialized) struct ModelHubTests {
    /// `python3 -m http.server` over a directory, on a port the OS picks.
    final class LocalServer {
        let process = Process()
        let endpoint: URL

        init(root: URL) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", root.path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            var seen = ""
            while !seen.contains("port ") || !seen.contains("\n") {
                let chunk = output.fileHandleForReading.availableData
                guard !chunk.isEmpty else { throw MissingFixture(what: "python3 http.server did not start") }
                seen += String(decoding: chunk, as: UTF8.self)
            }
            let port = seen.components(separatedBy: "port ")[1].prefix { $0.isNumber }
            endpoint = URL(string: "http://127.0.0.1:\(port)")!
        }

        // SIGKILL: a child spawned from a test thread can inherit a mask that blocks SIGTERM.
        deinit {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sotto-hub-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Serves tiny.en as `Systran/faster-whisper-tiny.en` at revision `main`.
    func servedTinyModel() throws -> (root: URL, server: LocalServer) {
        let root = try temporaryDirectory()
        let files = root.appendingPathComponent("Systran/faster-whisper-tiny.en/resolve/main")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        let tiny = try TestPaths.model("tiny.en")
        for file in ModelHub.requiredFiles {
            try FileManager.default.createSymbolicLink(at: files.appendingPathComponent(file),
                                                       withDestinationURL: tiny.appendingPathComponent(file))
        }
        return (root, try LocalServer(root: root))
    }

    @Test func aNamedModelIsDownloadedOnceThenLoadedFromTheCache() throws {
        let (root, server) = try servedTinyModel()
        let home = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root); try? FileManager.default.removeItem(at: home) }
        let hub = ModelHub(endpoint: server.endpoint, cacheDirectory: home.appendingPathComponent("hub"))
        var announced: [String] = []
        let directory = try ModelLocator.resolve("tiny.en", home: home, hub: hub) { announced.append($0) }
        #expect(directory.path.hasSuffix("hub/Systran--faster-whisper-tiny.en/main"))
        #expect(announced.count == 3)
        let tiny = try TestPaths.model("tiny.en")
        for file in ModelHub.requiredFiles {
            let downloaded = try Data(contentsOf: directory.appendingPathComponent(file))
            #expect(downloaded == (try Data(contentsOf: tiny.appendingPathComponent(file))), "\(file)")
        }
        #expect(try WhisperModel.load(directory: directory).dims.nTextLayer == 4)
        announced = []
        let again = try ModelLocator.resolve("Systran/faster-whisper-tiny.en@main", home: home, hub: hub) { announced.append($0) }
        #expect(again.standardizedFileURL.path == directory.standardizedFileURL.path)
        #expect(announced.isEmpty, "the cached copy is used")
    }

    @Test func aMissingRepositoryIsNotFoundAndLeavesNoFiles() throws {
        let (root, server) = try servedTinyModel()
        let home = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root); try? FileManager.default.removeItem(at: home) }
        let hub = ModelHub(endpoint: server.endpoint, cacheDirectory: home.appendingPathComponent("hub"))
        #expect(throws: ModelHubError.self) { try ModelLocator.resolve("someone/nothing-here@v2", home: home, hub: hub) }
        let cached = hub.localDirectory(repository: "someone/nothing-here", revision: "v2")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: cached.path)) ?? []
        #expect(left.isEmpty, "no partial download remains: \(left)")
        #expect(throws: ModelHubError.self) { try ModelLocator.resolve("small", home: home, hub: hub) }
    }

    @Test func setupModelsExplainHowToFetchThemWhenTheHubIsUnreachable() throws {
        let home = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let hub = ModelHub(endpoint: URL(string: "http://127.0.0.1:9")!, cacheDirectory: home.appendingPathComponent("hub"))
        do {
            _ = try ModelLocator.resolve("base", home: home, hub: hub)
            Issue.record("resolving base without a copy or a hub must fail")
        } catch let error as ModelLocatorError {
            #expect(error.description.contains("scripts/setup.sh"))
        }
    }

    @Test func namesThatAreNeitherPathsNorModelsAreRejected() throws {
        let home = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        #expect(throws: ModelLocatorError.unknown("no-such-model")) { try ModelLocator.resolve("no-such-model", home: home) }
        let file = home.appendingPathComponent("model.bin")
        try Data([1, 2, 3]).write(to: file)
        #expect(throws: ModelLocatorError.notADirectory(file.path)) { try ModelLocator.resolve(file.path, home: home) }
    }
}
