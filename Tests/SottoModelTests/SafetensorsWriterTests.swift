import Foundation
import SottoModel
import SottoTestSupport
import Testing

@Suite("Safetensors writer")
struct SafetensorsWriterTests {
    typealias Entry = SafetensorsWriter.Entry

    /// One tensor of every dtype with distinct byte patterns, plus an empty and a rank-0 tensor.
    private static func entries() -> [Entry] {
        var entries = SafetensorsDType.allCases.enumerated().map { index, dtype in
            let shape = [index % 3 + 1, 3]
            let count = shape.reduce(1, *) * dtype.byteWidth
            return Entry(name: "t\(index).\(dtype.rawValue)", dtype: dtype, shape: shape,
                         bytes: Data((0..<count).map { UInt8(truncatingIfNeeded: $0 * 7 + index) }))
        }
        entries.append(Entry(name: "empty", dtype: .F32, shape: [0, 4], bytes: Data()))
        entries.append(Entry(name: "scalar", dtype: .F16, shape: [], bytes: Data([0x00, 0x3C])))
        return entries
    }

    private static let metadata = ["format": "sotto", "tricky": "quote \" backslash \\ newline \n control \u{1} é漢"]

    private func temporaryFile() throws -> URL {
        try ToyWhisper.temporaryDirectory().appendingPathComponent("model.safetensors")
    }

    @Test("what is written reads back: dtypes, shapes, bytes, metadata")
    func roundTrip() throws {
        let url = try temporaryFile()
        try SafetensorsWriter.write(Self.entries(), metadata: Self.metadata, to: url)
        let file = try SafetensorsFile(url: url)
        #expect(file.metadata == Self.metadata)
        #expect(file.tensors.count == Self.entries().count)
        for entry in Self.entries() {
            let tensor = try file.tensor(entry.name)
            #expect(tensor.dtype == entry.dtype && tensor.shape == entry.shape, "\(entry.name)")
            #expect(try file.bytes(entry.name) == entry.bytes, "\(entry.name)")
        }
        #expect(!FileManager.default.fileExists(atPath: url.path + ".partial"))
    }

    @Test("the data buffer starts 8-aligned and each tensor at a multiple of its width, widest first")
    func alignmentAndOrder() throws {
        let url = try temporaryFile()
        try SafetensorsWriter.write(Self.entries(), metadata: Self.metadata, to: url)
        let file = try SafetensorsFile(url: url)
        let byOffset = file.tensors.values.sorted { ($0.byteRange.lowerBound, $0.name) < ($1.byteRange.lowerBound, $1.name) }
        let headerLength = try Data(contentsOf: url).prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect((8 + headerLength) % 8 == 0)
        for tensor in byOffset {
            #expect(tensor.byteRange.lowerBound % tensor.dtype.byteWidth == 0, "\(tensor.name) at \(tensor.byteRange)")
        }
        let laidOut = byOffset.filter { !$0.byteRange.isEmpty }
        #expect(laidOut.map(\.dtype.byteWidth) == laidOut.map(\.dtype.byteWidth).sorted(by: >))
        #expect(laidOut.first?.byteRange.lowerBound == 8 + headerLength)
    }

    @Test("the exact bytes: sorted keys, space padding, little-endian length")
    func exactBytes() throws {
        let url = try temporaryFile()
        try SafetensorsWriter.write([Entry(name: "b", dtype: .F16, shape: [1], bytes: Data([1, 2])),
                                     Entry(name: "a", dtype: .F32, shape: [1], bytes: Data([3, 4, 5, 6]))],
                                    metadata: ["k": "v"], to: url)
        let json = #"{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"#
            + #""b":{"dtype":"F16","shape":[1],"data_offsets":[4,6]}}"#
        let padded = json + String(repeating: " ", count: (8 - json.utf8.count % 8) % 8)
        var expected = Data([UInt8(padded.utf8.count), 0, 0, 0, 0, 0, 0, 0])
        expected.append(Data(padded.utf8))
        expected.append(Data([3, 4, 5, 6, 1, 2]))
        #expect(try Data(contentsOf: url) == expected)
    }

    @Test("no tensors and no metadata is a valid file")
    func emptyFile() throws {
        let url = try temporaryFile()
        try SafetensorsWriter.write([], metadata: [:], to: url)
        #expect(try Data(contentsOf: url) == Data([8, 0, 0, 0, 0, 0, 0, 0]) + Data("{}      ".utf8))
        #expect(try SafetensorsFile(url: url).tensors.isEmpty)
    }

    @Test("inconsistent entries are rejected before anything is written", arguments: [
        ("byte count", [Entry(name: "a", dtype: .F32, shape: [2], bytes: Data(count: 4))], "needs 8"),
        ("duplicate", [Entry(name: "a", dtype: .U8, shape: [1], bytes: Data(count: 1)),
                       Entry(name: "a", dtype: .I8, shape: [1], bytes: Data(count: 1))], "twice"),
        ("reserved name", [Entry(name: "__metadata__", dtype: .U8, shape: [1], bytes: Data(count: 1))], "reserved"),
        ("negative shape", [Entry(name: "a", dtype: .U8, shape: [-1, -1], bytes: Data(count: 1))], "negative"),
        ("overflow", [Entry(name: "a", dtype: .F64, shape: [1 << 31, 1 << 31], bytes: Data())], "overflows"),
    ])
    func rejected(what: String, entries: [Entry], reason: String) throws {
        let url = try temporaryFile()
        do {
            try SafetensorsWriter.write(entries, metadata: [:], to: url)
            Issue.record("\(what) accepted")
        } catch let ModelError.invalidTensor(key, file, message) {
            #expect(key == "a" || key == "__metadata__")
            #expect(file == url.path && message.contains(reason), "\(message)")
        }
        #expect(!FileManager.default.fileExists(atPath: url.path))
        #expect(!FileManager.default.fileExists(atPath: url.path + ".partial"))
    }

    @Test("a second write replaces the first")
    func replaces() throws {
        let url = try temporaryFile()
        try SafetensorsWriter.write(Self.entries(), metadata: Self.metadata, to: url)
        try SafetensorsWriter.write([Entry(name: "only", dtype: .I32, shape: [1], bytes: Data([1, 0, 0, 0]))], metadata: [:], to: url)
        let file = try SafetensorsFile(url: url)
        #expect(Array(file.tensors.keys) == ["only"] && file.metadata.isEmpty)
    }

    @Test("a failed rename removes the partial file and leaves the target alone")
    func failedRename() throws {
        let target = try temporaryFile()  // a non-empty directory: rename(2) cannot replace it with a file
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        try Data([1]).write(to: target.appendingPathComponent("keep"))
        #expect(throws: ModelError.self) { try SafetensorsWriter.write(Self.entries(), metadata: [:], to: target) }
        #expect(!FileManager.default.fileExists(atPath: target.path + ".partial"))
        #expect(FileManager.default.fileExists(atPath: target.appendingPathComponent("keep").path))
    }

    @Test("an unwritable directory names the file")
    func unwritable() throws {
        let url = URL(fileURLWithPath: "/nonexistent-sotto-dir/model.safetensors")
        do {
            try SafetensorsWriter.write(Self.entries(), metadata: [:], to: url)
            Issue.record("wrote into a missing directory")
        } catch let ModelError.unwritable(file, _) {
            #expect(file.hasPrefix(url.path))
        }
    }

    /// Python -> Swift reader -> Swift writer; `scripts/make_safetensors_fixtures.py --check` closes the
    /// loop in the reference reader with the file this writes to $SOTTO_SAFETENSORS_INTEROP_OUT.
    @Test("re-writing the Python fixture keeps every tensor and the metadata")
    func rewriteReferenceFixture() throws {
        let source = try SafetensorsFile(url: TestPaths.fixture("safetensors/small.safetensors"))
        let entries = try source.tensors.values.map { tensor in
            Entry(name: tensor.name, dtype: tensor.dtype, shape: tensor.shape, bytes: try source.bytes(tensor.name))
        }
        let url = try ProcessInfo.processInfo.environment["SOTTO_SAFETENSORS_INTEROP_OUT"].map(URL.init(fileURLWithPath:))
            ?? temporaryFile()
        try SafetensorsWriter.write(entries, metadata: source.metadata, to: url)
        let copy = try SafetensorsFile(url: url)
        #expect(copy.metadata == source.metadata)
        for (name, tensor) in source.tensors {
            #expect(try copy.tensor(name).shape == tensor.shape && copy.tensor(name).dtype == tensor.dtype)
            #expect(try copy.bytes(name) == source.bytes(name), "\(name)")
        }
    }
}
