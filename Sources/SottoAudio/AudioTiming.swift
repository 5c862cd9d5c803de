/// Whisper's fixed audio timing; frames, samples and seconds convert only through here.
///
/// Values match openai/whisper `audio.py` (SAMPLE_RATE, N_FFT, HOP_LENGTH, CHUNK_LENGTH, N_SAMPLES,
/// N_FRAMES) and the encoder's stride-2 convolution (one audio-context position per 2 mel frames).
public enum AudioTiming {
    public static let sampleRateHz = 16_000
    public static let nFFT = 400
    public static let hopLengthSamples = 160
    public static let chunkLengthSeconds = 30
    /// Samples in one 30 s window.
    public static let samplesPerChunk = chunkLengthSeconds * sampleRateHz
    /// Mel frames per 30 s window.
    public static let framesPerChunk = samplesPerChunk / hopLengthSamples
    public static let framesPerSecond = sampleRateHz / hopLengthSamples
    public static let secondsPerFrame: Double = Double(hopLengthSamples) / Double(sampleRateHz)
    public static let secondsPerTimestampToken: Double = 0.02
    /// Audio-context positions (and timestamp tokens) are 2 mel frames apart.
    public static let framesPerTimestampToken = 2

    /// Duration of `sampleCount` samples at 16 kHz.
    public static func durationSeconds(sampleCount: Int) -> Double {
        Double(sampleCount) / Double(sampleRateHz)
    }
}
