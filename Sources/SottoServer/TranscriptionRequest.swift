import Foundation
import SottoDecoding
import SottoText

/// The response bodies OpenAI's audio endpoints can return.
package enum ResponseFormat: String, Sendable, CaseIterable {
    case json, text, srt, vtt
    case verboseJSON = "verbose_json"
}

/// What `verbose_json` times: segments, words or both.
package enum TimestampGranularity: String, Sendable, Hashable {
    case segment, word
}

/// One validated request to `/v1/audio/transcriptions` or `/v1/audio/translations`.
package struct TranscriptionRequest: Sendable {
    package var audio: [UInt8]
    package var filename: String
    /// The model name as the client wrote it (`whisper-1` means the server's default model).
    package var model: String?
    package var task: WhisperTask
    package var format: ResponseFormat
    package var stream: Bool
    package var options: TranscriptionOptions
    /// `timestamp_granularities[]`: `verbose_json` carries segments unless only words were asked for,
    /// and top-level words when they were (as OpenAI's API).
    package var granularities: Set<TimestampGranularity> = [.segment]

    /// Reads OpenAI's form fields; anything malformed is a 400 naming the field.
    package init(form: MultipartForm, task: WhisperTask) throws(APIError) {
        guard let file = form.part("file") else { throw .invalidRequest("The 'file' field is missing.", param: "file") }
        guard !file.bytes.isEmpty else { throw .invalidRequest("The uploaded file is empty.", param: "file") }
        audio = file.bytes
        filename = file.filename ?? "upload"
        model = form.text("model").flatMap { $0.isEmpty ? nil : $0 }
        self.task = task
        let formatName = form.text("response_format") ?? "json"
        guard let format = ResponseFormat(rawValue: formatName) else {
            throw .invalidRequest("response_format must be one of json, text, srt, vtt, verbose_json; got '\(formatName)'.",
                                  param: "response_format")
        }
        self.format = format
        stream = try Self.bool(form.text("stream"), field: "stream")
        options = try Self.options(form: form, task: task)
        let names = form.texts("timestamp_granularities[]")
        if !names.isEmpty { granularities = try Self.granularities(names, format: format) }
        options.wordTimestamps = granularities.contains(.word)
    }

    private static func granularities(_ names: [String], format: ResponseFormat) throws(APIError) -> Set<TimestampGranularity> {
        var granularities: Set<TimestampGranularity> = []
        for name in names {
            guard let granularity = TimestampGranularity(rawValue: name) else {
                throw .invalidRequest("timestamp_granularities[] must be 'segment' or 'word'; got '\(name)'.",
                                      param: "timestamp_granularities[]")
            }
            granularities.insert(granularity)
        }
        // Only verbose_json has a place for words, as in OpenAI's API.
        if granularities.contains(.word) && format != .verboseJSON {
            throw .invalidRequest("timestamp_granularities[]=word needs response_format=verbose_json; got '\(format.rawValue)'.",
                                  param: "timestamp_granularities[]")
        }
        return granularities
    }

    private static func options(form: MultipartForm, task: WhisperTask) throws(APIError) -> TranscriptionOptions {
        var options = TranscriptionOptions()
        // Greedy decoding, as openai-whisper's transcribe() defaults to; beam search is opt-in.
        options.decoding.beamSize = 1
        options.decoding.bestOf = 1
        options.decoding.task = task
        if task == .transcribe, let language = form.text("language"), !language.isEmpty {
            guard let code = WhisperLanguages.code(for: language.lowercased()) else {
                throw .invalidRequest("Unknown language '\(language)'.", param: "language")
            }
            options.decoding.language = code
        }
        if let prompt = form.text("prompt"), !prompt.isEmpty { options.initialPrompt = prompt }
        if let text = form.text("temperature") {
            guard let temperature = Double(text), (0...1).contains(temperature) else {
                throw .invalidRequest("temperature must be a number between 0 and 1; got '\(text)'.", param: "temperature")
            }
            // A client's temperature is the first of the fallback schedule, as openai-whisper's CLI.
            options.temperatures = TranscriptionOptions.fallbackTemperatures(from: temperature, increment: 0.2)
        }
        if let text = form.text("beam_size") {
            guard let beams = Int(text), (1...16).contains(beams) else {
                throw .invalidRequest("beam_size must be an integer from 1 to 16; got '\(text)'.", param: "beam_size")
            }
            options.decoding.beamSize = beams
        }
        do {
            return try options.validated()
        } catch {
            throw .invalidRequest("Invalid options: \(error)")
        }
    }

    private static func bool(_ text: String?, field: String) throws(APIError) -> Bool {
        switch text?.lowercased() {
        case nil, "", "false", "0": return false
        case "true", "1": return true
        default: throw .invalidRequest("\(field) must be true or false; got '\(text ?? "")'.", param: field)
        }
    }
}
