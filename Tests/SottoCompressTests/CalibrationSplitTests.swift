import Foundation
import SottoCompress
import SottoTensor
import SottoTestSupport
import Testing

/// How calibration and held-out utterances are drawn from one or more manifests (no audio is read).
@Suite struct CalibrationSplitTests {
    /// A manifest in its own directory whose entries name their source, e.g. "read-3".
    static func manifest(_ name: String, sources: [String: Int], language: String = "en") throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("split-\(UUID().uuidString)/\(name)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let lines = sources.keys.sorted().flatMap { source in
            (0..<sources[source]!).map { i in
                #"{"id": "\#(source)-\#(i)", "audio": "audio/\#(source)-\#(i).ogg", "language": "\#(language)", "source": "\#(source)"}"#
            }
        }
        let url = directory.appendingPathComponent("manifest.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func eachManifestGivesItsShareTakenAcrossSources() throws {
        let first = try Self.manifest("train", sources: ["a": 10])
        let second = try Self.manifest("train-extra", sources: ["games": 10, "read": 10, "phone": 2])
        let split = try CalibrationSplit(paths: [first.path, second.path], limit: 4, validationLimit: 2, multilingual: false)
        let ids = split.fitting.entries.map(\.id)
        #expect(ids.count == 8)
        #expect(ids.filter { $0.hasPrefix("a-") } == ["a-0", "a-1", "a-2", "a-3"])
        #expect(Set(ids.filter { !$0.hasPrefix("a-") }) == ["games-0", "phone-0", "read-0", "games-1"])
        let held = try #require(split.validation).entries.map(\.id)
        #expect(held.count == 4 && Set(held).isDisjoint(with: ids))
        #expect(split.fitting.entries.allSatisfy { $0.audio.hasPrefix("/") && $0.audio.contains("/train") })
        let single = try CalibrationSplit(paths: [first.path], limit: 4, multilingual: false)
        #expect(single.sha256 == (try SHA256.hex(of: first)))
        #expect(split.sha256 != single.sha256 && split.sha256.count == 64)
        #expect(single.validation == nil)
    }

    @Test func anEnglishOnlyModelSkipsOtherLanguages() throws {
        let english = try Self.manifest("en", sources: ["x": 3])
        let german = try Self.manifest("de", sources: ["y": 3], language: "de")
        let split = try CalibrationSplit(paths: [english.path, german.path], limit: nil, multilingual: false)
        #expect(split.fitting.entries.map(\.language) == ["en", "en", "en"])
    }

    @Test func heldOutManifestsAreUsedWhenGiven() throws {
        let calibration = try Self.manifest("train", sources: ["a": 3])
        let validation = try Self.manifest("held", sources: ["b": 5])
        let split = try CalibrationSplit(paths: [calibration.path], limit: nil, validationPaths: [validation.path],
                                         validationLimit: 4, multilingual: false)
        #expect(split.fitting.entries.count == 3)
        #expect(split.validation?.entries.map(\.id) == ["b-0", "b-1", "b-2", "b-3"])
    }

    @Test func nothingLeftToValidateIsAnError() throws {
        let calibration = try Self.manifest("small", sources: ["a": 3])
        #expect(throws: CalibrationSplitError.self) {
            try CalibrationSplit(paths: [calibration.path], limit: 3, validationLimit: 2, multilingual: false)
        }
    }
}
