import SottoTensor

/// The distillation loss over logits `[rows, vocab]`, fused with its gradient as llm.c fuses
/// `crossentropy_softmax_backward`:
/// `loss = ceWeight · CE(student, target) + klWeight · T² · KL(softmax(teacher / T) ‖ softmax(student / T))`,
/// each averaged over the rows whose target is not `ignoreIndex` (padding).
package struct LossWeights: Sendable, Codable, Equatable {
    package var crossEntropy: Double
    package var kl: Double
    package var temperature: Double
    /// Weight of the mean squared error between the student's and the teacher's encoder outputs
    /// (`EncoderMSEOp`; encoder students only).
    package var encoderMSE: Double

    package init(crossEntropy: Double = 1, kl: Double = 0, temperature: Double = 2, encoderMSE: Double = 0) {
        (self.crossEntropy, self.kl, self.temperature, self.encoderMSE) = (crossEntropy, kl, temperature, encoderMSE)
    }

    private enum CodingKeys: String, CodingKey { case crossEntropy, kl, temperature, encoderMSE }

    /// Files written before the encoder term existed (the PyTorch fixture) decode with it at 0.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(crossEntropy: try c.decode(Double.self, forKey: .crossEntropy), kl: try c.decode(Double.self, forKey: .kl),
                  temperature: try c.decode(Double.self, forKey: .temperature),
                  encoderMSE: try c.decodeIfPresent(Double.self, forKey: .encoderMSE) ?? 0)
    }

    /// Whether the decoder runs at all: with only the encoder term, a step is the encoder's forward
    /// and backward alone.
    package var usesDecoder: Bool { crossEntropy > 0 || kl > 0 }
}

package struct LossValues: Sendable, Equatable {
    /// Cross-entropy and KL (times T²), each a mean over the counted rows.
    package var crossEntropy: Double
    package var kl: Double
    package var total: Double
    package var rows: Int
    /// The unweighted encoder-output mean squared error (0 without that term).
    package var encoderMSE = 0.0
}

package enum LossOp {
    package static let ignoreIndex = -1

    /// Writes the gradient of the total loss, scaled by `gradientScale` (1 / accumulation steps), into
    /// `dlogits` (it may alias `logits`: each row is read before it is overwritten). `teacher` is
    /// `[rows, vocab]` logits, required when `weights.kl > 0`.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    package static func forwardBackward<T: TrainScalar>(
        dlogits: UnsafeMutablePointer<T>, logits: UnsafePointer<T>, targets: [Int], teacher: UnsafePointer<T>?,
        rows: Int, vocab: Int, weights: LossWeights, gradientScale: Double = 1
    ) -> LossValues {
        precondition(targets.count == rows, "\(targets.count) targets for \(rows) rows")
        precondition(weights.kl == 0 || teacher != nil, "a KL weight needs teacher logits")
        let counted = targets.filter { $0 != ignoreIndex }.count
        var partials = [(Double, Double)](repeating: (0, 0), count: rows)
        let inverseCount = counted == 0 ? 0 : 1 / Double(counted)
        partials.withUnsafeMutableBufferPointer { partials in
            Compute.parallelFor(rows, minimumPerTask: 4) { range in
                for r in range {
                    partials[r] = row(dlogits + r * vocab, logits + r * vocab, targets[r], teacher.map { $0 + r * vocab },
                                      vocab, weights, T(gradientScale * inverseCount))
                }
            }
        }
        let ce = partials.reduce(0) { $0 + $1.0 } * inverseCount
        let kl = partials.reduce(0) { $0 + $1.1 } * inverseCount
        return LossValues(crossEntropy: ce, kl: kl, total: weights.crossEntropy * ce + weights.kl * kl, rows: counted)
    }

    /// One row's CE and T²·KL; its gradient (scaled by `scale`) replaces the row in `d`.
    private static func row<T: TrainScalar>(
        _ d: UnsafeMutablePointer<T>, _ x: UnsafePointer<T>, _ target: Int, _ teacher: UnsafePointer<T>?,
        _ vocab: Int, _ weights: LossWeights, _ scale: T
    ) -> (Double, Double) {
        guard target != ignoreIndex else {
            d.update(repeating: 0, count: vocab)
            return (0, 0)
        }
        precondition((0..<vocab).contains(target), "target \(target) outside the vocabulary")
        let temperature = T(weights.temperature)
        let (ceLogSum, ceMax) = logSumExp(x, vocab, 1)
        let ce = Double(ceLogSum + ceMax - x[target])
        var kl = 0.0
        var student: (T, T) = (0, 0)
        var teacherNorm: (T, T) = (0, 0)
        if let teacher, weights.kl > 0 {
            student = logSumExp(x, vocab, temperature)
            teacherNorm = logSumExp(teacher, vocab, temperature)
        }
        let (wce, wkl) = (T(weights.crossEntropy), T(weights.kl))
        for j in 0..<vocab {
            let xj = x[j]
            var g = wce * (T.exponential(xj - ceMax - ceLogSum) - (j == target ? 1 : 0))
            if let teacher, weights.kl > 0 {
                let logQ = xj / temperature - student.1 - student.0
                let logP = teacher[j] / temperature - teacherNorm.1 - teacherNorm.0
                let p = T.exponential(logP)
                kl += Double(p * (logP - logQ))
                // d(T² KL)/dx = T (q − p)
                g += wkl * temperature * (T.exponential(logQ) - p)
            }
            d[j] = g * scale
        }
        return (ce, kl * weights.temperature * weights.temperature)
    }

    /// `(log Σ exp(x / t − m), m)` with m the largest `x / t`.
    private static func logSumExp<T: TrainScalar>(_ x: UnsafePointer<T>, _ n: Int, _ t: T) -> (T, T) {
        var m = -T.infinity
        for j in 0..<n { m = max(m, x[j] / t) }
        var sum: T = 0
        for j in 0..<n { sum += T.exponential(x[j] / t - m) }
        return (T.logarithm(sum), m)
    }
}
