import Foundation
import Testing
import SottoAudio

@Suite("FFT")
struct FFTTests {
    /// Double-precision FFT against a Double naive DFT of unit-scale data.
    static let tolerance = 1e-9

    @Test("matches a naive DFT", arguments: [1, 2, 3, 4, 5, 7, 12, 16, 31, 33, 100, 400])
    func matchesNaiveDFT(size: Int) {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(size)
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        var real = (0..<size).map { _ in next() }
        var imag = (0..<size).map { _ in next() }
        let (inputReal, inputImag) = (real, imag)
        var scratchReal = [Double](repeating: 0, count: size)
        var scratchImag = scratchReal
        FFT(size: size).forward(real: &real, imag: &imag, scratchReal: &scratchReal, scratchImag: &scratchImag)
        var maxError = 0.0
        var worstBin = 0
        for k in 0..<size {
            var sumReal = 0.0, sumImag = 0.0
            for t in 0..<size {
                let angle = -2 * Double.pi * Double(t * k % size) / Double(size)
                sumReal += inputReal[t] * cos(angle) - inputImag[t] * sin(angle)
                sumImag += inputReal[t] * sin(angle) + inputImag[t] * cos(angle)
            }
            let error = max(abs(sumReal - real[k]), abs(sumImag - imag[k]))
            if error > maxError { (maxError, worstBin) = (error, k) }
        }
        #expect(maxError <= Self.tolerance, "size \(size): max abs error \(maxError) at bin \(worstBin)")
    }
}
