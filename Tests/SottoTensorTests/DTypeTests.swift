import Foundation
import SottoTensor
import Testing

@Suite("DType and Compute")
struct DTypeTests {
    @Test("decodes every stored dtype", arguments: DType.allCases)
    func decode(dtype: DType) {
        let values: [Float] = [0, 1, -2, 3, 100, -128]
        let bytes: [UInt8] = switch dtype {
        case .float32: values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        case .float16: values.flatMap { withUnsafeBytes(of: Float16($0).bitPattern.littleEndian, Array.init) }
        case .bfloat16: values.flatMap { withUnsafeBytes(of: UInt16($0.bitPattern >> 16).littleEndian, Array.init) }
        case .int8: values.map { UInt8(bitPattern: Int8($0)) }
        case .int16: values.flatMap { withUnsafeBytes(of: Int16($0).littleEndian, Array.init) }
        case .int32: values.flatMap { withUnsafeBytes(of: Int32($0).littleEndian, Array.init) }
        }
        #expect(bytes.count == values.count * dtype.byteWidth)
        #expect(Quantization.decode(Data(bytes), dtype: dtype, count: values.count) == values)
    }

    @Test("int8 rows dequantize as q / scale")
    func dequantize() {
        var values: [Float] = [127, -64, 10, 20]
        Quantization.dequantizeRows(&values, scales: [127, 10], rowLength: 2)
        #expect(values == [1, -64.0 / 127, 1, 2])
    }

    @Test("parallelFor visits every index exactly once", arguments: [0, 1, 2, 31, 1500], [1, 2, 5])
    func parallelFor(count: Int, threads: Int) {
        Compute.setThreads(threads)
        defer { Compute.setThreads(ProcessInfo.processInfo.activeProcessorCount) }
        var visits = [Int](repeating: 0, count: count)
        visits.withUnsafeMutableBufferPointer { v in
            Compute.parallelFor(count) { range in for i in range { v[i] += 1 } }
        }
        #expect(visits.allSatisfy { $0 == 1 })
    }
}
