import Foundation

/// GELU in its erf form, `0.5 x (1 + erf(x / sqrt 2))`, as PyTorch's default `F.gelu` used by
/// openai/whisper (not the tanh approximation). The fast path evaluates erf with a SIMD polynomial
/// accurate to about 1.5e-7; `applyReference` uses libm's double-precision erf.
public enum GELU {
    public static func apply(_ x: inout [Float], count: Int? = nil) {
        let n = count ?? x.count
        precondition(n <= x.count, "gelu count")
        x.withUnsafeMutableBufferPointer { p in
            let raw = UnsafeMutableRawPointer(p.baseAddress!)
            Compute.parallelFor(n / 8, minimumPerTask: 2048) { range in
                for i in range {
                    let v = raw.loadUnaligned(fromByteOffset: i * 32, as: SIMD8<Float>.self)
                    let y = 0.5 * v * (1 + FastMath.erf(v * 0.707_106_781))
                    raw.storeBytes(of: y, toByteOffset: i * 32, as: SIMD8<Float>.self)
                }
            }
            for i in (n & ~7)..<n { p[i] = value(p[i]) }
        }
    }

    @inline(__always)
    public static func value(_ x: Float) -> Float { 0.5 * x * (1 + erf(x * Float(0.5).squareRoot())) }

    public static func applyReference(_ x: [Float]) -> [Float] {
        x.map { Float(0.5 * Double($0) * (1 + erf(Double($0) / 2.0.squareRoot()))) }
    }
}

/// Numerically stable softmax over each row.
public enum Softmax {
    /// In place on `[rows, cols]`.
    public static func rows(_ x: inout [Float], rows: Int, cols: Int) {
        precondition(x.count >= rows * cols, "softmax sizes")
        x.withUnsafeMutableBufferPointer { p in
            Compute.parallelFor(rows, minimumPerTask: 16) { range in
                for r in range { row(p.baseAddress! + r * cols, cols) }
            }
        }
    }

    /// Softmax of `n` contiguous values in place; `-infinity` entries get probability 0.
    @inline(__always)
    static func row(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        guard n > 0 else { return }
        let raw = UnsafeMutableRawPointer(x)
        let vectorEnd = n & ~7
        var maxima = SIMD8<Float>(repeating: -.infinity)
        for i in stride(from: 0, to: vectorEnd, by: 8) {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            maxima.replace(with: v, where: v .> maxima)
        }
        var maximum = maxima.max()
        for i in vectorEnd..<n { maximum = max(maximum, x[i]) }
        var sums = SIMD8<Float>()
        for i in stride(from: 0, to: vectorEnd, by: 8) {
            let e = FastMath.exp(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - maximum)
            raw.storeBytes(of: e, toByteOffset: i * 4, as: SIMD8<Float>.self)
            sums += e
        }
        var sum = sums.sum()
        for i in vectorEnd..<n {
            let e = exp(x[i] - maximum)
            x[i] = e
            sum += e
        }
        let inverse = 1 / sum
        for i in 0..<n { x[i] *= inverse }
    }

    public static func rowsReference(_ x: [Float], rows: Int, cols: Int) -> [Float] {
        var out = x
        for r in 0..<rows {
            let slice = x[(r * cols)..<(r * cols + cols)].map(Double.init)
            let maximum = slice.max() ?? 0
            let exps = slice.map { Foundation.exp($0 - maximum) }
            let total = exps.reduce(0, +)
            for c in 0..<cols { out[r * cols + c] = Float(exps[c] / total) }
        }
        return out
    }
}
