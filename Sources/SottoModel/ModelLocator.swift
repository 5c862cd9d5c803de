import Foundation

/// Sotto's cache directory: `$SOTTO_HOME`, default `~/.cache/sotto` (models, spelling table, samples).
public enum SottoHome {
    public static var directory: URL {
        if let home = ProcessInfo.processInfo.environment["SOTTO_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/sotto")
    }
}

/// Turns `--model` (a known name or a directory) into a model directory.
public enum ModelLocator {
    /// Names scripts/setup.sh knows how to fetch.
    public static let knownNames = ["tiny.en", "base"]

    public static func resolve(_ nameOrPath: String, home: URL = SottoHome.directory) throws -> URL {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: nameOrPath, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ModelLocatorError.notADirectory(nameOrPath) }
            return URL(fileURLWithPath: nameOrPath)
        }
        if knownNames.contains(nameOrPath) {
            let directory = home.appendingPathComponent("models").appendingPathComponent(nameOrPath)
            guard fileManager.fileExists(atPath: directory.appendingPathComponent("model.bin").path) else {
                throw ModelLocatorError.notDownloaded(name: nameOrPath, expected: directory.path)
            }
            return directory
        }
        throw ModelLocatorError.unknown(nameOrPath)
    }
}

public enum ModelLocatorError: Error, CustomStringConvertible, Equatable {
    case notADirectory(String)
    case notDownloaded(name: String, expected: String)
    case unknown(String)

    public var description: String {
        switch self {
        case .notADirectory(let path):
            return "\(path): a model is a directory holding model.bin, config.json and tokenizer.json"
        case .notDownloaded(let name, let expected):
            return "model \(name) is not downloaded (expected \(expected)); run: SOTTO_MODELS=\(name) bash scripts/setup.sh"
        case .unknown(let name):
            return "no model named '\(name)': give a model directory or one of "
                + ModelLocator.knownNames.joined(separator: ", ")
        }
    }
}
