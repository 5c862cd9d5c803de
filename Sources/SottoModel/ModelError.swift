import Foundation

/// Everything that can go wrong loading a model; every case names the file it concerns.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case missingFile(file: String)
    case unreadable(file: String, reason: String)
    case truncated(file: String, at: Int, needed: Int)
    case unsupportedVersion(file: String, version: Int)
    case unsupportedModel(file: String, spec: String)
    case corrupt(file: String, at: Int, reason: String)
    case unsupportedDType(key: String, dtype: String, file: String)
    case missingTensor(key: String, file: String)
    case shapeMismatch(key: String, expected: [Int], actual: [Int], file: String)
    case badConfig(file: String, reason: String)
    /// A tensor handed to a writer is inconsistent (byte count, shape, name).
    case invalidTensor(key: String, file: String, reason: String)
    case unwritable(file: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let file): "\(file): file not found"
        case .unreadable(let file, let reason): "\(file): cannot read (\(reason))"
        case .truncated(let file, let at, let needed):
            "\(file): truncated at byte \(at) (needed \(needed) more bytes)"
        case .unsupportedVersion(let file, let version): "\(file): unsupported CTranslate2 binary version \(version)"
        case .unsupportedModel(let file, let spec): "\(file): not a Whisper model (spec \"\(spec)\")"
        case .corrupt(let file, let at, let reason): "\(file): corrupt at byte \(at): \(reason)"
        case .unsupportedDType(let key, let dtype, let file): "\(file): tensor \(key) has unsupported dtype \(dtype)"
        case .missingTensor(let key, let file): "\(file): missing tensor \(key)"
        case .shapeMismatch(let key, let expected, let actual, let file):
            "\(file): tensor \(key) has shape \(actual), expected \(expected)"
        case .badConfig(let file, let reason): "\(file): invalid config (\(reason))"
        case .invalidTensor(let key, let file, let reason): "\(file): cannot write tensor \(key): \(reason)"
        case .unwritable(let file, let reason): "\(file): cannot write (\(reason))"
        }
    }
}

extension ModelError {
    /// Memory-maps a weights file (pages load as tensors are touched), as a `missingFile` or
    /// `unreadable` error naming it.
    static func mapFile(_ url: URL) throws -> Data {
        guard FileManager.default.fileExists(atPath: url.path) else { throw ModelError.missingFile(file: url.path) }
        do {
            return try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw ModelError.unreadable(file: url.path, reason: error.localizedDescription)
        }
    }
}
