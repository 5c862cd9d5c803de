import ArgumentParser
import Foundation
import SottoCompress
import SottoDecoding
import SottoEval
import SottoModel
import SottoTensor
import SottoText

struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Compress a model's weights and write a Sotto model directory.",
        discussion: "Schemes: \(QuantizationScheme.names.joined(separator: ", ")).")

    @Option(help: "A model directory, a name (tiny.en, base, ...) or a hub repository owner/name[@revision].")
    var model = "tiny.en"

    @Option(help: "Quantization scheme.")
    var scheme: String

    @Option(name: [.customShort("o"), .customLong("output")], help: "The new model's directory (must not exist or be empty).")
    var output: String

    @Option(parsing: .singleValue, help: "Leave weight matrices matching this pattern float (repeatable; * and ? wildcards), e.g. 'decoder.token_embedding.*'.")
    var keepFloat: [String] = []

    @Option(help: "f16 or f32 for the matrices --keep-float selects.")
    var keepFloatAs = "f16"

    @Option(help: "Calibration audio (a JSON-lines manifest; reference text not needed), for int8-static, GPTQ rounding and --plan auto; repeat to draw on several.")
    var calibration: [String] = []

    @Option(help: "At most this many utterances from each calibration manifest, taken across its languages and sources (default: all for int8-static, \(QuantizeCommand.defaultWindowLimit) for GPTQ and --plan auto).")
    var calibrationLimit: Int?

    @Option(help: "How int4 weights are rounded: gptq (error feedback weighted by the calibration audio's layer inputs; the default with --calibration) or nearest.")
    var rounding: String?

    @Option(help: "How int8-static picks activation scales: minmax, percentile (99.99%) or mse (default: \(ScaleObserver.defaultObserver.rawValue)).")
    var observer: String = ScaleObserver.defaultObserver.rawValue

    @Option(parsing: .upToNextOption, help: "Languages the model will be used for; warns when the calibration audio lacks one.")
    var languages: [String] = []

    @Option(help: "auto: measure each matrix's sensitivity on the calibration audio and promote the most sensitive ones above the scheme until the WER bound holds.")
    var plan: String?

    @Option(help: "With --plan auto: the most the calibration WER may rise, in points.")
    var maxWerIncrease: Double = 1.0

    @Option(help: "With --plan auto: calibration windows for the sensitivity measurement.")
    var sensitivityWindows = 4

    @Option(help: "With --plan auto: held-out utterances to check the plan on (repeatable; default: the next --validation-limit utterances of each calibration manifest).")
    var validation: [String] = []

    @Option(help: "With --plan auto: held-out utterances per manifest (0: no held-out check).")
    var validationLimit = QuantizeCommand.defaultWindowLimit

    @Option(help: "With --plan auto: the held-out WER increase must stay within --max-wer-increase at this one-sided confidence (paired bootstrap).")
    var confidence = 0.9

    mutating func run() throws {
        guard let scheme = QuantizationScheme(scheme) else {
            throw ValidationError("unknown scheme '\(scheme)'; choose one of \(QuantizationScheme.names.joined(separator: ", "))")
        }
        guard let keepEncoding = WeightEncoding(keepFloatAs), keepEncoding == .float16 || keepEncoding == .float32 else {
            throw ValidationError("--keep-float-as takes f16 or f32")
        }
        guard let observer = ScaleObserver(rawValue: observer) else {
            throw ValidationError("--observer takes \(ScaleObserver.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if scheme == .int8Static, calibration.isEmpty {
            throw ValidationError(QuantizationError.needsCalibration.description)
        }
        if let plan {
            guard plan == "auto" else { throw ValidationError("--plan takes auto") }
            guard !calibration.isEmpty else { throw ValidationError("--plan auto needs calibration audio: --calibration MANIFEST.jsonl") }
            guard confidence > 0.5, confidence < 1 else { throw ValidationError("--confidence must be between 0.5 and 1") }
            guard validationLimit >= 0 else { throw ValidationError("--validation-limit must be 0 or more") }
            guard case .weightOnly = scheme else { throw ValidationError("--plan auto starts from a weight-only scheme (int4-g32, int8, ...)") }
        }
        var options = QuantizationOptions(scheme: scheme, keepFloat: keepFloat.map(GlobPattern.init),
                                          keepFloatEncoding: keepEncoding, observer: observer)
        options.errorFeedback = try usesErrorFeedback(scheme)
        let started = Date()
        let directory = try ModelLocator.resolve(model) { file in printError("downloading \(file)") }
        let source = try Checkpoint.read(directory: directory)
        let float = calibration.isEmpty ? nil : try floatTranscriber(source)
        let split = calibration.isEmpty ? nil : try CalibrationSplit(
            paths: calibration, limit: calibrationLimit ?? (scheme == .int8Static ? nil : Self.defaultWindowLimit),
            validationPaths: validation, validationLimit: plan == nil ? 0 : validationLimit,
            multilingual: source.dims.isMultilingual)
        let calibrated = scheme == .int8Static ? try split.map { try calibrate(float!, manifest: $0.fitting) } : nil
        // GPTQ's Hessians and the plan's sensitivities and token importance read windows of the same
        // calibration utterances in the same order: transcribe them once.
        let windowCount = options.errorFeedback || plan != nil ? split!.fitting.entries.count : 0
        let windows = windowCount > 0 ? try calibrationWindows(float!, manifest: split!.fitting, count: windowCount) : []
        let hessianWindows = options.errorFeedback ? windowCount : 0
        let hessians = options.errorFeedback
            ? collectHessians(float!, keys: options.schemeKeys(source), windows: Array(windows.prefix(hessianWindows))) : [:]
        let progress = ProgressBar(label: "quantizing", unit: "matrices")
        var quantized = try Quantizer.quantize(source, options: options, calibration: calibrated, hessians: hessians) { done, total in
            progress.update(done: Double(done), total: Double(total))
        }
        progress.finish()
        if plan != nil, let split, let float {
            quantized = try planMixedPrecision(source, quantized, options: options, float: float, split: split, windows: windows)
        }
        let destination = URL(fileURLWithPath: output)
        try Quantizer.write(quantized, options: options, calibration: calibrated,
                            calibrationSHA256: split?.sha256, sourceModel: model, to: destination)
        let written = try Checkpoint.read(directory: destination)
        let before = ModelInspection(source), after = ModelInspection(written)
        print(InspectionTable.render(after))
        print(String(format: "\n%@ -> %@: %.2f MB -> %.2f MB of parameters (%.1f%% of float32 %.2f MB), %.1f s",
                     model, output, Double(before.totalBytes) / 1e6, Double(after.totalBytes) / 1e6,
                     100 * Double(after.totalBytes) / Double(4 * before.totalParameters),
                     Double(4 * before.totalParameters) / 1e6, Date().timeIntervalSince(started)))
    }
}

extension QuantizeCommand {
    static let defaultWindowLimit = 32

    /// GPTQ is the default for int4 schemes given calibration audio; asking for it without either is an error.
    private func usesErrorFeedback(_ scheme: QuantizationScheme) throws -> Bool {
        guard case .int4Block = scheme.matrixEncoding else {
            if rounding == "gptq" { throw ValidationError("--rounding gptq applies to int4 schemes") }
            return false
        }
        switch rounding {
        case nil: return !calibration.isEmpty
        case "nearest": return false
        case "gptq":
            guard !calibration.isEmpty else { throw ValidationError("--rounding gptq needs calibration audio: --calibration MANIFEST.jsonl") }
            return true
        default: throw ValidationError("--rounding takes gptq or nearest")
        }
    }

    /// The first 30 s of `count` calibration utterances with the float model's transcripts.
    private func calibrationWindows(_ float: Transcriber, manifest: Manifest, count: Int) throws -> [CalibrationWindow] {
        let transcribing = ProgressBar(label: "transcribing calibration", unit: "utterances")
        let windows = try SensitivityAnalysis.windows(transcriber: float, manifest: manifest, limit: count) { done, total in
            transcribing.update(done: Double(done), total: Double(total))
        }
        transcribing.finish()
        return windows
    }

    /// The float model teacher-forced over calibration windows, summing each int4 matrix's input Hessian.
    private func collectHessians(_ float: Transcriber, keys: [String], windows: [CalibrationWindow]) -> [String: [Double]] {
        let progress = ProgressBar(label: "input statistics", unit: "windows")
        let hessians = InputHessians.collect(float.model, windows: windows, keys: Set(keys)) { done, total in
            progress.update(done: Double(done), total: Double(total))
        }
        progress.finish()
        return hessians
    }

    /// Runs the float model over the calibration audio, recording every layer's input.
    private func calibrate(_ transcriber: Transcriber, manifest: Manifest) throws -> CalibrationResult {
        let targets = languages.isEmpty && !transcriber.model.dims.isMultilingual ? ["en"] : languages
        for language in Calibration.missingLanguages(targets, in: manifest) {
            printError("warning: the calibration audio has no \(language) utterance; scales for \(language) speech are guessed from other languages")
        }
        let progress = ProgressBar(label: "calibrating", unit: "utterances")
        let result = try Calibration.run(transcriber: transcriber, manifest: manifest) { done, total, _ in
            progress.update(done: Double(done), total: Double(total))
        }
        progress.finish()
        printError(String(format: "calibrated on %.1f s of audio (%@)", result.audioSeconds,
                          result.languages.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))
        return result
    }
}

extension QuantizeCommand {
    /// `--plan auto`: sensitivities, then the promotion search, printing the plan it chose.
    private func planMixedPrecision(_ source: Checkpoint, _ quantized: Checkpoint, options: QuantizationOptions, float: Transcriber,
                                    split: CalibrationSplit, windows: [CalibrationWindow]) throws -> Checkpoint {
        let keys = options.schemeKeys(source)
        let progress = ProgressBar(label: "sensitivity", unit: "matrices")
        let sensitivities = try SensitivityAnalysis.measure(source, quantized: quantized, keys: keys,
                                                             windows: Array(windows.prefix(sensitivityWindows))) { done, total in
            progress.update(done: Double(done), total: Double(total))
        }
        progress.finish()
        let importance = SensitivityAnalysis.tokenImportance(float.model, windows: windows)
        let textScorer = try TranscriptScorer(spellingTable: SottoHome.directory.appendingPathComponent("normalizers/english.json"))
        let scorer = try CalibrationScorer(manifest: split.fitting, limit: split.fitting.entries.count, float: float, scorer: textScorer)
        let baseline = try scorer.errorRate(float.model)
        let validation = try split.validation.map { held in
            try PlanValidation(scorer: try CalibrationScorer(manifest: held, limit: held.entries.count, float: float, scorer: textScorer),
                               float: float.model, confidence: confidence)
        }
        let unstable = scorer.droppedUnstable + (validation?.scorer.droppedUnstable ?? 0)
        if unstable > 0 {
            printError("left out \(scorer.droppedUnstable) calibration and \(validation?.scorer.droppedUnstable ?? 0) held-out "
                       + "utterances whose float transcript needed temperature fallback (a sampled reference measures chance)")
        }
        if let validation {
            printError("checking plans on \(validation.utterances) held-out utterances "
                       + String(format: "(one-sided %.0f%% paired bootstrap bound)", confidence * 100))
        }
        var (planned, record, held) = try MixedPrecisionPlanner.plan(
            quantized, float: source, target: options.scheme.matrixEncoding, keys: keys, sensitivities: sensitivities,
            rowImportance: importance, maxIncrease: maxWerIncrease, baselineRate: baseline,
            errorRate: { try scorer.errorRate(try WhisperModel(checkpoint: $0)) },
            validate: validation.map { check in { try check.check(try WhisperModel(checkpoint: $0)) } },
            progress: { printError($0) })
        record.calibrationUtterances = scorer.manifest.entries.count
        if let validation, let held { record.validation = validation.record(held) }
        planned.plan = record
        Self.printPlan(record)
        return planned
    }

    private static func printPlan(_ record: PrecisionPlanRecord) {
        let choices = record.promoted.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            + (record.correctedRows ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value) rows corrected" }
        printError("plan: " + (choices.isEmpty ? "every matrix at \(record.target)"
            : choices.joined(separator: ", ") + "; the rest at \(record.target)"))
        printError(String(format: "calibration error rate (%d utterances): float %.2f%%, plan %.2f%% (bound +%.2f)",
                          record.calibrationUtterances, record.baselineWER, record.planWER, record.maxWERIncrease))
        if let held = record.validation {
            printError(String(format: "held-out error rate (%d utterances): float %.2f%%, plan %.2f%%; increase at most %+.2f points at %.0f%% confidence%@",
                              held.utterances, held.baselineWER, held.planWER, held.upperIncrease, held.confidence * 100,
                              held.upperIncrease <= record.maxWERIncrease + 1e-9 ? "" : " (over the bound: even the highest precision could not meet it)"))
        }
    }

    private func floatTranscriber(_ source: Checkpoint) throws -> Transcriber {
        Transcriber(model: try WhisperModel(checkpoint: source),
                    tokenizer: try Tokenizer(contentsOf: source.directory.appendingPathComponent("tokenizer.json"),
                                             isMultilingual: source.dims.isMultilingual))
    }
}

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Print a model's parameters and bytes by tensor group and encoding.")

    @Argument(help: "A model directory or name.")
    var model: String

    @Flag(help: "List every tensor.")
    var tensors = false

    @Option(help: "Write the inspection as JSON to this file (- for standard output).")
    var json: String?

    mutating func run() throws {
        let directory = try ModelLocator.resolve(model) { file in printError("downloading \(file)") }
        let inspection = ModelInspection(try Checkpoint.read(directory: directory))
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(inspection)
            if json == "-" { print(String(decoding: data, as: UTF8.self)) } else { try data.write(to: URL(fileURLWithPath: json)) }
            return
        }
        print(InspectionTable.render(inspection, listTensors: tensors))
    }
}
