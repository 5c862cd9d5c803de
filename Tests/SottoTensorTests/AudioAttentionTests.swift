import SottoTensor
import SottoTestSupport
import Testing

@Suite("Audio attention")
struct AudioAttentionTests {
    static let paths = WeightKernelPath.allCases.filter { $0 != .automatic && $0.isSupported }

    /// Frames that fill no tile, part of one, several plus a remainder, and Whisper's 1500; head widths
    /// that fit the vector kernels (multiples of 8) and one that falls back to scalar (12).
    @Test("matches the double-precision reference", arguments: [1, 7, 33, 1500], [(1, 8), (3, 24), (2, 12), (6, 64)])
    func matchesReference(frames: Int, heads: (Int, Int)) {
        let (nHead, headDim) = heads
        let width = nHead * headDim
        var rng = SeededGenerator(seed: UInt64(frames * 100 + width))
        let fused = rng.floats(frames * 2 * width, scale: 2)
        for rows in [1, 5] {
            let query = rng.floats(rows * width, scale: 2)
            for precision in AudioKeysValues.Precision.allCases {
                let audio = AudioKeysValues(fused: fused, frames: frames, heads: nHead, width: width, precision: precision)
                // The reference sees the keys/values the cache holds: rounded to half for float16.
                let held = precision == .float16 ? Float16.bitPatterns(of: fused, path: .scalar).map { Float(Float16(bitPattern: $0)) } : fused
                let kv = MatrixView(held, rows: frames, cols: 2 * width)
                let expected = Attention.forwardReference(query: MatrixView(query, rows: rows, cols: width),
                                                          key: kv.columns(0..<width), value: kv.columns(width..<2 * width), heads: nHead)
                for path in Self.paths {
                    var output = [Float](repeating: .nan, count: rows * width)
                    AudioAttention.forward(query: query, rows: rows, audio: audio, into: &output, path: path)
                    expectClose(output, expected, "audio attention \(frames) frames, \(rows) rows, heads \(nHead)x\(headDim), \(precision), \(path)")
                }
            }
        }
    }

    /// The alignment scores (word timestamps) are each row's scaled dot products with every frame's
    /// key, before the softmax, for the head asked for.
    @Test("scores are the scaled dot products of one head", arguments: [1, 33, 1500])
    func scoresOfOneHead(frames: Int) {
        let (nHead, headDim, rows) = (3, 16, 4)
        let width = nHead * headDim
        var rng = SeededGenerator(seed: UInt64(frames))
        let fused = rng.floats(frames * 2 * width)
        let audio = AudioKeysValues(fused: fused, frames: frames, heads: nHead, width: width, precision: .float32)
        let query = rng.floats(rows * width, scale: 2)
        for head in 0..<nHead {
            let scores = AudioAttention.scores(query: query, rows: rows, head: head, audio: audio)
            var expected = [Float](repeating: 0, count: rows * frames)
            for r in 0..<rows {
                for f in 0..<frames {
                    var dot: Double = 0
                    for d in 0..<headDim {
                        dot += Double(query[r * width + head * headDim + d]) * Double(fused[f * 2 * width + head * headDim + d])
                    }
                    expected[r * frames + f] = Float(dot / Double(headDim).squareRoot())
                }
            }
            expectClose(scores, expected, "scores of head \(head), \(frames) frames")
        }
    }

    /// A slice of rows (one decoder state in a batch of several) gives exactly what those rows give
    /// alone, and leaves the other rows of the output untouched.
    @Test("a slice of rows from firstRow matches those rows alone")
    func rowSlice() {
        let (frames, nHead, headDim) = (33, 2, 16)
        let width = nHead * headDim
        var rng = SeededGenerator(seed: 21)
        let audio = AudioKeysValues(fused: rng.floats(frames * 2 * width), frames: frames, heads: nHead, width: width,
                                    precision: .float32)
        let query = rng.floats(5 * width, scale: 2)
        var alone = [Float](repeating: 0, count: 2 * width)
        AudioAttention.forward(query: Array(query[(2 * width)..<(4 * width)]), rows: 2, audio: audio, into: &alone)
        var sliced = [Float](repeating: .nan, count: 5 * width)
        AudioAttention.forward(query: query, firstRow: 2, rows: 2, audio: audio, into: &sliced)
        #expect(Array(sliced[(2 * width)..<(4 * width)]) == alone)
        #expect(sliced[0..<(2 * width)].allSatisfy(\.isNaN) && sliced[(4 * width)...].allSatisfy(\.isNaN))
    }

    @Test("float16 storage halves the bytes")
    func halfTheBytes() {
        var rng = SeededGenerator(seed: 3)
        let fused = rng.floats(1500 * 2 * 384)
        let single = AudioKeysValues(fused: fused, frames: 1500, heads: 6, width: 384, precision: .float32)
        let half = AudioKeysValues(fused: fused, frames: 1500, heads: 6, width: 384, precision: .float16)
        #expect(single.byteCount == 1504 * 384 * 4 + 1500 * 384 * 4)
        #expect(half.byteCount * 2 == single.byteCount)
    }

    /// Round to nearest even at every boundary: subnormals, ties, the largest finite half, overflow, NaN.
    @Test("float-to-half conversion agrees with Float16 on every path")
    func halfConversion() {
        var values: [Float] = [0, -0, 1, -1, 65504, 65519.99, 65520, -65520, 1e-8, 5.96e-8, 2.98e-8, 2.99e-8, 6.1e-5, 6.09e-5,
                               1 + 1.0 / 2048, 1 + 3.0 / 2048, .infinity, -.infinity, 1e30, .leastNonzeroMagnitude]
        var rng = SeededGenerator(seed: 11)
        values += rng.floats(3001, scale: 70_000)
        values += rng.floats(1000, scale: 1e-4)
        let expected = values.map { Float16($0).bitPattern }
        for path in Self.paths {
            let got = Float16.bitPatterns(of: values, path: path)
            let mismatches = values.indices.filter { got[$0] != expected[$0] }
            #expect(mismatches.isEmpty, "\(path): \(mismatches.prefix(5).map { (values[$0], got[$0], expected[$0]) })")
        }
        let nan = Float16.bitPatterns(of: [.nan], path: .scalar)[0]
        #expect(Float16(bitPattern: nan).isNaN)
    }
}
