/// Sees the input of every linear layer as the model runs: calibration (`sotto quantize --scheme
/// int8-static`) and sensitivity analysis install one around a transcription. Installed per task,
/// so requests that run alongside are not observed.
public protocol ActivationObserver: AnyObject, Sendable {
    /// `input` is `[rows, cols]` row-major; `key` is the layer's weight name (e.g.
    /// `decoder.blocks.0.mlp.0.weight`).
    func observe(_ key: String, input: ArraySlice<Float>, rows: Int, cols: Int)
}

public enum ActivationObservation {
    @TaskLocal public static var observer: (any ActivationObserver)?
}
