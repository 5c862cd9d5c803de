import SottoTensor
import Testing

@Suite struct CPUReportTests {
    /// Also the test log's record of the machine: which CPU, which kernel paths, which BLAS core ran.
    @Test func reportNamesTheMachineAndItsPaths() {
        Compute.setThreads(Compute.threadCount)
        let report = CPUReport.current()
        print("cpu under test: \(report.summary)")
        #expect(!report.model.isEmpty)
        #expect(Set(report.kernelPaths.keys) == ["weights", "attention", "elementwise", "int8 gemm"])
        if report.kernelPaths["attention"]?.hasPrefix("avx2") == true { #expect(report.features.contains("avx2")) }
        if report.kernelPaths["attention"]?.contains("bf16") == true { #expect(report.features.contains("avx512bf16")) }
        if report.kernelPaths["elementwise"] == "avx512" { #expect(report.features.contains("avx512f")) }
        if report.kernelPaths["int8 gemm"] == "avx512vnni" { #expect(report.features.contains("avx512vnni")) }
    }

    /// A generic-kernel fallback (OpenBLAS not knowing the CPU model) costs 4-9x on every product.
    @Test func blasCoreIsNotWeakerThanTheCPU() {
        Compute.setThreads(Compute.threadCount)
        let report = CPUReport.current()
        #expect(!report.blasCoreIsWeakerThanCPU,
                "BLAS core \(report.blasCore) is weaker than \(report.blasCoreBestForCPU) (\(report.blasNote))")
        #expect(BLASCore.rank(report.blasCore) > 0, "unrecognised BLAS core \(report.blasCore)")
    }

    @Test(arguments: [("Prescott", 1), ("sandybridge", 2), ("Haswell", 3), ("Zen", 3), ("SkylakeX", 4),
                      ("COOPERLAKE", 4), ("Vortex", 0), ("", 0)])
    func coreRanksFollowTheirInstructionSets(core: String, rank: Int) {
        #expect(BLASCore.rank(core) == rank)
    }
}
