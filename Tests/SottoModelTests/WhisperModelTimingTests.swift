import Foundation
import SottoModel
import SottoTensor
import SottoTestSupport
import Testing

/// Prints load / encode / decode-step times for the real models with 2 threads (no assertions on time:
/// speed claims belong to Benchmarks/). Runs only with SOTTO_TIMINGS=1, alone, so other tests do not
/// share the cores: `SOTTO_TIMINGS=1 swift test -c release --skip-build --filter WhisperModelTimingTests`.
@Suite("Model timings", .serialized, .enabled(if: ProcessInfo.processInfo.environment["SOTTO_TIMINGS"] != nil))
struct WhisperModelTimingTests {
    @Test("time tiny.en and base", arguments: ["tiny.en", "base"], [2, 1])
    func timings(name: String, threads: Int) throws {
        Compute.setThreads(threads)
        defer { Compute.setThreads(ProcessInfo.processInfo.activeProcessorCount) }
        let clock = ContinuousClock()
        var model: WhisperModel?
        let load = try clock.measure { model = try WhisperModel.load(directory: try TestPaths.model(name)) }
        let mel = try FloatFile.read(TestPaths.fixture("model/jfk_mel.f32"))
        var audio = model!.encode(mel: mel)  // warm-up
        let cpuBefore = processCPUSeconds()
        let encode = clock.measure { audio = model!.encode(mel: mel) }
        let encodeCPU = processCPUSeconds() - cpuBefore
        var lines = ["\(name) \(threads) threads: load \(load), encode \(encode) (CPU \(encodeCPU) s)"]
        for batch in [1, 5] {
            let state = model!.makeDecoderState(audio: audio, batchSize: batch)
            _ = model!.decode(Array(repeating: [50257, 50362], count: batch), state: state)
            let steps = 20
            let cpu = processCPUSeconds()
            let decode = clock.measure {
                for step in 0..<steps { _ = model!.decode(Array(repeating: [100 + step], count: batch), state: state) }
            }
            lines.append("decode step batch \(batch): \(decode / steps) (CPU \((processCPUSeconds() - cpu) / Double(steps)) s)")
        }
        print(lines.joined(separator: ", "))
        #expect(audio.hidden.count == model!.dims.nAudioCtx * model!.dims.nAudioState)
    }

    /// CPU seconds used by this process (all threads): robust to other load on the machine.
    private func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
