import SottoDecoding
import Foundation
import Testing

@Suite struct AlignmentMatrixTests {
    /// Reflected at the ends without repeating the edge: [5 1 9 3 7] reads [1 5 1 9 3 7 3].
    @Test func medianFilterReflectsAtTheEnds() {
        let filtered = AlignmentMatrix.medianFilter([5, 1, 9, 3, 7], rows: 1, columns: 5, width: 3)
        #expect(filtered == [1, 5, 3, 7, 3])
    }

    @Test func medianFilterRunsPerRow() {
        let filtered = AlignmentMatrix.medianFilter([5, 1, 9, 3, 7, 0, 0, 4, 0, 0], rows: 2, columns: 5, width: 3)
        #expect(filtered == [1, 5, 3, 7, 3, 0, 0, 0, 0, 0])
    }

    /// Too short a row to reflect: left as it is, as CTranslate2 does.
    @Test func medianFilterLeavesShortRows() {
        #expect(AlignmentMatrix.medianFilter([3, 1, 2], rows: 1, columns: 3, width: 7) == [3, 1, 2])
    }

    /// Only the audio positions that hold audio take part in the softmax.
    @Test func softmaxIgnoresPaddingPositions() {
        let weights = AlignmentMatrix.softmax([0, Float(log(3.0)), 100], tokens: 1, totalFrames: 3, frames: 2)
        #expect(abs(weights[0] - 0.25) < 1e-6 && abs(weights[1] - 0.75) < 1e-6)
    }

    /// Each audio position is standardised across tokens (population deviation); no spread gives zeros.
    @Test func standardizeWorksPerAudioPosition() {
        var w: [Float] = [1, 5,
                          3, 5]
        AlignmentMatrix.standardize(&w, tokens: 2, frames: 2)
        #expect(w == [-1, 0, 1, 0])
    }

    /// Two heads that agree on a diagonal band (7 positions wide, so the median filter keeps it)
    /// give a matrix whose rows peak inside their band; only the rows asked for are returned.
    @Test func headsAverageIntoTheRowsAskedFor() {
        let tokens = 3, frames = 30
        var scores = [Float](repeating: 0, count: tokens * frames)
        for t in 0..<tokens {
            for c in (10 * t)..<(10 * t + 7) { scores[t * frames + c] = 8 }
        }
        let matrix = AlignmentMatrix.compute(scores: [scores, scores], tokens: tokens, totalFrames: frames, frames: 28,
                                             rows: 1..<3)
        #expect(matrix.count == 2 * 28)
        for (r, t) in (1..<3).enumerated() {
            let row = Array(matrix[(r * 28)..<((r + 1) * 28)])
            let peak = row.firstIndex(of: row.max()!)!
            #expect((10 * t)..<(10 * t + 7) ~= peak, "row \(t) peaks at \(peak)")
        }
    }
}
