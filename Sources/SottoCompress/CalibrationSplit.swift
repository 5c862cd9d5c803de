import Foundation
import SottoEval
import SottoTensor

/// The audio a compression run learns from and the audio it is checked on, drawn from one or more
/// manifests. Each manifest contributes up to `limit` utterances, taken across its languages and
/// sources in turn (train-extra mixes read speech, game voice acting and telephone prompts; a
/// plain prefix would be one source); the validation utterances are the next ones in that order, so
/// the two never overlap, or come from manifests of their own.
public struct CalibrationSplit: Sendable {
    /// The utterances fitted on, as one manifest with absolute audio paths.
    public let fitting: Manifest
    /// The held-out utterances, if a validation set was asked for.
    public let validation: Manifest?
    /// SHA-256 of the calibration manifest file (of the files' digests, in order, for several).
    public let sha256: String

    /// - Parameters:
    ///   - limit: utterances per manifest (nil: all of them).
    ///   - validationPaths: manifests to validate on; empty to hold out `validationLimit` utterances per
    ///     calibration manifest instead (0: no validation).
    public init(paths: [String], limit: Int?, validationPaths: [String] = [], validationLimit: Int = 0,
                multilingual: Bool) throws {
        let manifests = try paths.map { try Manifest(contentsOf: URL(fileURLWithPath: $0)) }
        let ordered = manifests.map { Calibration.usableEntries($0, multilingual: multilingual, limit: nil) }
        let taken = ordered.map { Array($0.prefix(limit ?? $0.count)) }
        fitting = Self.combined(manifests, taken)
        if !validationPaths.isEmpty {
            let held = try validationPaths.map { try Manifest(contentsOf: URL(fileURLWithPath: $0)) }
            let entries = held.map { Calibration.usableEntries($0, multilingual: multilingual, limit: validationLimit > 0 ? validationLimit : nil) }
            validation = Self.combined(held, entries)
        } else if validationLimit > 0 {
            let rest = zip(ordered, taken).map { all, used in Array(all.dropFirst(used.count).prefix(validationLimit)) }
            guard rest.contains(where: { !$0.isEmpty }) else { throw CalibrationSplitError.nothingLeftToValidate(paths) }
            validation = Self.combined(manifests, rest)
        } else {
            validation = nil
        }
        let digests = try manifests.map { try SHA256.hex(of: $0.url) }
        sha256 = digests.count == 1 ? digests[0] : SHA256.hex(of: Data(digests.joined(separator: "\n").utf8))
    }

    /// The entries of several manifests as one, audio paths made absolute, manifests taken in turn.
    static func combined(_ manifests: [Manifest], _ entries: [[ManifestEntry]]) -> Manifest {
        var queues = zip(manifests, entries).map { manifest, entries in
            entries.map { entry -> ManifestEntry in
                var absolute = entry
                absolute.audio = manifest.audioURL(for: entry).path
                return absolute
            }[...]
        }
        var merged: [ManifestEntry] = []
        while queues.contains(where: { !$0.isEmpty }) {
            for index in queues.indices { if let next = queues[index].popFirst() { merged.append(next) } }
        }
        return Manifest(url: manifests[0].url, entries: merged)
    }
}

public enum CalibrationSplitError: Error, CustomStringConvertible {
    case nothingLeftToValidate([String])

    public var description: String {
        switch self {
        case .nothingLeftToValidate(let paths):
            return "\(paths.joined(separator: ", ")): every calibration utterance is used for fitting; "
                + "lower --calibration-limit, or give --validation MANIFEST"
        }
    }
}
