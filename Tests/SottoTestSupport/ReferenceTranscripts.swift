import Foundation

/// faster-whisper's dev-set transcripts and scores, made by scripts/make_transcript_fixtures.py.
public struct ReferenceTranscripts: Decodable, Sendable {
    public struct Hypothesis: Decodable, Sendable {
        public let text: String
        public let language: String
    }

    public struct Run: Decodable, Sendable {
        public let hypotheses: [String: Hypothesis]
        /// Percent error rates: per language ("en", "zh", ...) and pooled ("all_wer", "all_cer").
        public let scores: [String: Double]
    }

    public let runs: [String: Run]

    public static func load() throws -> ReferenceTranscripts {
        let url = TestPaths.fixture("transcripts/faster_whisper_dev.json")
        return try JSONDecoder().decode(ReferenceTranscripts.self, from: Data(contentsOf: url))
    }

    /// `model` is "tiny.en" or "base", `beamSize` 1 or 5.
    public func run(model: String, beamSize: Int) throws -> Run {
        guard let run = runs["\(model)/beam\(beamSize)"] else {
            throw MissingFixture(what: "faster-whisper run \(model)/beam\(beamSize) in faster_whisper_dev.json")
        }
        return run
    }
}
