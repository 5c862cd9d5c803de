import Foundation
import SottoTensor

/// `sotto.json`, the description half of a Sotto model directory (the other halves are
/// `model.safetensors` and `tokenizer.json`): architecture, how each parameter is stored, and where
/// the model came from.
public struct SottoModelManifest: Codable, Sendable, Equatable {
    public static let fileName = "sotto.json"
    public static let weightsFileName = "model.safetensors"
    public static let formatName = "sotto-whisper"
    public static let currentVersion = 1

    /// Always `formatName`; lets a reader tell a Sotto model from any other JSON.
    public var format: String
    public var version: Int
    public var dims: ModelDimensions
    public var config: ModelConfig
    /// Per parameter (our names): its `WeightEncoding` name ("f32", "f16", "int8", "int4-g32", ...).
    public var encodings: [String: String]
    /// Weight matrices whose products quantize their input to int8 (int8-dynamic, int8-static).
    public var activations: [String: ActivationQuantization]?
    /// Weight matrices with a `RowCorrection`: the corrections' encoding.
    public var corrections: [String: String]?
    /// The evidence behind a mixed-precision plan (`sotto quantize --plan auto`).
    public var plan: PrecisionPlanRecord?
    public var provenance: Provenance

    public init(dims: ModelDimensions, config: ModelConfig, encodings: [String: String],
                activations: [String: ActivationQuantization]? = nil, corrections: [String: String]? = nil,
                plan: PrecisionPlanRecord? = nil, provenance: Provenance) {
        format = Self.formatName
        version = Self.currentVersion
        self.dims = dims
        self.config = config
        self.encodings = encodings
        self.activations = activations
        self.corrections = corrections
        self.plan = plan
        self.provenance = provenance
    }
}

/// Where a compressed model came from, so a result can be traced and reproduced.
public struct Provenance: Codable, Sendable, Equatable {
    /// The model as the user named it (a name or a path).
    public var sourceModel: String
    /// SHA-256 of the source weights file (model.bin or model.safetensors).
    public var sourceSHA256: String
    /// The scheme asked for (`sotto quantize --scheme`).
    public var scheme: String
    /// Other choices that shaped the result (keep-float patterns, observers, plans), as text.
    public var options: [String: String]
    /// SHA-256 of the calibration manifest, when one was used.
    public var calibrationManifestSHA256: String?
    public var sottoVersion: String
    /// ISO 8601, UTC.
    public var createdAt: String

    public init(sourceModel: String, sourceSHA256: String, scheme: String, options: [String: String] = [:],
                calibrationManifestSHA256: String? = nil, sottoVersion: String = SottoVersion.current,
                createdAt: Date = Date()) {
        self.sourceModel = sourceModel
        self.sourceSHA256 = sourceSHA256
        self.scheme = scheme
        self.options = options
        self.calibrationManifestSHA256 = calibrationManifestSHA256
        self.sottoVersion = sottoVersion
        self.createdAt = ISO8601DateFormatter().string(from: createdAt)
    }
}

/// Why a mixed-precision model stores each matrix as it does: the sensitivities measured, the WER
/// bound and what the chosen plan scored on the calibration audio.
public struct PrecisionPlanRecord: Codable, Sendable, Equatable {
    /// The encoding every matrix started from (e.g. "int4-g32").
    public var target: String
    public var maxWERIncrease: Double
    /// Float model's error rate on the calibration audio (0 when its own transcripts are the references).
    public var baselineWER: Double
    /// The chosen plan's error rate on the same audio.
    public var planWER: Double
    /// Mean KL divergence per matrix when it alone takes the target encoding.
    public var sensitivities: [String: Double]
    /// Matrices promoted above the target, most deserving first.
    public var promoted: [String: String]
    /// Matrices left at the target with their most important rows corrected: how many rows.
    public var correctedRows: [String: Int]?
    public var calibrationUtterances: Int
    /// The plan checked on utterances it was not fitted on (absent for plans made without one).
    public var validation: PlanValidationRecord?

    public init(target: String, maxWERIncrease: Double, baselineWER: Double, planWER: Double,
                sensitivities: [String: Double], promoted: [String: String], correctedRows: [String: Int]? = nil,
                calibrationUtterances: Int) {
        self.target = target
        self.maxWERIncrease = maxWERIncrease
        self.baselineWER = baselineWER
        self.planWER = planWER
        self.sensitivities = sensitivities
        self.promoted = promoted
        self.correctedRows = correctedRows
        self.calibrationUtterances = calibrationUtterances
    }
}

/// A plan's held-out check: the float model's and the plan's error rates on validation utterances and
/// the upper end of the paired bootstrap interval of their difference at `confidence`.
public struct PlanValidationRecord: Codable, Sendable, Equatable {
    public var utterances: Int
    public var baselineWER: Double
    public var planWER: Double
    /// rate(plan) - rate(float) is at most this, in points, with probability `confidence`.
    public var upperIncrease: Double
    public var confidence: Double

    public init(utterances: Int, baselineWER: Double, planWER: Double, upperIncrease: Double, confidence: Double) {
        self.utterances = utterances
        self.baselineWER = baselineWER
        self.planWER = planWER
        self.upperIncrease = upperIncrease
        self.confidence = confidence
    }
}

public enum SottoVersion {
    public static let current = "0.2.0"
}

/// How a weight matrix's parts are named and typed inside model.safetensors: the values under the
/// parameter's own name, scales and zero points as companions; a row correction's matrix under
/// `<name>.correction` (with its own companions) and its row numbers as I32 `<name>.correction_rows`.
enum StoredMatrixLayout {
    static func scalesName(_ key: String) -> String { key + ".scales" }
    static func zerosName(_ key: String) -> String { key + ".zeros" }
    static func correctionName(_ key: String) -> String { key + ".correction" }
    static func correctedRowsName(_ key: String) -> String { key + ".correction_rows" }

    static func valuesDType(_ encoding: WeightEncoding) -> SafetensorsDType {
        switch encoding {
        case .float32: .F32
        case .float16: .F16
        case .int8Channel, .int8Block: .I8
        case .int4Block: .U8
        }
    }

    static func scalesDType(_ encoding: WeightEncoding) -> SafetensorsDType {
        encoding == .int8Channel ? .F32 : .F16
    }

    /// The safetensors entries of one matrix.
    static func entries(_ key: String, _ matrix: WeightMatrix) -> [SafetensorsWriter.Entry] {
        var entries = [SafetensorsWriter.Entry(name: key, dtype: valuesDType(matrix.encoding), shape: matrix.valuesShape,
                                               bytes: matrix.values)]
        if !matrix.scalesShape.isEmpty {
            entries.append(.init(name: scalesName(key), dtype: scalesDType(matrix.encoding), shape: matrix.scalesShape,
                                 bytes: matrix.scales))
        }
        if !matrix.zerosShape.isEmpty {
            entries.append(.init(name: zerosName(key), dtype: .U8, shape: matrix.zerosShape, bytes: matrix.zeros))
        }
        if let correction = matrix.correction {
            entries += Self.entries(correctionName(key), correction.corrections)
            let rows = correction.rows.map(\.littleEndian).withUnsafeBufferPointer { Data(buffer: $0) }
            entries.append(.init(name: correctedRowsName(key), dtype: .I32, shape: [correction.rows.count], bytes: rows))
        }
        return entries
    }
}
