import Foundation
import SottoModel
import SottoTensor

extension TrainingModel where T == Float {
    /// The trained parameters as a float32 `Checkpoint` that `SottoModelWriter` can write and every
    /// command can load; `source` supplies the decoding config and the tokenizer's directory.
    package func checkpoint(like source: Checkpoint) -> Checkpoint {
        let names = Dictionary(uniqueKeysWithValues: CheckpointNames.parameters(dims).map { ($0.key, $0) })
        var tensors: [String: StoredTensor] = [:]
        for entry in layout.entries {
            let tensor = Tensor(shape: entry.shape, data: values(entry.key))
            tensors[entry.key] = names[entry.key]?.isMatrix == true ? .matrix(WeightMatrix(tensor)) : .float(tensor)
        }
        return Checkpoint(dims: dims, config: source.config, tensors: tensors, directory: source.directory, file: source.file)
    }
}
