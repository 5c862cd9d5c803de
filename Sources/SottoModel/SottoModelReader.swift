import Foundation
import SottoTensor

/// Reads a Sotto model directory into a `Checkpoint`. Weight matrices stay in their stored encoding
/// and point into the memory-mapped safetensors file (resident memory shrinks with the model); every
/// name, dtype and shape is checked against the name table before use.
enum SottoModelReader {
    static func read(directory: URL) throws -> Checkpoint {
        let manifestURL = directory.appendingPathComponent(SottoModelManifest.fileName)
        let manifest = try readManifest(manifestURL)
        let file = try SafetensorsFile(url: directory.appendingPathComponent(SottoModelManifest.weightsFileName))
        var tensors: [String: StoredTensor] = [:]
        for row in CheckpointNames.parameters(manifest.dims) {
            guard let name = manifest.encodings[row.key] else {
                throw ModelError.badConfig(file: manifestURL.path, reason: "no encoding for \(row.key)")
            }
            guard let encoding = WeightEncoding(name), row.isMatrix || encoding == .float32 || encoding == .float16 else {
                throw ModelError.badConfig(file: manifestURL.path, reason: "\(row.key) has encoding \"\(name)\"")
            }
            tensors[row.key] = row.isMatrix
                ? .matrix(try matrix(row.key, row.shape, encoding, file))
                : .float(try floats(row, encoding, file))
        }
        for (key, name) in manifest.corrections ?? [:] {
            guard case .matrix(let main) = tensors[key], let encoding = WeightEncoding(name) else {
                throw ModelError.badConfig(file: manifestURL.path, reason: "row correction \"\(name)\" on \(key), "
                                           + "which is not a weight matrix or not an encoding")
            }
            tensors[key] = .matrix(try corrected(main, key, encoding, file))
        }
        let activations = manifest.activations ?? [:]
        for (key, activation) in activations {
            guard case .matrix(let matrix) = tensors[key], matrix.encoding == .int8Channel, matrix.correction == nil,
                  activation.isValid else {
                throw ModelError.badConfig(file: manifestURL.path, reason: "activation quantization \(activation) on \(key), "
                                           + "which is not an int8 weight matrix or has an invalid scale")
            }
        }
        return Checkpoint(dims: manifest.dims, config: manifest.config, tensors: tensors, activations: activations,
                          directory: directory, file: file.fileName, manifest: manifest)
    }

    static func readManifest(_ url: URL) throws -> SottoModelManifest {
        let manifest: SottoModelManifest
        do {
            manifest = try JSONDecoder().decode(SottoModelManifest.self, from: Data(contentsOf: url))
        } catch {
            throw ModelError.badConfig(file: url.path, reason: String(describing: error))
        }
        guard manifest.format == SottoModelManifest.formatName else {
            throw ModelError.badConfig(file: url.path, reason: "format is \"\(manifest.format)\", not \(SottoModelManifest.formatName)")
        }
        guard manifest.version <= SottoModelManifest.currentVersion else {
            throw ModelError.badConfig(file: url.path, reason: "format version \(manifest.version) is newer than this Sotto reads "
                                       + "(\(SottoModelManifest.currentVersion)); upgrade Sotto")
        }
        try manifest.dims.validate(file: url.path)
        return manifest
    }

    private static func matrix(_ key: String, _ shape: [Int], _ encoding: WeightEncoding, _ file: SafetensorsFile) throws -> WeightMatrix {
        let values = try part(key, StoredMatrixLayout.valuesDType(encoding), file)
        let scales = try encoding.hasScales ? part(StoredMatrixLayout.scalesName(key), StoredMatrixLayout.scalesDType(encoding), file) : nil
        let zeros = try encoding.hasZeros ? part(StoredMatrixLayout.zerosName(key), .U8, file) : nil
        let matrix: WeightMatrix
        do {
            matrix = try WeightMatrix(rows: shape[0], cols: shape[1], encoding: encoding, values: values.bytes,
                                      scales: scales?.bytes ?? Data(), zeros: zeros?.bytes ?? Data())
        } catch {
            throw ModelError.corrupt(file: file.fileName, at: values.tensor.byteRange.lowerBound, reason: "\(key): \(error)")
        }
        for (tensor, expected) in [(values.tensor, matrix.valuesShape), (scales?.tensor, matrix.scalesShape), (zeros?.tensor, matrix.zerosShape)] {
            if let tensor, tensor.shape != expected {
                throw ModelError.shapeMismatch(key: tensor.name, expected: expected, actual: tensor.shape, file: file.fileName)
            }
        }
        return matrix
    }

    /// `main` with the row correction stored beside it.
    private static func corrected(_ main: WeightMatrix, _ key: String, _ encoding: WeightEncoding,
                                  _ file: SafetensorsFile) throws -> WeightMatrix {
        let rowsName = StoredMatrixLayout.correctedRowsName(key)
        let (rowsTensor, rowBytes) = try part(rowsName, .I32, file)
        guard rowsTensor.shape.count == 1 else {
            throw ModelError.shapeMismatch(key: rowsName, expected: [-1], actual: rowsTensor.shape, file: file.fileName)
        }
        let rows = rowBytes.withUnsafeBytes { raw in
            (0..<rowsTensor.shape[0]).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) }
        }
        let corrections = try matrix(StoredMatrixLayout.correctionName(key), [rows.count, main.cols], encoding, file)
        do {
            return try main.corrected(by: RowCorrection(rows: rows, corrections: corrections, mainRows: main.rows, cols: main.cols))
        } catch {
            throw ModelError.corrupt(file: file.fileName, at: rowsTensor.byteRange.lowerBound, reason: "\(rowsName): \(error)")
        }
    }

    private static func floats(_ row: ParameterName, _ encoding: WeightEncoding, _ file: SafetensorsFile) throws -> Tensor {
        let dtype: SafetensorsDType = encoding == .float16 ? .F16 : .F32
        let (tensor, bytes) = try part(row.key, dtype, file)
        guard tensor.shape == row.shape else {
            throw ModelError.shapeMismatch(key: row.key, expected: row.shape, actual: tensor.shape, file: file.fileName)
        }
        let count = row.shape.reduce(1, *)
        return Tensor(shape: row.shape, data: bytes.withUnsafeBytes { (encoding == .float16 ? DType.float16 : .float32).decode($0, count: count) })
    }

    private static func part(_ name: String, _ dtype: SafetensorsDType, _ file: SafetensorsFile) throws -> (tensor: SafetensorsTensor, bytes: Data) {
        let tensor = try file.tensor(name)
        guard tensor.dtype == dtype else {
            throw ModelError.unsupportedDType(key: name, dtype: "\(tensor.dtype.rawValue) (expected \(dtype.rawValue))", file: file.fileName)
        }
        return (tensor, try file.bytes(name))
    }
}

extension WeightEncoding {
    var hasScales: Bool {
        switch self {
        case .float32, .float16: false
        case .int8Channel, .int8Block, .int4Block: true
        }
    }

    var hasZeros: Bool {
        if case .int4Block(_, true) = self { return true }
        return false
    }
}
