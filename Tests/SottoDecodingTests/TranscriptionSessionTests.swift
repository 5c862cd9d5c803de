import Foundation
import SottoAudio
import SottoDecoding
import SottoTestSupport
import Testing

/// A session stepped window by window is `Transcriber.transcribe` (real tiny.en, 46 s of speech).
@Suite(.serialized) struct TranscriptionSessionTests {
    @Test func steppingReportsEachWindowsSegmentsAndEndsWithTheSameResult() throws {
        let transcriber = try Transcriber.load(directory: try TestPaths.model("tiny.en"))
        var options = TranscriptionOptions()
        options.decoding.beamSize = 1
        let samples = try AudioLoader.load(path: try TestPaths.devFile("audio/en_long_dev_concat.wav").path)
        var session = try transcriber.makeSession(samples: samples, options: options)
        var streamed: [Segment] = []
        var steps = 0
        while !session.isFinished {
            streamed += session.step()
            steps += 1
            #expect(session.processedSeconds <= session.durationSeconds)
        }
        #expect(steps >= 2)
        #expect(session.step().isEmpty)
        let whole = try transcriber.transcribe(samples: samples, options: options)
        #expect(streamed == whole.segments)
        #expect(session.result.text == whole.text)

        // Half steps: the encoder pass adds nothing, the decode adds the window's segments.
        var halves = try transcriber.makeSession(samples: samples, options: options)
        #expect(halves.advance().isEmpty)
        #expect(halves.segments.isEmpty)
        #expect(Array(halves.advance()) == Array(whole.segments.prefix(halves.segments.count)))
        #expect(!halves.segments.isEmpty)
    }
}
