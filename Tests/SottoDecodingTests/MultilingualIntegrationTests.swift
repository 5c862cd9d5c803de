import Foundation
import SottoAudio
import SottoDecoding
import SottoTestSupport
import Testing

/// The multilingual base model: language detection and translation on real speech.
@Suite(.serialized) struct MultilingualIntegrationTests {
    static let transcriber: Result<Transcriber, any Error> = Result {
        try Transcriber.load(directory: try TestPaths.model("base"))
    }

    func samples(_ id: String) throws -> [Float] {
        try AudioLoader.load(path: try TestPaths.devFile("audio/\(id).wav").path)
    }

    /// Each clip's detected language is the one faster-whisper detects and the manifest states.
    @Test(arguments: [("de_picovoice_test_de", "de"), ("fr_picovoice_test_fr", "fr"), ("ja_picovoice_test_ja", "ja"),
                      ("zh_aishell1_BAC009S0724W0121", "zh"), ("en_jfk", "en")])
    func detectsTheSpokenLanguage(id: String, language: String) throws {
        let transcriber = try Self.transcriber.get()
        let detected = transcriber.detectLanguage(samples: try samples(id))
        let reference = try ReferenceTranscripts.load().run(model: "base", beamSize: 1)
        #expect(detected.language == language)
        #expect(reference.hypotheses[id]?.language == language)
        #expect(detected.probability > 0.5)
        #expect(detected.allProbabilities.count == 99)
    }

    @Test func translatesGermanIntoEnglish() throws {
        let transcriber = try Self.transcriber.get()
        var options = TranscriptionOptions()
        options.decoding.task = .translate
        options.decoding.beamSize = 1
        let result = try transcriber.transcribe(samples: try samples("de_picovoice_test_de"), options: options)
        #expect(result.language == "de")
        let words = result.text.lowercased()
        #expect(words.contains("portal") && words.contains("room"), "\(result.text)")
        #expect(!words.contains("diesem") && !words.contains("wurde"), "\(result.text)")
    }

    @Test func givenLanguageSkipsDetectionAndIsUsed() throws {
        let transcriber = try Self.transcriber.get()
        var options = TranscriptionOptions()
        options.decoding.language = "German"
        options.decoding.beamSize = 1
        let result = try transcriber.transcribe(samples: try samples("de_picovoice_test_de"), options: options)
        #expect(result.language == "de")
        #expect(result.text.contains("Portal"))
        options.decoding.language = "klingon"
        #expect(throws: DecodingError.self) { try transcriber.transcribe(samples: [Float](repeating: 0, count: 16_000), options: options) }
    }
}
