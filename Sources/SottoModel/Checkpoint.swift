import Foundation
import SottoTensor

/// One parameter as a checkpoint holds it: a float tensor, or a weight matrix in some encoding
/// (float or quantized).
public enum StoredTensor: Sendable {
    case float(Tensor)
    case matrix(WeightMatrix)

    public var shape: [Int] {
        switch self {
        case .float(let tensor): tensor.shape
        case .matrix(let matrix): [matrix.rows, matrix.cols]
        }
    }

    /// Bytes this parameter occupies as stored (float tensors as float32).
    public var byteCount: Int {
        switch self {
        case .float(let tensor): tensor.count * 4
        case .matrix(let matrix): matrix.byteCount
        }
    }
}

/// A whole Whisper model as data: dimensions, decoding hints and every parameter under our names
/// (see `CheckpointNames`). Readers produce it, compression transforms it, writers store it and
/// `WhisperModel` runs it, whatever format it came from.
public struct Checkpoint: Sendable {
    public var dims: ModelDimensions
    public var config: ModelConfig
    public var tensors: [String: StoredTensor]
    /// Weight matrices (by parameter name) whose products run in int8 with quantized activations.
    public var activations: [String: ActivationQuantization]
    /// The directory it was read from (its tokenizer.json travels with it).
    public let directory: URL
    /// The file the parameters came from, for error messages.
    public let file: String
    /// The Sotto manifest, when read from a Sotto model directory.
    public var manifest: SottoModelManifest?
    /// How a mixed-precision plan chose the encodings (written into sotto.json).
    public var plan: PrecisionPlanRecord?

    public init(dims: ModelDimensions, config: ModelConfig, tensors: [String: StoredTensor],
                activations: [String: ActivationQuantization] = [:], directory: URL, file: String,
                manifest: SottoModelManifest? = nil) {
        self.dims = dims
        self.config = config
        self.tensors = tensors
        self.activations = activations
        self.directory = directory
        self.file = file
        self.manifest = manifest
        plan = manifest?.plan
    }

    /// Reads a model directory: a Sotto model (sotto.json + model.safetensors) or a CTranslate2
    /// model (model.bin + config.json).
    public static func read(directory: URL) throws -> Checkpoint {
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent(SottoModelManifest.fileName).path) {
            return try SottoModelReader.read(directory: directory)
        }
        return try CTranslate2Checkpoint.read(directory: directory)
    }

    /// Every parameter the architecture reads, with its name and shape.
    package var parameterNames: [ParameterName] { CheckpointNames.parameters(dims) }

    /// A parameter as float32 (dequantized if it is stored quantized).
    package func tensor(_ key: String) throws -> Tensor {
        switch try stored(key) {
        case .float(let tensor): tensor
        case .matrix(let matrix): matrix.dequantized()
        }
    }

    /// A weight matrix as stored (float tensors are wrapped as float32 matrices).
    func matrix(_ key: String) throws -> WeightMatrix {
        switch try stored(key) {
        case .float(let tensor): WeightMatrix(tensor)
        case .matrix(let matrix): matrix
        }
    }

    private func stored(_ key: String) throws -> StoredTensor {
        guard let stored = tensors[key] else { throw ModelError.missingTensor(key: key, file: file) }
        return stored
    }

    /// Total stored bytes of the parameters.
    public var parameterBytes: Int { tensors.values.reduce(0) { $0 + $1.byteCount } }

    /// The encodings the weight matrices are stored in.
    public var matrixEncodings: Set<WeightEncoding> {
        Set(tensors.values.compactMap { stored in
            if case .matrix(let matrix) = stored { return matrix.encoding }
            return nil
        })
    }

    /// The same parameters with every weight matrix stored as `encoding` (float32 or float16).
    package func storingMatrices(as encoding: WeightEncoding) -> Checkpoint {
        precondition(encoding.isFloat, "storingMatrices rounds to a float encoding, not \(encoding)")
        var result = self
        for (key, stored) in tensors {
            guard case .matrix(let matrix) = stored, matrix.encoding != encoding else { continue }
            result.tensors[key] = .matrix(WeightMatrix.quantize(matrix.dequantized(), as: encoding))
        }
        return result
    }
}
