import Testing
import SottoAudio

@Suite("AudioTiming")
struct AudioTimingTests {
    @Test("constants agree with each other and with openai/whisper audio.py")
    func consistent() {
        #expect(AudioTiming.samplesPerChunk == 480_000)
        #expect(AudioTiming.framesPerChunk == 3_000)
        #expect(AudioTiming.framesPerSecond == 100)
        #expect(AudioTiming.secondsPerFrame == 0.01)
        #expect(AudioTiming.secondsPerTimestampToken
                == Double(AudioTiming.framesPerTimestampToken) * AudioTiming.secondsPerFrame)
        #expect(AudioTiming.durationSeconds(sampleCount: 176_000) == 11.0)
    }
}
