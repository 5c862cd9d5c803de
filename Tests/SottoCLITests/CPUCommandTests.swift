import Foundation
import SottoTensor
import SottoTestSupport
import Testing

/// The OpenBLAS core fix and the cache-directory set-up, run as a user would. OpenBLAS is made to pick
/// its generic "Prescott" kernels with OPENBLAS_CORETYPE, which is what it does by itself on CPU models
/// newer than the library.
@Suite(.serialized) struct CPUCommandTests {
    let cli = TranscribeCommandTests()

    private func report(_ environment: [String: String]) throws -> CPUReport {
        let run = try cli.sotto(["cpu", "--json"], environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        return try JSONDecoder().decode(CPUReport.self, from: Data(run.stdout.utf8))
    }

    @Test func genericBLASKernelsAreReplacedWithTheCPUsBest() throws {
        let fixed = try report(["OPENBLAS_CORETYPE": "Prescott"])
        #expect(fixed.blasCoreChosenByBLAS == "Prescott")
        #expect(fixed.blasCoreReplaced)
        #expect(fixed.blasCore == fixed.blasCoreBestForCPU)
        #expect(!fixed.blasCoreIsWeakerThanCPU)

        let kept = try report(["OPENBLAS_CORETYPE": "Prescott", "SOTTO_BLAS_CORE": "keep"])
        #expect(kept.blasCore == "Prescott")
        #expect(kept.blasCoreIsWeakerThanCPU, "the check must see a generic core as weaker on \(kept.model)")
    }

    @Test func transcriptIsRightAfterTheCoreIsReplaced() throws {
        let jfk = try TestPaths.devFile("audio/en_jfk.wav").path
        let run = try cli.sotto(["transcribe", jfk, "--model", try TestPaths.model("tiny.en").path, "--beam-size", "1",
                                 "--verbose"], environment: ["OPENBLAS_CORETYPE": "Prescott"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("ask not what your country can do for you"))
        #expect(run.stderr.contains("OpenBLAS picked Prescott"))
        #expect(run.stderr.contains("encoder") && run.stderr.contains("RTF"))
    }

    /// scripts/setup.sh and demo.sh put models under $HOME/.cache/sotto; the binary must look there
    /// too, not in the passwd entry's home directory (a model name that exists only under the test's $HOME
    /// tells the two apart).
    @Test func modelsAreFoundUnderHOME() throws {
        let home = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let models = home.appendingPathComponent(".cache/sotto/models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: models.appendingPathComponent("tiny.en-under-home"),
                                                   withDestinationURL: try TestPaths.model("tiny.en"))
        let jfk = try TestPaths.devFile("audio/en_jfk.wav").path
        let run = try cli.sotto(["transcribe", jfk, "--model", "tiny.en-under-home", "--beam-size", "1"],
                                environment: ["HOME": home.path, "SOTTO_HOME": ""])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("ask not what your country can do for you"))
    }
}
