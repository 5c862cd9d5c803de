import Foundation
import SottoTensor
import SottoText

/// Median, min and max of one quantity measured on each repeat.
public struct RepeatedMeasurement: Sendable, Codable, Equatable {
    public var median: Double
    public var min: Double
    public var max: Double

    public init(median: Double, min: Double, max: Double) {
        self.median = median
        self.min = min
        self.max = max
    }

    /// `samples` must not be empty; an even count takes the mean of the middle two.
    public init(_ samples: [Double]) {
        precondition(!samples.isEmpty, "a measurement needs at least one sample")
        let sorted = samples.sorted()
        let middle = sorted.count / 2
        median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        min = sorted[0]
        max = sorted[sorted.count - 1]
    }
}

/// One model's measurements, made in a process of its own so the peak memory is this model's.
public struct ModelBenchmarkResult: Sendable, Codable, Equatable {
    /// The model as it was named (a name, a directory or a hub repository).
    public var model: String
    /// The directory it was loaded from.
    public var directory: String
    /// Bytes of the files in `directory`.
    public var sizeBytes: Int
    /// Reading the checkpoint and building the model and tokenizer.
    public var loadSeconds: RepeatedMeasurement
    /// The measuring process's peak resident set (VmHWM); nil without /proc.
    public var peakMemoryBytes: Int?
    /// `WhisperModel.encode` on one 30 s window (cross-attention keys/values included).
    public var encoderMillisecondsPerWindow: RepeatedMeasurement
    /// One token through the decoder with the KV cache (batch 1), argmax included.
    public var decoderMillisecondsPerToken: RepeatedMeasurement
    /// Tokens decoded per decoder measurement.
    public var decoderTokens: Int
    /// Transcription seconds over audio seconds for the whole input.
    public var realTimeFactor: RepeatedMeasurement
    public var audioSeconds: Double
    public var utterances: Int
    /// Pooled WER (words) and CER (characters) of the first repeat; empty for unlabelled audio.
    public var errorRates: [GroupScore]
    public var threads: Int
    /// Error rates per manifest when several were scored (absent in older reports).
    public var sets: [GroupScore]?
    /// Each utterance's error counts, for paired comparisons between models (absent in older reports).
    public var utteranceCounts: [UtteranceCounts]?

    public init(model: String, directory: String, sizeBytes: Int, loadSeconds: RepeatedMeasurement,
                peakMemoryBytes: Int?, encoderMillisecondsPerWindow: RepeatedMeasurement,
                decoderMillisecondsPerToken: RepeatedMeasurement, decoderTokens: Int,
                realTimeFactor: RepeatedMeasurement, audioSeconds: Double, utterances: Int,
                errorRates: [GroupScore], threads: Int, sets: [GroupScore]? = nil, utteranceCounts: [UtteranceCounts]? = nil) {
        self.model = model
        self.directory = directory
        self.sizeBytes = sizeBytes
        self.loadSeconds = loadSeconds
        self.peakMemoryBytes = peakMemoryBytes
        self.encoderMillisecondsPerWindow = encoderMillisecondsPerWindow
        self.decoderMillisecondsPerToken = decoderMillisecondsPerToken
        self.decoderTokens = decoderTokens
        self.realTimeFactor = realTimeFactor
        self.audioSeconds = audioSeconds
        self.utterances = utterances
        self.errorRates = errorRates
        self.threads = threads
        self.sets = sets
        self.utteranceCounts = utteranceCounts
    }

    /// The pooled error rate in `unit`, if the input was scored in it.
    public func errorRate(_ unit: ScoringUnit) -> Double? {
        errorRates.first { $0.unit == unit }?.counts.rate
    }
}

/// One utterance's errors, enough to pair two models' scores utterance by utterance.
public struct UtteranceCounts: Sendable, Codable, Equatable {
    public var id: String
    public var set: String?
    public var unit: ScoringUnit
    public var counts: ErrorCounts

    public init(id: String, set: String?, unit: ScoringUnit, counts: ErrorCounts) {
        (self.id, self.set, self.unit, self.counts) = (id, set, unit, counts)
    }

    init(_ score: UtteranceScore) {
        self.init(id: score.id, set: score.set, unit: score.unit, counts: score.counts)
    }
}

/// A model that could not be measured, and why.
public struct BenchmarkFailure: Sendable, Codable, Equatable {
    public var model: String
    public var reason: String

    public init(model: String, reason: String) {
        self.model = model
        self.reason = reason
    }
}

/// The settings every model of one benchmark run shared.
public struct BenchmarkSettings: Sendable, Codable, Equatable {
    /// The audio file or manifest.
    public var input: String
    /// Manifest languages kept (empty: all).
    public var languages: [String]
    public var threads: Int
    public var repeats: Int
    public var beamSize: Int
    /// Kernel path in use ("avx2", ...), if known.
    public var cpuPath: String?
    /// The processor, kernel paths and BLAS core of the run (absent in reports from older versions).
    public var cpu: CPUReport?

    public init(input: String, languages: [String], threads: Int, repeats: Int, beamSize: Int, cpuPath: String?,
                cpu: CPUReport? = nil) {
        self.input = input
        self.languages = languages
        self.threads = threads
        self.repeats = repeats
        self.beamSize = beamSize
        self.cpuPath = cpuPath
        self.cpu = cpu
    }
}

/// Models compared in one run; ratios are against the first result.
public struct BenchmarkReport: Sendable, Codable, Equatable {
    public var settings: BenchmarkSettings
    public var results: [ModelBenchmarkResult]
    public var failures: [BenchmarkFailure]

    public init(settings: BenchmarkSettings, results: [ModelBenchmarkResult], failures: [BenchmarkFailure] = []) {
        self.settings = settings
        self.results = results
        self.failures = failures
    }
}

extension BenchmarkReport {
    /// The report as `sotto bench --json` saves it: sorted keys and indented, so saved runs diff well.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return try encoder.encode(self)
    }

    /// Reads a report saved by `jsonData()`, so it can be rendered again without measuring.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw EvalError.unreadableBenchmarkReport(path: url.path, reason: "cannot read the benchmark report")
        }
        do {
            self = try JSONDecoder().decode(BenchmarkReport.self, from: data)
        } catch {
            throw EvalError.unreadableBenchmarkReport(path: url.path, reason: "not a `sotto bench --json` report: "
                                                      + Self.describe(error))
        }
    }

    /// Foundation's DecodingError descriptions are dumps of coding keys; name the field instead.
    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "no \(path(context.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? context.debugDescription
                : "\(path(context.codingPath)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    /// `results[0].realTimeFactor`, as a reader of the JSON would name the field.
    private static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.reduce("") { path, key in
            if let index = key.intValue { return path + "[\(index)]" }
            return path.isEmpty ? key.stringValue : path + "." + key.stringValue
        }
    }
}
