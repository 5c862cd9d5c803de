import Testing
import SottoAudio

@Suite("MelFeatures")
struct MelFeaturesTests {
    /// 2 mels x 5 frames holding 10 * mel + frame.
    static let features = MelFeatures(nMels: 2, nFrames: 5, values: [0, 1, 2, 3, 4, 10, 11, 12, 13, 14])

    @Test("a window inside the spectrogram copies those frames")
    func inside() {
        #expect(Self.features.window(startFrame: 1, count: 3) == [1, 2, 3, 11, 12, 13])
    }

    @Test("frames past the end (or before the start) are zeros, as Whisper's pad_or_trim")
    func padding() {
        #expect(Self.features.window(startFrame: 3, count: 4) == [3, 4, 0, 0, 13, 14, 0, 0])
        #expect(Self.features.window(startFrame: -1, count: 2) == [0, 0, 0, 10])
        #expect(Self.features.window(startFrame: 9, count: 2) == [0, 0, 0, 0])
    }

    @Test("the default window is one 30 s chunk")
    func defaultCount() {
        #expect(Self.features.window(startFrame: 0).count == 2 * AudioTiming.framesPerChunk)
    }
}
