import Foundation
import SottoTensor

/// Optimizer settings (PyTorch `torch.optim.AdamW` defaults except the learning rate).
package struct AdamWOptions: Sendable, Codable, Equatable {
    package var beta1 = 0.9
    package var beta2 = 0.999
    package var epsilon = 1e-8
    /// Decoupled weight decay, applied to weight matrices and embeddings (rank ≥ 2) only, not to
    /// biases and norms (as llm.c and distil-whisper group them).
    package var weightDecay = 0.01
    /// Largest global L2 norm of the gradient; larger gradients are scaled down (0 = no clipping).
    package var maxGradientNorm = 1.0

    package init() {}
}

/// AdamW over the flat parameter buffer, in PyTorch's operation order (decay, moments, bias
/// correction, `p -= lr · m̂ / (√v̂ + ε)`) so a run matches `torch.optim.AdamW` step for step. The
/// moments share the parameters' layout; frozen ranges are skipped.
package final class AdamW {
    package let options: AdamWOptions
    package let m: TrainBuffer<Float>
    package let v: TrainBuffer<Float>
    /// Optimizer steps taken (PyTorch's `step`, starting at 1 for the first update).
    package private(set) var step = 0

    package init(count: Int, options: AdamWOptions) {
        self.options = options
        m = TrainBuffer(count)
        v = TrainBuffer(count)
    }

    /// The global L2 norm of the trained gradients (before clipping). Each parameter is summed in
    /// fixed chunks, added in order, so the result does not depend on thread timing.
    package static func gradientNorm(_ model: TrainingModel<Float>) -> Double {
        var sum = 0.0
        for entry in model.layout.entries where model.trains(entry.key) {
            let g = model.gradients.pointer + entry.offset
            let chunks = (entry.count + chunkSize - 1) / chunkSize
            var partials = [Double](repeating: 0, count: chunks)
            partials.withUnsafeMutableBufferPointer { partials in
                Compute.parallelFor(chunks) { range in
                    for c in range {
                        var s = 0.0
                        for i in c * chunkSize..<min(entry.count, (c + 1) * chunkSize) { s += Double(g[i]) * Double(g[i]) }
                        partials[c] = s
                    }
                }
            }
            sum += partials.reduce(0, +)
        }
        return sum.squareRoot()
    }

    /// Elements per parallel chunk of the optimizer's loops.
    static let chunkSize = 1 << 16

    /// One update at `learningRate`; returns the gradient norm before clipping.
    @discardableResult
    package func update(_ model: TrainingModel<Float>, learningRate: Double) -> Double {
        step += 1
        let norm = Self.gradientNorm(model)
        // torch.nn.utils.clip_grad_norm_: scale by max / (norm + 1e-6) when that is below 1.
        let clip = options.maxGradientNorm > 0 ? min(1, options.maxGradientNorm / (norm + 1e-6)) : 1
        let (b1, b2) = (Float(options.beta1), Float(options.beta2))
        let correction1 = Float(1 - pow(options.beta1, Double(step)))
        let correction2Root = Float((1 - pow(options.beta2, Double(step))).squareRoot())
        let stepSize = Float(learningRate) / correction1
        let (lr, eps, clipScale) = (Float(learningRate), Float(options.epsilon), Float(clip))
        for entry in model.layout.entries where model.trains(entry.key) {
            let decay = entry.shape.count >= 2 ? 1 - lr * Float(options.weightDecay) : 1
            let (p, g) = (model.parameters.pointer + entry.offset, model.gradients.pointer + entry.offset)
            let (mp, vp) = (m.pointer + entry.offset, v.pointer + entry.offset)
            Compute.parallelFor(entry.count, minimumPerTask: Self.chunkSize) { range in
                for i in range {
                    let grad = clip < 1 ? g[i] * clipScale : g[i]
                    p[i] *= decay
                    mp[i] += (grad - mp[i]) * (1 - b1)
                    vp[i] = vp[i] * b2 + (1 - b2) * grad * grad
                    p[i] -= stepSize * mp[i] / (vp[i].squareRoot() / correction2Root + eps)
                }
            }
        }
        return norm
    }

    /// Restores a saved optimizer (checkpoint resume).
    package func restore(step: Int, m moments: [Float], v squares: [Float]) {
        precondition(moments.count == m.count && squares.count == v.count, "optimizer state does not match the layout")
        self.step = step
        for i in 0..<m.count { m[i] = moments[i]; v[i] = squares[i] }
    }
}

/// Learning rate per optimizer step: linear warm-up from 0 to `peak`, then cosine or linear decay
/// to `minimum` at `totalSteps`.
package struct LearningRateSchedule: Sendable, Codable, Equatable {
    package enum Decay: String, Sendable, Codable { case cosine, linear, constant }
    package var peak: Double
    package var minimum: Double = 0
    package var warmupSteps: Int = 0
    package var totalSteps: Int
    package var decay: Decay = .cosine

    package init(peak: Double, minimum: Double = 0, warmupSteps: Int = 0, totalSteps: Int, decay: Decay = .cosine) {
        (self.peak, self.minimum, self.warmupSteps, self.totalSteps, self.decay) = (peak, minimum, warmupSteps, totalSteps, decay)
    }

    /// The rate for 0-based optimizer step `step`.
    package func rate(at step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
        let span = max(1, totalSteps - warmupSteps)
        let progress = min(1, Double(step - warmupSteps) / Double(span))
        switch decay {
        case .constant: return peak
        case .linear: return minimum + (peak - minimum) * (1 - progress)
        case .cosine: return minimum + (peak - minimum) * 0.5 * (1 + cos(Double.pi * progress))
        }
    }
}
