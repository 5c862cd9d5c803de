import SottoTensor
import SottoTestSupport
import Testing

@Suite("Conv1D")
struct Conv1DTests {
    @Test("im2col + sgemm matches the direct convolution", arguments: awkwardSizes, [1, 2])
    func convolution(length: Int, stride: Int) {
        var rng = SeededGenerator(seed: UInt64(length * 3 + stride))
        let (inChannels, outChannels) = (length == 1500 ? 4 : 5, 7)
        let input = rng.floats(length * inChannels)
        let weight = Tensor(shape: [outChannels, inChannels, 3], data: rng.floats(outChannels * inChannels * 3))
        let bias = rng.floats(outChannels)
        let (output, outLength) = Conv1D.forward(input, length: length, weight: weight, bias: bias, stride: stride, padding: 1)
        #expect(outLength == (length + 2 - 3) / stride + 1)
        expectClose(output, Conv1D.forwardReference(input, length: length, weight: weight, bias: bias, stride: stride, padding: 1),
                    "conv1d length \(length) stride \(stride)")
    }

    @Test("Whisper's stem halves 3000 frames to 1500")
    func whisperStemLengths() {
        #expect(Conv1D.outputLength(3000, kernelSize: 3, stride: 1, padding: 1) == 3000)
        #expect(Conv1D.outputLength(3000, kernelSize: 3, stride: 2, padding: 1) == 1500)
    }
}
