import Foundation
import SottoEval
import SottoModel
import SottoTensor
import SottoTrain

/// The student as a Sotto model directory: weights, sotto.json (whose provenance records the
/// teacher's and the data manifests' SHA-256, the student spec, the steps, losses, filtering counts
/// and scores) and `loss.svg`, the learning curve.
enum DistillationOutput {
    static let chartFile = "loss.svg"

    static func write(_ student: TrainingModel<Float>, like source: Checkpoint, teacher: Checkpoint, teacherName: String,
                      manifests: [Manifest], options: DistillationOptions, report: DistillationReport, to output: URL) throws {
        let provenance = Provenance(sourceModel: teacherName, sourceSHA256: try SHA256.hex(of: URL(fileURLWithPath: teacher.file)),
                                    scheme: "distill", options: try recorded(options, report: report, manifests: manifests))
        // Stored as the teacher's matrices are: a float16 teacher (every CTranslate2 Whisper release) gets a
        // float16 student, whose decoding steps then stream half the bytes, as the teacher's do.
        var checkpoint = student.checkpoint(like: source)
        if teacher.matrixEncodings == [.float16] { checkpoint = checkpoint.storingMatrices(as: .float16) }
        try SottoModelWriter.write(checkpoint, floatEncoding: .float32, provenance: provenance, to: output)
        let chart = LossCurveChart.render(
            losses: report.losses, scores: report.evals.map { (step: $0.step, rate: $0.wordErrorRate) },
            title: "\(teacherName) -> \(report.student): training loss and selection WER")
        try Data(chart.utf8).write(to: output.appendingPathComponent(chartFile))
    }

    static func recorded(_ options: DistillationOptions, report: DistillationReport, manifests: [Manifest]) throws -> [String: String] {
        let losses = report.losses
        let stride = max(1, losses.count / 100)
        let curve = Swift.stride(from: 0, to: losses.count, by: stride).map { String(format: "%.5f", losses[$0]) }
        var recorded: [String: String] = [
            "student": report.student,
            "steps": "\(report.steps)", "scheduleSteps": "\(report.scheduleSteps)", "keptStep": "\(report.keptStep)",
            "batchSize": "\(options.batchSize)", "accumulationSteps": "\(options.accumulationSteps)",
            "learningRate": "\(options.learningRate)", "warmupSteps": "\(options.warmupSteps)",
            "loss": "\(options.crossEntropyWeight) CE + \(options.klWeight) KL(T=\(options.temperature)) + \(options.encoderMSEWeight) encoder MSE",
            "finalLoss": String(format: "%.5f", report.finalLoss),
            "finalCrossEntropy": String(format: "%.5f", report.finalCrossEntropy),
            "finalKL": String(format: "%.5f", report.finalKL),
            "finalEncoderMSE": String(format: "%.5f", report.finalEncoderMSE),
            "lossCurve": curve.joined(separator: ","), "lossCurveStride": "\(stride)",
            "dataManifestSHA256": try manifests.map { try SHA256.hex(of: $0.url) }.joined(separator: ","),
            "utterances": "\(report.utterances)", "droppedUnsure": "\(report.droppedUnsure)",
            "droppedTooLong": "\(report.droppedTooLong)", "labelsFromCache": "\(report.labelsFromCache)", "droppedByWER": "\(report.droppedByWER)",
            "freezeEncoder": "\(options.freezeEncoder)", "maxLabelWER": "\(options.maxLabelWER)", "timestamps": "\(options.timestamps)", "heldOut": "\(report.heldOut)",
            "audioSeconds": String(format: "%.1f", report.audioSeconds),
            "augmentation": options.augmentation.summary, "augmentedCopies": "\(report.augmentedCopies)",
            "shortCrops": "\(report.shortCrops)",
            "trainSeconds": String(format: "%.0f", report.trainSeconds), "labelSeconds": String(format: "%.0f", report.labelSeconds),
            "seed": "\(options.seed)",
        ]
        if !report.evals.isEmpty {
            recorded["selection"] = options.eval.isEmpty ? "held-out training utterances (\(report.heldOut))"
                : "English of " + options.eval.map(\.url.lastPathComponent).joined(separator: ", ")
            recorded["selectionWER"] = report.evals.map { "\($0.step):" + String(format: "%.4f", $0.wordErrorRate) }.joined(separator: ",")
            recorded["evalManifestSHA256"] = try options.eval.map { try SHA256.hex(of: $0.url) }.joined(separator: ",")
        }
        return recorded
    }
}
