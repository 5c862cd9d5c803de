import Foundation

/// Slaney-style triangular mel filters over the n_fft/2 + 1 STFT bins, computed exactly as
/// faster-whisper's `FeatureExtractor.get_mel_filters` (librosa's `mel(htk=False, norm="slaney")`),
/// including its rounding of the weights to float32.
package struct MelFilterBank: Sendable {
    package let nMels: Int
    package let binCount: Int
    /// Each filter's non-zero span: weights for bins firstBin..<firstBin + weights.count.
    package let firstBin: [Int]
    package let weights: [[Double]]

    package init(nMels: Int, sampleRateHz: Int = AudioTiming.sampleRateHz, nFFT: Int = AudioTiming.nFFT) {
        precondition(nMels > 0, "nMels must be positive")
        self.nMels = nMels
        binCount = nFFT / 2 + 1
        let dense = Self.denseWeights(nMels: nMels, sampleRateHz: sampleRateHz, nFFT: nFFT)
        var firstBin: [Int] = []
        var weights: [[Double]] = []
        for row in dense {
            let nonZero = row.indices.filter { row[$0] != 0 }
            guard let first = nonZero.first, let last = nonZero.last else {
                firstBin.append(0)
                weights.append([])
                continue
            }
            firstBin.append(first)
            weights.append(Array(row[first...last]))
        }
        self.firstBin = firstBin
        self.weights = weights
    }

    /// [nMels][binCount], step for step as the reference (its names in comments).
    static func denseWeights(nMels: Int, sampleRateHz: Int, nFFT: Int) -> [[Double]] {
        let binCount = nFFT / 2 + 1
        // fftfreqs = np.fft.rfftfreq(n_fft, 1 / sr)
        let binSpacingHz = 1.0 / (Double(nFFT) * (1.0 / Double(sampleRateHz)))
        let fftFrequencies = (0..<binCount).map { Double($0) * binSpacingHz }
        // mels = np.linspace(0, 45.245640471924965, n_mels + 2): the mel of 8 kHz on the Slaney scale.
        let maxMel = 45.245640471924965
        let edgeCount = nMels + 2
        let melStep = maxMel / Double(edgeCount - 1)
        let mels = (0..<edgeCount).map { $0 == edgeCount - 1 ? maxMel : Double($0) * melStep }
        // Linear below 1 kHz (200/3 Hz per mel), logarithmic above.
        let hzPerMel = 200.0 / 3
        let minLogHz = 1000.0
        let minLogMel = minLogHz / hzPerMel
        let logStep = log(6.4) / 27.0
        let edgesHz = mels.map { mel in
            mel >= minLogMel ? minLogHz * exp(logStep * (mel - minLogMel)) : hzPerMel * mel
        }
        var rows: [[Double]] = []
        for m in 0..<nMels {
            // Slaney normalization: each triangle has (approximately) equal area.
            let enorm = 2.0 / (edgesHz[m + 2] - edgesHz[m])
            let row = fftFrequencies.map { frequency -> Double in
                let lower = -(edgesHz[m] - frequency) / (edgesHz[m + 1] - edgesHz[m])
                let upper = (edgesHz[m + 2] - frequency) / (edgesHz[m + 2] - edgesHz[m + 1])
                let weight = max(0, min(lower, upper)) * enorm
                return Double(Float(weight))
            }
            rows.append(row)
        }
        return rows
    }

    /// Filter outputs for one power spectrum of `binCount` values.
    @inline(__always)
    func apply(_ power: [Double], mel m: Int) -> Double {
        let start = firstBin[m]
        let row = weights[m]
        var sum = 0.0
        for i in 0..<row.count {
            sum += row[i] * power[start + i]
        }
        return sum
    }
}
