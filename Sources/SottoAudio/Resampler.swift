/// Band-limited sample-rate conversion by a polyphase windowed-sinc filter.
///
/// The rate ratio is reduced to upFactor/downFactor (44100 -> 16000 is 160/441). Output sample n lies at
/// input position n * downFactor / upFactor; its fractional part is one of `upFactor` phases, and each
/// phase's taps are computed once. The low-pass cutoff sits at `cutoffFraction` of the lower Nyquist
/// with a Kaiser window designed for `stopbandAttenuationDB`, so the stopband begins before the lower
/// Nyquist and nothing above it aliases back.
package struct Resampler: Sendable {
    package let inputRateHz: Int
    package let outputRateHz: Int
    let upFactor: Int
    let downFactor: Int
    /// Offset of each phase's first tap from floor(input position).
    let firstTapOffset: Int
    let tapsPerPhase: Int
    /// [upFactor, tapsPerPhase] row-major.
    let phaseTaps: [Float]

    /// 0.9 of Nyquist leaves 0.1 for the transition band: with 32 zero crossings each side and 90 dB,
    /// Kaiser's formula gives a transition of about 0.089 of the low rate, so the stopband starts
    /// near 0.99 of Nyquist (7.9 kHz at 16 kHz) and the passband is flat to about 6.5 kHz.
    static let cutoffFraction = 0.9
    static let zeroCrossingsPerSide = 32.0
    static let stopbandAttenuationDB = 90.0

    package init(inputRateHz: Int, outputRateHz: Int = AudioTiming.sampleRateHz) {
        precondition(inputRateHz > 0 && outputRateHz > 0, "sample rates must be positive")
        self.inputRateHz = inputRateHz
        self.outputRateHz = outputRateHz
        let divisor = Self.greatestCommonDivisor(inputRateHz, outputRateHz)
        upFactor = outputRateHz / divisor
        downFactor = inputRateHz / divisor

        // Filter design in input-sample units.
        let lowerRateHz = Double(min(inputRateHz, outputRateHz))
        let cutoff = Self.cutoffFraction * 0.5 * lowerRateHz / Double(inputRateHz)
        let halfWidth = Self.zeroCrossingsPerSide * Double(inputRateHz) / lowerRateHz
        let beta = KaiserWindow.beta(attenuationDB: Self.stopbandAttenuationDB)
        let reach = Int(halfWidth.rounded(.down))
        firstTapOffset = -reach
        tapsPerPhase = 2 * reach + 2
        var taps = [Float](repeating: 0, count: upFactor * tapsPerPhase)
        for phase in 0..<upFactor {
            let fraction = Double(phase) / Double(upFactor)
            for tap in 0..<tapsPerPhase {
                let offset = Double(firstTapOffset + tap) - fraction
                taps[phase * tapsPerPhase + tap] = Float(KaiserWindow.lowPassTap(
                    offset: offset, cutoffCyclesPerSample: cutoff, halfWidth: halfWidth, beta: beta))
            }
        }
        phaseTaps = taps
    }

    /// Output length: every output instant that falls inside the input's span.
    package func outputCount(inputCount: Int) -> Int {
        (inputCount * upFactor + downFactor - 1) / downFactor
    }

    package func resample(_ input: [Float]) -> [Float] {
        if upFactor == downFactor { return input }
        let outputLength = outputCount(inputCount: input.count)
        var output = [Float](repeating: 0, count: outputLength)
        for n in 0..<outputLength {
            let position = n * downFactor
            let base = position / upFactor + firstTapOffset
            let tapBase = (position % upFactor) * tapsPerPhase
            // Taps that fall before the first or after the last input sample see zeros.
            let firstTap = max(0, -base)
            let endTap = min(tapsPerPhase, input.count - base)
            output[n] = firstTap < endTap
                ? Self.dot(phaseTaps, from: tapBase + firstTap, input, from: base + firstTap, count: endTap - firstTap)
                : 0
        }
        return output
    }

    /// Dot product of `count` values from each array. Eight lanes accumulate separately so the loop
    /// vectorizes (a single Float sum would pin the order of the additions).
    @inline(__always)
    private static func dot(_ a: [Float], from aStart: Int, _ b: [Float], from bStart: Int, count: Int) -> Float {
        var lanes = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            let x = SIMD8<Float>(a[aStart + i], a[aStart + i + 1], a[aStart + i + 2], a[aStart + i + 3],
                                 a[aStart + i + 4], a[aStart + i + 5], a[aStart + i + 6], a[aStart + i + 7])
            let y = SIMD8<Float>(b[bStart + i], b[bStart + i + 1], b[bStart + i + 2], b[bStart + i + 3],
                                 b[bStart + i + 4], b[bStart + i + 5], b[bStart + i + 6], b[bStart + i + 7])
            lanes += x * y  // not addProduct: without FMA in the baseline x86-64 target it calls libm fma
            i += 8
        }
        var sum = lanes.sum()
        while i < count {
            sum += a[aStart + i] * b[bStart + i]
            i += 1
        }
        return sum
    }

    private static func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}
