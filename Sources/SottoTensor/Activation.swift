import CSottoKernels
import Foundation

/// GELU in its erf form, `0.5 x (1 + erf(x / sqrt 2))`, as PyTorch's default `F.gelu` used by
/// openai/whisper (not the tanh approximation). The fast path evaluates erf with a SIMD polynomial
/// accurate to about 1.5e-7; `applyReference` uses libm's double-precision erf.
public enum GELU {
    public static func apply(_ x: inout [Float], count: Int? = nil) {
        apply(&x, count: count, path: .automatic)
    }

    /// `apply` on the C kernels of `path` (AVX2 or AVX-512, sotto_gelu), or the portable Swift SIMD code
    /// where the path resolves to scalar.
    package static func apply(_ x: inout [Float], count: Int? = nil, path: WeightKernelPath) {
        let n = count ?? x.count
        precondition(n <= x.count, "gelu count")
        guard n > 0 else { return }
        x.withUnsafeMutableBufferPointer { p in
            let base = p.baseAddress!
            // Chunks of whole 16-float vectors, so only the last chunk has a tail.
            Compute.parallelFor((n + 15) / 16, minimumPerTask: 1024) { range in
                let start = range.lowerBound * 16, end = min(n, range.upperBound * 16)
                if sotto_gelu(base + start, end - start, path.rawValue) == 0 { portable(base + start, end - start) }
            }
        }
    }

    /// The Swift SIMD8 evaluation (any CPU).
    private static func portable(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        let raw = UnsafeMutableRawPointer(x)
        for i in 0..<(n / 8) {
            let v = raw.loadUnaligned(fromByteOffset: i * 32, as: SIMD8<Float>.self)
            let y = 0.5 * v * (1 + FastMath.erf(v * 0.707_106_781))
            raw.storeBytes(of: y, toByteOffset: i * 32, as: SIMD8<Float>.self)
        }
        for i in (n & ~7)..<n { x[i] = value(x[i]) }
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
        self.rows(&x, rows: rows, cols: cols, path: .automatic)
    }

    /// `rows` with the row kernel pinned to `path`.
    package static func rows(_ x: inout [Float], rows: Int, cols: Int, path: WeightKernelPath) {
        precondition(x.count >= rows * cols, "softmax sizes")
        x.withUnsafeMutableBufferPointer { p in
            Compute.parallelFor(rows, minimumPerTask: 16) { range in
                for r in range { row(p.baseAddress! + r * cols, cols, path: path) }
            }
        }
    }

    /// Softmax of `n` contiguous values in place; `-infinity` entries get probability 0. Runs the C
    /// kernels of `path` (AVX2 or AVX-512, sotto_softmax_row), or the portable Swift SIMD code where the
    /// path resolves to scalar.
    @inline(__always)
    static func row(_ x: UnsafeMutablePointer<Float>, _ n: Int, path: WeightKernelPath = .automatic) {
        guard n > 0 else { return }
        if sotto_softmax_row(x, n, path.rawValue) != 0 { return }
        let raw = UnsafeMutableRawPointer(x)
        let vectorEnd = n & ~7
        let maximum = Self.maximum(UnsafePointer(x), n)
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

    /// `log(sum_i exp(x[i]))`, shifted by the maximum for stability: the log-softmax of a decoding
    /// step's 51,865 logits is `x[i] - logNormalizer(x)`. SIMD exp (relative error about 2e-7),
    /// partial sums in float per lane, lanes added in double. `-infinity` when every value is.
    public static func logNormalizer(_ x: [Float]) -> Float {
        let n = x.count
        guard n > 0 else { return -.infinity }
        return x.withUnsafeBufferPointer { values in
            let raw = UnsafeRawPointer(values.baseAddress!)
            let vectorEnd = n & ~7
            let maximum = Self.maximum(values.baseAddress!, n)
            guard maximum > -.infinity else { return -.infinity }
            var sums = SIMD8<Float>()
            for i in stride(from: 0, to: vectorEnd, by: 8) {
                sums += FastMath.exp(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - maximum)
            }
            var sum = (0..<8).reduce(0.0) { $0 + Double(sums[$1]) }
            for i in vectorEnd..<n { sum += Double(Foundation.exp(x[i] - maximum)) }
            return maximum + Float(Foundation.log(sum))
        }
    }

    /// The largest of `n > 0` contiguous values, eight lanes at a time.
    @inline(__always)
    static func maximum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        let raw = UnsafeRawPointer(x)
        let vectorEnd = n & ~7
        var maxima = SIMD8<Float>(repeating: -.infinity)
        for i in stride(from: 0, to: vectorEnd, by: 8) {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            maxima.replace(with: v, where: v .> maxima)
        }
        var maximum = maxima.max()
        for i in vectorEnd..<n { maximum = max(maximum, x[i]) }
        return maximum
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
