import Foundation
import SottoCompress
import SottoDecoding
import SottoEval
import SottoModel
import SottoTestSupport
import SottoText
import Testing

/// The references `--plan auto` scores candidates against, on real tiny.en and real audio.
@Suite struct CalibrationScorerTests {
    /// A manifest of two unlabelled utterances: LibriSpeech read speech, which tiny.en transcribes
    /// greedily, and a line of train-extra's game dialogue on which its greedy output loops and falls
    /// back through five temperatures (measured): only the first can be a reference.
    @Test func anUtteranceTheFloatModelFallsBackOnIsLeftOut() throws {
        let source = try Checkpoint.read(directory: try TestPaths.model("tiny.en"))
        let float = Transcriber(model: try WhisperModel(checkpoint: source),
                                tokenizer: try Tokenizer(contentsOf: source.directory.appendingPathComponent("tokenizer.json"),
                                                         isMultilingual: false))
        let directory = try ToyWhisper.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let lines = [
            #"{"id": "read", "audio": "\#(try TestPaths.trainFile("audio/1034-121119-0000.flac").path)", "language": "en"}"#,
            #"{"id": "looping", "audio": "\#(try TestPaths.trainExtraFile("audio/en_drascula_0092.ogg").path)", "language": "en"}"#,
        ]
        let url = directory.appendingPathComponent("calibration.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        let textScorer = try TranscriptScorer(spellingTable: TestPaths.sottoHome.appendingPathComponent("normalizers/english.json"))

        let scorer = try CalibrationScorer(manifest: try Manifest(contentsOf: url), limit: 2, float: float, scorer: textScorer)
        #expect(scorer.droppedUnstable == 1)
        #expect(scorer.manifest.entries.map(\.id) == ["read"])
        #expect(try scorer.errorRate(float.model) == 0)

        try lines[1].appending("\n").write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: CalibrationScorerError.self) {
            try CalibrationScorer(manifest: try Manifest(contentsOf: url), limit: 1, float: float, scorer: textScorer)
        }
    }
}
