import Foundation
import SottoDecoding
import SottoTensor

/// Finished transcriptions by the SHA-256 of the audio bytes, the model and every option that
/// changes the output: least recently used entries leave memory first once `budgetBytes` is
/// spent; with a directory, entries are also kept on disk and survive restarts.
package actor ResultCache {
    package let budgetBytes: Int
    package let directory: URL?
    private var entries: [String: Entry] = [:]
    private var usedBytes = 0
    private var tick = 0

    private struct Entry {
        var result: TranscriptionResult
        var sizeBytes: Int
        var lastUsed: Int
    }

    package init(budgetBytes: Int, directory: URL?) throws {
        self.budgetBytes = budgetBytes
        self.directory = directory
        if let directory {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
    }

    /// The cache key: hex SHA-256 over the audio, then the model name and the options as sorted JSON.
    package nonisolated static func key(audio: [UInt8], model: String, options: TranscriptionOptions) -> String {
        var hash = SHA256()
        hash.update(Data(audio))
        hash.update(Data([0]))
        hash.update(Data(model.utf8))
        hash.update(Data([0]))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        hash.update((try? encoder.encode(options)) ?? Data())
        return hash.finalize()
    }

    package func value(forKey key: String) -> TranscriptionResult? {
        tick += 1
        if var entry = entries[key] {
            entry.lastUsed = tick
            entries[key] = entry
            return entry.result
        }
        guard let url = fileURL(key), let data = try? Data(contentsOf: url),
              let result = try? JSONDecoder().decode(TranscriptionResult.self, from: data) else { return nil }
        insert(result, sizeBytes: data.count, forKey: key)
        return result
    }

    package func store(_ result: TranscriptionResult, forKey key: String) {
        guard let data = try? JSONEncoder().encode(result) else { return }
        tick += 1
        insert(result, sizeBytes: data.count, forKey: key)
        if let url = fileURL(key) { try? data.write(to: url, options: .atomic) }
    }

    package var count: Int { entries.count }

    private func insert(_ result: TranscriptionResult, sizeBytes: Int, forKey key: String) {
        guard sizeBytes <= budgetBytes else { return }
        if let old = entries.removeValue(forKey: key) { usedBytes -= old.sizeBytes }
        while usedBytes + sizeBytes > budgetBytes, let oldest = entries.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
            entries.removeValue(forKey: oldest.key)
            usedBytes -= oldest.value.sizeBytes
        }
        entries[key] = Entry(result: result, sizeBytes: sizeBytes, lastUsed: tick)
        usedBytes += sizeBytes
    }

    private func fileURL(_ key: String) -> URL? {
        directory?.appendingPathComponent("\(key).json")
    }
}
