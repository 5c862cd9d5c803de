import Foundation
import SottoCompress
import SottoModel
import SottoTensor
import SottoTestSupport
import Testing

/// Quantize the seeded toy model, write it as a Sotto model, read it back and run it.
@Suite struct QuantizerTests {
    /// A toy CTranslate2 model directory with a tokenizer.json (the writer carries it over).
    static func toyModel() throws -> URL {
        let directory = try ToyWhisper.write()
        try Data(#"{"model": {"vocab": {}}}"#.utf8).write(to: directory.appendingPathComponent("tokenizer.json"))
        return directory
    }

    /// First-step logits of the toy decoder for a fixed prompt.
    static func logits(_ model: WhisperModel) -> [Float] {
        let audio = model.encode(mel: ToyWhisper.mel())
        let state = model.makeDecoderState(audio: audio, batchSize: 1)
        return model.decode([[3, 17, 42]], state: state)[0]
    }

    /// How far each scheme's logits may move from float32 on the toy model (weights ~U(-0.5, 0.5)).
    @Test(arguments: [("f32", 0.0, 1.0), ("fp16", 0.02, 0.99999), ("int8", 0.15, 0.999), ("int8-g32", 0.15, 0.999),
                      ("int8-dynamic", 0.15, 0.999), ("int4-g32", 1.5, 0.97), ("int4-g32-zp", 1.5, 0.97)])
    func schemeRoundTrip(name: String, maxAbs: Double, minCosine: Double) throws {
        let source = try Self.toyModel()
        let output = source.appendingPathComponent("quantized")
        let scheme = try #require(QuantizationScheme(name))
        let options = QuantizationOptions(scheme: scheme)
        let checkpoint = try Quantizer.quantize(try Checkpoint.read(directory: source), options: options)
        try Quantizer.write(checkpoint, options: options, sourceModel: "toy", to: output)

        let written = try Checkpoint.read(directory: output)
        let manifest = try #require(written.manifest)
        #expect(manifest.provenance.scheme == name)
        #expect(manifest.provenance.sourceSHA256 == (try SHA256.hex(of: source.appendingPathComponent("model.bin"))))
        #expect(manifest.encodings["decoder.blocks.0.mlp.0.weight"] == scheme.matrixEncoding.description)
        #expect(manifest.encodings["encoder.conv1.weight"] == scheme.floatEncoding.description)
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("tokenizer.json").path))

        let reference = Self.logits(try WhisperModel.load(directory: source))
        let closeness = Closeness(Self.logits(try WhisperModel(checkpoint: written)), reference)
        #expect(closeness.within(maxAbs: Float(maxAbs), minCosine: minCosine), "\(name): \(closeness)")
    }

    @Test func keptFloatMatricesStayFloat() throws {
        let source = try Self.toyModel()
        let options = QuantizationOptions(scheme: .weightOnly(.int8Channel), keepFloat: [GlobPattern("decoder.token_embedding.*")],
                                          keepFloatEncoding: .float32)
        let checkpoint = try Quantizer.quantize(try Checkpoint.read(directory: source), options: options)
        guard case .matrix(let embedding) = checkpoint.tensors["decoder.token_embedding.weight"],
              case .matrix(let mlp) = checkpoint.tensors["decoder.blocks.1.mlp.2.weight"] else {
            Issue.record("matrices must be stored as matrices")
            return
        }
        #expect(embedding.encoding == .float32)
        #expect(mlp.encoding == .int8Channel)
    }

    @Test func aPatternThatMatchesNothingIsAnError() throws {
        let options = QuantizationOptions(scheme: .weightOnly(.int8Channel), keepFloat: [GlobPattern("decoder.embeddings.*")])
        #expect(throws: QuantizationError.patternMatchesNothing("decoder.embeddings.*")) {
            try Quantizer.quantize(try Checkpoint.read(directory: try Self.toyModel()), options: options)
        }
    }

    @Test func anExistingDirectoryIsNeverOverwritten() throws {
        let source = try Self.toyModel()
        let output = source.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let precious = output.appendingPathComponent("notes.txt")
        try Data("mine".utf8).write(to: precious)
        let options = QuantizationOptions(scheme: .weightOnly(.float16))
        let checkpoint = try Quantizer.quantize(try Checkpoint.read(directory: source), options: options)
        #expect(throws: ModelError.self) { try Quantizer.write(checkpoint, options: options, sourceModel: "toy", to: output) }
        #expect(try String(contentsOf: precious, encoding: .utf8) == "mine")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: source.path).filter { $0.contains("partial") }
        #expect(leftovers.isEmpty, "staging directories are removed: \(leftovers)")
    }
}
