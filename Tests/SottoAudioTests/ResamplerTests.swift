import Foundation
import Testing
import SottoAudio

@Suite("Resampler")
struct ResamplerTests {
    /// Passband ripple of a 90 dB Kaiser design is ~3e-5; 1e-3 leaves room for float accumulation.
    static let passbandAmplitudeTolerance = 1e-3
    /// The brief's requirement for a tone above the new Nyquist; the design aims at 90 dB.
    static let minimumStopbandAttenuationDB = 60.0
    static let speedBoundSeconds = 3.0

    static func sine(frequencyHz: Double, rateHz: Int, seconds: Double, amplitude: Double = 0.5) -> [Float] {
        let count = Int(seconds * Double(rateHz))
        return (0..<count).map { Float(amplitude * sin(2 * Double.pi * frequencyHz * Double($0) / Double(rateHz))) }
    }

    @Test("16 kHz input is returned unchanged")
    func identity() {
        let x: [Float] = [0.1, -0.2, 0.3]
        #expect(Resampler(inputRateHz: 16_000).resample(x) == x)
    }

    @Test("a tone below 8 kHz keeps its amplitude and frequency",
          arguments: [(44_100, 1_000.0), (48_000, 6_000.0), (22_050, 3_000.0), (8_000, 1_000.0), (11_025, 440.0)])
    func passband(rateHz: Int, frequencyHz: Double) {
        let input = Self.sine(frequencyHz: frequencyHz, rateHz: rateHz, seconds: 1)
        let output = Resampler(inputRateHz: rateHz).resample(input)
        #expect(output.count == 16_000)
        // Measure away from the edges, where the filter sees zeros beyond the input.
        let middle = output[2_000..<14_000]
        let amplitude = SignalMetrics.toneAmplitude(middle, frequencyHz: frequencyHz, rateHz: 16_000)
        #expect(abs(amplitude - 0.5) <= Self.passbandAmplitudeTolerance * 0.5, "amplitude \(amplitude)")
        // Same frequency: the residual after removing the expected sine is tiny.
        let expected = Self.sine(frequencyHz: frequencyHz, rateHz: 16_000, seconds: 1)
        let residual = zip(middle, expected[2_000..<14_000]).map { $0 - $1 }
        #expect(SignalMetrics.rms(residual[...]) <= 1e-3, "residual rms \(SignalMetrics.rms(residual[...]))")
    }

    @Test("a tone above 8 kHz in 44.1 kHz input is attenuated by more than 60 dB",
          arguments: [8_200.0, 9_000.0, 12_000.0, 20_000.0])
    func stopband(frequencyHz: Double) {
        let input = Self.sine(frequencyHz: frequencyHz, rateHz: 44_100, seconds: 1)
        let output = Resampler(inputRateHz: 44_100).resample(input)
        let leaked = SignalMetrics.rms(output[2_000..<14_000])
        let attenuationDB = 20 * log10(SignalMetrics.rms(input[...]) / max(leaked, 1e-30))
        #expect(attenuationDB > Self.minimumStopbandAttenuationDB, "\(frequencyHz) Hz: \(attenuationDB) dB")
    }

    @Test("output length is ceil(n * 16000 / rate)")
    func outputLength() {
        #expect(Resampler(inputRateHz: 44_100).outputCount(inputCount: 485_100) == 176_000)
        #expect(Resampler(inputRateHz: 44_100).outputCount(inputCount: 1) == 1)
        #expect(Resampler(inputRateHz: 8_000).outputCount(inputCount: 3) == 6)
        #expect(Resampler(inputRateHz: 44_101).resample([Float](repeating: 0.25, count: 441)).count == 160)
    }

    @Test("a 3-minute 44.1 kHz file resamples quickly")
    func speed() {
        let input = [Float](repeating: 0.1, count: 180 * 44_100)
        let started = Date()
        let output = Resampler(inputRateHz: 44_100).resample(input)
        let seconds = Date().timeIntervalSince(started)
        #expect(output.count == 180 * 16_000)
        // Alone this takes ~0.09 s; tests run in parallel on a shared machine, so the bound only
        // catches a gross regression (scalar float accumulation alone was ~8x slower).
        #expect(seconds < Self.speedBoundSeconds, "resampling took \(seconds) s")
        print("Resampler: 180 s of 44.1 kHz audio in \(String(format: "%.3f", seconds)) s")
    }
}
