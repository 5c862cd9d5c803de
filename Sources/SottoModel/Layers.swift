import SottoTensor

/// Parameters by our name (see `CheckpointNames`), as loaded from one checkpoint file.
struct Parameters {
    let tensors: [String: Tensor]
    let file: String

    func tensor(_ key: String) throws -> Tensor {
        guard let tensor = tensors[key] else { throw ModelError.missingTensor(key: key, file: file) }
        return tensor
    }
}

/// `nn.Linear`: weight `[out, in]`, bias `[out]`.
struct Linear: Sendable {
    let weight: Tensor
    let bias: [Float]

    init(_ p: Parameters, _ key: String) throws {
        weight = try p.tensor("\(key).weight")
        bias = try p.tensor("\(key).bias").data
    }

    var outFeatures: Int { weight.shape[0] }

    /// `[rows, in] -> [rows, out]` into the front of `output`.
    func callAsFunction(_ x: [Float], rows: Int, into output: inout [Float]) {
        Gemm.linear(x, rows: rows, weight: weight, bias: bias, into: &output)
    }
}

/// `nn.LayerNorm` over the last dimension.
struct LayerNormWeights: Sendable {
    let gamma: [Float]
    let beta: [Float]

    init(_ p: Parameters, _ key: String) throws {
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
