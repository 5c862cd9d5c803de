import Foundation
import SottoText
import Testing

@Suite("Tokenizer load errors name the file and the problem")
struct TokenizerErrorTests {
    /// Writes `contents` to a fresh temporary tokenizer.json and returns its URL.
    private static func temporaryFile(_ contents: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sotto-text-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("tokenizer.json")
        try Data(contents.utf8).write(to: url)
        return url
    }

    private static func loadError(_ url: URL) -> TextError? {
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        do {
            _ = try Tokenizer(contentsOf: url, isMultilingual: false)
            return nil
        } catch let error as TextError {
            return error
        } catch {
            return nil
        }
    }

    @Test func missingFile() throws {
        let url = URL(fileURLWithPath: "/nonexistent/sotto/tokenizer.json")
        let error = try #require(Self.loadError(url))
        guard case .unreadableFile(let path, _) = error else {
            Issue.record("expected unreadableFile, got \(error)")
            return
        }
        #expect(path == url.path)
        #expect(error.description.contains(url.path))
    }

    struct Corruption: Sendable, CustomTestStringConvertible {
        let name: String
        let contents: String
        let expected: @Sendable (TextError) -> Bool
        var testDescription: String { name }
    }

    static let corruptions: [Corruption] = [
        Corruption(name: "not JSON", contents: "this is not json {") {
            if case .invalidJSON = $0 { true } else { false }
        },
        Corruption(name: "top level is an array", contents: "[1, 2]") {
            if case .invalidJSON = $0 { true } else { false }
        },
        Corruption(name: "no model", contents: #"{"added_tokens": []}"#) {
            if case .missingField(_, "model") = $0 { true } else { false }
        },
        Corruption(name: "no model.vocab", contents: #"{"model": {"type": "BPE", "merges": []}}"#) {
            if case .missingField(_, "model.vocab") = $0 { true } else { false }
        },
        Corruption(name: "no model.merges", contents: #"{"model": {"type": "BPE", "vocab": {"a": 0}}}"#) {
            if case .missingField(_, "model.merges") = $0 { true } else { false }
        },
        Corruption(name: "vocab lacks byte tokens", contents: #"{"model": {"vocab": {"a": 0}, "merges": []}}"#) {
            if case .invalidJSON = $0 { true } else { false }
        },
    ]

    @Test(arguments: corruptions)
    func corruptFile(_ corruption: Corruption) throws {
        let url = try Self.temporaryFile(corruption.contents)
        let error = try #require(Self.loadError(url))
        #expect(corruption.expected(error), "\(error)")
        #expect(error.description.contains(url.path))
    }

    @Test func missingSpecialTokenIsNamed() throws {
        // A complete byte-level vocabulary with no merges and no Whisper special tokens.
        var vocab: [String: Int] = [:]
        var next = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            let scalar = printable ? Unicode.Scalar(UInt32(byte))! : Unicode.Scalar(UInt32(next))!
            if !printable { next += 1 }
            vocab[String(Character(scalar))] = byte
        }
        let json = try JSONSerialization.data(withJSONObject: ["model": ["vocab": vocab, "merges": [String]()]])
        let url = try Self.temporaryFile(String(decoding: json, as: UTF8.self))
        let error = try #require(Self.loadError(url))
        #expect(error == .missingSpecialToken(path: url.path, token: "<|endoftext|>"))
    }
}
