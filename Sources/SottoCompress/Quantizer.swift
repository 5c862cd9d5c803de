import Foundation
import SottoModel
import SottoTensor

/// The user's choices for one quantization run.
public struct QuantizationOptions: Sendable {
    public var scheme: QuantizationScheme
    /// Matrices whose names match any of these stay float (`keepFloatEncoding`).
    public var keepFloat: [GlobPattern]
    /// float16 or float32 for the matrices `keepFloat` selects.
    public var keepFloatEncoding: WeightEncoding

    public init(scheme: QuantizationScheme, keepFloat: [GlobPattern] = [], keepFloatEncoding: WeightEncoding = .float16) {
        self.scheme = scheme
        self.keepFloat = keepFloat
        self.keepFloatEncoding = keepFloatEncoding
    }

    /// The encoding each weight matrix gets.
    public func encoding(for key: String) -> WeightEncoding {
        keepFloat.contains { $0.matches(key) } ? keepFloatEncoding : scheme.matrixEncoding
    }
}

public enum QuantizationError: Error, CustomStringConvertible, Equatable {
    case patternMatchesNothing(String)

    public var description: String {
        switch self {
        case .patternMatchesNothing(let pattern):
            "--keep-float '\(pattern)' matches no weight matrix (names look like decoder.token_embedding.weight, "
                + "encoder.blocks.0.mlp.0.weight; `sotto inspect MODEL --tensors` lists them)"
        }
    }
}

/// Compression as a function from checkpoint to checkpoint: every weight matrix re-encoded, the
/// other parameters left as they are (the writer stores them as float16 or float32).
public enum Quantizer {
    public static func quantize(_ checkpoint: Checkpoint, options: QuantizationOptions,
                                progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> Checkpoint {
        let matrixKeys = checkpoint.parameterNames.filter(\.isMatrix).map(\.key)
        for pattern in options.keepFloat where !matrixKeys.contains(where: pattern.matches) {
            throw QuantizationError.patternMatchesNothing(pattern.description)
        }
        var result = checkpoint
        result.activations = [:]
        for (done, key) in matrixKeys.enumerated() {
            let source = try floatMatrix(checkpoint, key)
            let encoding = options.encoding(for: key)
            result.tensors[key] = .matrix(WeightMatrix.quantize(source, as: encoding))
            if options.scheme == .int8Dynamic, encoding == .int8Channel { result.activations[key] = .dynamic }
            progress(done + 1, matrixKeys.count)
        }
        result.manifest = nil
        return result
    }

    /// Writes a quantized checkpoint with its provenance.
    public static func write(_ checkpoint: Checkpoint, options: QuantizationOptions, sourceModel: String,
                             to destination: URL) throws {
        let provenance = Provenance(
            sourceModel: sourceModel, sourceSHA256: try SHA256.hex(of: URL(fileURLWithPath: checkpoint.file)),
            scheme: options.scheme.description,
            options: options.keepFloat.isEmpty ? [:] : [
                "keepFloat": options.keepFloat.map(\.description).joined(separator: " "),
                "keepFloatEncoding": options.keepFloatEncoding.description,
            ])
        try SottoModelWriter.write(checkpoint, floatEncoding: options.scheme.floatEncoding, provenance: provenance,
                                   to: destination)
    }

    private static func floatMatrix(_ checkpoint: Checkpoint, _ key: String) throws -> Tensor {
        switch checkpoint.tensors[key] {
        case .float(let tensor): tensor
        case .matrix(let matrix): matrix.dequantized()
        case nil: throw ModelError.missingTensor(key: key, file: checkpoint.file)
        }
    }
}
