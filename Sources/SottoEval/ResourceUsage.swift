import Foundation

/// What a model costs on disk and in memory, read from the file system and from /proc.
public enum ResourceUsage {
    /// Bytes of every regular file under `directory`; symbolic links (hub snapshots point into a
    /// blob store) count as the files they point to.
    public static func directorySizeBytes(_ directory: URL) throws -> Int {
        let keys: [URLResourceKey] = [.isRegularFileKey, .fileSizeKey]
        guard let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: keys) else {
            throw EvalError.unreadableModelDirectory(directory.path)
        }
        var total = 0
        for case let url as URL in files {
            let values = try url.resolvingSymlinksInPath().resourceValues(forKeys: Set(keys))
            if values.isRegularFile == true { total += values.fileSize ?? 0 }
        }
        return total
    }

    /// This process's peak resident set size (`VmHWM` in /proc/self/status), nil where there is no
    /// /proc (not Linux).
    public static func peakResidentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        return kibibytes(field: "VmHWM", in: status).map { $0 * 1024 }
    }

    /// The value of a `Name:<tab>   123 kB` line of a /proc status file.
    static func kibibytes(field: String, in status: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            let parts = line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" })
            return parts.first.flatMap { Int($0) }
        }
        return nil
    }
}
