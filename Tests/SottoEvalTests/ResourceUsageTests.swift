import Foundation
import SottoEval
import Testing

@Suite struct ResourceUsageTests {
    @Test func peakMemoryIsReadFromProc() throws {
        let peak = try #require(ResourceUsage.peakResidentBytes(), "no /proc/self/status")
        #expect(peak > 1_000_000)
    }

    @Test func modelDirectorySizeCountsEveryFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sotto-size-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("sub"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(count: 1000).write(to: directory.appendingPathComponent("model.bin"))
        try Data(count: 24).write(to: directory.appendingPathComponent("sub/config.json"))
        try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("link.bin"),
                                                   withDestinationURL: directory.appendingPathComponent("model.bin"))
        #expect(try ResourceUsage.directorySizeBytes(directory) == 2024)
    }
}
