import SottoDecoding
import Testing

@Suite struct TranscriptionOptionsTests {
    @Test func fallbackScheduleMatchesOpenai() {
        #expect(TranscriptionOptions.fallbackTemperatures(from: 0, increment: 0.2) == [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        #expect(TranscriptionOptions.fallbackTemperatures(from: 0.5, increment: 0.25) == [0.5, 0.75, 1.0])
        #expect(TranscriptionOptions.fallbackTemperatures(from: 0, increment: 0) == [0])
    }

    @Test func invalidValuesAreRejected() {
        var options = TranscriptionOptions()
        options.decoding.beamSize = 0
        #expect(throws: DecodingError.self) { try options.validated() }
        options = TranscriptionOptions()
        options.temperatures = []
        #expect(throws: DecodingError.self) { try options.validated() }
    }

    /// Values from Python: len(b) / len(zlib.compress(b)).
    @Test(arguments: [
        ("And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.", 1.3544303797468353),
        ("la la la la la la la la la la la la la la la la la la la la la la la la", 5.071428571428571),
        ("x", 0.1111111111111111),
    ])
    func compressionRatioMatchesZlib(text: String, expected: Double) {
        #expect(abs(CompressionRatio.of(text) - expected) < 1e-12)
    }
}
