import Foundation
import SottoDecoding
import Testing
import SottoServer

@Suite struct ResultCacheTests {
    func result(_ text: String) -> TranscriptionResult {
        TranscriptionResult(text: text, language: "en", languageProbability: 1, durationSeconds: 1, segments: [])
    }

    @Test func keyChangesWithAudioModelAndOptions() {
        let options = TranscriptionOptions()
        var other = options
        other.decoding.beamSize = 3
        let base = ResultCache.key(audio: [1, 2], model: "tiny.en", options: options)
        #expect(base == ResultCache.key(audio: [1, 2], model: "tiny.en", options: options))
        #expect(base != ResultCache.key(audio: [1, 3], model: "tiny.en", options: options))
        #expect(base != ResultCache.key(audio: [1, 2], model: "base", options: options))
        #expect(base != ResultCache.key(audio: [1, 2], model: "tiny.en", options: other))
        #expect(base.count == 64)
    }

    @Test func evictsTheLeastRecentlyUsedPastTheBudget() async throws {
        let entryBytes = try JSONEncoder().encode(result("a")).count
        let cache = try ResultCache(budgetBytes: entryBytes * 2, directory: nil)
        await cache.store(result("a"), forKey: "a")
        await cache.store(result("b"), forKey: "b")
        _ = await cache.value(forKey: "a")  // b is now the least recently used
        await cache.store(result("c"), forKey: "c")
        #expect(await cache.value(forKey: "a")?.text == "a")
        #expect(await cache.value(forKey: "b") == nil)
        #expect(await cache.value(forKey: "c")?.text == "c")
        #expect(await cache.count == 2)
    }

    @Test func survivesARestartOnDisk() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sotto-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await ResultCache(budgetBytes: 1_000_000, directory: directory).store(result("kept"), forKey: "k")
        let reopened = try ResultCache(budgetBytes: 1_000_000, directory: directory)
        #expect(await reopened.value(forKey: "k")?.text == "kept")
    }
}
