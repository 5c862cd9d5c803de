import Foundation
import SottoModel

/// Turns the alignment heads' raw cross-attention scores into the token-by-audio-position matrix
/// that dynamic time warping walks (openai/whisper timing.py `find_alignment`, CTranslate2's
/// `WhisperReplica::align`): per head, a softmax over the window's audio positions that hold
/// audio, a standardisation of each audio position across tokens, a median filter along time,
/// then the mean over heads.
package enum AlignmentMatrix {
    /// Whisper's median filter width over audio positions.
    package static let medianFilterWidth = 7

    /// `scores`: per head `[tokens, totalFrames]`; `frames` (<= totalFrames) audio positions hold
    /// audio. Returns `[rows.count, frames]` row-major for the token positions `rows`.
    package static func compute(scores: [[Float]], tokens: Int, totalFrames: Int, frames: Int, rows: Range<Int>) -> [Float] {
        precondition(frames >= 0 && frames <= totalFrames && rows.lowerBound >= 0 && rows.upperBound <= tokens, "alignment shapes")
        var mean = [Float](repeating: 0, count: rows.count * frames)
        guard !scores.isEmpty, frames > 0 else { return mean }
        for headScores in scores {
            var weights = softmax(headScores, tokens: tokens, totalFrames: totalFrames, frames: frames)
            standardize(&weights, tokens: tokens, frames: frames)
            let filtered = medianFilter(weights, rows: tokens, columns: frames, width: medianFilterWidth)
            for (r, row) in rows.enumerated() {
                for f in 0..<frames { mean[r * frames + f] += filtered[row * frames + f] }
            }
        }
        let heads = Float(scores.count)
        for i in mean.indices { mean[i] /= heads }
        return mean
    }

    /// Each token's scores over the first `frames` audio positions, softmaxed: `[tokens, frames]`.
    package static func softmax(_ scores: [Float], tokens: Int, totalFrames: Int, frames: Int) -> [Float] {
        var out = [Float](repeating: 0, count: tokens * frames)
        for t in 0..<tokens {
            let row = scores[(t * totalFrames)..<(t * totalFrames + frames)]
            let maximum = row.max() ?? 0
            var sum: Float = 0
            for (f, value) in row.enumerated() {
                let e = Foundation.exp(value - maximum)
                out[t * frames + f] = e
                sum += e
            }
            for f in 0..<frames { out[t * frames + f] /= sum }
        }
        return out
    }

    /// Per audio position, `(w - mean) / std` over tokens with the population deviation (torch's
    /// `std_mean(unbiased=False)`). A column with no spread becomes zeros, where the references
    /// would divide 0 by 0.
    package static func standardize(_ w: inout [Float], tokens: Int, frames: Int) {
        for f in 0..<frames {
            var sum: Float = 0
            for t in 0..<tokens { sum += w[t * frames + f] }
            let mean = sum / Float(tokens)
            var squares: Float = 0
            for t in 0..<tokens { squares += (w[t * frames + f] - mean) * (w[t * frames + f] - mean) }
            let std = (squares / Float(tokens)).squareRoot()
            for t in 0..<tokens { w[t * frames + f] = std > 0 ? (w[t * frames + f] - mean) / std : 0 }
        }
    }

    /// Median of each `width` window along every row, the row mirrored at its ends without repeating
    /// the edge (torch's `reflect` padding). Rows no longer than `width / 2` pass through unchanged,
    /// as in CTranslate2 (reflection needs more).
    package static func medianFilter(_ x: [Float], rows: Int, columns: Int, width: Int) -> [Float] {
        precondition(width > 0 && width % 2 == 1, "median filter width must be odd")
        let half = width / 2
        guard columns > half else { return x }
        var out = x
        var window = [Float](repeating: 0, count: width)
        for r in 0..<rows {
            let base = r * columns
            for c in 0..<columns {
                for k in -half...half {
                    var read = abs(c + k)
                    if read >= columns { read = 2 * (columns - 1) - read }
                    window[k + half] = x[base + read]
                }
                window.sort()
                out[base + c] = window[half]
            }
        }
        return out
    }
}
