import Foundation
import SottoEval
import SottoText
import Testing

/// Ratios and rendering on synthetic results (no model runs).
@Suite struct BenchmarkTableTests {
    static func result(_ model: String, sizeBytes: Int, peakBytes: Int?, encoderMs: Double, decoderMs: Double,
                       realTimeFactor: Double, wer: (errors: Int, words: Int)?,
                       cer: (errors: Int, characters: Int)? = nil) -> ModelBenchmarkResult {
        var rates: [GroupScore] = []
        if let wer {
            rates.append(GroupScore(name: "all (WER)", unit: .words, utterances: 3,
                                    counts: ErrorCounts(substitutions: wer.errors, referenceLength: wer.words)))
        }
        if let cer {
            rates.append(GroupScore(name: "all (CER)", unit: .characters, utterances: 2,
                                    counts: ErrorCounts(insertions: cer.errors, referenceLength: cer.characters)))
        }
        return ModelBenchmarkResult(
            model: model, directory: "/models/\(model)", sizeBytes: sizeBytes,
            loadSeconds: RepeatedMeasurement([0.2, 0.1, 0.3]), peakMemoryBytes: peakBytes,
            encoderMillisecondsPerWindow: RepeatedMeasurement(median: encoderMs, min: encoderMs * 0.9, max: encoderMs * 1.2),
            decoderMillisecondsPerToken: RepeatedMeasurement(median: decoderMs, min: decoderMs, max: decoderMs),
            decoderTokens: 64, realTimeFactor: RepeatedMeasurement(median: realTimeFactor, min: realTimeFactor, max: realTimeFactor),
            audioSeconds: 42.5, utterances: 3, errorRates: rates, threads: 2)
    }

    static let settings = BenchmarkSettings(input: "dev/manifest.jsonl", languages: ["en"], threads: 2, repeats: 3,
                                            beamSize: 1, cpuPath: "avx2")
    static let baseline = result("tiny.en", sizeBytes: 75_000_000, peakBytes: 300_000_000, encoderMs: 400,
                                 decoderMs: 5, realTimeFactor: 0.05, wer: (10, 200))
    static let larger = result("base", sizeBytes: 150_000_000, peakBytes: 450_000_000, encoderMs: 1000,
                               decoderMs: 10, realTimeFactor: 0.2, wer: (6, 200))

    @Test(arguments: [([3.0], 3.0, 3.0, 3.0), ([5.0, 1.0, 3.0], 3.0, 1.0, 5.0), ([4.0, 1.0, 2.0, 8.0], 3.0, 1.0, 8.0)])
    func medianMinAndMax(samples: [Double], median: Double, min: Double, max: Double) {
        #expect(RepeatedMeasurement(samples) == RepeatedMeasurement(median: median, min: min, max: max))
    }

    @Test func ratiosAreAgainstTheBaseline() throws {
        let comparison = BenchmarkComparison(Self.larger, against: Self.baseline)
        #expect(comparison.sizeRatio == 2)
        #expect(comparison.memoryRatio == 1.5)
        #expect(comparison.encoderSpeedup == 0.4)
        #expect(comparison.decoderSpeedup == 0.5)
        #expect(comparison.realTimeSpeedup == 0.25)
        // 3 % against 5 %: two points better.
        #expect(abs(try #require(comparison.werDeltaPoints) + 2) < 1e-9)
        #expect(comparison.cerDeltaPoints == nil)

        let itself = BenchmarkComparison(Self.baseline, against: Self.baseline)
        #expect(itself.sizeRatio == 1 && itself.encoderSpeedup == 1 && itself.werDeltaPoints == 0)
    }

    @Test func missingMemoryAndZeroTimingsStayFinite() {
        let noProc = Self.result("x", sizeBytes: 1, peakBytes: nil, encoderMs: 0, decoderMs: 0, realTimeFactor: 0, wer: nil)
        let comparison = BenchmarkComparison(noProc, against: Self.baseline)
        #expect(comparison.memoryRatio == nil)
        #expect(comparison.encoderSpeedup == 0)
        #expect(comparison.werDeltaPoints == nil)
        #expect(BenchmarkComparison(Self.baseline, against: noProc).encoderSpeedup == 0)
    }

    @Test func tableShowsMeasurementsRatiosAndSettings() {
        let text = BenchmarkTable.render(BenchmarkReport(settings: Self.settings, results: [Self.baseline, Self.larger]))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "input dev/manifest.jsonl [en], 3 utterances, 42.5 s; threads 2, repeats 3 (median), beam size 1, cpu avx2")
        let base = lines.first { $0.hasPrefix("base ") && $0.contains("1000.0") }
        #expect(base?.split(separator: " ") == ["base", "150.0", "0.20", "450.0", "1000.0", "10.00", "0.200", "3.00"])
        let ratios = lines.last { $0.hasPrefix("base ") }
        #expect(ratios?.split(separator: " ") == ["base", "2.00x", "1.50x", "0.40x", "0.50x", "0.25x", "-2.00"])
        let first = lines.last { $0.hasPrefix("tiny.en ") }
        #expect(first?.split(separator: " ") == ["tiny.en", "1.00x", "1.00x", "1.00x", "1.00x", "1.00x", "+0.00"])
        #expect(!text.contains("CER"))
    }

    @Test func characterScoredInputsGetACERColumnAndFailuresAreListed() {
        let chinese = Self.result("zh", sizeBytes: 1, peakBytes: 1, encoderMs: 1, decoderMs: 1, realTimeFactor: 1,
                                  wer: nil, cer: (5, 50))
        let report = BenchmarkReport(settings: Self.settings, results: [Self.baseline, chinese],
                                     failures: [BenchmarkFailure(model: "/tmp/broken", reason: "no model.bin")])
        let text = BenchmarkTable.render(report)
        #expect(text.contains("CER %"))
        #expect(text.contains("10.00"))
        #expect(text.hasSuffix("failed: /tmp/broken: no model.bin"))
    }

    @Test func reportRoundTripsThroughJSON() throws {
        let report = BenchmarkReport(settings: Self.settings, results: [Self.baseline, Self.larger])
        let decoded = try JSONDecoder().decode(BenchmarkReport.self, from: try JSONEncoder().encode(report))
        #expect(decoded == report)
    }
}
