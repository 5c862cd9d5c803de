import Foundation
import SottoTensor
import SottoTestSupport
import Testing

/// Every path sums exactly in integers and rescales with the same float steps as the reference, so
/// results should agree to the last bit; this leaves room for one rounding of the largest value.
let int8RoundingTolerance: Float = 1e-6

/// A quantized layer with its bytes laid out as a checkpoint would hold them, optionally at an odd
/// offset (memory-mapped tensors need not be aligned).
struct Int8Layer {
    let outFeatures: Int
    let inFeatures: Int
    let weights: Data
    let weightScales: Data
    let bias: [Float]?

    init(outFeatures: Int, inFeatures: Int, seed: UInt64, withBias: Bool, byteOffset: Int = 1, allowMinus128: Bool = false) {
        var rng = SeededGenerator(seed: seed)
        let low: Int8 = allowMinus128 ? -128 : -127
        let values = (0..<(outFeatures * inFeatures)).map { _ in Int8.random(in: low...127, using: &rng) }
        let scales = (0..<outFeatures).map { _ in Float.random(in: 0.001...0.02, using: &rng) }
        self.init(outFeatures: outFeatures, inFeatures: inFeatures, values: values, scales: scales,
                  bias: withBias ? rng.floats(outFeatures) : nil, byteOffset: byteOffset)
    }

    init(outFeatures: Int, inFeatures: Int, values: [Int8], scales: [Float], bias: [Float]?, byteOffset: Int = 1) {
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
        let padding = Data(repeating: 0xA5, count: byteOffset)
        weights = (padding + Data(values.map { UInt8(bitPattern: $0) }))[byteOffset...]
        let scaleBytes = scales.flatMap { scale in withUnsafeBytes(of: scale.bitPattern.littleEndian) { Array($0) } }
        weightScales = (padding + Data(scaleBytes))[byteOffset...]
        self.bias = bias
    }

    func linear(_ input: [Float], rows: Int, staticScale: Float?, path: Int8KernelPath = .automatic) -> [Float] {
        var output = [Float](repeating: .nan, count: rows * outFeatures + 5)
        var scratch = Int8Gemm.Scratch()
        Int8Gemm.linear(input, rows: rows, weights: weights, weightScales: weightScales, outFeatures: outFeatures,
                        inFeatures: inFeatures, bias: bias, staticScale: staticScale, scratch: &scratch, path: path,
                        into: &output)
        let tail = output.suffix(5).filter { !$0.isNaN }
        #expect(tail.isEmpty, "linear wrote past its output")
        return Array(output.prefix(rows * outFeatures))
    }

    func reference(_ input: [Float], rows: Int, staticScale: Float?) -> [Float] {
        Int8Gemm.linearReference(input, rows: rows, weights: weights, weightScales: weightScales,
                                 outFeatures: outFeatures, inFeatures: inFeatures, bias: bias, staticScale: staticScale)
    }
}

func expectRoundingClose(_ actual: [Float], _ expected: [Float], _ what: String) {
    let largest = expected.reduce(Float(1)) { max($0, abs($1)) }
    expectClose(actual, expected, tolerance: int8RoundingTolerance * largest, what)
}

@Suite("Int8Gemm")
struct Int8GemmTests {
    @Test("dynamic quantization: one scale (range / 253) and one center (a multiple of it) per row")
    func dynamicQuantization() {
        let input: [Float] = [0.5, -1, 0.25, 0, 4, -2, 1, 3]
        var (q, scales, centers) = ([Int8](), [Float](), [Float]())
        Int8Gemm.quantizeActivations(input, rows: 2, cols: 4, staticScale: nil, into: &q, scales: &scales, centers: &centers)
        #expect(scales == [Float(1.5) / 253, Float(6) / 253])
        // Row 0: the middle -0.25 is 42.17 steps -> center -42 steps; row 1: 1 is 42.17 steps -> 42.
        #expect(centers == [-42 * scales[0], 42 * scales[1]])
        let expected = (0..<8).map { i -> Int8 in
            let r = i / 4
            return Int8(((input[i] - centers[r]) * (1 / scales[r])).rounded(.toNearestOrEven))
        }
        #expect(q == expected)
        #expect(q[3] == 42, "0 is exactly 42 steps above row 0's center")
        #expect(q.allSatisfy { $0 >= -127 }, "the extremes stay within range")
    }

    @Test("centering halves the error of one-sided rows (GELU outputs) against a symmetric absmax")
    func centeringHelpsOneSidedRows() {
        var rng = SeededGenerator(seed: 21)
        let input = rng.floats(64 * 384, scale: 3).map { x in 0.5 * x * (1 + Float(erf(Double(x) / 2.squareRoot()))) }
        let (q, scales, centers) = Int8Gemm.quantizeReference(input, rows: 64, cols: 384, staticScale: nil)
        var (centered, symmetric) = (Float(0), Float(0))
        for r in 0..<64 {
            let row = input[(r * 384)..<((r + 1) * 384)]
            let absmaxScale = row.reduce(Float(0)) { max($0, abs($1)) } / 127
            for (i, x) in row.enumerated() {
                centered += pow(Float(q[r * 384 + i]) * scales[r] + centers[r] - x, 2)
                symmetric += pow((x / absmaxScale).rounded() * absmaxScale - x, 2)
            }
        }
        #expect(centered < 0.5 * symmetric, "squared error centered \(centered), symmetric \(symmetric)")
    }

    @Test("a constant row is its center with scale 0, and its product is the center times the weight sums")
    func constantRows() {
        let layer = Int8Layer(outFeatures: 33, inFeatures: 40, seed: 3, withBias: true)
        var input = SeededGenerator(seed: 4).floatsArray(3 * 40)
        for i in 40..<80 { input[i] = 0.75 }
        var (q, scales, centers) = ([Int8](), [Float](), [Float]())
        Int8Gemm.quantizeActivations(input, rows: 3, cols: 40, staticScale: nil, into: &q, scales: &scales, centers: &centers)
        #expect(scales[1] == 0 && centers[1] == 0.75 && q[40..<80].allSatisfy { $0 == 0 })
        let sums = Int8Gemm.weightSums(weights: layer.weights, weightScales: layer.weightScales, outFeatures: 33, inFeatures: 40)
        let output = layer.linear(input, rows: 3, staticScale: nil)
        #expect(Array(output[33..<66]) == zip(layer.bias!, sums).map { $0.addingProduct(0.75, $1) })
    }

    @Test("static quantization clamps values beyond the scale")
    func staticQuantization() {
        let input: [Float] = [100, -100, 0.25, 0.75, 1, -0.75]
        var (q, scales, centers) = ([Int8](), [Float](), [Float]())
        Int8Gemm.quantizeActivations(input, rows: 1, cols: 6, staticScale: 0.5, into: &q, scales: &scales, centers: &centers)
        #expect(scales == [0.5] && centers == [0])
        #expect(q == [127, -127, 0, 2, 2, -2])
    }

    @Test("an all-zero row quantizes to zeros and its output is the bias")
    func zeroRows() {
        let layer = Int8Layer(outFeatures: 33, inFeatures: 40, seed: 3, withBias: true)
        var input = SeededGenerator(seed: 4).floatsArray(3 * 40)
        for i in 40..<80 { input[i] = 0 }
        var (q, scales, centers) = ([Int8](), [Float](), [Float]())
        Int8Gemm.quantizeActivations(input, rows: 3, cols: 40, staticScale: nil, into: &q, scales: &scales, centers: &centers)
        #expect(scales[1] == 0 && centers[1] == 0 && q[40..<80].allSatisfy { $0 == 0 })
        let output = layer.linear(input, rows: 3, staticScale: nil)
        #expect(Array(output[33..<66]) == layer.bias!)
    }

    @Test("quantization kernels match the Swift reference exactly", arguments: [1, 31, 33, 100, 1500], [nil, Float(0.01)])
    func quantizationPaths(cols: Int, staticScale: Float?) {
        var rng = SeededGenerator(seed: UInt64(cols))
        let input = rng.floats(70 * cols, scale: 3)
        let expected = Int8Gemm.quantizeReference(input, rows: 70, cols: cols, staticScale: staticScale)
        for path in Int8KernelPath.allCases {
            var (q, scales, centers) = ([Int8](), [Float](), [Float]())
            Int8Gemm.quantizeActivations(input, rows: 70, cols: cols, staticScale: staticScale, into: &q, scales: &scales,
                                         centers: &centers, path: path)
            #expect(q == expected.q && scales == expected.scales && centers == expected.centers,
                    "\(path) (runs \(path.resolved)) cols \(cols)")
        }
    }

    @Test("linear matches the reference", arguments: [1, 2, 5, 8, 9, 33], [1, 31, 33, 100, 384, 1500])
    func linear(rows: Int, inFeatures: Int) {
        for outFeatures in [1, 33, 257] {
            for (withBias, staticScale) in [(true, nil), (false, Float(0.02))] {
                let layer = Int8Layer(outFeatures: outFeatures, inFeatures: inFeatures, seed: UInt64(rows * 31 + inFeatures),
                                      withBias: withBias)
                let input = SeededGenerator(seed: UInt64(outFeatures)).floatsArray(rows * inFeatures)
                expectRoundingClose(layer.linear(input, rows: rows, staticScale: staticScale),
                                    layer.reference(input, rows: rows, staticScale: staticScale),
                                    "rows \(rows) in \(inFeatures) out \(outFeatures) bias \(withBias) static \(String(describing: staticScale))")
            }
        }
    }

    @Test("1500 rows (the encoder) with small layers", arguments: [(31, 33), (33, 1), (100, 257), (64, 65)])
    func encoderRows(shape: (Int, Int)) {
        let (inFeatures, outFeatures) = shape
        let layer = Int8Layer(outFeatures: outFeatures, inFeatures: inFeatures, seed: 9, withBias: true)
        let input = SeededGenerator(seed: 10).floatsArray(1500 * inFeatures)
        expectRoundingClose(layer.linear(input, rows: 1500, staticScale: nil), layer.reference(input, rows: 1500, staticScale: nil),
                            "rows 1500 \(shape)")
    }

    @Test("every kernel path gives bit-identical results", arguments: [(1, 384, 257), (5, 100, 33), (33, 1500, 33), (9, 31, 1)])
    func pathsAgree(shape: (Int, Int, Int)) {
        let (rows, inFeatures, outFeatures) = shape
        // -128 weights are outside the documented range but may appear in a file; all paths handle them.
        let layer = Int8Layer(outFeatures: outFeatures, inFeatures: inFeatures, seed: 11, withBias: true, allowMinus128: true)
        let input = SeededGenerator(seed: 12).floatsArray(rows * inFeatures)
        let scalar = layer.linear(input, rows: rows, staticScale: nil, path: .scalar)
        expectRoundingClose(scalar, layer.reference(input, rows: rows, staticScale: nil), "scalar \(shape)")
        for path in Int8KernelPath.allCases where path != .scalar {
            let result = layer.linear(input, rows: rows, staticScale: nil, path: path)
            #expect(result == scalar, "\(path) (runs \(path.resolved)) differs from scalar: \(Closeness(result, scalar))")
        }
    }

    /// Rows from 16 take the packed register-blocked GEMM on AVX-512 VNNI (panels of 64 columns,
    /// reduction blocks of up to 1024 bytes); 15 and fewer the streaming kernel. These shapes cover
    /// partial row blocks, partial panels, reductions that are not a multiple of 4, 64 or the block,
    /// and an empty reduction (outputs are the bias).
    @Test("every path is bit-identical to scalar on awkward encoder shapes",
          arguments: [15, 16, 17, 31, 33, 1500], [0, 1, 3, 31, 33, 64, 1500, 2100])
    func encoderPathsAgree(rows: Int, inFeatures: Int) {
        for outFeatures in [1, 33, 65, 130] {
            let layer = Int8Layer(outFeatures: outFeatures, inFeatures: inFeatures, seed: UInt64(rows + inFeatures),
                                  withBias: outFeatures != 65, allowMinus128: true)
            let input = SeededGenerator(seed: UInt64(outFeatures)).floatsArray(rows * inFeatures)
            let scalar = layer.linear(input, rows: rows, staticScale: nil, path: .scalar)
            for path in Int8KernelPath.allCases where path != .scalar {
                let result = layer.linear(input, rows: rows, staticScale: nil, path: path)
                #expect(result == scalar, "\(path) (runs \(path.resolved)) rows \(rows) k \(inFeatures) n \(outFeatures): \(Closeness(result, scalar))")
            }
        }
    }

    /// The longest reduction with the largest products: biased sums (w + 128) wrap around int32 and the
    /// correction must bring them back exactly.
    @Test("extreme values at the longest reduction match the Int64 reference", arguments: [1, 16], [Int8(127), -128])
    func longestReduction(rows: Int, weight: Int8) {
        let inFeatures = Int8Gemm.maximumInFeatures
        let values = (0..<(3 * inFeatures)).map { i in i < inFeatures ? weight : i < 2 * inFeatures ? ~weight : Int8(i % 255 - 127) }
        let layer = Int8Layer(outFeatures: 3, inFeatures: inFeatures, values: values, scales: [1e-9, 2e-9, 3e-9], bias: nil)
        // Row 1 holds ~weight (-128 <-> 127). A static scale of 1/127 quantizes ±1 to ±127 exactly.
        let input = (0..<(rows * inFeatures)).map { i in (i / inFeatures) % 2 == 0 ? Float(1) : -1 }
        let expected = layer.reference(input, rows: rows, staticScale: 1 / 127)
        for path in Int8KernelPath.allCases {
            expectRoundingClose(layer.linear(input, rows: rows, staticScale: 1 / 127, path: path), expected,
                                "\(path) (runs \(path.resolved)) rows \(rows) weight \(weight)")
        }
    }

    @Test("the log names the int8 path each request runs on this CPU")
    func reportPaths() {
        let lines = Int8KernelPath.allCases.map { "\($0) -> \($0.resolved)" }
        print("Int8Gemm kernel paths on this CPU (\(Compute.cpuPath)): \(lines.joined(separator: ", "))")
        #expect(Int8KernelPath.scalar.resolved == .scalar)
    }

    @Test("a scratch sized by a larger call gives the same results")
    func scratchReuse() {
        let layer = Int8Layer(outFeatures: 65, inFeatures: 96, seed: 13, withBias: false)
        var rng = SeededGenerator(seed: 14)
        let (large, small) = (rng.floats(20 * 96), rng.floats(3 * 96))
        var scratch = Int8Gemm.Scratch()
        var output = [Float](repeating: 0, count: 20 * 65)
        Int8Gemm.linear(large, rows: 20, weights: layer.weights, weightScales: layer.weightScales, outFeatures: 65,
                        inFeatures: 96, bias: nil, staticScale: nil, scratch: &scratch, into: &output)
        Int8Gemm.linear(small, rows: 3, weights: layer.weights, weightScales: layer.weightScales, outFeatures: 65,
                        inFeatures: 96, bias: nil, staticScale: nil, scratch: &scratch, into: &output)
        #expect(Array(output.prefix(3 * 65)) == layer.linear(small, rows: 3, staticScale: nil))
    }

    @Test("per-channel int8 weights track the float product", arguments: [(1, 384, 1152), (33, 1536, 384)])
    func accuracy(shape: (Int, Int, Int)) {
        let (rows, inFeatures, outFeatures) = shape
        var rng = SeededGenerator(seed: 15)
        let floatWeights = rng.floats(outFeatures * inFeatures, scale: 0.1)
        let input = rng.floats(rows * inFeatures)
        var values = [Int8](repeating: 0, count: floatWeights.count)
        var scales = [Float](repeating: 0, count: outFeatures)
        for o in 0..<outFeatures {
            let row = floatWeights[(o * inFeatures)..<((o + 1) * inFeatures)]
            scales[o] = row.reduce(Float(0)) { max($0, abs($1)) } / 127
            for (i, w) in row.enumerated() { values[o * inFeatures + i] = Int8((w / scales[o]).rounded()) }
        }
        let layer = Int8Layer(outFeatures: outFeatures, inFeatures: inFeatures, values: values, scales: scales, bias: nil)
        let expected = Gemm.linearReference(input, rows: rows, weight: Tensor(shape: [outFeatures, inFeatures], data: floatWeights),
                                            bias: nil)
        let closeness = Closeness(layer.linear(input, rows: rows, staticScale: nil), expected)
        #expect(closeness.cosine > 0.999, "int8 vs float \(shape): \(closeness)")
    }
}

extension SeededGenerator {
    /// `floats` on a generator used once, for inputs written inline.
    func floatsArray(_ count: Int) -> [Float] {
        var copy = self
        return copy.floats(count)
    }
}
