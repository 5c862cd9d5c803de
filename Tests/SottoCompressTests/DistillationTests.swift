import Foundation
import SottoCompress
import SottoDecoding
import SottoEval
import SottoTestSupport
import SottoText
import SottoTrain
import Testing

/// Distillation's pure pieces: the held-out split, option validation and the label sequences (the run itself is
/// checked end to end on real weights in DistillCommandTests).
@Suite struct DistillationTests {
    static func utterances(_ count: Int) -> [LabelledUtterance] {
        (0..<count).map {
            LabelledUtterance(audio: URL(fileURLWithPath: "/u\($0).flac"), language: "en", transcript: "t\($0)", reference: "t\($0)",
                              examples: [TrainingExample(tokens: [1, 2], targets: [2, 3], audio: .float32([0]))], durationSeconds: 1)
        }
    }

    @Test func theHeldOutSliceIsSeededDisjointAndAtMostHalf() {
        let all = Self.utterances(20)
        let (training, held) = Distillation.split(all, holdout: 5, seed: 1)
        #expect(held.count == 5 && training.count == 15)
        #expect(Set(held.map(\.audio)).isDisjoint(with: Set(training.map(\.audio))))
        #expect(Distillation.split(all, holdout: 5, seed: 1).heldOut.map(\.audio) == held.map(\.audio))
        #expect(Distillation.split(all, holdout: 5, seed: 2).heldOut.map(\.audio) != held.map(\.audio))
        #expect(Distillation.split(Self.utterances(3), holdout: 16, seed: 1).heldOut.count == 1)
        #expect(Distillation.split(all, holdout: 0, seed: 1).training.count == 20)
    }

    @Test(arguments: ["no stop", "negative minutes", "zero eval limit", "negative label WER", "resume without a directory"])
    func badOptionsAreRefused(problem: String) {
        var options = DistillationOptions(student: "decoder:2")
        options.steps = 1
        switch problem {
        case "no stop": options.steps = nil
        case "negative minutes": options.maxMinutes = -1
        case "zero eval limit": options.evalLimit = 0
        case "negative label WER": options.maxLabelWER = -0.1
        default: options.resume = true
        }
        #expect(throws: DistillationError.self) { try options.validate() }
    }

    @Test func entriesKeepTheTeachersLanguagesTheAskedSourcesAndTheLimit() throws {
        let entries = try ["a:en:fotaq", "b:en:sprocket", "c:zh:aishell", "d:en:", "e:en:sprocket", "f:en:sprocket"].map { spec in
            let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            let json = #"{"id": "\#(parts[0])", "audio": "\#(parts[0]).flac", "language": "\#(parts[1])""#
                + (parts[2].isEmpty ? "}" : #", "source": "\#(parts[2])"}"#)
            return try JSONDecoder().decode(ManifestEntry.self, from: Data(json.utf8))
        }
        let manifest = Manifest(url: URL(fileURLWithPath: "/data/m.jsonl"), entries: entries)
        let ids = { (limit: Int?, sources: Set<String>?, multilingual: Bool) in
            PseudoLabels.entries([manifest], limit: limit, sources: sources, multilingual: multilingual).map(\.1.id)
        }
        #expect(ids(nil, nil, false) == ["a", "b", "d", "e", "f"])
        #expect(ids(nil, nil, true) == ["a", "b", "c", "d", "e", "f"])
        // An entry naming no source stays (../shared/data/train has none).
        #expect(ids(nil, ["sprocket"], false) == ["b", "d", "e", "f"])
        #expect(ids(2, ["sprocket", "aishell"], true) == ["b", "c"])
    }

    @Test func timestampedLabelsKeepTheWindowsTimestampsAndRefuseASecondWindow() throws {
        let tokenizer = try Tokenizer(contentsOf: TestPaths.model("tiny.en").appendingPathComponent("tokenizer.json"), isMultilingual: false)
        let special = tokenizer.special
        let stamp = { (seconds: Double) in special.timestampBegin + Int((seconds / 0.02).rounded()) }
        let hello = tokenizer.encode(" Hello"), world = tokenizer.encode(" world.")
        func segment(_ tokens: [Int], seekFrames: Int = 0) -> Segment {
            Segment(id: 1, seekFrames: seekFrames, start: 0, end: 1, text: tokenizer.decode(tokens), tokens: tokens,
                    temperature: 0, avgLogprob: -0.1, compressionRatio: 1, noSpeechProb: 0)
        }
        let window = [segment([stamp(0)] + hello + [stamp(1)]), segment([stamp(1)] + world + [stamp(2.5)])]
        let label = { (segments: [Segment], timestamps: Bool) in
            PseudoLabels.labelSequence(segments, language: nil, timestamps: timestamps, tokenizer: tokenizer, nTextCtx: 448)
        }
        let stamped = try #require(label(window, true))
        #expect(stamped.sequence == [special.sot, stamp(0)] + hello + [stamp(1), stamp(1)] + world + [stamp(2.5), special.eot])
        #expect(stamped.promptLength == 1 && stamped.text == " Hello world.")
        let plain = try #require(label(window, false))
        #expect(plain.sequence == [special.sot, special.noTimestamps] + hello + world + [special.eot])
        #expect(plain.promptLength == 2 && plain.text == " Hello world.")
        // A second window re-decoded the first one's tail: its tokens are not one sequence.
        let twoWindows = window + [segment([stamp(0)] + world + [stamp(1)], seekFrames: 250)]
        #expect(label(twoWindows, true) == nil)
        #expect(label(twoWindows, false)?.text == " Hello world. world.")
        #expect(label([segment([stamp(0), stamp(1)])], true) == nil)
    }
}
