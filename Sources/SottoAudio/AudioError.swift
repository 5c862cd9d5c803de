import Foundation

/// Every way reading audio can fail. Each case names the input (a path, or `<stdin>`) and the problem,
/// so the message is useful on its own at the command line.
public enum AudioError: Error, CustomStringConvertible, Equatable {
    case fileNotFound(file: String)
    case unreadable(file: String, reason: String)
    case emptyFile(file: String)
    /// The file ends inside a header structure (RIFF header, chunk header or fmt chunk).
    case truncatedHeader(file: String, detail: String)
    /// A RIFF/WAVE file whose fmt chunk describes something impossible (no channels, zero rate...).
    case invalidWAVFormat(file: String, reason: String)
    /// A well-formed WAV whose encoding the native reader does not handle (ADPCM, mu-law, 12-bit PCM...).
    case unsupportedWAVEncoding(file: String, formatTag: Int, bitsPerSample: Int)
    case missingChunk(file: String, chunkID: String)
    /// The input is not WAV, so it needs ffmpeg, which could not be found at `searched`.
    case ffmpegNotFound(file: String, searched: String)
    case ffmpegFailed(file: String, exitStatus: Int, stderr: String)

    public var description: String {
        switch self {
        case .fileNotFound(let file):
            return "\(file): no such file"
        case .unreadable(let file, let reason):
            return "\(file): cannot read: \(reason)"
        case .emptyFile(let file):
            return "\(file): the file is empty (0 bytes)"
        case .truncatedHeader(let file, let detail):
            return "\(file): truncated WAV header: \(detail)"
        case .invalidWAVFormat(let file, let reason):
            return "\(file): invalid WAV format: \(reason)"
        case .unsupportedWAVEncoding(let file, let formatTag, let bits):
            let tag = "0x" + String(formatTag, radix: 16, uppercase: true)
            return "\(file): WAV encoding (format tag \(tag), \(bits) bits per sample) is not supported "
                + "natively; PCM 8/16/24/32-bit and float 32/64-bit are. "
                + "Install ffmpeg (apt-get install ffmpeg) to decode it"
        case .missingChunk(let file, let chunkID):
            return "\(file): WAV file has no '\(chunkID)' chunk"
        case .ffmpegNotFound(let file, let searched):
            return "\(file): not a WAV file; decoding this format needs ffmpeg, which was not found "
                + "(\(searched)). Install it with `apt-get install ffmpeg` (Debian/Ubuntu) or "
                + "`brew install ffmpeg` (macOS), or set SOTTO_FFMPEG to the ffmpeg executable, "
                + "or convert the audio to WAV"
        case .ffmpegFailed(let file, let status, let stderr):
            let detail = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return "\(file): ffmpeg could not decode it (exit status \(status))"
                + (detail.isEmpty ? "" : ": \(detail)")
        }
    }
}
