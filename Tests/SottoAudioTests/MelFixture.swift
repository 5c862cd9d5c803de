import Foundation
import SottoAudio
import SottoTestSupport

/// One case of Tests/Fixtures/mel/manifest.json (written by scripts/make_mel_fixtures.py).
struct MelFixture: Decodable {
    let name: String
    let input: String
    let nMels: Int
    let padding: Int
    let sampleCount: Int
    let nFrames: Int
    let frameStride: Int
    let keptFrames: Int
    let file: String

    enum CodingKeys: String, CodingKey {
        case name, input, padding, file
        case nMels = "n_mels", sampleCount = "sample_count", nFrames = "n_frames"
        case frameStride = "frame_stride", keptFrames = "kept_frames"
    }

    struct Manifest: Decodable {
        let fasterWhisperVersion: String
        let numpyVersion: String
        let cases: [MelFixture]

        enum CodingKeys: String, CodingKey {
            case cases
            case fasterWhisperVersion = "faster_whisper_version", numpyVersion = "numpy_version"
        }
    }

    static func manifest() throws -> Manifest {
        let url = TestPaths.fixture("mel/manifest.json")
        return try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: url))
    }

    static func named(_ name: String) throws -> MelFixture {
        guard let fixture = try manifest().cases.first(where: { $0.name == name }) else {
            throw FixtureError(description: "no case \(name) in Tests/Fixtures/mel/manifest.json; rerun scripts/make_mel_fixtures.py")
        }
        return fixture
    }

    /// Reference values, row-major [nMels, keptFrames].
    func expectedValues() throws -> [Float] {
        let bytes = [UInt8](try Data(contentsOf: TestPaths.fixture("mel/\(file)")))
        return stride(from: 0, to: bytes.count, by: 4).map { b in
            Float(bitPattern: UInt32(bytes[b]) | UInt32(bytes[b + 1]) << 8
                | UInt32(bytes[b + 2]) << 16 | UInt32(bytes[b + 3]) << 24)
        }
    }

    /// The input samples: a dev clip through AudioLoader, or the script's synthetic signal rebuilt here.
    func samples() throws -> [Float] {
        let (kind, rest) = (input.prefix(while: { $0 != ":" }), input.drop(while: { $0 != ":" }).dropFirst())
        switch kind {
        case "dev":
            return try AudioLoader.load(path: TestPaths.devFile(String(rest)).path)
        case "synthetic" where rest == "tones":
            return (0..<19_750).map { n in
                guard n < 12_000 else { return 0 }
                let t = Double(n)
                return Float(0.5 * sin(2 * Double.pi * 440 * t / 16_000) + 0.25 * sin(2 * Double.pi * 5_000 * t / 16_000))
            }
        case "synthetic" where rest == "short":
            return (0..<170).map { Float(0.3 * sin(0.37 * Double($0))) }
        default:
            throw FixtureError(description: "no recipe in MelFixture.samples() for mel fixture input \(input)")
        }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
}
