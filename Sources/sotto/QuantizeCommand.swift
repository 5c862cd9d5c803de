import ArgumentParser
import Foundation
import SottoCompress
import SottoModel
import SottoTensor

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

    mutating func run() throws {
        guard let scheme = QuantizationScheme(scheme) else {
            throw ValidationError("unknown scheme '\(scheme)'; choose one of \(QuantizationScheme.names.joined(separator: ", "))")
        }
        guard let keepEncoding = WeightEncoding(keepFloatAs), keepEncoding == .float16 || keepEncoding == .float32 else {
            throw ValidationError("--keep-float-as takes f16 or f32")
        }
        if scheme == .int8Static {
            throw ValidationError("int8-static needs calibration, which this build does not have yet; use int8-dynamic or int8")
        }
        let options = QuantizationOptions(scheme: scheme, keepFloat: keepFloat.map(GlobPattern.init),
                                          keepFloatEncoding: keepEncoding)
        let started = Date()
        let directory = try ModelLocator.resolve(model) { file in printError("downloading \(file)") }
        let source = try Checkpoint.read(directory: directory)
        let progress = ProgressBar(label: "quantizing", unit: "matrices")
        let quantized = try Quantizer.quantize(source, options: options) { done, total in
            progress.update(done: Double(done), total: Double(total))
        }
        progress.finish()
        let destination = URL(fileURLWithPath: output)
        try Quantizer.write(quantized, options: options, sourceModel: model, to: destination)
        let written = try Checkpoint.read(directory: destination)
        let before = ModelInspection(source), after = ModelInspection(written)
        print(InspectionTable.render(after))
        print(String(format: "\n%@ -> %@: %.2f MB -> %.2f MB of parameters (%.1f%% of float32 %.2f MB), %.1f s",
                     model, output, Double(before.totalBytes) / 1e6, Double(after.totalBytes) / 1e6,
                     100 * Double(after.totalBytes) / Double(4 * before.totalParameters),
                     Double(4 * before.totalParameters) / 1e6, Date().timeIntervalSince(started)))
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
