import Foundation

/// One utterance of an evaluation manifest (the JSON-lines format of shared/data/dev).
public struct ManifestEntry: Sendable, Codable, Equatable {
    public var id: String
    /// Path relative to the manifest's directory, or absolute.
    public var audio: String
    /// Reference transcript; nil for unlabelled audio.
    public var text: String?
    public var language: String?
    public var duration: Double?
    /// The corpus a chunk came from (shared/data's train-extra and dev-extra name one).
    public var source: String?
}

public struct Manifest: Sendable {
    public let url: URL
    public let entries: [ManifestEntry]

    /// Reads one JSON object per line; blank lines are skipped, a bad line is an error naming it.
    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw EvalError.unreadableManifest(url.path)
        }
        let decoder = JSONDecoder()
        var entries: [ManifestEntry] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            do {
                entries.append(try decoder.decode(ManifestEntry.self, from: Data(trimmed.utf8)))
            } catch {
                throw EvalError.badManifestLine(file: url.path, line: index + 1, reason: "\(error)")
            }
        }
        guard !entries.isEmpty else { throw EvalError.emptyManifest(url.path) }
        self.url = url
        self.entries = entries
    }

    /// A short name for reports: the manifest's directory ("dev", "dev-extra"), or the file's name
    /// when it is not called manifest.jsonl.
    public var name: String {
        let stem = url.deletingPathExtension().lastPathComponent
        return stem == "manifest" ? url.deletingLastPathComponent().lastPathComponent : stem
    }

    public func audioURL(for entry: ManifestEntry) -> URL {
        entry.audio.hasPrefix("/") ? URL(fileURLWithPath: entry.audio)
            : url.deletingLastPathComponent().appendingPathComponent(entry.audio)
    }
}

public enum EvalError: Error, CustomStringConvertible, Equatable {
    case unreadableManifest(String)
    case emptyManifest(String)
    case badManifestLine(file: String, line: Int, reason: String)
    case missingSpellingTable(String)
    case noLabelledUtterances(String)
    case unreadableModelDirectory(String)
    case unreadableBenchmarkReport(path: String, reason: String)
    case noBenchmarkResults
    case chartNeedsErrorRates(unit: ScoringUnit, models: [String])

    public var description: String {
        switch self {
        case .unreadableManifest(let path): return "\(path): cannot read the manifest"
        case .emptyManifest(let path): return "\(path): the manifest has no entries"
        case .badManifestLine(let file, let line, let reason): return "\(file):\(line): not a manifest entry (\(reason))"
        case .missingSpellingTable(let path):
            return "\(path): Whisper's English spelling table is missing; run scripts/setup.sh"
        case .noLabelledUtterances(let path): return "\(path): no utterance with a reference transcript (check --languages)"
        case .unreadableModelDirectory(let path): return "\(path): cannot list the model directory"
        case .unreadableBenchmarkReport(let path, let reason): return "\(path): \(reason)"
        case .noBenchmarkResults: return "the benchmark has no measured model to chart"
        case .chartNeedsErrorRates(let unit, let models):
            return "cannot chart \(unit.rateName): no error rate for \(models.joined(separator: ", ")); "
                + "the chart needs a `sotto bench --manifest` run on utterances with reference text"
        }
    }
}

extension Manifest {
    public init(url: URL, entries: [ManifestEntry]) {
        self.url = url
        self.entries = entries
    }

    /// Only the entries in `languages` (nil keeps all).
    public func filtered(languages: Set<String>?) -> Manifest {
        guard let languages else { return self }
        return Manifest(url: url, entries: entries.filter { languages.contains($0.language ?? "") })
    }
}
