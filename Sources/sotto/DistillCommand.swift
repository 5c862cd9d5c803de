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

    @Option(help: "Optimizer steps (the schedule's length). Or give --epochs, or --max-minutes alone; the first reached stops.")
    var steps: Int?

    @Option(help: "Passes over the training utterances (augmented copies included), as an alternative to --steps.")
    var epochs: Double?

    @Option(help: "Stop after this many minutes of training (labelling not counted); alone, it also sets the schedule's length.")
    var maxMinutes: Double?

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

    @Option(name: .customLong("encoder-mse"), help: """
        Weight of the MSE between the student's and the teacher's encoder outputs (encoder students). With \
        --ce-weight 0 --kl-weight 0 it is an encoder-only stage: no labels decoded, no decoder run.
        """)
    var encoderMSE = 0.0

    @Flag(help: """
        Keep a student's own encoder (e.g. encoder=0,1,2) frozen as copied from the teacher: its output is cached \
        once per example, and only the decoder trains, at a decoder student's cost.
        """)
    var freezeEncoder = false

    @Option(help: """
        Teach the student to attend to its audio alone: its encoder sees the frames that hold audio plus this many \
        positions (20 ms each) instead of a 30 s window padded with silence, while the teacher's targets come from \
        whole windows. The student keeps the margin and runs that way everywhere (a 10 s clip costs a third of a \
        window's encoder). Trains the encoder even when the student keeps every teacher layer.
        """)
    var audioMargin: Int?

    @Option(help: "At most this many utterances from each manifest.")
    var limit: Int?

    @Option(help: "Only manifest entries whose source is one of these (comma-separated; entries without a source stay), e.g. sprocket,autovc.")
    var sources: String?

    @Option(help: "Drop pseudo-labels further than this WER from the manifest's text, where it has one.")
    var maxLabelWER = 0.1

    @Flag(help: "Pseudo-labels keep the teacher's timestamps (as transcribe and bench decode); selection decodes with them.")
    var timestamps = false

    @Option(help: "Keep the teacher's pseudo-labels in DIR across runs (keyed by teacher, audio file and labelling options).")
    var labelsCache: String?

    @Option(parsing: .singleValue, help: """
        Checkpoint selection on the English of this manifest (repeatable): the best-scoring step is the result. \
        Without it, --eval-every scores --holdout utterances held out of the training data.
        """)
    var eval: [String] = []

    @Option(help: "Score the student every K steps for checkpoint selection (0: only at the end when --eval is given).")
    var evalEvery = 0

    @Option(help: "At most this many utterances of each --eval manifest.")
    var evalLimit = 20

    @Option(help: "Training utterances held out for checkpoint selection when no --eval is given.")
    var holdout = 16

    @Option(help: "Save resumable training state every K steps (into --checkpoint-dir).")
    var checkpointEvery = 0

    @Option(help: "Where resumable state goes (default: OUTPUT.checkpoints).")
    var checkpointDir: String?

    @Option(help: "Continue the run whose state is in DIR (same data and options).")
    var resume: String?

    @Option(help: "Augmented copies per training utterance (with at least one of the augmentations below).")
    var augmentCopies = 0

    @Option(help: "Additive white noise at an SNR drawn from LOW:HIGH dB, e.g. 5:25.")
    var noiseSNR: String?

    @Option(help: "Gain drawn from LOW:HIGH dB, e.g. -6:6.")
    var gain: String?

    @Option(help: "Speed perturbation factor drawn from LOW:HIGH, e.g. 0.9:1.1.")
    var speed: String?

    @Flag(help: "SpecAugment masks on each copy's mel: 2 time masks of up to 40 frames, 2 frequency masks of up to 12 bins.")
    var specAugment = false

    @Option(help: ArgumentHelp("A share (0-1] of the training utterances that also train as a crop of their first seconds, labelled by the teacher on its own.",
                               discussion: "Packed 15-28 s training chunks seldom show a student a short clip end."))
    var shortCrops: Double?

    @Option(help: "The crops' lengths, drawn from LOW:HIGH seconds and moved to the quietest point near them.")
    var shortCropSeconds = "1:5"

    @Option(help: "Compute threads (default: all cores).")
    var threads: Int?

    @Option(help: "Seed of the data order.")
    var seed: UInt64 = 0

    @Option(name: [.customShort("o"), .customLong("output")], help: "The student's directory (must not exist or be empty).")
    var output: String

    mutating func validate() throws {
        guard !data.isEmpty else { throw ValidationError("give training audio with --data MANIFEST.jsonl") }
        guard steps != nil || epochs != nil || maxMinutes != nil else { throw ValidationError("give --steps, --epochs or --max-minutes") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    mutating func run() throws {
        if let threads { Compute.setThreads(threads) }
        let directory = try ModelLocator.resolve(teacher) { file in printError("downloading \(file)") }
        let isSpec = student.contains("=") || student.hasPrefix("encoder") || student.hasPrefix("decoder")
        let studentModel = isSpec ? nil : try ModelLocator.resolve(student) { file in printError("downloading \(file)") }
        let manifests = try data.map { try Manifest(contentsOf: URL(fileURLWithPath: $0)) }
        let options = try distillationOptions()
        let labelling = ProgressBar(label: "pseudo-labels", unit: "utterances")
        var callbacks = DistillationCallbacks()
        callbacks.labelProgress = { done, total, _ in labelling.update(done: Double(done), total: Double(total)) }
        callbacks.progress = { p in
            printError(String(format: "step %d/%@  loss %.4f  lr %.2e  %.1f tokens/s  ETA %@", p.step, p.steps > 0 ? "\(p.steps)" : "?",
                              p.loss, p.learningRate, p.tokensPerSecond, p.steps > 0 ? Self.clock(p.etaSeconds) : "?"))
        }
        callbacks.evaluated = { score in
            printError(String(format: "eval at step %d: WER %.2f%% over %d words%@", score.step, score.wordErrorRate * 100,
                              score.words, score.isBest ? " (best so far)" : ""))
        }
        let scorer = try TranscriptScorer(spellingTable: SottoHome.directory.appendingPathComponent("normalizers/english.json"))
        let report = try Distillation.run(
            teacher: directory, teacherName: teacher, studentModel: studentModel, data: manifests, options: options,
            output: URL(fileURLWithPath: output), scorer: scorer, callbacks: callbacks)
        labelling.finish()
        print(Self.summary(report, teacher: teacher, output: output))
    }

    func distillationOptions() throws -> DistillationOptions {
        var options = DistillationOptions(student: student)
        (options.steps, options.epochs, options.maxMinutes) = (steps, epochs, maxMinutes)
        (options.batchSize, options.accumulationSteps) = (batchSize, accumulation)
        (options.learningRate, options.minLearningRate, options.warmupSteps) = (learningRate, learningRate / 10, warmupSteps)
        (options.crossEntropyWeight, options.klWeight, options.temperature) = (ceWeight, klWeight, temperature)
        (options.encoderMSEWeight, options.freezeEncoder) = (encoderMSE, freezeEncoder)
        options.audioMargin = audioMargin
        options.labelsCache = labelsCache.map { URL(fileURLWithPath: $0) }
        (options.limit, options.seed, options.maxLabelWER, options.timestamps) = (limit, seed, maxLabelWER, timestamps)
        options.sources = sources.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
        options.eval = try eval.map { try Manifest(contentsOf: URL(fileURLWithPath: $0)) }
        (options.evalEvery, options.evalLimit, options.holdout) = (evalEvery, evalLimit, holdout)
        options.checkpointEvery = checkpointEvery
        if let resume {
            options.checkpointDirectory = URL(fileURLWithPath: resume)
            options.resume = true
        } else if checkpointEvery > 0 {
            options.checkpointDirectory = URL(fileURLWithPath: checkpointDir ?? output + ".checkpoints")
        }
        options.augmentation.copies = augmentCopies
        options.augmentation.noiseSNRDecibels = try noiseSNR.map { try Self.range($0, flag: "--noise-snr") }
        options.augmentation.gainDecibels = try gain.map { try Self.range($0, flag: "--gain") }
        options.augmentation.speed = try speed.map { try Self.range($0, flag: "--speed") }
        options.augmentation.specAugment = specAugment ? SpecAugmentOptions() : nil
        options.augmentation.shortCrops = try shortCrops.map { ShortCropOptions(share: $0, seconds: try Self.range(shortCropSeconds, flag: "--short-crop-seconds")) }
        return options
    }

    /// `LOW:HIGH` (or one value) as a closed range.
    static func range(_ text: String, flag: String) throws -> ClosedRange<Double> {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard (1...2).contains(parts.count), parts.allSatisfy({ $0 != nil }), parts.first!! <= parts.last!! else {
            throw ValidationError("\(flag) \(text): expected LOW:HIGH with LOW <= HIGH")
        }
        return parts.first!!...parts.last!!
    }

    static func summary(_ report: DistillationReport, teacher: String, output: String) -> String {
        var line = String(format: "%@ -> %@ (%@): %d utterances (%.1f min; dropped %d unsure, %d by WER, %d over 30 s; "
                          + "%d held out; %d augmented copies, %d short crops), %d steps, kept step %d, final loss %.4f (CE %.4f, KL %.4f, encoder MSE %.4f); "
                          + "labels %.1f s, training %.1f s",
                          teacher, output, report.student, report.utterances, report.audioSeconds / 60, report.droppedUnsure,
                          report.droppedByWER, report.droppedTooLong, report.heldOut, report.augmentedCopies, report.shortCrops, report.steps,
                          report.keptStep, report.finalLoss, report.finalCrossEntropy, report.finalKL, report.finalEncoderMSE,
                          report.labelSeconds, report.trainSeconds)
        if let best = report.evals.first(where: { $0.step == report.keptStep }) {
            line += String(format: "; selection WER %.2f%% at step %d", best.wordErrorRate * 100, best.step)
        }
        return line
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
