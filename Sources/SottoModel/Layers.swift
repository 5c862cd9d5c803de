import SottoTensor

/// `nn.Linear`: weight `[out, in]` in whatever encoding the checkpoint stores, optional bias `[out]`.
/// With `activation` set (int8 weights only), inputs of more than `maximumFloatActivationRows` rows
/// are quantized to int8 and the product runs in integers.
package struct Linear: Sendable {
    let weight: WeightMatrix
    let bias: [Float]?
    let activation: ActivationQuantization?
    /// `Int8Gemm.weightSums` for dynamic activations (their centered rows need it), once per layer.
    let weightSums: [Float]?

    /// The weight's parameter name, which observers and activation scales are keyed by.
    let key: String

    init(_ p: Checkpoint, _ key: String) throws {
        try self.init(key: "\(key).weight", weight: p.matrix("\(key).weight"), bias: p.tensor("\(key).bias").data,
                      activation: p.activations["\(key).weight"])
    }

    package init(key: String, weight: WeightMatrix, bias: [Float]?, activation: ActivationQuantization?) {
        precondition(activation == nil || weight.correction == nil, "\(key): int8 activations with a row correction")
        self.key = key
        self.weight = weight
        self.bias = bias
        self.activation = activation
        weightSums = activation?.mode == .dynamic
            ? Int8Gemm.weightSums(weights: weight.values, weightScales: weight.scales, outFeatures: weight.rows,
                                  inFeatures: weight.cols)
            : nil
    }

    var outFeatures: Int { weight.rows }

    /// Decoding steps (a few rows) keep float activations in W8A8 layers too: the weight-only row
    /// kernels stream the same int8 bytes without quantizing the input, which is exact and measured
    /// faster (DecoderStepBench, tiny.en int8-dynamic decoding at 0.70x of weight-only int8 on Zen 4
    /// with AVX-512 VNNI). Many rows (the encoder, cross-attention keys and values) run in integers.
    package static let maximumFloatActivationRows = WeightMatrix.maximumFusedRows

    /// `[rows, in] -> [rows, out]` into the front of `output`; `scratch` holds quantized activations.
    package func callAsFunction(_ x: [Float], rows: Int, into output: inout [Float], scratch: inout Int8Gemm.Scratch) {
        if let observer = ActivationObservation.observer {
            observer.observe(key, input: x[0..<rows * weight.cols], rows: rows, cols: weight.cols)
        }
        if let activation, rows > Self.maximumFloatActivationRows {
            Int8Gemm.linear(x, rows: rows, weights: weight.values, weightScales: weight.scales, outFeatures: weight.rows,
                            inFeatures: weight.cols, bias: bias, staticScale: activation.scale, weightSums: weightSums,
                            scratch: &scratch,
                            into: &output)
        } else {
            weight.linear(x, rows: rows, bias: bias, into: &output)
        }
    }
}

/// `nn.LayerNorm` over the last dimension.
struct LayerNormWeights: Sendable {
    let gamma: [Float]
    let beta: [Float]

    init(_ p: Checkpoint, _ key: String) throws {
        gamma = try p.tensor("\(key).weight").data
        beta = try p.tensor("\(key).bias").data
    }

    func callAsFunction(_ x: [Float], rows: Int, into output: inout [Float]) {
        LayerNorm.forward(x, rows: rows, gamma: gamma, beta: beta, into: &output)
    }
}

/// Scratch activations for one forward pass, grown on demand and reused across decoding steps so the
/// token loop does not allocate. Sizes are in floats; `rows` is batch x new tokens (or audio frames).
final class Workspace {
    var normed: [Float] = []     // [rows, nState]
    var qkv: [Float] = []        // [rows, 3 * nState]  (q | k | v) or the cross-attention query
    var attention: [Float] = []  // [rows, nState]      heads side by side
    var projected: [Float] = []  // [rows, nState]      output projection, added to the residual
    var hidden: [Float] = []     // [rows, 4 * nState]  MLP hidden layer
    var int8 = Int8Gemm.Scratch()  // quantized activations for int8 x int8 layers
    var attentionPrecision = Attention.Precision.float32  // the encoder's self-attention products

    func reserve(rows: Int, state: Int) {
        grow(&normed, rows * state)
        grow(&qkv, rows * 3 * state)
        grow(&attention, rows * state)
        grow(&projected, rows * state)
        grow(&hidden, rows * 4 * state)
    }

    private func grow(_ buffer: inout [Float], _ count: Int) {
        if buffer.count < count { buffer = [Float](repeating: 0, count: count) }
    }
}
