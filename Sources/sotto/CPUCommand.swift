import ArgumentParser
import Foundation
import SottoTensor

/// Shows what Sotto runs on this machine: the processor, its instruction sets, the path each kernel
/// family takes and the OpenBLAS core (replaced when OpenBLAS picked generic kernels).
struct CPUCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cpu", abstract: "Show the CPU, its instruction sets, the kernel paths and the BLAS core in use.")

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        Compute.setThreads(Compute.threadCount)
        let report = CPUReport.current()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        print("cpu          \(report.model)")
        print("features     \(report.features.joined(separator: " "))")
        for family in report.kernelPaths.keys.sorted() {
            print("\(family.padding(toLength: 13, withPad: " ", startingAt: 0))\(report.kernelPaths[family]!)")
        }
        var blas = report.blasCore
        if report.blasCoreReplaced { blas += " (OpenBLAS picked \(report.blasCoreChosenByBLAS); replaced)" }
        if !report.blasNote.isEmpty { blas += " (\(report.blasNote))" }
        print("blas core    \(blas); strongest for this CPU: \(report.blasCoreBestForCPU)")
    }
}
