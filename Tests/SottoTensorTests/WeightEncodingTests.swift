import Foundation
import SottoTensor
import Testing

@Suite("WeightEncoding")
struct WeightEncodingTests {
    @Test("names print and parse back", arguments: testedWeightEncodings + [.int4Block(size: 256, zeroPoint: false)])
    func names(encoding: WeightEncoding) throws {
        #expect(WeightEncoding(encoding.description) == encoding)
        let json = try JSONEncoder().encode([encoding])
        #expect(String(decoding: json, as: UTF8.self) == "[\"\(encoding)\"]")
        #expect(try JSONDecoder().decode([WeightEncoding].self, from: json) == [encoding])
    }

    @Test("the documented names")
    func documentedNames() {
        #expect(WeightEncoding.float32.description == "f32")
        #expect(WeightEncoding.float16.description == "f16")
        #expect(WeightEncoding.int8Channel.description == "int8")
        #expect(WeightEncoding.int8Block(size: 32).description == "int8-g32")
        #expect(WeightEncoding.int4Block(size: 32, zeroPoint: false).description == "int4-g32")
        #expect(WeightEncoding.int4Block(size: 128, zeroPoint: true).description == "int4-g128-zp")
    }

    @Test("bad names and block sizes are rejected", arguments: [
        "", "f64", "int8-", "int8-g", "int8-g0", "int8-g12", "int8-g-32", "int8-g+32", "int8-gx", "int8-g32-zp",
        "int4-g16", "int4-g48", "int4-g32-zz", "int4-g32-zp-zp", "int2-g32", "INT8", "int4-g99999999999999999999",
    ])
    func rejects(name: String) {
        #expect(WeightEncoding(name) == nil, "accepted \"\(name)\"")
    }

    @Test("decoding an unknown name throws")
    func decodeUnknown() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([WeightEncoding].self, from: Data("[\"int4-g48\"]".utf8)) }
    }

    @Test("validity of block sizes")
    func validity() {
        #expect(WeightEncoding.int8Block(size: 8).isValid)
        #expect(!WeightEncoding.int8Block(size: 0).isValid)
        #expect(!WeightEncoding.int8Block(size: -32).isValid)
        #expect(WeightEncoding.int4Block(size: 96, zeroPoint: true).isValid)
        #expect(!WeightEncoding.int4Block(size: 16, zeroPoint: false).isValid)
    }

    @Test("bits per weight count scales, zeros and int4 padding")
    func bitsPerWeight() {
        #expect(WeightEncoding.float32.bitsPerWeight(cols: 384) == 32)
        #expect(WeightEncoding.float16.bitsPerWeight(cols: 384) == 16)
        #expect(WeightEncoding.int8Channel.bitsPerWeight(cols: 384) == 8 + 32.0 / 384)
        #expect(WeightEncoding.int8Block(size: 32).bitsPerWeight(cols: 384) == 8.5)
        #expect(WeightEncoding.int4Block(size: 32, zeroPoint: false).bitsPerWeight(cols: 384) == 4.5)
        let zeroPointBits: Double = 4 + 24.0 * 3 / 384
        #expect(WeightEncoding.int4Block(size: 128, zeroPoint: true).bitsPerWeight(cols: 384) == zeroPointBits)
        // 31 columns: 32 codes (one padded) and one scale per row.
        let paddedBits: Double = (4.0 * 32 + 16) / 31
        #expect(WeightEncoding.int4Block(size: 32, zeroPoint: false).bitsPerWeight(cols: 31) == paddedBits)
    }
}
