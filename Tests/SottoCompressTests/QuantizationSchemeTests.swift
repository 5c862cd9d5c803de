import SottoCompress
import SottoTensor
import Testing

@Suite struct QuantizationSchemeTests {
    @Test(arguments: QuantizationScheme.names)
    func namesRoundTrip(name: String) throws {
        let scheme = try #require(QuantizationScheme(name))
        #expect(scheme.description == name)
    }

    @Test func schemesStoreWhatTheySay() {
        #expect(QuantizationScheme("int8-dynamic")?.matrixEncoding == .int8Channel)
        #expect(QuantizationScheme("int4-g64")?.matrixEncoding == .int4Block(size: 64, zeroPoint: false))
        #expect(QuantizationScheme("int4-g128-zp")?.matrixEncoding == .int4Block(size: 128, zeroPoint: true))
        #expect(QuantizationScheme("f32")?.floatEncoding == .float32)
        #expect(QuantizationScheme("int8")?.floatEncoding == .float16)
        #expect(QuantizationScheme("int5") == nil)
        #expect(QuantizationScheme("int4-g48") == nil)
    }

    @Test func keepFloatPatternsChooseTheEncoding() {
        let options = QuantizationOptions(scheme: .weightOnly(.int8Channel), keepFloat: [GlobPattern("decoder.token_embedding.*")])
        #expect(options.encoding(for: "decoder.token_embedding.weight") == .float16)
        #expect(options.encoding(for: "decoder.blocks.0.mlp.0.weight") == .int8Channel)
    }
}
