import ArgumentParser
import Foundation
import SottoDecoding
import SottoEval
import SottoModel
import SottoTensor

/// Input and measurement settings shared by `bench` and its per-model `bench-worker`; the parent
/// hands them on as arguments (`workerArguments`).
struct BenchArguments: ParsableArguments {
    @Option(help: "Benchmark on this audio file.")
    var audio: String?

    @Option(help: "Benchmark on the labelled utterances of this JSON-lines manifest (adds WER/CER; repeat to pool several).")
    var manifest: [String] = []

    @Option(name: .customLong("languages"), parsing: .upToNextOption,
            help: "Only the manifest's utterances in these languages (e.g. --languages en).")
    var languages: [String] = []

    @Option(help: "Timed runs of each measurement; the median is reported (the decoder token loop runs \(BenchmarkOptions.decoderLoopsPerRepeat) times per repeat).")
    var repeats = Self.defaultRepeats

    @Option(help: "Compute threads (default: all cores).")
    var threads: Int?

    @Option(help: "Beams for beam search at temperature 0 (1 = greedy).")
    var beamSize = Self.defaultBeamSize

    static let defaultRepeats = 3
    static let defaultBeamSize = 1

    /// Whether there is an input is checked by the commands (`bench --from-json` measures nothing).
    func validate() throws {
        guard audio == nil || manifest.isEmpty else { throw ValidationError("give only one of --audio and --manifest") }
        guard languages.isEmpty || !manifest.isEmpty else { throw ValidationError("--languages needs --manifest") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        guard (threads ?? 1) >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard beamSize >= 1 else { throw ValidationError("--beam-size must be at least 1") }
    }

    func validateInput() throws {
        guard audio != nil || !manifest.isEmpty else { throw ValidationError("give one of --audio and --manifest") }
    }

    /// The measurement options given, for rejecting them where nothing is measured. An option set
    /// to its default value cannot be told from an absent one, and changes nothing.
    var measurementOptionsGiven: [String] {
        var given: [String] = []
        if audio != nil { given.append("--audio") }
        if !manifest.isEmpty { given.append("--manifest") }
        if !languages.isEmpty { given.append("--languages") }
        if repeats != Self.defaultRepeats { given.append("--repeats") }
        if threads != nil { given.append("--threads") }
        if beamSize != Self.defaultBeamSize { given.append("--beam-size") }
        return given
    }

    var workerArguments: [String] {
        var arguments = ["--repeats", "\(repeats)", "--beam-size", "\(beamSize)"]
        if let audio { arguments += ["--audio", audio] }
        for path in manifest { arguments += ["--manifest", path] }
        if !languages.isEmpty { arguments += ["--languages"] + languages }
        if let threads { arguments += ["--threads", "\(threads)"] }
        return arguments
    }

    func settings() -> BenchmarkSettings {
        BenchmarkSettings(input: audio ?? manifest.joined(separator: " + "), languages: languages, threads: threads ?? Compute.threadCount,
                          repeats: repeats, beamSize: beamSize, cpuPath: Compute.cpuPath,
                          cpu: CPUReport.current())
    }

    func input() throws -> BenchmarkInput {
        if let audio { return .audio(URL(fileURLWithPath: audio)) }
        let manifests = try manifest.map {
            try Manifest(contentsOf: URL(fileURLWithPath: $0)).filtered(languages: languages.isEmpty ? nil : Set(languages))
        }
        let scorer = try TranscriptScorer(
            spellingTable: SottoHome.directory.appendingPathComponent("normalizers/english.json"))
        return .manifests(manifests, scorer: scorer)
    }

    /// Greedy by default (beam size 1), temperature fallback as `transcribe` does it.
    func options() throws -> BenchmarkOptions {
        var transcription = TranscriptionOptions()
        transcription.decoding.beamSize = beamSize
        return BenchmarkOptions(repeats: repeats, transcription: try transcription.validated())
    }
}
