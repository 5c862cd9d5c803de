import Foundation
import SottoAudio
import SottoDecoding
import SottoEval
import SottoModel
import SottoTensor
import SottoText
import SottoTrain

/// One training utterance after labelling: the teacher's transcript and its teacher-forcing
/// examples (the clean audio first, then any augmented copies).
package struct LabelledUtterance {
    package var audio: URL
    package var language: String
    /// The teacher's greedy transcript; `reference` is the manifest's text where it has one.
    package var transcript: String
    package var reference: String
    package var examples: [TrainingExample]
    /// How many of `examples` are short crops (the last ones).
    package var crops = 0
    package var durationSeconds: Double

    package init(audio: URL, language: String, transcript: String, reference: String, examples: [TrainingExample],
                 durationSeconds: Double) {
        (self.audio, self.language, self.transcript, self.reference) = (audio, language, transcript, reference)
        (self.examples, self.durationSeconds) = (examples, durationSeconds)
    }
}

/// The teacher's greedy transcripts of the training audio, as teacher-forcing examples with the
/// teacher's encoder output cached: as the student's audio features when the student keeps the
/// teacher's encoder frozen, or beside the mel window (for the teacher's KL targets) when the
/// student trains an encoder of its own.
/// Utterances the teacher is unsure of, or whose transcript is far from the manifest's own text,
/// are dropped, as distil-whisper filters its pseudo-labels.
package struct PseudoLabels {
    /// faster-whisper's fallback thresholds: below this average log-probability, above this gzip
    /// compression ratio, or silent (no-speech probability above 0.6 with a low log-probability).
    static let minAverageLogProbability = -1.0
    static let maxCompressionRatio = 2.4
    static let noSpeechThreshold = 0.6

    var utterances: [LabelledUtterance] = []
    /// Utterances dropped: unsure or empty transcripts, transcripts further than the WER limit from
    /// the manifest's text, and audio longer than one 30 s window.
    var unsure = 0
    var byWER = 0
    var tooLong = 0
    /// Decisions read from the label cache instead of decoded.
    var fromCache = 0

    /// What a training example carries as the student's audio.
    enum StudentAudio {
        /// The student keeps the teacher's encoder, frozen: the teacher's cached output is its audio.
        case teacherEncoder
        /// The student trains an encoder of its own: the mel window, with the teacher's output beside it.
        case trainedEncoder
        /// The student's cut encoder stays frozen: its output is cached like the teacher's, with the
        /// teacher's beside it for the KL targets, so a step costs what a decoder student's does.
        case frozenEncoder(WhisperModel)
    }

    /// How labelling treats each utterance.
    struct Settings {
        var studentAudio: StudentAudio
        /// With `.trainedEncoder`, mel windows cut to the audio plus this margin (see
        /// `ModelConfig.audioContextMargin`); nil: whole 30 s windows.
        var studentAudioMargin: Int? = nil
        /// False for an encoder-only stage: no transcripts, examples carry no tokens (and no WER filter).
        var transcribe = true
        /// With the encoder MSE, an augmented copy's teacher output is the teacher's encoding of the
        /// copy itself: the MSE compares frame by frame, and a speed-perturbed copy's frames do not line
        /// up with the clean audio's. Without it the teacher's KL targets attend to the clean audio.
        var teacherHearsCopies = false
        var limit: Int?
        var sources: Set<String>?
        /// Scores transcripts against the manifest's text (nil: no WER filter).
        var scorer: TranscriptScorer?
        var maxLabelWER: Double
        /// Labels keep the teacher's timestamp tokens (see `DistillationOptions.timestamps`).
        var timestamps = false
        var augmentation: AugmentationOptions
        var seed: UInt64
        /// Decisions kept on disk across runs (nil: every run labels).
        var labelCache: LabelCache?
    }

    /// Every audio file of every manifest must exist before hours go into labelling.
    static func checkFiles(_ manifests: [Manifest]) throws {
        for manifest in manifests {
            for entry in manifest.entries where !FileManager.default.fileExists(atPath: manifest.audioURL(for: entry).path) {
                throw TrainError.missingData("\(manifest.url.path): entry \(entry.id): audio \(manifest.audioURL(for: entry).path) does not exist")
            }
        }
    }

    /// The entries a model can learn from: every language for a multilingual model, English for an
    /// English-only one; with `sources`, only entries from those sources (entries naming no source stay).
    package static func entries(_ manifests: [Manifest], limit: Int?, sources: Set<String>?, multilingual: Bool) -> [(Manifest, ManifestEntry)] {
        manifests.flatMap { manifest in
            manifest.entries.filter { multilingual || ($0.language ?? "en") == "en" }
                .filter { entry in sources.map { kept in entry.source.map { kept.contains($0) } ?? true } ?? true }
                .prefix(limit ?? Int.max)
                .map { (manifest, $0) }
        }
    }

    static func make(transcriber: Transcriber, manifests: [Manifest], settings: Settings,
                     progress: (_ done: Int, _ total: Int, _ id: String) -> Void) throws -> PseudoLabels {
        let entries = entries(manifests, limit: settings.limit, sources: settings.sources, multilingual: transcriber.model.dims.isMultilingual)
        var labels = PseudoLabels()
        for (index, (manifest, entry)) in entries.enumerated() {
            let url = manifest.audioURL(for: entry)
            let samples = try AudioLoader.load(path: url.path)
            progress(index + 1, entries.count, entry.id)
            guard samples.count <= AudioTiming.samplesPerChunk else {
                labels.tooLong += 1
                continue
            }
            let language = entry.language ?? "en"
            var label: (sequence: [Int], promptLength: Int, text: String)?
            if settings.transcribe {
                switch try decision(samples, audio: url, language: language, text: entry.text, settings: settings,
                                    transcriber: transcriber, labels: &labels) {
                case .kept(let sequence, let promptLength, let text): label = (sequence, promptLength, text)
                case .unsure:
                    labels.unsure += 1
                    continue
                case .farFromText:
                    labels.byWER += 1
                    continue
                }
            }
            var random = SeededRandom(seed: settings.seed &+ UInt64(index) &* 0x2545_F491_4F6C_DD1D)
            let examples = Self.examples(samples, label: label.map { ($0.sequence, $0.promptLength) }, model: transcriber.model,
                                         settings: settings, random: &random)
            let transcript = label?.text ?? ""
            var utterance = LabelledUtterance(
                audio: url, language: language, transcript: transcript, reference: entry.text ?? transcript,
                examples: examples, durationSeconds: AudioTiming.durationSeconds(sampleCount: samples.count))
            if label != nil, let crops = settings.augmentation.shortCrops, random.nextUnit() < crops.share,
               let crop = try cropExample(samples, audio: url, language: language, crops: crops, settings: settings,
                                          transcriber: transcriber, labels: &labels, random: &random) {
                utterance.examples.append(crop)
                utterance.crops = 1
            }
            labels.utterances.append(utterance)
        }
        return labels
    }

    /// A short crop's example: the utterance's first seconds, labelled by the teacher on their own
    /// (no WER filter: the manifest's text is the whole utterance's); nil when the utterance is too
    /// short to leave a second out, or the teacher is unsure of the crop. Clean audio only.
    private static func cropExample(_ samples: [Float], audio: URL, language: String, crops: ShortCropOptions, settings: Settings,
                                    transcriber: Transcriber, labels: inout PseudoLabels, random: inout SeededRandom) throws -> TrainingExample? {
        let seconds = Augmenter.uniform(crops.seconds, &random)
        guard AudioTiming.durationSeconds(sampleCount: samples.count) >= seconds + 1 else { return nil }
        let cropped = Array(samples.prefix(Augmenter.cropLength(samples, seconds: seconds)))
        guard case .kept(let sequence, let promptLength, _) = try decision(
            cropped, audio: audio, language: language, text: nil, crop: cropped.count, settings: settings,
            transcriber: transcriber, labels: &labels) else { return nil }
        var clean = settings
        clean.augmentation.copies = 0
        return examples(cropped, label: (sequence, promptLength), model: transcriber.model, settings: clean, random: &random).first
    }

    /// The teacher's label for one utterance (or its first `crop` samples), or why it is dropped; from
    /// the label cache when it has it.
    private static func decision(_ samples: [Float], audio: URL, language: String, text: String?, crop: Int? = nil, settings: Settings,
                                 transcriber: Transcriber, labels: inout PseudoLabels) throws -> LabelDecision {
        let key = settings.labelCache?.key(audio: audio, language: language, text: text, crop: crop)
        if let key, let cached = settings.labelCache?.load(key) {
            labels.fromCache += 1
            return cached
        }
        var decision = LabelDecision.unsure
        if let label = try label(samples, language: language, timestamps: settings.timestamps, transcriber: transcriber) {
            decision = .kept(sequence: label.sequence, promptLength: label.promptLength, text: label.text)
            if let scorer = settings.scorer, let text,
               scorer.score(reference: text, hypothesis: label.text, language: language).counts.rate > settings.maxLabelWER {
                decision = .farFromText
            }
        }
        if let key { try settings.labelCache?.store(decision, key: key) }
        return decision
    }

    /// Greedy transcript: `[sot …] + tokens + [eot]` (text only after `<|notimestamps|>`, or text and
    /// timestamps), the prompt's length and the text; nil when the teacher is unsure.
    private static func label(_ samples: [Float], language: String, timestamps: Bool,
                              transcriber: Transcriber) throws -> (sequence: [Int], promptLength: Int, text: String)? {
        let model = transcriber.model
        var options = TranscriptionOptions()
        options.decoding.beamSize = 1
        options.decoding.withoutTimestamps = !timestamps
        options.decoding.language = model.dims.isMultilingual ? language : nil
        options.temperatures = [0]
        options.conditionOnPreviousText = false
        let result = try transcriber.transcribe(samples: samples, options: options)
        let unsure = result.segments.contains {
            $0.avgLogprob < minAverageLogProbability || $0.compressionRatio > maxCompressionRatio
                || ($0.noSpeechProb > noSpeechThreshold && $0.avgLogprob < minAverageLogProbability)
        }
        guard !unsure else { return nil }
        // The first window's tail was dropped and decoded again from the last closed segment: its
        // tokens are not one sequence, so this utterance teaches the text-only mode instead (both
        // modes stay in use, as Whisper itself was trained).
        if timestamps, spansWindows(result.segments) {
            return try label(samples, language: language, timestamps: false, transcriber: transcriber)
        }
        return labelSequence(result.segments, language: options.decoding.language, timestamps: timestamps,
                             tokenizer: transcriber.tokenizer, nTextCtx: model.dims.nTextCtx)
    }

    /// The teacher-forcing sequence of one window's segments: without timestamps the text tokens
    /// after `<|notimestamps|>`; with them every token of the first window, timestamps included.
    /// With timestamps a transcript that needed a second window is nil: the first window's tokens
    /// after its last closed segment were dropped and decoded again from there, so the segments
    /// are not the window's sequence. nil too when no text token is left.
    package static func labelSequence(_ segments: [Segment], language: String?, timestamps: Bool, tokenizer: Tokenizer,
                                      nTextCtx: Int) -> (sequence: [Int], promptLength: Int, text: String)? {
        let eot = tokenizer.special.eot
        if timestamps, spansWindows(segments) { return nil }
        let tokens = segments.flatMap(\.tokens).filter { timestamps ? ($0 != eot) : ($0 < eot) }
        let text = tokens.filter { $0 < eot }
        guard !text.isEmpty else { return nil }
        var prompt = tokenizer.sotSequence(language: language, task: .transcribe)
        if !timestamps { prompt.append(tokenizer.special.noTimestamps) }
        let sequence = Array((prompt + tokens).prefix(nTextCtx - 1)) + [eot]
        return (sequence, prompt.count, tokenizer.decode(text))
    }

    /// Whether a transcript needed more than its first window (a segment decoded after a seek).
    private static func spansWindows(_ segments: [Segment]) -> Bool { segments.contains { $0.seekFrames != 0 } }

    /// Held-out utterances of an encoder-only stage (labelled without transcripts) with the teacher's
    /// transcript as their reference where the manifest has none; those the teacher is unsure of are left out.
    static func transcribeHeldOut(_ held: [LabelledUtterance], transcriber: Transcriber) throws -> [LabelledUtterance] {
        try held.compactMap { utterance in
            guard utterance.reference.isEmpty else { return utterance }
            let samples = try AudioLoader.load(path: utterance.audio.path)
            guard let label = try label(samples, language: utterance.language, timestamps: false, transcriber: transcriber) else { return nil }
            var labelled = utterance
            (labelled.transcript, labelled.reference) = (label.text, label.text)
            return labelled
        }
    }

    /// The clean example and its augmented copies (see `AugmentationOptions` for what is cached).
    /// Without a label (an encoder-only stage) the examples carry no tokens.
    private static func examples(_ samples: [Float], label: (sequence: [Int], promptLength: Int)?, model: WhisperModel,
                                 settings: Settings, random: inout SeededRandom) -> [TrainingExample] {
        func example(_ mel: [Float], frames: Int, teacher teacherAudio: CachedFeatures) -> TrainingExample {
            var (audio, window, teacher): (CachedFeatures?, [Float]?, CachedFeatures?) = (nil, nil, teacherAudio)
            switch settings.studentAudio {
            case .teacherEncoder: (audio, teacher) = (teacherAudio, nil)
            case .trainedEncoder: window = studentWindow(mel, frames: frames, nMels: model.dims.nMels, margin: settings.studentAudioMargin)
            case .frozenEncoder(let student): audio = .half(student.encode(mel: mel).hidden)
            }
            guard let label else { return TrainingExample(tokens: [], targets: [], audio: audio, mel: window, teacherAudio: teacher) }
            return TrainingExample(sequence: label.sequence, promptLength: label.promptLength, audio: audio, mel: window, teacherAudio: teacher)
        }
        let (clean, cleanFrames) = melWindow(samples, nMels: model.dims.nMels)
        let cleanAudio = CachedFeatures.half(model.encode(mel: clean).hidden)
        var examples = [example(clean, frames: cleanFrames, teacher: cleanAudio)]
        guard settings.augmentation.isEnabled else { return examples }
        for _ in 0..<settings.augmentation.copies {
            let augmented = Augmenter.waveform(samples, options: settings.augmentation, random: &random)
            var (mel, frames) = melWindow(Array(augmented.prefix(AudioTiming.samplesPerChunk)), nMels: model.dims.nMels)
            if let masks = settings.augmentation.specAugment {
                Augmenter.specAugment(&mel, nMels: model.dims.nMels, speechFrames: frames, options: masks, random: &random)
            }
            // The teacher's encoding of the copy is needed where it is the student's audio, or the MSE's target.
            let hearsCopy: Bool
            if case .teacherEncoder = settings.studentAudio { hearsCopy = true } else { hearsCopy = settings.teacherHearsCopies }
            examples.append(example(mel, frames: frames, teacher: hearsCopy ? .half(model.encode(mel: mel).hidden) : cleanAudio))
        }
        return examples
    }

    /// The front of a 30 s window `mel` `[nMels, 3000]` a student with an audio margin encodes (all of
    /// it without one): the `frames` that hold audio and the margin, as `Transcriber` cuts windows.
    private static func studentWindow(_ mel: [Float], frames: Int, nMels: Int, margin: Int?) -> [Float] {
        let chunk = AudioTiming.framesPerChunk
        let kept = 2 * ModelConfig.audioFrames(melFrames: frames, nAudioCtx: chunk / 2, margin: margin)
        guard kept < chunk else { return mel }
        return (0..<nMels).flatMap { mel[($0 * chunk)..<($0 * chunk + kept)] }
    }

    /// The utterance's first 30 s log-mel window `[nMels, 3000]` and how many frames hold audio.
    private static func melWindow(_ samples: [Float], nMels: Int) -> ([Float], Int) {
        let features = LogMelSpectrogram(nMels: nMels).compute(samples)
        let frames = min(max(features.nFrames - 1, 0), AudioTiming.framesPerChunk)
        return (features.paddedWindow(startFrame: 0, frames: frames), frames)
    }
}
