import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads CTranslate2 Whisper models from a Hugging Face hub (`$HF_ENDPOINT`, default
/// https://huggingface.co) into `$SOTTO_HOME/hub/<owner>--<name>/<revision>/`, as
/// faster-whisper's `download_model` does. Files land under a temporary name and are renamed
/// only when complete, so an interrupted download is never mistaken for a model.
public struct ModelHub: Sendable {
    /// Files a CTranslate2 Whisper model needs; `vocabulary.*` is optional and not fetched.
    public static let requiredFiles = ["config.json", "tokenizer.json", "model.bin"]

    public let endpoint: URL
    public let cacheDirectory: URL
    /// Sent as a bearer token for private or gated repositories (`$HF_TOKEN`).
    public let token: String?

    public init(endpoint: URL? = nil, cacheDirectory: URL? = nil, token: String? = nil) {
        let environment = ProcessInfo.processInfo.environment
        self.endpoint = endpoint ?? URL(string: environment["HF_ENDPOINT"] ?? "") ?? URL(string: "https://huggingface.co")!
        self.cacheDirectory = cacheDirectory ?? SottoHome.directory.appendingPathComponent("hub")
        self.token = token ?? environment["HF_TOKEN"]
    }

    /// Where `repository` at `revision` is (or will be) cached.
    public func localDirectory(repository: String, revision: String) -> URL {
        cacheDirectory.appendingPathComponent(repository.replacingOccurrences(of: "/", with: "--"))
            .appendingPathComponent(revision)
    }

    /// Returns the cached model directory, downloading whatever file is missing.
    /// `onFile` is told each file name before its download starts.
    public func fetch(repository: String, revision: String = "main",
                      onFile: (String) -> Void = { _ in }) throws -> URL {
        let directory = localDirectory(repository: repository, revision: revision)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for file in Self.requiredFiles {
            let target = directory.appendingPathComponent(file)
            if FileManager.default.fileExists(atPath: target.path) { continue }
            onFile(file)
            try download(fileURL(repository: repository, revision: revision, file: file), to: target,
                         repository: repository, file: file)
        }
        return directory
    }

    func fileURL(repository: String, revision: String, file: String) -> URL {
        endpoint.appendingPathComponent(repository).appendingPathComponent("resolve")
            .appendingPathComponent(revision).appendingPathComponent(file)
    }

    private func download(_ url: URL, to target: URL, repository: String, file: String) throws {
        var request = URLRequest(url: url)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let outcome = DownloadOutcome()
        let done = DispatchSemaphore(value: 0)
        let partial = target.appendingPathExtension("partial")
        let task = URLSession.shared.downloadTask(with: request) { location, response, error in
            // The temporary file vanishes when this handler returns, so move it here.
            if let location, error == nil, (response as? HTTPURLResponse)?.statusCode == 200 {
                try? FileManager.default.removeItem(at: partial)
                do { try FileManager.default.moveItem(at: location, to: partial) } catch { outcome.set(error: error) }
            }
            outcome.set(response: response as? HTTPURLResponse, error: error)
            done.signal()
        }
        task.resume()
        done.wait()
        let (response, error) = outcome.get()
        if let error { throw ModelHubError.network(url: url.absoluteString, reason: error.localizedDescription) }
        guard let response else { throw ModelHubError.network(url: url.absoluteString, reason: "no response") }
        switch response.statusCode {
        case 200:
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.moveItem(at: partial, to: target)
        case 401, 403: throw ModelHubError.unauthorized(repository: repository)
        case 404: throw ModelHubError.notFound(repository: repository, file: file, url: url.absoluteString)
        default: throw ModelHubError.http(url: url.absoluteString, status: response.statusCode)
        }
    }
}

/// The download callback's result, handed across threads under a lock.
private final class DownloadOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var response: HTTPURLResponse?
    private var error: (any Error)?

    func set(response: HTTPURLResponse?, error: (any Error)?) {
        lock.withLock {
            self.response = response
            if self.error == nil { self.error = error }
        }
    }

    func set(error: any Error) { lock.withLock { self.error = error } }

    func get() -> (HTTPURLResponse?, (any Error)?) { lock.withLock { (response, error) } }
}

public enum ModelHubError: Error, CustomStringConvertible, Equatable {
    case network(url: String, reason: String)
    case unauthorized(repository: String)
    case notFound(repository: String, file: String, url: String)
    case http(url: String, status: Int)

    public var description: String {
        switch self {
        case .network(let url, let reason):
            return "cannot download \(url): \(reason) (set HF_ENDPOINT for a mirror, or give a local model directory)"
        case .unauthorized(let repository):
            return "the hub refused access to \(repository); set HF_TOKEN to a token that may read it"
        case .notFound(let repository, let file, let url):
            return "\(repository) has no \(file) (\(url)); is it a CTranslate2 Whisper model?"
        case .http(let url, let status):
            return "downloading \(url) failed with HTTP status \(status)"
        }
    }
}
