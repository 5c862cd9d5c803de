import Foundation

/// Small signal measurements shared by the audio tests.
enum SignalMetrics {
    static func rms(_ x: ArraySlice<Float>) -> Double {
        guard !x.isEmpty else { return 0 }
        return (x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count)).squareRoot()
    }

    /// Amplitude and phase-free magnitude of `x` at `frequencyHz` (a single-bin DFT), normalised so
    /// a sine of amplitude A reads A.
    static func toneAmplitude(_ x: ArraySlice<Float>, frequencyHz: Double, rateHz: Double) -> Double {
        var re = 0.0
        var im = 0.0
        for (i, v) in x.enumerated() {
            let angle = 2 * Double.pi * frequencyHz * Double(i) / rateHz
            re += Double(v) * cos(angle)
            im -= Double(v) * sin(angle)
        }
        return 2 * (re * re + im * im).squareRoot() / Double(x.count)
    }

    /// Pearson correlation of `a[i]` with `b[i + lag]` over their overlap.
    static func correlation(_ a: [Float], _ b: [Float], lag: Int, range: Range<Int>? = nil) -> Double {
        let start = max(range?.lowerBound ?? 0, max(0, -lag))
        let end = min(range?.upperBound ?? a.count, min(a.count, b.count - lag))
        guard start < end else { return 0 }
        var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0
        for i in start..<end {
            let x = Double(a[i]), y = Double(b[i + lag])
            sa += x; sb += y; saa += x * x; sbb += y * y; sab += x * y
        }
        let n = Double(end - start)
        let covariance = sab - sa * sb / n
        let varianceProduct = (saa - sa * sa / n) * (sbb - sb * sb / n)
        return varianceProduct > 0 ? covariance / varianceProduct.squareRoot() : 0
    }

    /// The lag in [-maxLag, maxLag] that best aligns `b` to `a` (searched on a 3 s stretch of `a`),
    /// and the full-length correlation at that lag.
    static func bestAlignment(_ a: [Float], _ b: [Float], maxLag: Int) -> (lag: Int, correlation: Double) {
        let probe = 16_000..<min(a.count, 64_000)
        var best = (lag: 0, correlation: -1.0)
        for lag in -maxLag...maxLag {
            let c = correlation(a, b, lag: lag, range: probe)
            if c > best.correlation { best = (lag, c) }
        }
        return (best.lag, correlation(a, b, lag: best.lag))
    }
}
