import Foundation

/// Turns an audio file into Whisper's input: 16 kHz mono Float samples in [-1, 1].
///
/// RIFF/WAVE is decoded natively (no ffmpeg needed); everything else goes through ffmpeg. The choice
/// is made from the bytes, not the file name, so a mislabelled file still decodes.
public enum AudioLoader {
    /// The name errors use for standard input.
    public static let standardInputName = "<stdin>"

    /// Decodes `path` ("-" reads standard input) to 16 kHz mono Float samples in [-1, 1].
    public static func load(path: String) throws -> [Float] {
        try load(path: path, ffmpeg: .fromEnvironment())
    }

    /// Same for bytes already in memory; `name` is used in error messages.
    public static func load(data: Data, name: String) throws -> [Float] {
        try load(data: data, name: name, ffmpeg: .fromEnvironment())
    }

    /// `load(path:)` with an explicit ffmpeg, so tests need not change the process environment.
    package static func load(path: String, ffmpeg: FFmpegDecoder) throws -> [Float] {
        if path == "-" {
            let bytes = FileHandle.standardInput.readDataToEndOfFile()
            return try load(data: bytes, name: standardInputName, ffmpeg: ffmpeg)
        }
        let header = try readHeader(path: path)
        if WAVDecoder.isWAV(header[...]) {
            return try decodeWAV(readAll(path: path), file: path) {
                try ffmpeg.decode(path: path, file: path)
            }
        }
        guard !header.isEmpty else { throw AudioError.emptyFile(file: path) }
        return try ffmpeg.decode(path: path, file: path)
    }

    /// `load(data:name:)` with an explicit ffmpeg.
    package static func load(data: Data, name: String, ffmpeg: FFmpegDecoder) throws -> [Float] {
        guard !data.isEmpty else { throw AudioError.emptyFile(file: name) }
        let bytes = [UInt8](data)
        if WAVDecoder.isWAV(bytes[...]) {
            return try decodeWAV(bytes, file: name) {
                try decodeWithFFmpeg(data, name: name, ffmpeg: ffmpeg)
            }
        }
        return try decodeWithFFmpeg(data, name: name, ffmpeg: ffmpeg)
    }

    private static func decodeWithFFmpeg(_ data: Data, name: String, ffmpeg: FFmpegDecoder) throws -> [Float] {
        // ffmpeg gets a temporary file rather than a pipe: containers such as m4a need to seek.
        let temporary = FileManager.default.temporaryDirectory
            .appendingPathComponent("sotto-audio-\(UUID().uuidString)")
        do {
            try data.write(to: temporary)
        } catch {
            throw AudioError.unreadable(file: name, reason: "cannot write a temporary file for ffmpeg: \(error)")
        }
        defer { try? FileManager.default.removeItem(at: temporary) }
        return try ffmpeg.decode(path: temporary.path, file: name)
    }

    /// Native decode, then resampling to 16 kHz when the file has another rate. WAV encodings the
    /// native reader lacks (ADPCM, mu-law...) go to `fallback` (ffmpeg) when ffmpeg is installed.
    private static func decodeWAV(_ bytes: [UInt8], file: String, fallback: () throws -> [Float]) throws -> [Float] {
        let samples: [Float]
        let rateHz: Int
        do {
            (samples, rateHz) = try WAVDecoder.decode(bytes, file: file)
        } catch AudioError.unsupportedWAVEncoding(let file, let tag, let bits) {
            do {
                return try fallback()
            } catch AudioError.ffmpegNotFound {
                throw AudioError.unsupportedWAVEncoding(file: file, formatTag: tag, bitsPerSample: bits)
            }
        }
        if rateHz == AudioTiming.sampleRateHz { return samples }
        return Resampler(inputRateHz: rateHz).resample(samples)
    }

    /// The first 12 bytes (fewer for a shorter file): enough to recognise RIFF/WAVE.
    private static func readHeader(path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AudioError.fileNotFound(file: path)
        }
        guard !isDirectory.boolValue else {
            throw AudioError.unreadable(file: path, reason: "it is a directory")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw AudioError.unreadable(file: path, reason: "permission denied or not a regular file")
        }
        defer { try? handle.close() }
        do {
            return [UInt8](try handle.read(upToCount: 12) ?? Data())
        } catch {
            throw AudioError.unreadable(file: path, reason: "\(error)")
        }
    }

    private static func readAll(path: String) throws -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe))
        } catch {
            throw AudioError.unreadable(file: path, reason: "\(error)")
        }
    }
}
