import SottoDecoding
import SottoText
import Testing
import SottoServer

@Suite struct TranscriptionRequestTests {
    func request(_ fields: [(String, String)], task: WhisperTask = .transcribe) throws(APIError) -> TranscriptionRequest {
        let body = ServerTestSupport.form(file: [1, 2, 3], fields: fields)
        return try TranscriptionRequest(form: try MultipartForm(body: body, boundary: ServerTestSupport.boundary), task: task)
    }

    @Test func defaultsAreGreedyJSONWithTheFallbackSchedule() throws {
        let parsed = try request([("model", "whisper-1")])
        #expect(parsed.format == .json)
        #expect(!parsed.stream)
        #expect(parsed.options.decoding.beamSize == 1)
        #expect(parsed.options.temperatures == [0, 0.2, 0.4, 0.6, 0.8, 1.0])
    }

    @Test func readsOpenAIFields() throws {
        let parsed = try request([
            ("model", "base"), ("language", "German"), ("prompt", "Namen"), ("response_format", "verbose_json"),
            ("temperature", "0.4"), ("stream", "true"), ("timestamp_granularities[]", "segment"),
        ])
        #expect(parsed.model == "base")
        #expect(parsed.options.decoding.language == "de")
        #expect(parsed.options.initialPrompt == "Namen")
        #expect(parsed.format == .verboseJSON)
        #expect(parsed.options.temperatures == [0.4, 0.6, 0.8, 1.0])
        #expect(parsed.stream)
    }

    @Test(arguments: [
        ("response_format", "xml"), ("temperature", "2"), ("temperature", "warm"), ("language", "klingon"),
        ("stream", "maybe"), ("timestamp_granularities[]", "word"), ("timestamp_granularities[]", "letter"),
        ("beam_size", "0"),
    ])
    func badFieldsAreBadRequestsNamingTheField(name: String, value: String) {
        do {
            _ = try request([(name, value)])
            Issue.record("\(name)=\(value) was accepted")
        } catch let error as APIError {
            #expect(error.status == .badRequest)
            #expect(error.param == name)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// Words need verbose_json (the only format with a place for them) and turn on word timing.
    @Test func wordGranularityAsksForWordTimestamps() throws {
        let words = try request([("response_format", "verbose_json"), ("timestamp_granularities[]", "word")])
        #expect(words.granularities == [.word])
        #expect(words.options.wordTimestamps)
        let both = try request([("response_format", "verbose_json"), ("timestamp_granularities[]", "word"),
                                ("timestamp_granularities[]", "segment")])
        #expect(both.granularities == [.word, .segment])
        let plain = try request([("response_format", "verbose_json")])
        #expect(plain.granularities == [.segment] && !plain.options.wordTimestamps)
    }

    /// The cache keeps word-timed and plain results apart: word timing moves segment times.
    @Test func theCacheKeyIncludesWordTimestamps() throws {
        let plain = try request([("response_format", "verbose_json")])
        let words = try request([("response_format", "verbose_json"), ("timestamp_granularities[]", "word")])
        #expect(ResultCache.key(audio: [1], model: "m", options: plain.options)
                != ResultCache.key(audio: [1], model: "m", options: words.options))
    }

    @Test func aMissingFileIsABadRequest() throws {
        let body = Array("--b\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nx\r\n--b--\r\n".utf8)
        #expect(throws: APIError.self) { try TranscriptionRequest(form: MultipartForm(body: body, boundary: "b"), task: .transcribe) }
    }
}
