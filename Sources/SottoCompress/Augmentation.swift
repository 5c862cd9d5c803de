import Foundation
import SottoTensor

/// Data augmentation for distillation, each part switchable. Augmentation happens when the training
/// examples are cached, not per step: each utterance gets `copies` augmented versions beside its
/// clean one, all sharing the clean audio's pseudo-label. A student with the teacher's (frozen)
/// encoder caches each copy's encoder output, so augmenting costs one encoder forward per copy once,
/// not one per step; an encoder student caches each copy's mel window. In both the teacher's KL
/// targets for an encoder student attend to the clean audio (the student learns to hear through
/// the noise what the teacher heard without it).
public struct AugmentationOptions: Sendable, Equatable {
    /// Augmented copies per utterance (0: no augmentation).
    public var copies = 0
    /// White noise at a signal-to-noise ratio drawn uniformly from this range, in dB.
    public var noiseSNRDecibels: ClosedRange<Double>?
    /// Gain drawn uniformly from this range, in dB (the result is clipped to [-1, 1]).
    public var gainDecibels: ClosedRange<Double>?
    /// Speed factor drawn uniformly from this range (Kaldi's speed perturbation: tempo and pitch
    /// change together, by resampling).
    public var speed: ClosedRange<Double>?
    /// SpecAugment masks on the copy's log-mel window.
    public var specAugment: SpecAugmentOptions?
    /// Short crops of the utterances, labelled by the teacher on their own (independent of `copies`).
    public var shortCrops: ShortCropOptions?

    public init() {}

    public var isEnabled: Bool {
        copies > 0 && (noiseSNRDecibels != nil || gainDecibels != nil || speed != nil || specAugment != nil)
    }

    package func validate() throws {
        guard copies >= 0 else { throw DistillationError.invalidOptions("--augment-copies must be non-negative") }
        guard copies == 0 || isEnabled else {
            throw DistillationError.invalidOptions("--augment-copies needs at least one of --noise-snr, --gain, --speed, --spec-augment")
        }
        if let speed, speed.lowerBound <= 0.5 || speed.upperBound >= 2 {
            throw DistillationError.invalidOptions("--speed factors must lie in (0.5, 2)")
        }
        if let s = specAugment, s.timeMasks < 0 || s.frequencyMasks < 0 || s.maxTimeFrames < 1 || s.maxFrequencyBins < 1 {
            throw DistillationError.invalidOptions("--spec-augment counts must be non-negative and widths positive")
        }
        if let crops = shortCrops {
            guard crops.share > 0, crops.share <= 1 else { throw DistillationError.invalidOptions("--short-crops must lie in (0, 1]") }
            guard crops.seconds.lowerBound >= 0.5, crops.seconds.upperBound <= 25 else {
                throw DistillationError.invalidOptions("--short-crop-seconds must lie within 0.5:25")
            }
        }
    }

    /// A short description for sotto.json.
    package var summary: String {
        var parts = [String]()
        if isEnabled {
            parts.append(copies == 1 ? "1 copy" : "\(copies) copies")
            if let r = noiseSNRDecibels { parts.append("noise \(r.lowerBound)-\(r.upperBound) dB SNR") }
            if let r = gainDecibels { parts.append("gain \(r.lowerBound)-\(r.upperBound) dB") }
            if let r = speed { parts.append("speed \(r.lowerBound)-\(r.upperBound)") }
            if let s = specAugment {
                parts.append("SpecAugment \(s.timeMasks)x\(s.maxTimeFrames) frames, \(s.frequencyMasks)x\(s.maxFrequencyBins) bins")
            }
        }
        if let c = shortCrops { parts.append("short crops of \(c.share) of the utterances, \(c.seconds.lowerBound)-\(c.seconds.upperBound) s") }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }
}

/// Short crops: a share of the training utterances also trains as a crop of its first seconds, cut
/// where the audio is quietest and labelled by the teacher on its own (the crop's label is not the
/// whole utterance's). Training audio packed into 15-28 s chunks seldom shows a student a short clip
/// end (docs/distillation.md, session 7: crops did not by themselves stop an audio-margin student
/// from going on past a 1.9 s clip's end; the decoding rule of `DecodingOptions.audioEndSeconds` did).
public struct ShortCropOptions: Sendable, Equatable {
    /// The share of utterances that get a crop, drawn per utterance.
    public var share: Double
    /// The crop's length is drawn uniformly from this range, then moved to the quietest point near it.
    public var seconds: ClosedRange<Double>

    public init(share: Double, seconds: ClosedRange<Double> = 1...5) {
        (self.share, self.seconds) = (share, seconds)
    }
}

/// SpecAugment (Park et al. 2019) without time warping: masks of up to `maxTimeFrames` frames and up
/// to `maxFrequencyBins` mel bins, set to the window's mean.
public struct SpecAugmentOptions: Sendable, Equatable {
    public var timeMasks = 2
    public var maxTimeFrames = 40
    public var frequencyMasks = 2
    public var maxFrequencyBins = 12

    public init() {}
}

/// The augmentations themselves: plain functions of samples or a mel window and a seeded generator.
package enum Augmenter {
    /// One augmented copy of `samples` (16 kHz mono) per the options' waveform parts.
    package static func waveform(_ samples: [Float], options: AugmentationOptions, random: inout SeededRandom) -> [Float] {
        var out = samples
        if let speed = options.speed { out = changeSpeed(out, factor: uniform(speed, &random)) }
        if let gain = options.gainDecibels { out = applyGain(out, decibels: uniform(gain, &random)) }
        if let snr = options.noiseSNRDecibels { out = addNoise(out, snrDecibels: uniform(snr, &random), random: &random) }
        return out
    }

    package static func uniform(_ range: ClosedRange<Double>, _ random: inout SeededRandom) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * random.nextUnit()
    }

    /// Resampling by linear interpolation: `factor` 1.1 plays 10% faster (and higher), as Kaldi's
    /// sox-based speed perturbation does.
    package static func changeSpeed(_ samples: [Float], factor: Double) -> [Float] {
        guard samples.count > 1, factor != 1 else { return samples }
        let count = max(1, Int((Double(samples.count) / factor).rounded(.down)))
        return (0..<count).map { i in
            let position = Double(i) * factor
            let left = min(Int(position), samples.count - 1), right = min(left + 1, samples.count - 1)
            let t = Float(position - Double(left))
            return samples[left] * (1 - t) + samples[right] * t
        }
    }

    package static func applyGain(_ samples: [Float], decibels: Double) -> [Float] {
        let scale = Float(pow(10, decibels / 20))
        return samples.map { min(1, max(-1, $0 * scale)) }
    }

    /// Gaussian white noise scaled so signal power / noise power = 10^(snr/10).
    package static func addNoise(_ samples: [Float], snrDecibels: Double, random: inout SeededRandom) -> [Float] {
        guard !samples.isEmpty else { return samples }
        let power = samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)
        guard power > 0 else { return samples }
        let sigma = Float((power / pow(10, snrDecibels / 10)).squareRoot())
        return samples.map { $0 + sigma * gaussian(&random) }
    }

    /// Where to cut a crop of about `seconds` of 16 kHz `samples`: the centre of the quietest 20 ms
    /// within 0.25 s of it (10 ms steps), so a cut seldom splits a word.
    package static func cropLength(_ samples: [Float], seconds: Double) -> Int {
        let (half, step, reach) = (160, 160, 4_000)
        let target = Int((seconds * 16_000).rounded())
        let low = max(half, target - reach), high = min(samples.count - half, target + reach)
        guard low <= high else { return min(max(target, 1), samples.count) }
        var best = (position: target, energy: Float.infinity)
        for position in stride(from: low, through: high, by: step) {
            let energy = samples[(position - half)..<(position + half)].reduce(0) { $0 + $1 * $1 }
            if energy < best.energy { best = (position, energy) }
        }
        return best.position
    }

    /// Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
    package static func gaussian(_ random: inout SeededRandom) -> Float {
        let u = 1 - random.nextUnit(), v = random.nextUnit()
        return Float((-2 * log(u)).squareRoot() * cos(2 * Double.pi * v))
    }

    /// Masks `mel` `[nMels, nFrames]` in place; time masks fall within the first `speechFrames` frames
    /// (the rest of the window is padding the encoder sees as silence anyway).
    package static func specAugment(_ mel: inout [Float], nMels: Int, speechFrames: Int, options: SpecAugmentOptions,
                            random: inout SeededRandom) {
        let nFrames = mel.count / nMels
        let mean = mel.reduce(0, +) / Float(max(mel.count, 1))
        for _ in 0..<options.frequencyMasks {
            let width = Int(random.next() % UInt64(options.maxFrequencyBins + 1))
            let start = Int(random.next() % UInt64(max(1, nMels - width + 1)))
            for bin in start..<min(nMels, start + width) {
                for frame in 0..<nFrames { mel[bin * nFrames + frame] = mean }
            }
        }
        let frames = min(max(speechFrames, 1), nFrames)
        for _ in 0..<options.timeMasks {
            let width = min(frames, Int(random.next() % UInt64(options.maxTimeFrames + 1)))
            let start = Int(random.next() % UInt64(max(1, frames - width + 1)))
            for bin in 0..<nMels {
                for frame in start..<min(nFrames, start + width) { mel[bin * nFrames + frame] = mean }
            }
        }
    }
}
