import Foundation

/// The Kaiser window and the windowed-sinc low-pass kernel the resampler is built from.
enum KaiserWindow {
    /// Kaiser's empirical beta for a stopband of `attenuationDB` (> 50 dB branch of his formula).
    static func beta(attenuationDB: Double) -> Double {
        0.1102 * (attenuationDB - 8.7)
    }

    /// w(x) = I0(beta * sqrt(1 - x^2)) / I0(beta) for |x| <= 1, zero outside.
    static func value(at x: Double, beta: Double) -> Double {
        guard abs(x) <= 1 else { return 0 }
        return besselI0(beta * (1 - x * x).squareRoot()) / besselI0(beta)
    }

    /// Modified Bessel function of the first kind, order 0, by its power series
    /// (terms shrink fast for the beta < 15 used here; stops at double precision).
    static func besselI0(_ x: Double) -> Double {
        let quarterSquare = x * x / 4
        var term = 1.0
        var sum = 1.0
        var k = 1.0
        while term > sum * 1e-17 {
            term *= quarterSquare / (k * k)
            sum += term
            k += 1
        }
        return sum
    }

    /// Low-pass impulse response at `offset` samples from the centre: an ideal low-pass with cutoff
    /// `cutoffCyclesPerSample` (unity DC gain), tapered by a Kaiser window reaching zero at `halfWidth`.
    static func lowPassTap(offset: Double, cutoffCyclesPerSample fc: Double, halfWidth: Double, beta: Double) -> Double {
        let x = 2 * fc * offset
        let sinc = x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
        return 2 * fc * sinc * value(at: offset / halfWidth, beta: beta)
    }
}
