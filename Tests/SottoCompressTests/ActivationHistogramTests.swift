import SottoCompress
import SottoTestSupport
import Testing

@Suite struct ActivationHistogramTests {
    @Test func countsSurviveRangeDoubling() {
        var histogram = ActivationHistogram()
        histogram.add([0.5, -0.25, 0.125][...])
        histogram.add([3, -7, 0.01][...])
        histogram.add([100][...])
        #expect(histogram.total == 7)
        #expect(histogram.bins.reduce(0, +) == 7)
        #expect(histogram.absMax == 100)
        #expect(histogram.range > 100 && histogram.range < 400)
    }

    @Test func quantilesOfAUniformRamp() {
        var histogram = ActivationHistogram()
        histogram.add((0..<10_000).map { Float($0) / 10_000 }[...])
        #expect(abs(histogram.quantile(0.5) - 0.5) < 0.001)
        #expect(abs(histogram.quantile(0.9) - 0.9) < 0.001)
        #expect(histogram.quantile(1) == histogram.absMax)
    }

    @Test func minMaxKeepsEverythingAndTheOthersClipARareOutlier() {
        var rng = SeededGenerator(seed: 3)
        var histogram = ActivationHistogram()
        var values = rng.floats(100_000, scale: 1)
        values[17] = 60  // one outlier, as Whisper's residual stream has
        histogram.add(values[...])
        let minMax = ScaleObserver.minMax.scale(histogram)
        #expect(minMax == Float(60) / 127)
        let percentile = ScaleObserver.percentile.scale(histogram)
        #expect(percentile < minMax / 4 && percentile * 127 >= 0.9, "percentile clips the outlier, not the bulk: \(percentile * 127)")
        // MSE weighs the lone outlier's clipping error against everyone's rounding error: its clip
        // lies between, and no other observer's clip has a lower error.
        let mseClip = ScaleObserver.mse.scale(histogram) * 127
        #expect(mseClip < 60 && mseClip > 1)
        for other in [Float(60), percentile * 127] {
            #expect(histogram.quantizationError(clip: mseClip) <= histogram.quantizationError(clip: other))
        }
    }

    @Test func emptyAndZeroInputsGiveAUsableScale() {
        var histogram = ActivationHistogram()
        for observer in ScaleObserver.allCases { #expect(observer.scale(histogram) > 0) }
        histogram.add([0, 0, 0][...])
        for observer in ScaleObserver.allCases {
            let scale = observer.scale(histogram)
            #expect(scale > 0 && scale.isFinite)
        }
    }
}
