import SottoTensor
import SottoTestSupport
import Testing

@Suite("Gemm")
struct GemmTests {
    @Test("linear matches the scalar reference", arguments: [(1, 31, 33), (31, 33, 1), (33, 1, 31), (1500, 31, 33), (2, 384, 1500)], [true, false])
    func linear(shape: (Int, Int, Int), withBias: Bool) {
        let (rows, inFeatures, outFeatures) = shape
        var rng = SeededGenerator(seed: UInt64(rows * 7 + inFeatures))
        let input = rng.floats(rows * inFeatures)
        let weight = Tensor(shape: [outFeatures, inFeatures], data: rng.floats(outFeatures * inFeatures))
        let bias = withBias ? rng.floats(outFeatures) : nil
        var output = [Float](repeating: .nan, count: rows * outFeatures + 3)
        Gemm.linear(input, rows: rows, weight: weight, bias: bias, into: &output)
        expectClose(Array(output.prefix(rows * outFeatures)), Gemm.linearReference(input, rows: rows, weight: weight, bias: bias),
                    "linear \(shape) bias \(withBias)")
        let tail = output.suffix(3).filter { !$0.isNaN }
        #expect(tail.isEmpty, "linear wrote past its output")
    }
}

/// Products large enough to be split over threads (by rows of C, or by columns when C is short and
/// wide), in every transpose combination, against a double-precision reference.
@Suite("Gemm blocks", .serialized)
struct GemmBlockTests {
    // Turns the split on for the rest of this test process: both ways give the same products.
    init() { BLASThreading.ownThreads = true }

    static func reference(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool,
                          alpha: Float, beta: Float, c: [Float]) -> [Float] {
        var out = c
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = transposeA ? a[p * m + i] : a[i * k + p]
                    let y = transposeB ? b[j * k + p] : b[p * n + j]
                    sum += Double(x) * Double(y)
                }
                out[i * n + j] = Float(Double(alpha) * sum + Double(beta) * Double(c[i * n + j]))
            }
        }
        return out
    }

    @Test(arguments: [(1500, 33, 31), (3, 2048, 64), (257, 129, 40)], [(false, false), (true, false), (false, true), (true, true)])
    func sgemmBlocksMatchTheReference(shape: (Int, Int, Int), transposes: (Bool, Bool)) {
        let (m, n, k) = shape
        var rng = SeededGenerator(seed: UInt64(m + n + k))
        let a = rng.floats(m * k), b = rng.floats(k * n), c0 = rng.floats(m * n)
        var c = c0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    Gemm.sgemm(pa.baseAddress!, lda: transposes.0 ? m : k, transposeA: transposes.0,
                               pb.baseAddress!, ldb: transposes.1 ? k : n, transposeB: transposes.1,
                               pc.baseAddress!, ldc: n, m: m, n: n, k: k, alpha: 0.5, beta: 1)
                }
            }
        }
        let expected = Self.reference(a, b, m: m, n: n, k: k, transposeA: transposes.0, transposeB: transposes.1,
                                      alpha: 0.5, beta: 1, c: c0)
        expectClose(c, expected, "sgemm \(shape) transposes \(transposes)")
    }

    @Test(arguments: [(2049, 384), (384, 2049), (1, 70000)], [false, true])
    func sgemvBlocksMatchTheReference(shape: (Int, Int), transpose: Bool) {
        let (rows, cols) = shape
        var rng = SeededGenerator(seed: UInt64(rows * 3 + cols))
        let a = rng.floats(rows * cols), x = rng.floats(transpose ? rows : cols)
        var y = [Float](repeating: 1, count: transpose ? cols : rows)
        a.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    Gemm.sgemv(pa.baseAddress!, lda: cols, transpose: transpose, rows: rows, cols: cols,
                               px.baseAddress!, py.baseAddress!, alpha: 2, beta: 0.5)
                }
            }
        }
        let expected = (0..<y.count).map { o -> Float in
            var sum = 0.0
            for i in 0..<x.count { sum += Double(transpose ? a[i * cols + o] : a[o * cols + i]) * Double(x[i]) }
            return Float(2 * sum + 0.5)
        }
        expectClose(y, expected, "sgemv \(shape) transpose \(transpose)")
    }
}
