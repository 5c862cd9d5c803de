import SottoTensor

/// What `sotto quantize --scheme` offers: how weight matrices are stored and whether activations are
/// quantized too. Parameters that are not matrices (biases, norms, convolutions, position tables)
/// are stored as float16 in every scheme but `f32`: the source checkpoints are float16 already.
public enum QuantizationScheme: Sendable, Equatable, CustomStringConvertible {
    /// Weights stored in one encoding; activations stay float.
    case weightOnly(WeightEncoding)
    /// int8 weights (one scale per output channel), activations quantized per token at run time.
    case int8Dynamic
    /// int8 weights, activation scales fixed ahead of time from calibration audio.
    case int8Static

    public static let names = ["f32", "fp16", "int8", "int8-dynamic", "int8-static", "int8-g32",
                               "int4-g32", "int4-g64", "int4-g128", "int4-g32-zp", "int4-g64-zp", "int4-g128-zp"]

    public init?(_ name: String) {
        switch name {
        case "fp16", "f16": self = .weightOnly(.float16)
        case "int8-dynamic": self = .int8Dynamic
        case "int8-static": self = .int8Static
        default:
            guard let encoding = WeightEncoding(name) else { return nil }
            self = .weightOnly(encoding)
        }
    }

    public var description: String {
        switch self {
        case .weightOnly(.float16): "fp16"
        case .weightOnly(let encoding): encoding.description
        case .int8Dynamic: "int8-dynamic"
        case .int8Static: "int8-static"
        }
    }

    /// How weight matrices are stored.
    public var matrixEncoding: WeightEncoding {
        switch self {
        case .weightOnly(let encoding): encoding
        case .int8Dynamic, .int8Static: .int8Channel
        }
    }

    /// How the other parameters are stored.
    public var floatEncoding: WeightEncoding {
        self == .weightOnly(.float32) ? .float32 : .float16
    }
}
