import Foundation
import SottoAudio
import SottoDecoding
import SottoModel
import SottoTensor

/// What a benchmark transcribes: one audio file, or the labelled utterances of one or more
/// manifests (which adds WER/CER, scored as `EvaluationRun` scores them).
public enum BenchmarkInput: Sendable {
    case audio(URL)
    case manifests([Manifest], scorer: TranscriptScorer)
}

public struct BenchmarkOptions: Sendable {
    /// Timed runs of each measurement; the median is reported.
    public var repeats = 3
    /// Tokens decoded one at a time after the start-of-transcript prompt, for decoder ms/token.
    public var decoderTokens = 64
    /// Token loops timed per repeat: one loop takes a fraction of a second, short enough for a
    /// neighbour's burst on a shared machine to move a median of only `repeats` loops by 15%.
    public static let decoderLoopsPerRepeat = 4
    /// Decoding for the real-time factor and the error rates.
    public var transcription = TranscriptionOptions()

    public init(repeats: Int = 3, decoderTokens: Int = 64, transcription: TranscriptionOptions = TranscriptionOptions()) {
        self.repeats = repeats
        self.decoderTokens = decoderTokens
        self.transcription = transcription
    }
}

/// How far one model's benchmark has got, in steps (loads, encodes, token loops, utterances).
public struct BenchmarkProgress: Sendable {
    public var doneSteps: Int
    public var totalSteps: Int
}

/// Measures one model: load time, encoder and decoder speed, real-time factor and error rates,
/// then the process's peak memory. Run it in a fresh process per model for a per-model peak.
public struct ModelBenchmark: Sendable {
    public let options: BenchmarkOptions
    public let input: BenchmarkInput

    public init(options: BenchmarkOptions, input: BenchmarkInput) {
        self.options = options
        self.input = input
    }

    public func measure(model name: String, directory: URL,
                        onProgress: (BenchmarkProgress) -> Void = { _ in }) throws -> ModelBenchmarkResult {
        let repeats = max(options.repeats, 1)
        let entries = try labelledEntries()
        var steps = BenchmarkProgress(doneSteps: 0, totalSteps: repeats * (3 + max(entries.count, 1)) + 2)
        func advance(_ count: Int) {
            steps.doneSteps += count
            onProgress(steps)
        }
        let sizeBytes = try ResourceUsage.directorySizeBytes(directory)
        var transcriber: Transcriber?
        var loadSeconds: [Double] = []
        for _ in 0..<repeats {
            transcriber = nil  // the previous copy goes before the next loads, so peaks do not stack
            let (loaded, seconds) = try Self.timed { try Transcriber.load(directory: directory) }
            transcriber = loaded
            loadSeconds.append(seconds)
            advance(1)
        }
        let loadedTranscriber = transcriber!
        let (firstSamples, language) = try firstInput(entries)
        let mel = Self.firstWindow(of: firstSamples, nMels: loadedTranscriber.model.dims.nMels)
        let (encoderSeconds, audio) = measureEncoder(loadedTranscriber.model, mel: mel, advance: advance)
        let prompt = loadedTranscriber.tokenizer.sotSequence(language: language, task: .transcribe)
            + [loadedTranscriber.tokenizer.special.noTimestamps]
        let tokens = min(options.decoderTokens, loadedTranscriber.model.dims.nTextCtx - prompt.count)
        let tokenSeconds = measureDecoder(loadedTranscriber.model, audio: audio, prompt: prompt,
                                          tokens: tokens, advance: advance)
        let transcription = try measureTranscription(loadedTranscriber, entries: entries, samples: firstSamples,
                                                     advance: advance)
        return ModelBenchmarkResult(
            model: name, directory: directory.path, sizeBytes: sizeBytes,
            loadSeconds: RepeatedMeasurement(loadSeconds), peakMemoryBytes: ResourceUsage.peakResidentBytes(),
            encoderMillisecondsPerWindow: RepeatedMeasurement(encoderSeconds.map { $0 * 1000 }),
            decoderMillisecondsPerToken: RepeatedMeasurement(tokenSeconds.map { $0 * 1000 / Double(tokens) }),
            decoderTokens: tokens, realTimeFactor: RepeatedMeasurement(transcription.realTimeFactors),
            audioSeconds: transcription.audioSeconds, utterances: max(entries.count, 1),
            errorRates: transcription.errorRates, threads: Compute.threadCount,
            sets: transcription.sets, utteranceCounts: transcription.utteranceCounts)
    }

    /// One warm-up encode (whose output the decoder measurement reuses), then `repeats` timed ones.
    private func measureEncoder(_ model: WhisperModel, mel: [Float],
                                advance: (Int) -> Void) -> (seconds: [Double], audio: EncoderOutput) {
        let audio = model.encode(mel: mel)
        advance(1)
        let seconds = (0..<max(options.repeats, 1)).map { _ in
            let (_, elapsed) = Self.timed { model.encode(mel: mel) }
            advance(1)
            return elapsed
        }
        return (seconds, audio)
    }

    /// Greedy token loop with the KV cache: the prompt goes in untimed, then `tokens` single-token
    /// steps, each fed the previous argmax. Always `tokens` steps (past an end-of-text too), so every
    /// model does the same work. One warm-up loop, then `repeats` x `decoderLoopsPerRepeat` timed ones.
    private func measureDecoder(_ model: WhisperModel, audio: EncoderOutput, prompt: [Int], tokens: Int,
                                advance: (Int) -> Void) -> [Double] {
        let loop = { () -> Double in
            let state = model.makeDecoderState(audio: audio, batchSize: 1)
            var logits = model.decode([prompt], state: state)[0]
            let start = ContinuousClock.now
            for _ in 0..<tokens {
                logits = model.decode([[Self.argmax(logits)]], state: state)[0]
            }
            return Self.seconds(start.duration(to: .now))
        }
        _ = loop()
        advance(1)
        return (0..<max(options.repeats, 1)).flatMap { _ in
            let seconds = (0..<BenchmarkOptions.decoderLoopsPerRepeat).map { _ in loop() }
            advance(1)
            return seconds
        }
    }

    private struct TranscriptionMeasurement {
        var realTimeFactors: [Double] = []
        var audioSeconds = 0.0
        var errorRates: [GroupScore] = []
        var sets: [GroupScore] = []
        var utteranceCounts: [UtteranceCounts] = []
    }

    /// The whole input transcribed on each repeat; error rates from the first (temperature 0 is
    /// deterministic, so later repeats produce the same text).
    private func measureTranscription(_ transcriber: Transcriber, entries: [ManifestEntry], samples: [Float],
                                      advance: (Int) -> Void) throws -> TranscriptionMeasurement {
        var measurement = TranscriptionMeasurement()
        for repeatIndex in 0..<max(options.repeats, 1) {
            switch input {
            case .audio:
                let (_, seconds) = try Self.timed { try transcriber.transcribe(samples: samples, options: options.transcription) }
                measurement.audioSeconds = AudioTiming.durationSeconds(sampleCount: samples.count)
                measurement.realTimeFactors.append(seconds / max(measurement.audioSeconds, 1e-9))
                advance(1)
            case .manifests(let manifests, let scorer):
                let run = EvaluationRun(transcriber: transcriber, options: options.transcription, scorer: scorer)
                let report = try run.run(manifests: manifests, modelName: transcriber.model.directory.path) { _, _, _ in advance(1) }
                measurement.audioSeconds = report.audioSeconds
                measurement.realTimeFactors.append(report.realTimeFactor)
                if repeatIndex == 0 {
                    measurement.errorRates = report.overall
                    measurement.sets = report.sets
                    measurement.utteranceCounts = report.utterances.map(UtteranceCounts.init)
                }
            }
        }
        return measurement
    }

    private func labelledEntries() throws -> [ManifestEntry] {
        guard case .manifests(let manifests, _) = input else { return [] }
        let labelled = manifests.flatMap { $0.entries.filter { $0.text != nil } }
        guard !labelled.isEmpty else {
            throw EvalError.noLabelledUtterances(manifests.map(\.url.path).joined(separator: ", "))
        }
        return labelled
    }

    /// The samples of the audio file or of the first labelled utterance, and its language if known.
    private func firstInput(_ entries: [ManifestEntry]) throws -> (samples: [Float], language: String?) {
        switch input {
        case .audio(let url): return (try AudioLoader.load(path: url.path), nil)
        case .manifests(let manifests, _):
            let manifest = manifests.first { $0.entries.contains(entries[0]) }!
            return (try AudioLoader.load(path: manifest.audioURL(for: entries[0]).path), entries[0].language)
        }
    }

    /// The first 30 s as the encoder sees them: `[nMels, framesPerChunk]`, zero-padded.
    static func firstWindow(of samples: [Float], nMels: Int) -> [Float] {
        let head = Array(samples.prefix(AudioTiming.samplesPerChunk))
        return LogMelSpectrogram(nMels: nMels).compute(head).window(startFrame: 0, count: AudioTiming.framesPerChunk)
    }

    static func argmax(_ values: [Float]) -> Int {
        var best = 0
        for index in values.indices where values[index] > values[best] { best = index }
        return best
    }

    static func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = ContinuousClock.now
        let value = try body()
        return (value, seconds(start.duration(to: .now)))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
