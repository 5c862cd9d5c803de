import Foundation
import SottoModel

/// Where tests find the repository, the shared dev speech set and the models fetched by scripts/setup.sh.
public enum TestPaths {
    /// The package root, found from this file's location so tests work from any working directory.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/data/dev` beside the checkout (read-only, never copied into the repository).
    public static var devData: URL {
        if let override = ProcessInfo.processInfo.environment["SOTTO_DEV_DATA"] {
            return URL(fileURLWithPath: override)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data/dev")
    }

    public static var sottoHome: URL { SottoHome.directory }

    /// A model directory fetched by setup. Missing weights are a test failure, never a silent skip.
    public static func model(_ name: String) throws -> URL {
        let dir = sottoHome.appendingPathComponent("models/\(name)")
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.bin").path) else {
            throw MissingFixture(what: "model \(name) at \(dir.path); run scripts/setup.sh first")
        }
        return dir
    }

    /// `../shared/data/train`: unlabelled audio for calibration, never for evaluation.
    public static func trainFile(_ relative: String) throws -> URL { try sharedFile("train", relative) }

    /// `../shared/data/train-extra`: hours of mixed, lightly labelled audio for training and calibration.
    public static func trainExtraFile(_ relative: String) throws -> URL { try sharedFile("train-extra", relative) }

    /// A file of the data set `set` beside the dev set.
    private static func sharedFile(_ set: String, _ relative: String) throws -> URL {
        let url = devData.deletingLastPathComponent().appendingPathComponent(set).appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw MissingFixture(what: "\(set) data file \(url.path) (expected ../shared/data/\(set) beside the checkout)")
        }
        return url
    }

    public static func devFile(_ relative: String) throws -> URL {
        let url = devData.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw MissingFixture(what: "dev data file \(url.path) (expected ../shared/data/dev beside the checkout)")
        }
        return url
    }

    /// Fixture files committed under Tests/Fixtures (made by scripts in scripts/).
    public static func fixture(_ relative: String) -> URL {
        repositoryRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(relative)
    }
}

public struct MissingFixture: Error, CustomStringConvertible {
    public let what: String
    public init(what: String) { self.what = what }
    public var description: String { "missing test input: \(what)" }
}
