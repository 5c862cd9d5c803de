import Foundation
import SottoAudio
import SottoDecoding
import SottoTestSupport
import Testing

/// Batched decoding across transcriptions (what the server's scheduler runs) gives the same tokens
/// as each transcription alone: real dev clips, real weights, sessions joining and leaving the
/// batch at different windows and prompt lengths (the 46 s file seeks through several windows).
@Suite(.serialized) struct SessionBatchTests {
    static let englishClips = [
        "en_jfk", "en_long_dev_concat", "en_librivox_sense_sensibility_0870", "en_librivox_sense_sensibility_0880",
        "en_ljspeech_LJ001-0001", "en_ljspeech_LJ001-0002", "en_ls_dev-clean_1272-128104-0000",
        "en_ls_test-clean_1089-134686-0001_icefallname", "en_ls_test-clean_1995-1837-0001",
    ]

    static func greedy() -> TranscriptionOptions {
        var options = TranscriptionOptions()
        options.decoding.beamSize = 1
        options.decoding.bestOf = 1
        return options
    }

    /// Runs `clips` as a scheduler would: a new one joins every `joinEverySteps` decoding steps,
    /// encoder passes run between steps, and every session with an encoded window steps together.
    /// Returns each clip's result and the largest batch seen.
    static func batched(_ transcriber: Transcriber, _ clips: [[Float]], options: TranscriptionOptions,
                        joinEverySteps: Int = 3) throws -> (results: [TranscriptionResult], largestBatch: Int) {
        var waiting = Array(clips.enumerated())
        var active: [(index: Int, session: TranscriptionSession)] = []
        var results = [TranscriptionResult?](repeating: nil, count: clips.count)
        var largestBatch = 0
        var step = 0
        while !waiting.isEmpty || !active.isEmpty {
            if step % joinEverySteps == 0 || active.isEmpty, !waiting.isEmpty {
                let (index, samples) = waiting.removeFirst()
                active.append((index, try transcriber.makeSession(samples: samples, options: options)))
            }
            for i in active.indices where !active[i].session.isDecodingWindow && !active[i].session.isFinished {
                active[i].session.encodeNextWindow()
            }
            let decoding = active.indices.filter { active[$0].session.isDecodingWindow }
            var sessions = decoding.map { active[$0].session }
            largestBatch = max(largestBatch, sessions.count)
            _ = SessionBatch.decodeStep(&sessions)
            for (k, i) in decoding.enumerated() { active[i].session = sessions[k] }
            for finished in active where finished.session.isFinished { results[finished.index] = finished.session.result }
            active.removeAll { $0.session.isFinished }
            step += 1
        }
        return (results.map { $0! }, largestBatch)
    }

    static func load(_ names: [String]) throws -> [[Float]] {
        try names.map { try AudioLoader.load(path: try TestPaths.devFile("audio/\($0).wav").path) }
    }

    static func expectSameTokens(_ batched: [TranscriptionResult], _ alone: [TranscriptionResult], _ names: [String],
                                 _ what: String) {
        for (i, name) in names.enumerated() {
            #expect(batched[i].segments.map(\.tokens) == alone[i].segments.map(\.tokens), "\(what) \(name): tokens")
            #expect(batched[i].text == alone[i].text, "\(what) \(name)")
            #expect(batched[i].segments.map(\.start) == alone[i].segments.map(\.start), "\(what) \(name): timestamps")
        }
    }

    @Test("greedy batched text is unbatched text, token for token", arguments: ["tiny.en", "base"])
    func greedyBatchedEqualsAlone(model: String) throws {
        let transcriber = try Transcriber.load(directory: try TestPaths.model(model))
        // base is multilingual: give the language so both runs skip detection the same way.
        var options = Self.greedy()
        options.decoding.language = "en"
        let names = model == "base" ? Array(Self.englishClips.prefix(5)) : Self.englishClips
        let clips = try Self.load(names)
        let alone = try clips.map { try transcriber.transcribe(samples: $0, options: options) }
        let (batched, largestBatch) = try Self.batched(transcriber, clips, options: options)
        #expect(largestBatch >= 4, "the clips overlapped in the batch (largest \(largestBatch))")
        Self.expectSameTokens(batched, alone, names, model)
    }

    /// Every window fails the log-probability check, so each runs at both temperatures (the
    /// second samples two candidates): fallback restarts a window in place inside the batch.
    @Test("temperature fallback inside the batch matches fallback alone")
    func fallbackInsideTheBatch() throws {
        let transcriber = try Transcriber.load(directory: try TestPaths.model("tiny.en"))
        var options = Self.greedy()
        options.temperatures = [0, 0.6]
        options.decoding.bestOf = 2
        options.logProbThreshold = 0
        options.noSpeechThreshold = nil
        let names = ["en_jfk", "en_ljspeech_LJ001-0001", "en_ljspeech_LJ001-0002"]
        let clips = try Self.load(names)
        let alone = try clips.map { try transcriber.transcribe(samples: $0, options: options) }
        #expect(alone.allSatisfy { $0.timings.fallbacks >= 1 })
        let (batched, largestBatch) = try Self.batched(transcriber, clips, options: options, joinEverySteps: 2)
        #expect(largestBatch >= 2)
        Self.expectSameTokens(batched, alone, names, "fallback")
        #expect(batched.map(\.timings.fallbacks) == alone.map(\.timings.fallbacks))
    }
}
