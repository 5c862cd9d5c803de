import Foundation

/// Decodes anything ffmpeg understands (mp3, flac, ogg, m4a, aiff...) to 16 kHz mono float by running
/// `ffmpeg -nostdin -loglevel error -i file:<path> -f f32le -ac 1 -ar 16000 pipe:1`. ffmpeg's own
/// resampler and channel mix are used for these inputs (as openai/whisper's `load_audio` does).
package struct FFmpegDecoder: Sendable {
    /// The executable to run, or nil when none was found.
    package let executablePath: String?
    /// Where it was looked for, for the "not found" message.
    package let searched: String

    package static let environmentVariable = "SOTTO_FFMPEG"

    /// Uses the executable named by SOTTO_FFMPEG when set, else the first `ffmpeg` on PATH.
    package static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> FFmpegDecoder {
        if let override = environment[environmentVariable], !override.isEmpty {
            return FFmpegDecoder(executablePath: override)
        }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/ffmpeg"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return FFmpegDecoder(executablePath: candidate)
            }
        }
        return FFmpegDecoder(resolvedPath: nil, searched: "no ffmpeg on PATH")
    }

    /// A specific executable; a path that is not an executable file counts as "not installed".
    package init(executablePath: String) {
        if FileManager.default.isExecutableFile(atPath: executablePath) {
            self.init(resolvedPath: executablePath, searched: executablePath)
        } else {
            self.init(resolvedPath: nil, searched: "\(executablePath) is not an executable file")
        }
    }

    private init(resolvedPath: String?, searched: String) {
        executablePath = resolvedPath
        self.searched = searched
    }

    /// Decodes the file at `path`; `file` names it in errors.
    package func decode(path: String, file: String) throws -> [Float] {
        guard let executablePath else {
            throw AudioError.ffmpegNotFound(file: file, searched: searched)
        }
        // "file:" keeps ffmpeg from reading a path such as "pipe:0" or "http://..." as a protocol.
        let arguments = ["-nostdin", "-loglevel", "error", "-i", "file:" + path,
                         "-f", "f32le", "-ac", "1", "-ar", String(AudioTiming.sampleRateHz), "pipe:1"]
        let result = try Self.run(executablePath, arguments: arguments, file: file)
        guard result.exitStatus == 0 else {
            // ffmpeg names its input; show the caller's name, not a temporary file's.
            let stderr = String(decoding: result.stderr, as: UTF8.self).replacingOccurrences(of: "file:" + path, with: file)
            throw AudioError.ffmpegFailed(file: file, exitStatus: Int(result.exitStatus), stderr: stderr)
        }
        return Self.floats(littleEndian: [UInt8](result.stdout))
    }

    /// Runs the process, reading stderr on another thread while this one reads stdout, so neither
    /// pipe can fill up and stall ffmpeg.
    private static func run(_ executable: String, arguments: [String], file: String) throws
        -> (stdout: Data, stderr: Data, exitStatus: Int32)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw AudioError.ffmpegNotFound(file: file, searched: "\(executable) could not be started: \(error)")
        }
        let stderrBox = DataBox()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            stderrBox.set(stderrPipe.fileHandleForReading.readDataToEndOfFile())
        }
        let stdout = stdoutPipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (stdout, stderrBox.get(), process.terminationStatus)
    }

    static func floats(littleEndian bytes: [UInt8]) -> [Float] {
        var samples = [Float](repeating: 0, count: bytes.count / 4)
        for i in samples.indices {
            let b = 4 * i
            let bits = UInt32(bytes[b]) | UInt32(bytes[b + 1]) << 8 | UInt32(bytes[b + 2]) << 16
                | UInt32(bytes[b + 3]) << 24
            samples[i] = Float(bitPattern: bits)
        }
        return samples
    }
}

/// Hands the stderr bytes from the reader thread to the waiting one. The lock makes the handoff safe;
/// the DispatchGroup wait orders it.
private final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func set(_ value: Data) {
        lock.lock()
        data = value
        lock.unlock()
    }

    func get() -> Data {
        lock.lock()
        defer { lock.unlock() }
        return data
    }
}
