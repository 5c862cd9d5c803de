import Foundation
import SottoAudio
import SottoDecoding
import SottoEval
import SottoModel
import SottoTensor

/// What a calibration run saw: each linear layer's input histogram, and the audio it came from.
public struct CalibrationResult: Sendable {
    public var histograms: [String: ActivationHistogram]
    /// Utterances used per language.
    public var languages: [String: Int]
    public var audioSeconds: Double
    /// SHA-256 of the manifest file, for provenance.
    public var manifestSHA256: String

    public init(histograms: [String: ActivationHistogram], languages: [String: Int], audioSeconds: Double, manifestSHA256: String) {
        self.histograms = histograms
        self.languages = languages
        self.audioSeconds = audioSeconds
        self.manifestSHA256 = manifestSHA256
    }
}

/// Transcribes calibration audio with the float model while recording every linear layer's input,
/// the statistics static int8 activation scales are chosen from.
public enum Calibration {
    public static func run(transcriber: Transcriber, manifest: Manifest, limit: Int? = nil,
                           progress: (_ done: Int, _ total: Int, _ id: String) -> Void = { _, _, _ in }) throws -> CalibrationResult {
        let multilingual = transcriber.model.dims.isMultilingual
        let entries = usableEntries(manifest, multilingual: multilingual, limit: limit)
        let recorder = ActivationRecorder()
        var languages: [String: Int] = [:]
        var audioSeconds = 0.0
        for (index, entry) in entries.enumerated() {
            let samples = try AudioLoader.load(path: manifest.audioURL(for: entry).path)
            var options = TranscriptionOptions()
            options.decoding.beamSize = 1
            options.decoding.language = multilingual ? entry.language : nil
            try ActivationObservation.$observer.withValue(recorder) {
                _ = try transcriber.transcribe(samples: samples, options: options)
            }
            languages[entry.language ?? "?", default: 0] += 1
            audioSeconds += Double(samples.count) / Double(AudioTiming.sampleRateHz)
            progress(index + 1, entries.count, entry.id)
        }
        return CalibrationResult(histograms: recorder.histograms, languages: languages, audioSeconds: audioSeconds,
                                 manifestSHA256: try SHA256.hex(of: manifest.url))
    }

    /// Up to `limit` (default all) of the entries the model can take, each language and source in
    /// turn. An English-only model cannot be asked for other languages; their audio would only add noise.
    static func usableEntries(_ manifest: Manifest, multilingual: Bool, limit: Int?) -> [ManifestEntry] {
        let usable = manifest.entries.filter { multilingual || ($0.language ?? "en") == "en" }
        return interleaved(usable, limit: limit ?? usable.count)
    }

    /// Up to `limit` entries taking each language (and within a manifest that names them, each
    /// source) in turn, so a limit never drops a language or a kind of speech.
    static func interleaved(_ entries: [ManifestEntry], limit: Int) -> [ManifestEntry] {
        var queues: [String: ArraySlice<ManifestEntry>] = Dictionary(grouping: entries) {
            "\($0.language ?? "")/\($0.source ?? "")"
        }.mapValues { $0[...] }
        let order = queues.keys.sorted()
        var chosen: [ManifestEntry] = []
        while chosen.count < min(limit, entries.count) {
            for key in order where chosen.count < limit {
                if let next = queues[key]?.popFirst() { chosen.append(next) }
            }
        }
        return chosen
    }

    /// Target languages the calibration manifest has no utterance of.
    public static func missingLanguages(_ targets: [String], in manifest: Manifest) -> [String] {
        let present = Set(manifest.entries.compactMap(\.language))
        return targets.filter { !present.contains($0) }
    }
}

/// Accumulates histograms per layer; observations arrive from the transcribing thread only, the
/// lock makes reading them afterwards safe.
final class ActivationRecorder: ActivationObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [String: ActivationHistogram] = [:]

    func observe(_ key: String, input: ArraySlice<Float>, rows: Int, cols: Int) {
        lock.withLock { recorded[key, default: ActivationHistogram()].add(input) }
    }

    var histograms: [String: ActivationHistogram] { lock.withLock { recorded } }
}
