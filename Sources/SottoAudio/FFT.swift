import Foundation

/// Mixed-radix complex FFT (Stockham autosort, decimation in frequency) for any size whose factors are
/// small, such as Whisper's n_fft = 400 = 4 * 4 * 5 * 5. Twiddles are computed once in Double; a
/// transform does no trigonometry and no allocation beyond the caller's buffers.
///
/// Stage with radix r on a length-n sub-transform at stride s: for p < n/r and each of the s
/// interleaved sequences q, the r inputs x[q + s(p + j n/r)] go through an r-point DFT, output k is
/// multiplied by w_n^(pk) and stored at y[q + s(rp + k)]. After all stages the result is in natural order.
package struct FFT: Sendable {
    package let size: Int
    private let stages: [Stage]

    private struct Stage: Sendable {
        let radix: Int
        /// Length of the sub-transforms this stage splits (n), and their interleave stride (s).
        let length: Int
        let stride: Int
        /// w_n^(p k) for p < n/r, k < r, as [p][k].
        let twiddleReal: [Double]
        let twiddleImag: [Double]
        /// w_r^(j k) for the r-point butterfly, as [k][j].
        let rootReal: [Double]
        let rootImag: [Double]
    }

    package init(size: Int) {
        precondition(size > 0, "FFT size must be positive")
        self.size = size
        var stages: [Stage] = []
        var length = size
        var stride = 1
        for radix in Self.factors(of: size) {
            let span = length / radix
            var twiddleReal = [Double](repeating: 0, count: span * radix)
            var twiddleImag = twiddleReal
            for p in 0..<span {
                for k in 0..<radix {
                    let angle = -2 * Double.pi * Double(p * k) / Double(length)
                    twiddleReal[p * radix + k] = cos(angle)
                    twiddleImag[p * radix + k] = sin(angle)
                }
            }
            var rootReal = [Double](repeating: 0, count: radix * radix)
            var rootImag = rootReal
            for k in 0..<radix {
                for j in 0..<radix {
                    let angle = -2 * Double.pi * Double((j * k) % radix) / Double(radix)
                    rootReal[k * radix + j] = cos(angle)
                    rootImag[k * radix + j] = sin(angle)
                }
            }
            stages.append(Stage(radix: radix, length: length, stride: stride,
                                twiddleReal: twiddleReal, twiddleImag: twiddleImag,
                                rootReal: rootReal, rootImag: rootImag))
            length = span
            stride *= radix
        }
        self.stages = stages
    }

    /// Radix 4 first (fewest operations per point), then 2, 3, 5, then any remaining prime.
    static func factors(of size: Int) -> [Int] {
        var remaining = size
        var factors: [Int] = []
        for radix in [4, 2, 3, 5] {
            while remaining % radix == 0 {
                factors.append(radix)
                remaining /= radix
            }
        }
        var candidate = 7
        while remaining > 1 {
            while remaining % candidate == 0 {
                factors.append(candidate)
                remaining /= candidate
            }
            candidate += 2
        }
        return factors
    }

    /// In-place forward transform X[k] = sum_t x[t] e^(-2 pi i t k / n) of split complex data;
    /// `scratchReal`/`scratchImag` must also hold `size` values.
    package func forward(real: inout [Double], imag: inout [Double],
                         scratchReal: inout [Double], scratchImag: inout [Double]) {
        var inputIsScratch = false
        for stage in stages {
            if inputIsScratch {
                Self.run(stage, fromReal: scratchReal, fromImag: scratchImag, toReal: &real, toImag: &imag)
            } else {
                Self.run(stage, fromReal: real, fromImag: imag, toReal: &scratchReal, toImag: &scratchImag)
            }
            inputIsScratch.toggle()
        }
        if inputIsScratch {
            swap(&real, &scratchReal)
            swap(&imag, &scratchImag)
        }
    }

    private static func run(_ stage: Stage, fromReal xr: [Double], fromImag xi: [Double],
                            toReal yr: inout [Double], toImag yi: inout [Double]) {
        switch stage.radix {
        case 4: radix4(stage, xr, xi, &yr, &yi)
        case 5: radix5(stage, xr, xi, &yr, &yi)
        default: anyRadix(stage, xr, xi, &yr, &yi)
        }
    }

    /// Multiplies butterfly output k by its twiddle and stores it at y[q + s(rp + k)].
    @inline(__always)
    private static func store(_ stage: Stage, p: Int, q: Int, k: Int, _ real: Double, _ imag: Double,
                              _ yr: inout [Double], _ yi: inout [Double]) {
        let tr = stage.twiddleReal[p * stage.radix + k]
        let ti = stage.twiddleImag[p * stage.radix + k]
        let out = q + stage.stride * (stage.radix * p + k)
        yr[out] = real * tr - imag * ti
        yi[out] = real * ti + imag * tr
    }

    /// The 4-point DFT needs no multiplications: its roots are 1, -i, -1, i.
    private static func radix4(_ stage: Stage, _ xr: [Double], _ xi: [Double],
                               _ yr: inout [Double], _ yi: inout [Double]) {
        let span = stage.length / 4
        let s = stage.stride
        for p in 0..<span {
            for q in 0..<s {
                let i0 = q + s * p, i1 = i0 + s * span, i2 = i1 + s * span, i3 = i2 + s * span
                let (sum02r, sum02i) = (xr[i0] + xr[i2], xi[i0] + xi[i2])
                let (dif02r, dif02i) = (xr[i0] - xr[i2], xi[i0] - xi[i2])
                let (sum13r, sum13i) = (xr[i1] + xr[i3], xi[i1] + xi[i3])
                let (dif13r, dif13i) = (xr[i1] - xr[i3], xi[i1] - xi[i3])
                store(stage, p: p, q: q, k: 0, sum02r + sum13r, sum02i + sum13i, &yr, &yi)
                store(stage, p: p, q: q, k: 1, dif02r + dif13i, dif02i - dif13r, &yr, &yi)
                store(stage, p: p, q: q, k: 2, sum02r - sum13r, sum02i - sum13i, &yr, &yi)
                store(stage, p: p, q: q, k: 3, dif02r - dif13i, dif02i + dif13r, &yr, &yi)
            }
        }
    }

    /// Winograd-style 5-point DFT: inputs paired as (1, 4) and (2, 3) share the cosine terms.
    private static func radix5(_ stage: Stage, _ xr: [Double], _ xi: [Double],
                               _ yr: inout [Double], _ yi: inout [Double]) {
        let c1 = cos(2 * Double.pi / 5), c2 = cos(4 * Double.pi / 5)
        let s1 = sin(2 * Double.pi / 5), s2 = sin(4 * Double.pi / 5)
        let span = stage.length / 5
        let s = stage.stride
        for p in 0..<span {
            for q in 0..<s {
                let i0 = q + s * p, i1 = i0 + s * span, i2 = i1 + s * span, i3 = i2 + s * span, i4 = i3 + s * span
                let (t1r, t1i) = (xr[i1] + xr[i4], xi[i1] + xi[i4])
                let (t2r, t2i) = (xr[i2] + xr[i3], xi[i2] + xi[i3])
                let (t3r, t3i) = (xr[i1] - xr[i4], xi[i1] - xi[i4])
                let (t4r, t4i) = (xr[i2] - xr[i3], xi[i2] - xi[i3])
                let (b1r, b1i) = (xr[i0] + c1 * t1r + c2 * t2r, xi[i0] + c1 * t1i + c2 * t2i)
                let (b2r, b2i) = (xr[i0] + c2 * t1r + c1 * t2r, xi[i0] + c2 * t1i + c1 * t2i)
                let (d1r, d1i) = (s1 * t3r + s2 * t4r, s1 * t3i + s2 * t4i)
                let (d2r, d2i) = (s2 * t3r - s1 * t4r, s2 * t3i - s1 * t4i)
                // X1 = b1 - i d1, X4 = b1 + i d1, X2 = b2 - i d2, X3 = b2 + i d2.
                store(stage, p: p, q: q, k: 0, xr[i0] + t1r + t2r, xi[i0] + t1i + t2i, &yr, &yi)
                store(stage, p: p, q: q, k: 1, b1r + d1i, b1i - d1r, &yr, &yi)
                store(stage, p: p, q: q, k: 2, b2r + d2i, b2i - d2r, &yr, &yi)
                store(stage, p: p, q: q, k: 3, b2r - d2i, b2i + d2r, &yr, &yi)
                store(stage, p: p, q: q, k: 4, b1r - d1i, b1i + d1r, &yr, &yi)
            }
        }
    }

    /// Any radix by its r x r root table (2, 3 and larger primes; rare sizes, so kept simple).
    private static func anyRadix(_ stage: Stage, _ xr: [Double], _ xi: [Double],
                                 _ yr: inout [Double], _ yi: inout [Double]) {
        let radix = stage.radix
        let span = stage.length / radix
        let s = stage.stride
        for p in 0..<span {
            for q in 0..<s {
                for k in 0..<radix {
                    var sumReal = 0.0
                    var sumImag = 0.0
                    for j in 0..<radix {
                        let (ar, ai) = (xr[q + s * (p + j * span)], xi[q + s * (p + j * span)])
                        let (wr, wi) = (stage.rootReal[k * radix + j], stage.rootImag[k * radix + j])
                        sumReal += ar * wr - ai * wi
                        sumImag += ar * wi + ai * wr
                    }
                    store(stage, p: p, q: q, k: k, sumReal, sumImag, &yr, &yi)
                }
            }
        }
    }
}
