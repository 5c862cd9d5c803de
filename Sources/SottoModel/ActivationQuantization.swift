import SottoTensor

/// How a linear layer's input is quantized to int8 before an int8 x int8 product (W8A8).
/// Stored in sotto.json as `{"mode": "dynamic"}` or `{"mode": "static", "scale": 0.0123}`.
public struct ActivationQuantization: Codable, Sendable, Equatable {
    public enum Mode: String, Codable, Sendable {
        /// One scale and center per token (row), from its range, at run time (`Int8Gemm.quantizeActivations`).
        case dynamic
        /// One scale fixed ahead of time from calibration audio; values beyond it are clamped.
        case `static`
    }

    public let mode: Mode
    /// The static scale: q = clamp(round(x / scale), -127, 127). nil for dynamic.
    public let scale: Float?

    public static let dynamic = ActivationQuantization(mode: .dynamic, scale: nil)

    public static func fixed(scale: Float) -> ActivationQuantization {
        ActivationQuantization(mode: .static, scale: scale)
    }

    /// Valid when static comes with a positive finite scale and dynamic with none.
    var isValid: Bool {
        switch mode {
        case .dynamic: scale == nil
        case .static: scale.map { $0.isFinite && $0 > 0 } ?? false
        }
    }
}
