import SottoTestSupport
import SottoTrain
import Testing

/// Central finite differences in float64, the llm.c way of checking a backward function: perturb
/// one input by ±h, rerun the forward, compare (L(x+h) − L(x−h)) / 2h with the analytic gradient.
enum GradientCheck {
    /// float64 with h = 1e-5 leaves truncation error ~h² · L''' and rounding ~1e-16 / h: both far below this.
    static let tolerance = 1e-6
    static let step = 1e-5

    static func random(_ count: Int, seed: UInt64, scale: Double = 1) -> TrainBuffer<Double> {
        var generator = SeededGenerator(seed: seed)
        return TrainBuffer((0..<count).map { _ in Double.random(in: -scale...scale, using: &generator) })
    }

    /// Σ x ⊙ r: a scalar loss whose gradient with respect to x is r.
    static func dot(_ x: UnsafePointer<Double>, _ r: TrainBuffer<Double>) -> Double {
        var sum = 0.0
        for i in 0..<r.count { sum += x[i] * r[i] }
        return sum
    }

    /// Checks `analytic` against finite differences of `loss` with respect to `x`, at every index or
    /// at `samples` seeded indices; the error is |a − n| / max(1, |n|).
    static func expect(_ name: String, analytic: [Double], wrt x: TrainBuffer<Double>, samples: Int? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation, loss: () -> Double) {
        precondition(analytic.count == x.count, "\(name): gradient of \(analytic.count) for \(x.count) values")
        var indices = Array(0..<x.count)
        if let samples, samples < x.count {
            var generator = SeededGenerator(seed: UInt64(x.count))
            indices = (0..<samples).map { _ in Int.random(in: 0..<x.count, using: &generator) }
        }
        var worst = (error: 0.0, index: 0, numeric: 0.0)
        for i in indices {
            let saved = x[i]
            x[i] = saved + step
            let plus = loss()
            x[i] = saved - step
            let minus = loss()
            x[i] = saved
            let numeric = (plus - minus) / (2 * step)
            let error = abs(analytic[i] - numeric) / max(1, abs(numeric))
            if error > worst.error || error.isNaN { worst = (error, i, numeric) }
        }
        #expect(worst.error <= tolerance,
                "\(name): relative error \(worst.error) at [\(worst.index)] (analytic \(analytic[worst.index]), numeric \(worst.numeric))",
                sourceLocation: sourceLocation)
    }
}
