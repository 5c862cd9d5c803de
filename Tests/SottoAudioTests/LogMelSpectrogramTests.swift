import Foundation
import Testing
import SottoAudio
import SottoTestSupport

@Suite("LogMelSpectrogram")
struct LogMelSpectrogramTests {
    /// faster-whisper computes in float32, we in Double; measured agreement is ~1e-5.
    static let melTolerance: Float = 1e-4
    static let speedBoundSeconds = 3.0

    @Test("matches faster-whisper's FeatureExtractor on golden fixtures", arguments: [
        "en_jfk_80", "en_jfk_128_stride10", "zh_aishell1_BAC009S0724W0121_128", "de_picovoice_test_de_80_stride4",
        "synthetic_tones_80", "synthetic_tones_128_padding0", "synthetic_short_80_padding0",
    ])
    func golden(caseName: String) throws {
        let fixture = try MelFixture.named(caseName)
        let samples = try fixture.samples()
        #expect(samples.count == fixture.sampleCount)
        let mel = LogMelSpectrogram(nMels: fixture.nMels).compute(samples, paddingSamples: fixture.padding)
        #expect(mel.nMels == fixture.nMels)
        try #require(mel.nFrames == fixture.nFrames, "\(caseName): \(mel.nFrames) frames, reference has \(fixture.nFrames)")
        let expected = try fixture.expectedValues()
        try #require(expected.count == fixture.nMels * fixture.keptFrames)

        var maxError: Float = 0
        var worst = (mel: 0, frame: 0)
        for m in 0..<fixture.nMels {
            for kept in 0..<fixture.keptFrames {
                let frame = kept * fixture.frameStride
                let error = abs(mel.values[m * mel.nFrames + frame] - expected[m * fixture.keptFrames + kept])
                if error > maxError { (maxError, worst) = (error, (m, frame)) }
            }
        }
        print("\(caseName): max |mel - reference| = \(maxError) at mel \(worst.mel), frame \(worst.frame)")
        #expect(maxError <= Self.melTolerance,
                "\(caseName): max abs error \(maxError) at mel \(worst.mel), frame \(worst.frame)")
    }

    @Test("fixture records the reference versions")
    func fixtureVersions() throws {
        let manifest = try MelFixture.manifest()
        #expect(!manifest.fasterWhisperVersion.isEmpty && !manifest.numpyVersion.isEmpty)
    }

    @Test("frame count is (samples + padding) / hop; short and empty inputs do not crash",
          arguments: [(0, 160, 1), (0, 0, 0), (1, 0, 0), (159, 0, 0), (160, 0, 1), (480_000, 160, 3_001)])
    func frameCount(sampleCount: Int, padding: Int, expectedFrames: Int) {
        let mel = LogMelSpectrogram(nMels: 80).compute([Float](repeating: 0.01, count: sampleCount), paddingSamples: padding)
        #expect(mel.nFrames == expectedFrames)
        #expect(mel.values.count == 80 * expectedFrames)
        #expect(mel.values.allSatisfy { $0.isFinite })
    }

    @Test("silence is the floor value everywhere")
    func silence() {
        let mel = LogMelSpectrogram(nMels: 80).compute([Float](repeating: 0, count: 1_600))
        // log10(1e-10) = -10, and (-10 + 4) / 4 = -1.5; the max - 8 floor is below that.
        #expect(mel.values.allSatisfy { $0 == -1.5 })
    }

    @Test("3 minutes of audio take well under a second", arguments: [80, 128])
    func speed(nMels: Int) {
        let samples = (0..<(180 * 16_000)).map { Float(sin(Double($0) * 0.05) * 0.3) }
        let spectrogram = LogMelSpectrogram(nMels: nMels)
        let started = Date()
        let mel = spectrogram.compute(samples)
        let seconds = Date().timeIntervalSince(started)
        #expect(mel.nFrames == 18_001)
        // Alone this takes ~0.08 s; tests run in parallel on a shared machine, so the bound only
        // catches a gross regression (a naive per-frame DFT takes tens of seconds).
        #expect(seconds < Self.speedBoundSeconds, "log-mel of 180 s took \(seconds) s")
        print("LogMelSpectrogram(\(nMels)): 180 s of audio in \(String(format: "%.3f", seconds)) s")
    }
}
