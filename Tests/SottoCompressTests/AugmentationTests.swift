import Foundation
import SottoCompress
import SottoTensor
import Testing

/// The waveform and mel augmentations on synthetic signals, and their switches.
@Suite struct AugmentationTests {
    static let tone: [Float] = (0..<16_000).map { 0.5 * sin(2 * Float.pi * 440 * Float($0) / 16_000) }

    @Test(arguments: [0.9, 1.0, 1.1])
    func speedChangesTheLengthByTheFactor(factor: Double) {
        let out = Augmenter.changeSpeed(Self.tone, factor: factor)
        #expect(abs(Double(out.count) - 16_000 / factor) <= 1)
        #expect(out.first == Self.tone.first)
    }

    @Test func gainScalesAndClips() {
        let out = Augmenter.applyGain([0.1, -0.1, 0.9], decibels: 20)
        #expect(abs(out[0] - 1.0) < 1e-5 && abs(out[1] + 1.0) < 1e-5 && out[2] == 1)
        #expect(abs(Augmenter.applyGain([0.5], decibels: -6.0206)[0] - 0.25) < 1e-4)
    }

    @Test(arguments: [0.0, 10.0, 30.0])
    func noiseHasTheAskedSignalToNoiseRatio(snr: Double) {
        var random = SeededRandom(seed: 7)
        let noisy = Augmenter.addNoise(Self.tone, snrDecibels: snr, random: &random)
        let signal = Self.tone.reduce(0.0) { $0 + Double($1 * $1) }
        let noise = zip(noisy, Self.tone).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        #expect(abs(10 * log10(signal / noise) - snr) < 0.3, "measured \(10 * log10(signal / noise)) dB")
    }

    @Test func specAugmentMasksBoundedBandsWithinTheSpeech() {
        let (nMels, nFrames, speech) = (80, 300, 100)
        var mel = (0..<nMels * nFrames).map { Float($0 % 7) }
        let original = mel
        var options = SpecAugmentOptions()
        (options.timeMasks, options.maxTimeFrames, options.frequencyMasks, options.maxFrequencyBins) = (1, 20, 1, 10)
        var random = SeededRandom(seed: 3)
        Augmenter.specAugment(&mel, nMels: nMels, speechFrames: speech, options: options, random: &random)
        let mean = original.reduce(0, +) / Float(original.count)
        let changed = (0..<mel.count).filter { mel[$0] != original[$0] }
        #expect(changed.allSatisfy { mel[$0] == mean })
        // Masked columns: whole columns of the time mask lie inside the speech frames.
        let fullColumns = (0..<nFrames).filter { frame in (0..<nMels).allSatisfy { mel[$0 * nFrames + frame] == mean } }
        #expect(fullColumns.count <= 20 && fullColumns.allSatisfy { $0 < speech })
        let fullRows = (0..<nMels).filter { bin in (0..<nFrames).allSatisfy { mel[bin * nFrames + $0] == mean } }
        #expect(fullRows.count <= 10)
    }

    @Test func aCopyIsRepeatableFromItsSeed() {
        var options = AugmentationOptions()
        (options.copies, options.noiseSNRDecibels, options.gainDecibels, options.speed) = (1, 5...20, -6...6, 0.9...1.1)
        var a = SeededRandom(seed: 11), b = SeededRandom(seed: 11), c = SeededRandom(seed: 12)
        let first = Augmenter.waveform(Self.tone, options: options, random: &a)
        #expect(first == Augmenter.waveform(Self.tone, options: options, random: &b))
        #expect(first != Augmenter.waveform(Self.tone, options: options, random: &c))
    }

    @Test func copiesWithoutAnAugmentationAreRefused() throws {
        var options = AugmentationOptions()
        options.copies = 2
        #expect(throws: DistillationError.self) { try options.validate() }
        options.speed = 0.4...1.1
        #expect(throws: DistillationError.self) { try options.validate() }
        options.speed = 0.9...1.1
        try options.validate()
        #expect(options.summary == "2 copies, speed 0.9-1.1")
    }

    /// A crop ends in the quietest 20 ms within 0.25 s of its drawn length, never past the audio.
    @Test func aCropEndsInTheNearestQuietPoint() {
        var random = SeededRandom(seed: 5)
        var speech = (0..<(4 * 16_000)).map { _ in Float(random.nextUnit() - 0.5) }
        for i in 33_600..<34_400 { speech[i] = 0.001 * speech[i] }  // a 50 ms pause at 2.1-2.15 s
        let cut = Augmenter.cropLength(speech, seconds: 2.0)
        #expect((33_600...34_400).contains(cut), "cut at sample \(cut)")
        // No pause within reach: the quietest frame is still within 0.25 s of the target.
        let far = Augmenter.cropLength(speech, seconds: 3.0)
        #expect(abs(far - 48_000) <= 4_000)
        #expect(Augmenter.cropLength(speech, seconds: 3.99) <= speech.count)
    }

    @Test func shortCropsAreSummarizedAndBadSharesRefused() throws {
        var options = AugmentationOptions()
        options.shortCrops = ShortCropOptions(share: 0.25)
        try options.validate()
        #expect(options.summary == "short crops of 0.25 of the utterances, 1.0-5.0 s")
        for bad in [ShortCropOptions(share: 0), ShortCropOptions(share: 1.5), ShortCropOptions(share: 0.5, seconds: 0.2...3)] {
            options.shortCrops = bad
            #expect(throws: DistillationError.self) { try options.validate() }
        }
    }
}
