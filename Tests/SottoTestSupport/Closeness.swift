import Foundation

/// How close two float arrays are: the largest absolute error, where it is, and the cosine similarity.
/// Its description is what numeric test failures print.
public struct Closeness: CustomStringConvertible, Sendable {
    public let maxAbsError: Float
    public let worstIndex: Int
    public let actualAtWorst: Float
    public let expectedAtWorst: Float
    public let cosine: Double
    public let count: Int

    public init(_ actual: [Float], _ expected: [Float]) {
        precondition(actual.count == expected.count, "comparing \(actual.count) values with \(expected.count)")
        var worst = (error: Float(0), index: 0)
        var (dot, aa, bb) = (0.0, 0.0, 0.0)
        for i in actual.indices {
            let error = abs(actual[i] - expected[i])
            if error > worst.error || error.isNaN { worst = (error.isNaN ? .infinity : error, i) }
            dot += Double(actual[i]) * Double(expected[i])
            aa += Double(actual[i]) * Double(actual[i])
            bb += Double(expected[i]) * Double(expected[i])
        }
        maxAbsError = worst.error
        worstIndex = worst.index
        actualAtWorst = actual.isEmpty ? 0 : actual[worst.index]
        expectedAtWorst = expected.isEmpty ? 0 : expected[worst.index]
        cosine = aa == 0 && bb == 0 ? 1 : dot / max((aa * bb).squareRoot(), .leastNonzeroMagnitude)
        count = actual.count
    }

    public func within(maxAbs: Float, minCosine: Double = 0) -> Bool {
        maxAbsError <= maxAbs && cosine >= minCosine
    }

    public var description: String {
        "max abs error \(maxAbsError) at [\(worstIndex)] (actual \(actualAtWorst), expected \(expectedAtWorst)), "
            + "cosine \(cosine) over \(count) values"
    }
}

/// A fixed-seed generator (SplitMix64) for synthetic weights and inputs.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` uniform values in `-scale ... scale`.
    public mutating func floats(_ count: Int, scale: Float = 1) -> [Float] {
        (0..<count).map { _ in Float.random(in: -scale...scale, using: &self) }
    }
}

/// Little-endian float32 files written by scripts (numpy `tofile`).
public enum FloatFile {
    public static func read(_ url: URL) throws -> [Float] {
        let data = try Data(contentsOf: url)
        return stride(from: 0, to: data.count - 3, by: 4).map { i in
            Float(bitPattern: UInt32(data[data.startIndex + i]) | UInt32(data[data.startIndex + i + 1]) << 8
                | UInt32(data[data.startIndex + i + 2]) << 16 | UInt32(data[data.startIndex + i + 3]) << 24)
        }
    }
}
