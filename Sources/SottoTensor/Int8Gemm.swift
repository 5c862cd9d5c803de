import Foundation
// TEMPORARY STUB (replaced by the wt-int8 branch).
public enum Int8Gemm {
    public static func linear(_ input: [Float], rows: Int, weights: Data, weightScales: Data,
                              outFeatures: Int, inFeatures: Int, bias: [Float]?, staticScale: Float?,
                              into output: inout [Float]) {
        fatalError("stub")
    }
}
