import Foundation
import SottoModel
import SottoTensor
import SottoTestSupport
import Testing

/// A Sotto model directory made from the toy model, then damaged one way at a time: every damage is
/// a `ModelError` naming the file, never a crash.
@Suite struct SottoModelReaderTests {
    static func toySottoModel(_ encoding: WeightEncoding = .int8Channel) throws -> URL {
        let source = try ToyWhisper.write()
        try Data("{}".utf8).write(to: source.appendingPathComponent("tokenizer.json"))
        var checkpoint = try Checkpoint.read(directory: source)
        for name in checkpoint.parameterNames where name.isMatrix {
            guard case .matrix(let float) = checkpoint.tensors[name.key] else { continue }
            checkpoint.tensors[name.key] = .matrix(WeightMatrix.quantize(float.dequantized(), as: encoding))
        }
        let output = source.appendingPathComponent("sotto")
        try SottoModelWriter.write(checkpoint, floatEncoding: .float16,
                                   provenance: Provenance(sourceModel: "toy", sourceSHA256: "00", scheme: encoding.description),
                                   to: output)
        return output
    }

    static func editManifest(_ directory: URL, _ edit: (inout [String: Any]) -> Void) throws {
        let url = directory.appendingPathComponent(SottoModelManifest.fileName)
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        edit(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: url)
    }

    func expectModelError(_ directory: URL, mentioning text: String) {
        do {
            _ = try WhisperModel.load(directory: directory)
            Issue.record("loading must fail (\(text))")
        } catch let error as ModelError {
            #expect(error.description.contains(text), "\(error)")
        } catch {
            Issue.record("expected a ModelError, got \(error)")
        }
    }

    @Test func aWrittenModelReadsBackWithItsEncodings() throws {
        let directory = try Self.toySottoModel(.int8Block(size: 32))
        let checkpoint = try Checkpoint.read(directory: directory)
        #expect(checkpoint.manifest?.provenance.scheme == "int8-g32")
        guard case .matrix(let qkv) = checkpoint.tensors["encoder.blocks.0.attn.qkv.weight"] else {
            Issue.record("a matrix")
            return
        }
        #expect(qkv.encoding == .int8Block(size: 32))
        #expect(checkpoint.dims == ToyWhisper.dims)
    }

    @Test func aManifestThatIsNotJSONIsNamed() throws {
        let directory = try Self.toySottoModel()
        try Data("not json".utf8).write(to: directory.appendingPathComponent(SottoModelManifest.fileName))
        expectModelError(directory, mentioning: SottoModelManifest.fileName)
    }

    @Test func aNewerFormatVersionAsksForAnUpgrade() throws {
        let directory = try Self.toySottoModel()
        try Self.editManifest(directory) { $0["version"] = 99 }
        expectModelError(directory, mentioning: "upgrade Sotto")
    }

    /// A student trained to attend to its audio alone keeps its margin in sotto.json; a window's encoder
    /// positions are the audio's (two mel frames each, rounded up) plus the margin, at most a window's.
    @Test func anAudioMarginReadsBackAndSetsTheEncoderPositions() throws {
        let directory = try Self.toySottoModel()
        #expect(try Checkpoint.read(directory: directory).config.audioContextMargin == nil)
        try Self.editManifest(directory) { json in
            var config = json["config"] as? [String: Any] ?? [:]
            config["audio_context_margin"] = 2
            json["config"] = config
        }
        let config = try Checkpoint.read(directory: directory).config
        #expect(config.audioContextMargin == 2)
        #expect(config.audioFrames(melFrames: 5, nAudioCtx: 1500) == 5 && config.audioFrames(melFrames: 0, nAudioCtx: 1500) == 2)
        #expect(config.audioFrames(melFrames: 3000, nAudioCtx: 1500) == 1500)
        #expect(ModelConfig().audioFrames(melFrames: 5, nAudioCtx: 1500) == 1500)
        try Self.editManifest(directory) { json in json["config"] = ["audio_context_margin": -1] }
        expectModelError(directory, mentioning: "audio_context_margin")
    }

    /// An unknown encoding name, and a known one that disagrees with the stored dtype (int8 data).
    @Test(arguments: ["int3", "int4-g32"])
    func aWrongEncodingIsNamed(encoding: String) throws {
        let directory = try Self.toySottoModel()
        try Self.editManifest(directory) { json in
            var encodings = json["encodings"] as! [String: Any]
            encodings["decoder.blocks.0.mlp.0.weight"] = encoding
            json["encodings"] = encodings
        }
        expectModelError(directory, mentioning: "decoder.blocks.0.mlp.0.weight")
    }

    @Test func activationQuantizationOnlyOnInt8Matrices() throws {
        let directory = try Self.toySottoModel(.float16)
        try Self.editManifest(directory) { $0["activations"] = ["decoder.blocks.0.mlp.0.weight": ["mode": "dynamic"]] }
        expectModelError(directory, mentioning: "decoder.blocks.0.mlp.0.weight")
    }

    @Test func aTruncatedWeightsFileIsNamed() throws {
        let directory = try Self.toySottoModel()
        let weights = directory.appendingPathComponent(SottoModelManifest.weightsFileName)
        let bytes = try Data(contentsOf: weights)
        try bytes.prefix(bytes.count - 100).write(to: weights)
        expectModelError(directory, mentioning: SottoModelManifest.weightsFileName)
    }

    @Test func aMissingWeightsFileIsNamed() throws {
        let directory = try Self.toySottoModel()
        try FileManager.default.removeItem(at: directory.appendingPathComponent(SottoModelManifest.weightsFileName))
        expectModelError(directory, mentioning: SottoModelManifest.weightsFileName)
    }
}

/// Row corrections (the plan's corrected token-embedding rows) survive the format, and damage to
/// them is a named error.
extension SottoModelReaderTests {
    static let embedding = "decoder.token_embedding.weight"

    /// The toy model at int4-g32 with rows 1, 4 and 6 of the token embedding corrected.
    static func correctedToyModel() throws -> (directory: URL, original: WeightMatrix) {
        let directory = try toySottoModel(.int4Block(size: 32, zeroPoint: false))
        var checkpoint = try Checkpoint.read(directory: directory)
        guard case .matrix(let main) = checkpoint.tensors[embedding] else { throw ModelError.missingTensor(key: embedding, file: "") }
        let float = syntheticFloats(rows: main.rows, cols: main.cols)
        let corrected = try main.corrected(by: RowCorrection.residual(of: float, after: main, rows: [6, 1, 4], as: .int8Channel))
        checkpoint.tensors[embedding] = .matrix(corrected)
        let output = directory.deletingLastPathComponent().appendingPathComponent("corrected")
        try SottoModelWriter.write(checkpoint, floatEncoding: .float16,
                                   provenance: Provenance(sourceModel: "toy", sourceSHA256: "00", scheme: "int4-g32"), to: output)
        return (output, corrected)
    }

    static func syntheticFloats(rows: Int, cols: Int) -> Tensor {
        var rng = SeededGenerator(seed: 11)
        return Tensor(shape: [rows, cols], data: rng.floats(rows * cols))
    }

    @Test func aRowCorrectionReadsBack() throws {
        let (directory, original) = try Self.correctedToyModel()
        let checkpoint = try Checkpoint.read(directory: directory)
        #expect(checkpoint.manifest?.corrections == [Self.embedding: "int8"])
        guard case .matrix(let read) = checkpoint.tensors[Self.embedding] else {
            Issue.record("a matrix")
            return
        }
        #expect(read.correction?.rows == [1, 4, 6])
        #expect(read.layoutDescription == "int4-g32 +3 rows int8")
        #expect(read.dequantized() == original.dequantized())
        _ = try WhisperModel.load(directory: directory)
    }

    @Test func aCorrectedRowOutsideTheMatrixIsNamed() throws {
        let (directory, _) = try Self.correctedToyModel()
        let weights = directory.appendingPathComponent(SottoModelManifest.weightsFileName)
        let range = try SafetensorsFile(url: weights).tensor(Self.embedding + ".correction_rows").byteRange
        var bytes = try Data(contentsOf: weights)
        withUnsafeBytes(of: Int32(1_000_000).littleEndian) { bytes.replaceSubrange(range.lowerBound..<(range.lowerBound + 4), with: $0) }
        try bytes.write(to: weights)
        expectModelError(directory, mentioning: "correction_rows")
    }

    @Test func aCorrectionWithoutItsTensorsIsNamed() throws {
        let directory = try Self.toySottoModel(.int4Block(size: 32, zeroPoint: false))
        try Self.editManifest(directory) { $0["corrections"] = [Self.embedding: "int8"] }
        expectModelError(directory, mentioning: Self.embedding + ".correction")
    }

    @Test func aCorrectionOnAFloatParameterIsNamed() throws {
        let directory = try Self.toySottoModel()
        try Self.editManifest(directory) { $0["corrections"] = ["decoder.positional_embedding": "int8"] }
        expectModelError(directory, mentioning: "decoder.positional_embedding")
    }
}
