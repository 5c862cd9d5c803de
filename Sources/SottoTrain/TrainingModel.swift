import SottoModel

/// A Whisper model being trained: every parameter and its gradient in one flat buffer each
/// (`ParameterLayout` says where), the frozen groups, and the forward/backward passes (extensions in
/// EncoderPass.swift, DecoderPass.swift, ResidualBlockOp.swift). `T` is `Float` for training and
/// `Double` for gradient checks.
package final class TrainingModel<T: TrainScalar> {
    package let dims: ModelDimensions
    package let layout: ParameterLayout
    package let parameters: TrainBuffer<T>
    package let gradients: TrainBuffer<T>
    /// Groups with no gradient and no update.
    package let frozen: ParameterGroups

    package init(dims: ModelDimensions, parameters values: [T], frozen: ParameterGroups = []) {
        self.dims = dims
        layout = ParameterLayout(dims: dims)
        precondition(values.count == layout.totalCount, "\(values.count) parameter values for a layout of \(layout.totalCount)")
        parameters = TrainBuffer(values)
        gradients = TrainBuffer(layout.totalCount)
        self.frozen = frozen
    }

    /// Whether `key` gets a gradient.
    package func trains(_ key: String) -> Bool { frozen.trains(key) }

    /// A pointer to parameter `key` (its shape is `layout[key].shape`).
    package func parameter(_ key: String) -> UnsafeMutablePointer<T> { parameters.pointer + layout.offset(key) }

    /// A pointer to `key`'s gradient, or nil when it is frozen.
    package func gradient(_ key: String) -> UnsafeMutablePointer<T>? {
        trains(key) ? gradients.pointer + layout.offset(key) : nil
    }

    /// Every parameter of `key` as an array (tests, export).
    package func values(_ key: String) -> [T] {
        let entry = layout[key]
        return Array(UnsafeBufferPointer(start: parameters.pointer + entry.offset, count: entry.count))
    }

    // MARK: parameterized op calls (a layer's `key` names its weight and bias)

    func linear(_ key: String, _ out: UnsafeMutablePointer<T>, _ inp: UnsafePointer<T>, rows: Int, inFeatures: Int,
                outFeatures: Int, bias: Bool = true) {
        LinearOp.forward(out, inp, weight: parameter("\(key).weight"), bias: bias ? parameter("\(key).bias") : nil,
                         rows: rows, inFeatures: inFeatures, outFeatures: outFeatures)
    }

    func linearBackward(_ key: String, dinp: UnsafeMutablePointer<T>?, dout: UnsafePointer<T>, inp: UnsafePointer<T>,
                        rows: Int, inFeatures: Int, outFeatures: Int, bias: Bool = true) {
        LinearOp.backward(dinp: dinp, dweight: gradient("\(key).weight"), dbias: bias ? gradient("\(key).bias") : nil,
                          dout: dout, inp: inp, weight: parameter("\(key).weight"),
                          rows: rows, inFeatures: inFeatures, outFeatures: outFeatures)
    }

    func layerNorm(_ key: String, _ out: UnsafeMutablePointer<T>, _ mean: UnsafeMutablePointer<T>,
                   _ rstd: UnsafeMutablePointer<T>, _ inp: UnsafePointer<T>, rows: Int, dim: Int) {
        LayerNormOp.forward(out, mean: mean, rstd: rstd, inp, weight: parameter("\(key).weight"),
                            bias: parameter("\(key).bias"), rows: rows, dim: dim)
    }

    /// Accumulates d(input) into `into`.
    func layerNormBackward(_ key: String, dout: UnsafePointer<T>, inp: UnsafePointer<T>, _ mean: UnsafePointer<T>,
                           _ rstd: UnsafePointer<T>, into dinp: UnsafeMutablePointer<T>?, rows: Int, dim: Int) {
        LayerNormOp.backward(dinp: dinp, dweight: gradient("\(key).weight"), dbias: gradient("\(key).bias"), dout: dout,
                             inp: inp, weight: parameter("\(key).weight"), mean: mean, rstd: rstd, rows: rows, dim: dim)
    }

    /// `x += y` over `count` values (a residual connection; its backward passes the gradient through).
    func add(_ x: UnsafeMutablePointer<T>, _ y: UnsafePointer<T>, _ count: Int) {
        for i in 0..<count { x[i] += y[i] }
    }

    func zero(_ buffers: TrainBuffer<T>...) {
        for buffer in buffers { buffer.zero() }
    }
}

extension TrainingModel {
    /// The model's parameters read from a checkpoint of any format (quantized weights dequantized;
    /// widened to float64 for the `Double` twin).
    package convenience init(checkpoint: Checkpoint, frozen: ParameterGroups = []) throws {
        let layout = ParameterLayout(dims: checkpoint.dims)
        var values = [T](repeating: 0, count: layout.totalCount)
        for entry in layout.entries {
            let tensor = try checkpoint.tensor(entry.key)
            precondition(tensor.count == entry.count, "\(entry.key): \(tensor.count) values for shape \(entry.shape)")
            values.replaceSubrange(entry.range, with: tensor.data.map { T($0) })
        }
        self.init(dims: checkpoint.dims, parameters: values, frozen: frozen)
    }
}
