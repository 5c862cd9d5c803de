import Foundation

/// The file formats a transcript can be written in, named as openai-whisper's `--output_format`.
public enum TranscriptFormat: String, CaseIterable, Sendable, Codable {
    case txt, srt, vtt, json, tsv

    public func render(_ result: TranscriptionResult) throws -> String {
        switch self {
        case .txt: return result.segments.map { $0.text.trimmingWhitespace() + "\n" }.joined()
        case .srt: return SubtitleRenderer.srt(result.segments)
        case .vtt: return SubtitleRenderer.vtt(result.segments)
        case .tsv: return SubtitleRenderer.tsv(result.segments)
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(result), as: UTF8.self) + "\n"
        }
    }
}

/// Subtitle layouts; times as openai's `format_timestamp`.
enum SubtitleRenderer {
    static func srt(_ segments: [Segment]) -> String {
        segments.enumerated().map { index, segment in
            "\(index + 1)\n\(timestamp(segment.start, separator: ",", alwaysHours: true)) --> "
                + "\(timestamp(segment.end, separator: ",", alwaysHours: true))\n"
                + "\(cueText(segment))\n\n"
        }.joined()
    }

    static func vtt(_ segments: [Segment]) -> String {
        "WEBVTT\n\n" + segments.map { segment in
            "\(timestamp(segment.start, separator: ".", alwaysHours: false)) --> "
                + "\(timestamp(segment.end, separator: ".", alwaysHours: false))\n\(cueText(segment))\n\n"
        }.joined()
    }

    /// Start and end in integer milliseconds, tab-separated, as openai's WriteTSV.
    static func tsv(_ segments: [Segment]) -> String {
        "start\tend\ttext\n" + segments.map { segment in
            let text = cueText(segment).replacingOccurrences(of: "\t", with: " ")
            return "\(milliseconds(segment.start))\t\(milliseconds(segment.end))\t\(text)\n"
        }.joined()
    }

    static func timestamp(_ seconds: Double, separator: String, alwaysHours: Bool) -> String {
        let total = milliseconds(seconds)
        let hours = total / 3_600_000
        let minutes = total / 60_000 % 60
        let secs = total / 1000 % 60
        let millis = total % 1000
        let hoursPart = alwaysHours || hours > 0 ? String(format: "%02d:", hours) : ""
        return hoursPart + String(format: "%02d:%02d%@%03d", minutes, secs, separator, millis)
    }

    private static func milliseconds(_ seconds: Double) -> Int { Int((max(seconds, 0) * 1000).rounded()) }

    /// "-->" inside a cue would end it early, as openai notes.
    private static func cueText(_ segment: Segment) -> String {
        segment.text.trimmingWhitespace().replacingOccurrences(of: "-->", with: "->")
    }
}
