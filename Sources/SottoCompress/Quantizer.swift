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
    /// How int8-static picks each layer's activation scale from its calibration histogram.
    public var observer: ScaleObserver
    /// int4 matrices rounded with error feedback from calibration inputs (GPTQ) rather than to nearest.
    public var errorFeedback = false

    public init(scheme: QuantizationScheme, keepFloat: [GlobPattern] = [], keepFloatEncoding: WeightEncoding = .float16,
                observer: ScaleObserver = .defaultObserver) {
        self.scheme = scheme
        self.keepFloat = keepFloat
        self.keepFloatEncoding = keepFloatEncoding
        self.observer = observer
    }

    /// The encoding each weight matrix gets.
    public func encoding(for key: String) -> WeightEncoding {
        keepFloat.contains { $0.matches(key) } ? keepFloatEncoding : scheme.matrixEncoding
    }

    /// The weight matrices of `checkpoint` that take the scheme's encoding (not kept float).
    public func schemeKeys(_ checkpoint: Checkpoint) -> [String] {
        checkpoint.parameterNames.filter { $0.isMatrix && encoding(for: $0.key) == scheme.matrixEncoding }.map(\.key)
    }
}

public enum QuantizationError: Error, CustomStringConvertible, Equatable {
    case patternMatchesNothing(String)
    case needsCalibration
    case notCalibrated(String)

    public var description: String {
        switch self {
        case .patternMatchesNothing(let pattern):
            "--keep-float '\(pattern)' matches no weight matrix (names look like decoder.token_embedding.weight, "
                + "encoder.blocks.0.mlp.0.weight; `sotto inspect MODEL --tensors` lists them)"
        case .needsCalibration:
            "int8-static fixes activation scales ahead of time: give calibration audio with --calibration MANIFEST.jsonl"
        case .notCalibrated(let key):
            "the calibration run never reached \(key); calibrate with audio that exercises the whole model"
        }
    }
}

/// Compression as a function from checkpoint to checkpoint: every weight matrix re-encoded, the
/// other parameters left as they are (the writer stores them as float16 or float32).
public enum Quantizer {
    /// `calibration` is required by int8-static (its histograms fix the activation scales). int4
    /// matrices with an input Hessian in `hessians` are quantized with error feedback (GPTQ).
    public static func quantize(_ checkpoint: Checkpoint, options: QuantizationOptions, calibration: CalibrationResult? = nil,
                                hessians: [String: [Double]] = [:],
                                progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> Checkpoint {
        if options.scheme == .int8Static, calibration == nil { throw QuantizationError.needsCalibration }
        let matrixKeys = checkpoint.parameterNames.filter(\.isMatrix).map(\.key)
        for pattern in options.keepFloat where !matrixKeys.contains(where: pattern.matches) {
            throw QuantizationError.patternMatchesNothing(pattern.description)
        }
        var result = checkpoint
        result.activations = [:]
        for (done, key) in matrixKeys.enumerated() {
            let source = try checkpoint.tensor(key)
            let encoding = options.encoding(for: key)
            result.tensors[key] = .matrix(try encode(source, as: encoding, hessian: hessians[key]))
            if encoding == .int8Channel {
                result.activations[key] = try activation(key, options, calibration)
            }
            progress(done + 1, matrixKeys.count)
        }
        result.manifest = nil
        return result
    }

    /// One matrix: with error feedback where the encoding is int4 and calibration gave its Hessian,
    /// round-to-nearest otherwise.
    public static func encode(_ tensor: Tensor, as encoding: WeightEncoding, hessian: [Double]?) throws -> WeightMatrix {
        if case .int4Block = encoding, let hessian {
            return try ErrorFeedbackQuantization.quantize(tensor, as: encoding, hessian: hessian)
        }
        return WeightMatrix.quantize(tensor, as: encoding)
    }

    private static func activation(_ key: String, _ options: QuantizationOptions,
                                   _ calibration: CalibrationResult?) throws -> ActivationQuantization? {
        switch options.scheme {
        case .int8Dynamic: return .dynamic
        case .int8Static:
            guard let histogram = calibration?.histograms[key], histogram.total > 0 else { throw QuantizationError.notCalibrated(key) }
            return .fixed(scale: options.observer.scale(histogram))
        case .weightOnly: return nil
        }
    }

    /// Writes a quantized checkpoint with its provenance. `calibrationSHA256` identifies the audio a
    /// calibration run or a `--plan auto` search used (`CalibrationSplit.sha256`).
    public static func write(_ checkpoint: Checkpoint, options: QuantizationOptions, calibration: CalibrationResult? = nil,
                             calibrationSHA256: String? = nil, sourceModel: String, to destination: URL) throws {
        var choices: [String: String] = [:]
        if !options.keepFloat.isEmpty {
            choices["keepFloat"] = options.keepFloat.map(\.description).joined(separator: " ")
            choices["keepFloatEncoding"] = options.keepFloatEncoding.description
        }
        if options.errorFeedback { choices["rounding"] = "gptq" }
        if let calibration {
            if options.scheme == .int8Static { choices["observer"] = options.observer.rawValue }
            choices["calibrationUtterances"] = calibration.languages.sorted { $0.key < $1.key }
                .map { "\($0.key):\($0.value)" }.joined(separator: " ")
            choices["calibrationSeconds"] = String(format: "%.1f", calibration.audioSeconds)
        }
        let provenance = Provenance(
            sourceModel: sourceModel, sourceSHA256: try SHA256.hex(of: URL(fileURLWithPath: checkpoint.file)),
            scheme: options.scheme.description, options: choices,
            calibrationManifestSHA256: calibrationSHA256 ?? calibration?.manifestSHA256)
        try SottoModelWriter.write(checkpoint, floatEncoding: options.scheme.floatEncoding, provenance: provenance,
                                   to: destination)
    }
}
