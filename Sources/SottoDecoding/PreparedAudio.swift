import SottoAudio

/// A recording made ready for a model: its log-mel spectrogram, computed once. A server computes
/// it while parsing the request, off the thread that runs the model, so that the scheduler's turns
/// are model work only.
public struct PreparedAudio: Sendable {
    public let features: MelFeatures
    public let durationSeconds: Double
    /// Time the log-mel took (reported as the transcription's `melSeconds`).
    public let melSeconds: Double

    /// 16 kHz mono samples through the log-mel front end with `nMels` bands.
    public init(samples: [Float], nMels: Int) {
        let start = ContinuousClock.now
        features = LogMelSpectrogram(nMels: nMels).compute(samples)
        melSeconds = start.duration(to: .now).seconds
        durationSeconds = AudioTiming.durationSeconds(sampleCount: samples.count)
    }
}

extension Transcriber {
    /// The log-mel spectrogram this transcriber's model reads.
    public func prepare(samples: [Float]) -> PreparedAudio {
        PreparedAudio(samples: samples, nMels: model.dims.nMels)
    }

    /// A transcription of audio prepared beforehand (see `prepare(samples:)`).
    public func makeSession(audio: PreparedAudio, options: TranscriptionOptions = TranscriptionOptions()) throws -> TranscriptionSession {
        try TranscriptionSession(transcriber: self, audio: audio, options: options)
    }
}
