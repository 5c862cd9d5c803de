import Foundation
import SottoTensor

/// Numerically stable log-softmax and friends over one row of logits.
package enum LogProbabilities {
    package static func logSoftmax(_ logits: [Float]) -> [Float] {
        let logNorm = Softmax.logNormalizer(logits)
        guard logNorm > -.infinity else { return logits }
        return logits.map { $0 - logNorm }
    }

    static func logSumExp<C: Collection>(_ values: C) -> Float where C.Element == Float {
        let maxValue = values.max() ?? -.infinity
        guard maxValue > -.infinity else { return -.infinity }
        var sum: Double = 0
        for value in values { sum += Double(expf(value - maxValue)) }
        return maxValue + Float(log(sum))
    }

    package static func softmax(_ logits: [Float]) -> [Float] {
        logSoftmax(logits).map { expf($0) }
    }

    /// Indices of the `k` largest values, largest first (ties: lower index first).
    static func topK(_ values: [Float], _ k: Int) -> [Int] {
        var best: [(value: Float, index: Int)] = []
        best.reserveCapacity(k + 1)
        for (index, value) in values.enumerated() {
            if best.count == k, let last = best.last, value <= last.value { continue }
            let position = best.firstIndex { value > $0.value } ?? best.count
            best.insert((value, index), at: position)
            if best.count > k { best.removeLast() }
        }
        return best.map(\.index)
    }
}
