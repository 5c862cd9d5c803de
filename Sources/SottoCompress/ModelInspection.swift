import Foundation
import SottoModel
import SottoTensor

/// What `sotto inspect` reports: parameters and stored bytes per tensor group and per encoding.
public struct ModelInspection: Sendable, Codable {
    public struct Row: Sendable, Codable {
        public let name: String
        public let shape: [Int]
        public let encoding: String
        public let parameters: Int
        public let bytes: Int
    }

    public struct Total: Sendable, Codable {
        public let name: String
        public var parameters: Int
        public var bytes: Int
        public var encodings: [String]
    }

    public let directory: String
    public let dims: ModelDimensions
    public let manifest: SottoModelManifest?
    public let tensors: [Row]
    public let groups: [Total]
    public let byEncoding: [Total]
    /// Bytes of the model's files on disk.
    public let fileBytes: Int

    public init(_ checkpoint: Checkpoint) {
        directory = checkpoint.directory.path
        dims = checkpoint.dims
        manifest = checkpoint.manifest
        tensors = checkpoint.parameterNames.map { name in
            Self.row(name.key, checkpoint.tensors[name.key], storedAs: checkpoint.manifest?.encodings[name.key])
        }
        groups = Self.totals(tensors, by: { Self.group($0.name) })
        byEncoding = Self.totals(tensors, by: \.encoding)
        fileBytes = Self.directoryBytes(checkpoint.directory)
    }

    /// Float parameters count at their stored width (float32 when read from a CTranslate2 file,
    /// which Sotto decodes to float32).
    private static func row(_ key: String, _ stored: StoredTensor?, storedAs: String?) -> Row {
        switch stored {
        case .matrix(let matrix):
            return Row(name: key, shape: [matrix.rows, matrix.cols], encoding: matrix.layoutDescription,
                       parameters: matrix.rows * matrix.cols, bytes: matrix.byteCount)
        case .float(let tensor):
            let encoding = storedAs ?? "f32"
            return Row(name: key, shape: tensor.shape, encoding: encoding, parameters: tensor.count,
                       bytes: tensor.count * (encoding == "f16" ? 2 : 4))
        case nil:
            return Row(name: key, shape: [], encoding: "missing", parameters: 0, bytes: 0)
        }
    }

    /// The part of the network a parameter belongs to.
    static func group(_ key: String) -> String {
        let parts = key.split(separator: ".").map(String.init)
        if key.hasSuffix("positional_embedding") { return "position tables" }
        if key.hasPrefix("decoder.token_embedding") { return "token embedding" }
        if key.hasPrefix("encoder.conv") { return "encoder conv stem" }
        if parts.contains(where: { $0.hasSuffix("ln") || $0 == "ln_post" }) { return "layer norms" }
        let side = parts[0]
        if parts.contains("cross_attn") { return "\(side) cross-attention" }
        if parts.contains("attn") { return "\(side) self-attention" }
        if parts.contains("mlp") { return "\(side) MLP" }
        return side
    }

    private static func totals(_ rows: [Row], by key: (Row) -> String) -> [Total] {
        var totals: [String: Total] = [:]
        var order: [String] = []
        for row in rows {
            let name = key(row)
            if totals[name] == nil {
                totals[name] = Total(name: name, parameters: 0, bytes: 0, encodings: [])
                order.append(name)
            }
            totals[name]!.parameters += row.parameters
            totals[name]!.bytes += row.bytes
            if !totals[name]!.encodings.contains(row.encoding) { totals[name]!.encodings.append(row.encoding) }
        }
        return order.map { totals[$0]! }
    }

    private static func directoryBytes(_ directory: URL) -> Int {
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.fileSizeKey])) ?? []
        return files.reduce(0) { $0 + ((try? $1.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0) }
    }

    public var totalParameters: Int { tensors.reduce(0) { $0 + $1.parameters } }
    public var totalBytes: Int { tensors.reduce(0) { $0 + $1.bytes } }
}
