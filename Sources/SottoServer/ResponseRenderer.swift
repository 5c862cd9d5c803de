import Foundation
import SottoDecoding
import SottoText

/// Turns a finished transcription into the body OpenAI would return for each `response_format`.
package enum ResponseRenderer {
    package static func contentType(_ format: ResponseFormat) -> String {
        switch format {
        case .json, .verboseJSON: return "application/json"
        case .text: return "text/plain; charset=utf-8"
        case .srt: return "application/x-subrip; charset=utf-8"
        case .vtt: return "text/vtt; charset=utf-8"
        }
    }

    package static func body(_ result: TranscriptionResult, format: ResponseFormat, task: WhisperTask,
                             granularities: Set<TimestampGranularity> = [.segment]) throws -> [UInt8] {
        switch format {
        case .json: return try encode(TextBody(text: text(result)))
        case .text: return Array((text(result) + "\n").utf8)
        case .srt: return Array(try TranscriptFormat.srt.render(result).utf8)
        case .vtt: return Array(try TranscriptFormat.vtt.render(result).utf8)
        case .verboseJSON: return try encode(VerboseBody(result, task: task, granularities: granularities))
        }
    }

    /// OpenAI's `text` has no leading space, unlike Whisper's raw segment text.
    package static func text(_ result: TranscriptionResult) -> String { result.text.trimmingWhitespace() }

    package static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    package struct TextBody: Encodable {
        var text: String
    }

    /// `verbose_json`: language by English name, duration in seconds, 0-based segment ids;
    /// `segments` unless only words were asked for, top-level `words` when they were.
    package struct VerboseBody: Encodable {
        var task: String
        var language: String
        var duration: Double
        var text: String
        var segments: [Segment]?
        var words: [WordBody]?

        init(_ result: TranscriptionResult, task: WhisperTask, granularities: Set<TimestampGranularity> = [.segment]) {
            self.task = task == .translate ? "translate" : "transcribe"
            language = WhisperLanguages.name(for: result.language) ?? result.language
            duration = result.durationSeconds
            text = ResponseRenderer.text(result)
            if granularities.contains(.segment) || granularities.isEmpty {
                segments = result.segments.enumerated().map { index, segment in
                    var renumbered = segment
                    renumbered.id = index
                    // OpenAI's segments have no words; they are listed once, at the top level.
                    renumbered.words = nil
                    return renumbered
                }
            }
            if granularities.contains(.word) {
                words = result.segments.flatMap { $0.words ?? [] }.map {
                    WordBody(word: $0.word.trimmingWhitespace(), start: $0.start, end: $0.end)
                }
            }
        }
    }

    /// One of OpenAI's `words`: the word without its leading space, start and end in seconds.
    package struct WordBody: Encodable, Equatable {
        var word: String
        var start: Double
        var end: Double
    }
}

extension String {
    package func trimmingWhitespace() -> String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
