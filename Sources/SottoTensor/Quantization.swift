import Foundation

/// Conversions from stored checkpoint encodings to float32 compute.
public enum Quantization {
    /// Decodes `count` elements of `dtype` from `bytes` (little-endian) into float32.
    public static func decode(_ bytes: Data, dtype: DType, count: Int) -> [Float] {
        bytes.withUnsafeBytes { dtype.decode($0, count: count) }
    }

    /// Integer dequantization as CTranslate2 stores it: `q = round(w * scale[row])`, so
    /// `w = q / scale[row]` (ctranslate2/specs/model_spec.py `_quantize`; int8 has one scale per output
    /// row, int16 one per tensor). values `[scales.count, rowLength]`.
    public static func dequantizeRows(_ values: inout [Float], scales: [Float], rowLength: Int) {
        precondition(values.count == scales.count * rowLength, "dequantize sizes")
        for r in 0..<scales.count {
            let inverse = 1 / scales[r]
            for i in (r * rowLength)..<((r + 1) * rowLength) { values[i] *= inverse }
        }
    }
}
