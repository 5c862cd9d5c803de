import Foundation
import SottoAudio
import SottoDecoding
import SottoEval
import SottoModel
import SottoTrain

/// The teacher's greedy transcripts of the training audio, as teacher-forcing examples with the
/// teacher's encoder output cached: as the student's audio features when the student keeps the
/// teacher's encoder frozen, or beside the mel window (for the teacher's KL targets) when the
/// student trains an encoder of its own.
/// Utterances the teacher is unsure of are dropped, as distil-whisper filters its pseudo-labels.
struct PseudoLabels {
    /// faster-whisper's fallback thresholds: below this average log-probability, above this gzip
    /// compression ratio, or silent (no-speech probability above 0.6 with a low log-probability).
    static let minAverageLogProbability = -1.0
    static let maxCompressionRatio = 2.4
    static let noSpeechThreshold = 0.6

    var examples: [TrainingExample] = []
    /// Utterances dropped: unsure or empty transcripts, and audio longer than one 30 s window.
    var unsure = 0
    var tooLong = 0
    var audioSeconds = 0.0

    /// Every audio file of every manifest must exist before hours go into labelling.
    static func checkFiles(_ manifests: [Manifest]) throws {
        for manifest in manifests {
            for entry in manifest.entries where !FileManager.default.fileExists(atPath: manifest.audioURL(for: entry).path) {
                throw TrainError.missingData("\(manifest.url.path): entry \(entry.id): audio \(manifest.audioURL(for: entry).path) does not exist")
            }
        }
    }

    static func make(transcriber: Transcriber, manifests: [Manifest], limit: Int?, keepMel: Bool,
                     progress: (_ done: Int, _ total: Int, _ id: String) -> Void) throws -> PseudoLabels {
        let multilingual = transcriber.model.dims.isMultilingual
        let entries = manifests.flatMap { manifest in
            manifest.entries.prefix(limit ?? Int.max)
                .filter { multilingual || ($0.language ?? "en") == "en" }
                .map { (manifest, $0) }
        }
        var labels = PseudoLabels()
        for (index, (manifest, entry)) in entries.enumerated() {
            let samples = try AudioLoader.load(path: manifest.audioURL(for: entry).path)
            progress(index + 1, entries.count, entry.id)
            guard samples.count <= AudioTiming.samplesPerChunk else {
                labels.tooLong += 1
                continue
            }
            guard let example = try label(samples, language: entry.language, transcriber: transcriber, keepMel: keepMel) else {
                labels.unsure += 1
                continue
            }
            labels.examples.append(example)
            labels.audioSeconds += AudioTiming.durationSeconds(sampleCount: samples.count)
        }
        return labels
    }

    /// One utterance: greedy transcript without timestamps, `[sot … notimestamps] + text + [eot]`,
    /// with the teacher's encoder output of the utterance's 30 s window; nil when the teacher is unsure.
    private static func label(_ samples: [Float], language: String?, transcriber: Transcriber,
                              keepMel: Bool) throws -> TrainingExample? {
        let model = transcriber.model, tokenizer = transcriber.tokenizer
        var options = TranscriptionOptions()
        options.decoding.beamSize = 1
        options.decoding.withoutTimestamps = true
        options.decoding.language = model.dims.isMultilingual ? (language ?? "en") : nil
        options.temperatures = [0]
        options.conditionOnPreviousText = false
        let result = try transcriber.transcribe(samples: samples, options: options)
        let unsure = result.segments.contains {
            $0.avgLogprob < minAverageLogProbability || $0.compressionRatio > maxCompressionRatio
                || ($0.noSpeechProb > noSpeechThreshold && $0.avgLogprob < minAverageLogProbability)
        }
        let text = result.segments.flatMap(\.tokens).filter { $0 < tokenizer.special.eot }
        guard !unsure, !text.isEmpty else { return nil }
        let prompt = tokenizer.sotSequence(language: options.decoding.language, task: .transcribe) + [tokenizer.special.noTimestamps]
        let sequence = Array((prompt + text).prefix(model.dims.nTextCtx - 1)) + [tokenizer.special.eot]
        let features = LogMelSpectrogram(nMels: model.dims.nMels).compute(samples)
        let window = features.paddedWindow(startFrame: 0, frames: min(max(features.nFrames - 1, 0), AudioTiming.framesPerChunk))
        let audio = model.encode(mel: window).hidden
        return keepMel ? TrainingExample(sequence: sequence, promptLength: prompt.count, mel: window, teacherAudio: audio)
            : TrainingExample(sequence: sequence, promptLength: prompt.count, audio: audio)
    }
}
