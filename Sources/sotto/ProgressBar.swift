import Foundation

/// A one-line progress bar on standard error, drawn only when it is a terminal.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let unit: String
    private let enabled: Bool
    private let lock = NSLock()

    /// `unit` follows the counts: "s" shows seconds with one decimal, anything else whole numbers.
    init(label: String, unit: String = "s") {
        self.label = label
        self.unit = unit
        enabled = isatty(STDERR_FILENO) == 1
    }

    func update(done: Double, total: Double) {
        guard enabled, total > 0 else { return }
        let fraction = min(max(done / total, 0), 1)
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        lock.withLock {
            let counts = unit == "s" ? String(format: "%.1f/%.1f s", done, total) : "\(Int(done))/\(Int(total)) \(unit)"
            FileHandle.standardError.write(Data(String(format: "\r%@ [%@] %3.0f%% %@", label, bar, fraction * 100, counts).utf8))
        }
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// Writes one line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
