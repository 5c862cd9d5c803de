import Foundation
import SottoDecoding
import Testing

@Suite struct TranscriptWritersTests {
    let result = TranscriptionResult(
        text: " Hello there. General --> Kenobi", language: "en", languageProbability: 1, durationSeconds: 3725.5,
        segments: [
            Segment(id: 1, seekFrames: 0, start: 0, end: 1.5, text: " Hello there.", tokens: [1, 2],
                    temperature: 0, avgLogprob: -0.2, compressionRatio: 1.1, noSpeechProb: 0.01),
            Segment(id: 2, seekFrames: 0, start: 3661.25, end: 3662.0, text: " General --> Kenobi", tokens: [3],
                    temperature: 0.2, avgLogprob: -0.5, compressionRatio: 1.2, noSpeechProb: 0.02),
        ])

    @Test func srtUsesCommasAndAlwaysHours() throws {
        let srt = try TranscriptFormat.srt.render(result)
        #expect(srt == "1\n00:00:00,000 --> 00:00:01,500\nHello there.\n\n2\n01:01:01,250 --> 01:01:02,000\nGeneral -> Kenobi\n\n")
    }

    @Test func vttHasAHeaderAndHoursOnlyWhenNeeded() throws {
        let vtt = try TranscriptFormat.vtt.render(result)
        #expect(vtt.hasPrefix("WEBVTT\n\n00:00.000 --> 00:01.500\nHello there.\n\n"))
        #expect(vtt.contains("01:01:01.250 --> 01:01:02.000\n"))
    }

    @Test func tsvAndTxt() throws {
        #expect(try TranscriptFormat.tsv.render(result) == "start\tend\ttext\n0\t1500\tHello there.\n3661250\t3662000\tGeneral -> Kenobi\n")
        #expect(try TranscriptFormat.txt.render(result) == "Hello there.\nGeneral --> Kenobi\n")
    }

    @Test func jsonHasTheFieldsOfOpenaiWhisper() throws {
        let json = try TranscriptFormat.json.render(result)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(Set(object.keys).isSuperset(of: ["text", "language", "duration", "segments"]))
        let segment = try #require((object["segments"] as? [[String: Any]])?.first)
        #expect(Set(segment.keys).isSuperset(of: ["id", "start", "end", "text", "tokens", "avg_logprob",
                                                   "no_speech_prob", "compression_ratio"]))
    }
}
