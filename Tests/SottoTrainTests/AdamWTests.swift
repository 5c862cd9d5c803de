import Foundation
import SottoModel
import SottoTrain
import Testing

@Suite("AdamW and schedules")
struct AdamWTests {
    /// Two steps on a toy model worked by hand in float64 from PyTorch's update rule.
    @Test("matches the PyTorch update rule")
    func updateRule() {
        let dims = TrainingModelTests.dims
        let count = ParameterLayout(dims: dims).totalCount
        let model = TrainingModel<Float>(dims: dims, parameters: [Float](repeating: 0.5, count: count), frozen: [.encoder])
        var options = AdamWOptions()
        options.weightDecay = 0.1
        options.maxGradientNorm = 0
        let adam = AdamW(count: count, options: options)
        let weight = model.layout["decoder.ln.weight"].offset, matrix = model.layout["decoder.blocks.0.mlp.0.weight"].offset
        let encoder = model.layout["encoder.conv1.bias"].offset
        var (p, m, v) = (0.5, 0.0, 0.0)
        var (pm, mm, vm) = (0.5, 0.0, 0.0)
        for (step, g) in [(1, 0.2), (2, -0.1)] {
            for i in 0..<count { model.gradients[i] = Float(g) }
            adam.update(model, learningRate: 0.01)
            // a norm parameter: no weight decay
            let (correction1, correction2) = (1 - pow(0.9, Double(step)), 1 - pow(0.999, Double(step)))
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            p -= 0.01 / correction1 * m / ((v / correction2).squareRoot() + 1e-8)
            // a weight matrix: decoupled decay first
            pm *= 1 - 0.01 * 0.1
            mm = 0.9 * mm + 0.1 * g
            vm = 0.999 * vm + 0.001 * g * g
            pm -= 0.01 / correction1 * mm / ((vm / correction2).squareRoot() + 1e-8)
        }
        #expect(abs(Double(model.parameters[weight]) - p) < 1e-6)
        #expect(abs(Double(model.parameters[matrix]) - pm) < 1e-6)
        #expect(model.parameters[encoder] == 0.5, "a frozen parameter moved")
    }

    @Test("clipping scales the gradient to the maximum norm")
    func clipping() {
        let dims = TrainingModelTests.dims
        let count = ParameterLayout(dims: dims).totalCount
        let model = TrainingModel<Float>(dims: dims, parameters: [Float](repeating: 0, count: count), frozen: [.encoder])
        for i in 0..<count { model.gradients[i] = 3 }
        let trained = model.layout.entries.filter { model.trains($0.key) }.map(\.count).reduce(0, +)
        #expect(abs(AdamW.gradientNorm(model) - 3 * Double(trained).squareRoot()) < 1e-3)
    }

    @Test("warm-up, then cosine or linear decay")
    func schedule() {
        let cosine = LearningRateSchedule(peak: 1, minimum: 0.1, warmupSteps: 4, totalSteps: 14)
        #expect(cosine.rate(at: 0) == 0.25 && cosine.rate(at: 3) == 1)
        #expect(abs(cosine.rate(at: 9) - 0.55) < 1e-12 && abs(cosine.rate(at: 14) - 0.1) < 1e-12)
        let linear = LearningRateSchedule(peak: 1, minimum: 0, warmupSteps: 0, totalSteps: 10, decay: .linear)
        #expect(linear.rate(at: 0) == 1 && abs(linear.rate(at: 5) - 0.5) < 1e-12 && linear.rate(at: 20) == 0)
    }
}
