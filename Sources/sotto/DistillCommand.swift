import ArgumentParser
import Foundation
import SottoCompress
import SottoEval
import SottoModel
import SottoTensor

struct DistillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "Train a smaller student from a teacher model (knowledge distillation) and write a Sotto model directory.",
        discussion: """
            The student starts from the teacher with fewer layers: --student decoder=0,3 keeps those \
            teacher layers, decoder:2 keeps 2 maximally spaced ones (first and last included), encoder:2;decoder:2 \
            cuts both (the encoder then trains on the mel; otherwise it stays frozen and cached). The teacher \
            transcribes the training audio (greedy) for pseudo-labels; unsure transcripts are dropped. \
            Loss: --ce-weight x CE + --kl-weight x T^2 x KL(teacher || student) at --temperature.
            """)

    @Option(help: "The teacher: a model directory, a name (tiny.en, base, ...) or a hub repository.")
    var teacher = "tiny.en"

    @Option(parsing: .singleValue, help: "Training audio: a JSON-lines manifest (repeatable). Never the dev sets.")
    var data: [String] = []

    @Option(help: "Teacher layers the student keeps, e.g. decoder=0,3, decoder:2 or 'encoder:2;decoder:2'.")
    var student: String

    @Option(help: "Optimizer steps.")
    var steps = 100

    @Option(help: "Utterances per step.")
    var batchSize = 4

    @Option(help: "Batches accumulated per optimizer step.")
    var accumulation = 1

    @Option(help: "Peak learning rate (after warm-up; cosine decay to a tenth of it).")
    var learningRate = 1e-4

    @Option(help: "Warm-up steps.")
    var warmupSteps = 10

    @Option(help: "Weight of the cross-entropy on the teacher's pseudo-labels.")
    var ceWeight = 0.8

    @Option(help: "Weight of the KL divergence from the teacher (times T^2).")
    var klWeight = 1.0

    @Option(help: "Softmax temperature of the KL term.")
    var temperature = 2.0

    @Option(help: "At most this many utterances from each manifest.")
    var limit: Int?

    @Option(help: "Compute threads (default: all cores).")
    var threads: Int?

    @Option(help: "Seed of the data order.")
    var seed: UInt64 = 0

    @Option(name: [.customShort("o"), .customLong("output")], help: "The student's directory (must not exist or be empty).")
    var output: String

    mutating func validate() throws {
        guard !data.isEmpty else { throw ValidationError("give training audio with --data MANIFEST.jsonl") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    mutating func run() throws {
        if let threads { Compute.setThreads(threads) }
        let directory = try ModelLocator.resolve(teacher) { file in printError("downloading \(file)") }
        let manifests = try data.map { try Manifest(contentsOf: URL(fileURLWithPath: $0)) }
        var options = DistillationOptions(student: student)
        (options.steps, options.batchSize, options.accumulationSteps) = (steps, batchSize, accumulation)
        (options.learningRate, options.minLearningRate, options.warmupSteps) = (learningRate, learningRate / 10, warmupSteps)
        (options.crossEntropyWeight, options.klWeight, options.temperature) = (ceWeight, klWeight, temperature)
        (options.limit, options.seed) = (limit, seed)
        let labelling = ProgressBar(label: "pseudo-labels", unit: "utterances")
        let report = try Distillation.run(
            teacher: directory, teacherName: teacher, data: manifests, options: options,
            output: URL(fileURLWithPath: output),
            labelProgress: { done, total, _ in labelling.update(done: Double(done), total: Double(total)) },
            progress: { p in
                printError(String(format: "step %d/%d  loss %.4f  lr %.2e  %.1f tokens/s  ETA %@", p.step, p.steps, p.loss,
                                  p.learningRate, p.tokensPerSecond, Self.clock(p.etaSeconds)))
            })
        labelling.finish()
        print(String(format: "%@ -> %@ (%@): %d utterances (%.1f min; dropped %d unsure, %d over 30 s), %d steps, "
                     + "final loss %.4f (CE %.4f, KL %.4f); labels %.1f s, training %.1f s",
                     teacher, output, report.student, report.utterances, report.audioSeconds / 60, report.droppedUnsure,
                     report.droppedTooLong, report.steps, report.finalLoss, report.finalCrossEntropy, report.finalKL,
                     report.labelSeconds, report.trainSeconds))
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
