/// SIMD approximations of libm functions for the hot loops (softmax, GELU), each tested against
/// libm through its kernel's reference twin.
/// `exp` (Cephes `expf`: range reduction by ln 2 and a degree-5 polynomial,
/// relative error about 2e-7). Arguments below -87.3 (including -infinity) give exactly 0.
enum FastMath {
    @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // `replacing` rather than `clamped`: the generic pointwiseMin/Max are not inlined.
        let clamped = x.replacing(with: -87.3, where: x .< -87.3).replacing(with: 88.3, where: x .> 88.3)
        // Round x / ln2 to the nearest integer n by adding 1.5 * 2^23 (no SSE4.1 rounding needed).
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        let r = clamped - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let y = p * r * r + r + 1
        // 2^n: n sits in the low mantissa bits of `shifted`; move it into the exponent field.
        let nBits = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast((nBits &+ 127) &<< 23, to: SIMD8<Float>.self)
        return (y * scale).replacing(with: 0, where: x .< -87.3)
    }
}

extension FastMath {
    /// erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7, about float32's resolution
    /// near 1): `erf(x) = 1 - (a1 t + ... + a5 t^5) exp(-x^2)`, `t = 1 / (1 + p |x|)`, odd in x.
    @inline(__always)
    static func erf(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let negative = x .< 0
        let a = x.replacing(with: -x, where: negative)
        let t = 1 / (1 + 0.327_591_1 * a)
        var poly = SIMD8<Float>(repeating: 1.061_405_429)
        poly = poly * t - 1.453_152_027
        poly = poly * t + 1.421_413_741
        poly = poly * t - 0.284_496_736
        poly = poly * t + 0.254_829_592
        let y = 1 - poly * t * exp(-(a * a))
        return y.replacing(with: -y, where: negative)
    }
}
