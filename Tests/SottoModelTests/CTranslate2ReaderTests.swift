import Foundation
import SottoModel
import SottoTensor
import SottoTestSupport
import Testing

/// The loader never trusts the file: every malformed input is a `ModelError` naming the file.
@Suite("CTranslate2 reader errors")
struct CTranslate2ReaderTests {
    private func load(_ dir: URL) -> ModelError? {
        do {
            _ = try WhisperModel.load(directory: dir)
            return nil
        } catch let error as ModelError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    private func directory(modelBytes: Data) throws -> URL {
        let dir = try ToyWhisper.write()
        try modelBytes.write(to: dir.appendingPathComponent("model.bin"))
        return dir
    }

    @Test("the toy model loads and its dimensions come from the shapes")
    func toyLoads() throws {
        let model = try WhisperModel.load(directory: try ToyWhisper.write())
        #expect(model.dims == ToyWhisper.dims)
        #expect(model.config == ModelConfig(suppressIds: [1, 2]))
    }

    @Test("a zero-byte model.bin")
    func empty() throws {
        let error = load(try directory(modelBytes: Data()))
        guard case .truncated(let file, 0, _) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(file.hasSuffix("model.bin"))
    }

    @Test("the real tiny.en model.bin cut short", arguments: [1, 4, 9, 20, 24, 100, 1000, 100_000, 40_000_000, -1])
    func truncatedRealModel(cut: Int) throws {
        let source = try TestPaths.model("tiny.en").appendingPathComponent("model.bin")
        let handle = try FileHandle(forReadingFrom: source)
        defer { try? handle.close() }
        let size = Int(try handle.seekToEnd())
        try handle.seek(toOffset: 0)
        let keep = cut < 0 ? size + cut : cut
        let error = load(try directory(modelBytes: try handle.read(upToCount: keep) ?? Data()))
        switch error {
        case .truncated(let file, let at, let needed):
            #expect(file.hasSuffix("model.bin") && at <= keep && needed > 0)
        case .corrupt(let file, _, _):  // a cut inside a string: the length runs past the end or the NUL is lost
            #expect(file.hasSuffix("model.bin"))
        default:
            Issue.record("cut at \(keep): got \(String(describing: error))")
        }
    }

    @Test("random bytes", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func randomBytes(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let bytes = (0..<Int.random(in: 1...5000, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        #expect(load(try directory(modelBytes: Data(bytes))) != nil)
    }

    @Test("a garbage header after a valid version")
    func wrongSpecAndVersion() throws {
        var writer = ToyWhisper.writer()
        writer.specName = "TransformerSpec"
        guard case .unsupportedModel(_, "TransformerSpec") = load(try ToyWhisper.write(writer)) else { Issue.record("spec"); return }
        writer = ToyWhisper.writer()
        writer.version = 99
        guard case .unsupportedVersion(_, 99) = load(try ToyWhisper.write(writer)) else { Issue.record("version"); return }
    }

    @Test("huge rank, byte count or unknown dtype in a variable header")
    func corruptVariableHeaders() throws {
        let good = ToyWhisper.writer()
        var hugeRank = good
        hugeRank.variables[1].shape = [Int](repeating: 2, count: 200)
        guard case .corrupt = load(try ToyWhisper.write(hugeRank)) else { Issue.record("rank"); return }
        var hugeCount = good
        hugeCount.variables[1].shape = [1 << 31, 1 << 31]
        guard case .corrupt = load(try ToyWhisper.write(hugeCount)) else { Issue.record("byte count"); return }
        var data = good.data()
        // the first variable's dtype byte: version(4) + spec string(2+12) + revision(4) + count(4) + name + rank + dims
        let name = good.variables[0].name
        let dtypeOffset = 4 + 2 + 12 + 4 + 4 + 2 + name.utf8.count + 1 + 1 + 4 * good.variables[0].shape.count
        data[dtypeOffset] = 42
        guard case .unsupportedDType(let key, _, _) = load(try directory(modelBytes: data)) else { Issue.record("dtype"); return }
        #expect(key == name)
    }

    @Test("a missing tensor names the checkpoint key and the file")
    func missingTensor() throws {
        var writer = ToyWhisper.writer()
        writer.remove("decoder/layer_1/attention/linear_1/bias")
        let error = load(try ToyWhisper.write(writer))
        guard case .missingTensor(let key, let file) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(key == "decoder/layer_1/attention/linear_1/bias" && file.hasSuffix("model.bin"))
        #expect(error!.description.contains("model.bin") && error!.description.contains(key))
    }

    @Test("an int8 weight without its scale is an error, not raw integers")
    func int8WithoutScale() throws {
        var writer = ToyWhisper.writer(dtype: .int8)
        writer.remove("encoder/conv2/weight_scale")
        guard case .missingTensor("encoder/conv2/weight_scale", _) = load(try ToyWhisper.write(writer)) else {
            Issue.record("missing scale accepted")
            return
        }
    }

    @Test("a wrong shape names expected and actual")
    func shapeMismatch() throws {
        var writer = ToyWhisper.writer()
        let index = writer.variables.firstIndex { $0.name == "encoder/layer_0/ffn/linear_0/weight" }!
        writer.variables[index].shape = [16, 16]
        let error = load(try ToyWhisper.write(writer))
        guard case .shapeMismatch(let key, let expected, let actual, _) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(key == "encoder/layer_0/ffn/linear_0/weight" && expected == [32, 8] && actual == [16, 16])
    }

    @Test("missing files and a bad config")
    func missingFiles() throws {
        let noConfig = try ToyWhisper.write(config: nil)
        guard case .missingFile(let file) = load(noConfig) else { Issue.record("config"); return }
        #expect(file.hasSuffix("config.json"))
        let noModel = try ToyWhisper.write()
        try FileManager.default.removeItem(at: noModel.appendingPathComponent("model.bin"))
        guard case .missingFile(let model) = load(noModel) else { Issue.record("model"); return }
        #expect(model.hasSuffix("model.bin"))
        guard case .badConfig = load(try ToyWhisper.write(config: "{not json")) else { Issue.record("bad config"); return }
        #expect(try WhisperModel.load(directory: try ToyWhisper.write(config: "{}")).config == ModelConfig())
    }
}
