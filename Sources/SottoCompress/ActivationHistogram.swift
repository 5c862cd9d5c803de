import Foundation

/// The distribution of one layer's input magnitudes |x| over a calibration run: the exact maximum
/// and a histogram over [0, range). When a value reaches past the range, the range doubles and bin
/// pairs merge, so counts stay exact while memory stays fixed and the resolution stays within a
/// factor of two of absMax / binCount.
public struct ActivationHistogram: Sendable, Equatable {
    public static let binCount = 16384
    public private(set) var absMax: Float = 0
    public private(set) var range: Float = 0
    public private(set) var bins = [UInt64](repeating: 0, count: binCount)
    public private(set) var total: UInt64 = 0

    public init() {}

    public mutating func add(_ values: ArraySlice<Float>) {
        var largest: Float = 0
        for v in values where abs(v) > largest { largest = abs(v) }
        guard largest.isFinite else { return }
        absMax = max(absMax, largest)
        total += UInt64(values.count)
        guard absMax > 0 else {
            bins[0] += UInt64(values.count)  // all zeros so far: no range to bin against yet
            return
        }
        if range == 0 { range = absMax * 1.0001 }
        while largest >= range { doubleRange() }
        let perUnit = Float(Self.binCount) / range
        bins.withUnsafeMutableBufferPointer { bins in
            for v in values { bins[min(Int(abs(v) * perUnit), Self.binCount - 1)] += 1 }
        }
    }

    private mutating func doubleRange() {
        for i in 0..<(Self.binCount / 2) { bins[i] = bins[2 * i] + bins[2 * i + 1] }
        for i in (Self.binCount / 2)..<Self.binCount { bins[i] = 0 }
        range *= 2
    }

    public var binWidth: Float { range / Float(Self.binCount) }

    /// The magnitude below which `fraction` of the values lie (upper edge of the bin that reaches it).
    public func quantile(_ fraction: Double) -> Float {
        guard total > 0 else { return 0 }
        let target = UInt64((Double(total) * fraction).rounded(.up))
        var seen: UInt64 = 0
        for (i, count) in bins.enumerated() {
            seen += count
            if seen >= target { return min(Float(i + 1) * binWidth, absMax) }
        }
        return absMax
    }

    /// Mean squared error of symmetric int8 quantization with clipping at `clip` (scale clip/127),
    /// taking each bin's values at its centre.
    public func quantizationError(clip: Float) -> Double {
        guard total > 0, clip > 0 else { return 0 }
        let scale = Double(clip) / 127
        var sum = 0.0
        for (i, count) in bins.enumerated() where count > 0 {
            let x = (Double(i) + 0.5) * Double(binWidth)
            let q = min((x / scale).rounded(), 127) * scale
            sum += Double(count) * (x - q) * (x - q)
        }
        return sum / Double(total)
    }
}

/// How a static activation scale is chosen from a layer's histogram.
public enum ScaleObserver: String, Sendable, CaseIterable, Codable {
    /// The largest magnitude seen: nothing clips, but one outlier coarsens every other value.
    case minMax = "minmax"
    /// The 99.99th percentile of |x|: the rarest outliers clip.
    case percentile
    /// The clip that minimizes the mean squared quantization error (rounding plus clipping).
    case mse

    public static let percentileFraction = 0.9999
    /// Chosen by measurement on the dev set (docs/compression.md): percentile was 1-2 words better on
    /// tiny.en but wrecked base (11.7% WER against minmax's 0.4%: base needs its activation outliers).
    public static let defaultObserver = ScaleObserver.minMax

    public func scale(_ histogram: ActivationHistogram) -> Float {
        let clip: Float
        switch self {
        case .minMax: clip = histogram.absMax
        case .percentile: clip = histogram.quantile(Self.percentileFraction)
        case .mse: clip = Self.bestClip(histogram)
        }
        return max(clip, .leastNormalMagnitude) / 127
    }

    /// Searches clips from absMax down to absMax / 64 on a geometric grid.
    private static func bestClip(_ histogram: ActivationHistogram) -> Float {
        var best = (clip: histogram.absMax, error: histogram.quantizationError(clip: histogram.absMax))
        for step in 1...120 {
            let clip = histogram.absMax * Float(pow(2.0, -Double(step) / 20))
            let error = histogram.quantizationError(clip: clip)
            if error < best.error { best = (clip, error) }
        }
        return best.clip
    }
}
