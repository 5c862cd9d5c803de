import Foundation
import SottoCompress
import Testing

/// The on-disk label cache: decisions round-trip, and every input they depend on changes the key.
@Suite("label cache")
struct LabelCacheTests {
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sotto-labels-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test("decisions round-trip; teacher, options, audio bytes, language, text and crop each change the key")
    func keysAndRoundTrip() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let audio = directory.appendingPathComponent("a.wav")
        try Data([1, 2, 3]).write(to: audio)
        let cache = try LabelCache(directory: directory.appendingPathComponent("cache"), teacherSHA256: "aa", timestamps: true, maxLabelWER: 0.1)
        let key = try #require(cache.key(audio: audio, language: "en", text: nil))
        for decision in [LabelDecision.kept(sequence: [50257, 50363, 11, 50256], promptLength: 2, text: " Hi"), .unsure, .farFromText] {
            try cache.store(decision, key: key)
            #expect(cache.load(key) == decision)
        }
        #expect(cache.load(String(repeating: "0", count: 64)) == nil)
        let others = [
            try LabelCache(directory: directory, teacherSHA256: "bb", timestamps: true, maxLabelWER: 0.1),
            try LabelCache(directory: directory, teacherSHA256: "aa", timestamps: false, maxLabelWER: 0.1),
            try LabelCache(directory: directory, teacherSHA256: "aa", timestamps: true, maxLabelWER: 0.2),
            try LabelCache(directory: directory, teacherSHA256: "aa", timestamps: true, maxLabelWER: nil),
        ]
        for other in others { #expect(other.key(audio: audio, language: "en", text: nil) != key) }
        #expect(cache.key(audio: audio, language: "fr", text: nil) != key)
        #expect(cache.key(audio: audio, language: "en", text: "hi") != key)
        let crop = try #require(cache.key(audio: audio, language: "en", text: nil, crop: 32_000))
        #expect(crop != key && crop != cache.key(audio: audio, language: "en", text: nil, crop: 32_160))
        #expect(cache.key(audio: directory.appendingPathComponent("missing.wav"), language: "en", text: nil) == nil)
        // The key follows the audio's bytes: a copy elsewhere, written later, hits; other bytes miss.
        let copy = directory.appendingPathComponent("copy/b.wav")
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: copy)
        #expect(cache.key(audio: copy, language: "en", text: nil) == key, "a copy of the same audio misses the cache")
        try Data([1, 2, 3, 4]).write(to: audio)
        #expect(cache.key(audio: audio, language: "en", text: nil) != key, "a rewritten audio file keeps its key")
    }
}
