import Foundation

/// Whisper's log-mel spectrogram, matching openai/whisper `log_mel_spectrogram` and faster-whisper's
/// `FeatureExtractor.__call__`: append `paddingSamples` zeros, reflect-pad n_fft/2 on both sides,
/// periodic Hann window, STFT with n_fft 400 and hop 160, power spectrum, drop the last frame,
/// Slaney mel filters, log10(max(x, 1e-10)), floor at (max - 8), then (x + 4) / 4.
///
/// Arithmetic is in Double (the reference uses float32); the two agree to about 1e-5.
public struct LogMelSpectrogram: Sendable {
    public let nMels: Int
    let filterBank: MelFilterBank
    let fft: FFT
    /// Periodic Hann: 0.5 - 0.5 cos(2 pi t / n_fft), i.e. np.hanning(n_fft + 1)[:-1].
    let window: [Double]

    static let powerFloor = 1e-10
    static let dynamicRangeLog10 = 8.0

    /// `nMels` is 80 for most Whisper models and 128 for large-v3.
    public init(nMels: Int) {
        self.nMels = nMels
        filterBank = MelFilterBank(nMels: nMels)
        fft = FFT(size: AudioTiming.nFFT)
        let n = AudioTiming.nFFT
        window = (0..<n).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n)) }
    }

    /// Whisper's log-mel of `samples` (16 kHz) after appending `paddingSamples` zeros.
    public func compute(_ samples: [Float], paddingSamples: Int = AudioTiming.hopLengthSamples) -> MelFeatures {
        precondition(paddingSamples >= 0, "paddingSamples must not be negative")
        let paddedCount = samples.count + paddingSamples
        // The centred STFT has 1 + paddedCount / hop frames; Whisper drops the last one.
        let frameCount = paddedCount / AudioTiming.hopLengthSamples
        guard frameCount > 0 else { return MelFeatures(nMels: nMels, nFrames: 0, values: []) }
        let extended = Self.reflectPadded(samples, paddedCount: paddedCount, edge: AudioTiming.nFFT / 2)
        var logMel = [Float](repeating: 0, count: nMels * frameCount)
        var maximum = -Double.infinity
        var spectra = PairedPowerSpectra(size: AudioTiming.nFFT)
        var frame = 0
        while frame < frameCount {
            let hasSecond = frame + 1 < frameCount
            spectra.compute(extended, firstStart: frame * AudioTiming.hopLengthSamples,
                            secondStart: hasSecond ? (frame + 1) * AudioTiming.hopLengthSamples : nil,
                            window: window, fft: fft)
            maximum = max(maximum, storeLog10Mel(spectra.first, frame: frame, frameCount: frameCount, into: &logMel))
            if hasSecond {
                maximum = max(maximum, storeLog10Mel(spectra.second, frame: frame + 1, frameCount: frameCount,
                                                     into: &logMel))
            }
            frame += 2
        }
        let floor = Float(maximum - Self.dynamicRangeLog10)
        for i in logMel.indices {
            logMel[i] = (max(logMel[i], floor) + 4) / 4
        }
        return MelFeatures(nMels: nMels, nFrames: frameCount, values: logMel)
    }

    /// Writes log10(max(mel, 1e-10)) of one power spectrum into column `frame`; returns its maximum.
    private func storeLog10Mel(_ power: [Double], frame: Int, frameCount: Int, into logMel: inout [Float]) -> Double {
        var maximum = -Double.infinity
        for mel in 0..<nMels {
            let value = log10(max(filterBank.apply(power, mel: mel), Self.powerFloor))
            maximum = max(maximum, value)
            logMel[mel * frameCount + frame] = Float(value)
        }
        return maximum
    }

    /// `samples` followed by zeros up to `paddedCount`, with `edge` reflected samples on each side
    /// (numpy's mode="reflect": the edge sample itself is not repeated; short inputs reflect again).
    static func reflectPadded(_ samples: [Float], paddedCount: Int, edge: Int) -> [Float] {
        var extended = [Float](repeating: 0, count: paddedCount + 2 * edge)
        for i in 0..<samples.count {
            extended[edge + i] = samples[i]
        }
        let period = 2 * (paddedCount - 1)
        for i in (-edge..<0).reversed() + Array(paddedCount..<paddedCount + edge) {
            var source = 0
            if period > 0 {
                let folded = ((i % period) + period) % period
                source = folded < paddedCount ? folded : period - folded
            }
            extended[edge + i] = source < samples.count ? samples[source] : 0
        }
        return extended
    }
}

/// Power spectra of two real frames from one complex FFT: the first frame goes in the real part,
/// the second in the imaginary part, and the conjugate symmetry of real transforms separates them.
struct PairedPowerSpectra {
    let size: Int
    private(set) var first: [Double]
    private(set) var second: [Double]
    private var real: [Double]
    private var imag: [Double]
    private var scratchReal: [Double]
    private var scratchImag: [Double]

    init(size: Int) {
        self.size = size
        first = [Double](repeating: 0, count: size / 2 + 1)
        second = first
        real = [Double](repeating: 0, count: size)
        imag = real
        scratchReal = real
        scratchImag = real
    }

    /// |rfft(window * x[start ..< start + size])|^2 for each start; no second frame gives zeros.
    mutating func compute(_ x: [Float], firstStart: Int, secondStart: Int?, window: [Double], fft: FFT) {
        for t in 0..<size {
            real[t] = window[t] * Double(x[firstStart + t])
        }
        if let secondStart {
            for t in 0..<size {
                imag[t] = window[t] * Double(x[secondStart + t])
            }
        } else {
            for t in 0..<size { imag[t] = 0 }
        }
        fft.forward(real: &real, imag: &imag, scratchReal: &scratchReal, scratchImag: &scratchImag)
        for k in 0...(size / 2) {
            let mirror = (size - k) % size
            // X1 = (Z[k] + conj Z[n-k]) / 2,  X2 = (Z[k] - conj Z[n-k]) / 2i.
            let firstReal = 0.5 * (real[k] + real[mirror])
            let firstImag = 0.5 * (imag[k] - imag[mirror])
            let secondReal = 0.5 * (imag[k] + imag[mirror])
            let secondImag = -0.5 * (real[k] - real[mirror])
            first[k] = firstReal * firstReal + firstImag * firstImag
            second[k] = secondReal * secondReal + secondImag * secondImag
        }
    }
}
