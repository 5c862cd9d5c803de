import SottoModel

/// Which teacher layers a student keeps, as distil-whisper builds students: each student layer starts
/// as a copy of one teacher layer, everything else (stem, embeddings, final norms) is copied whole.
///
/// Text form: `decoder=0,3` keeps those decoder layers (ascending); `decoder:2` keeps 2 maximally
/// spaced ones (first and last included); `encoder=...` / `encoder:N` likewise, parts joined by `;`.
/// An omitted part keeps all of that side's layers.
package struct StudentSpec: Sendable, Equatable, CustomStringConvertible {
    package let encoderLayers: [Int]
    package let decoderLayers: [Int]
    package let teacher: ModelDimensions

    package init(_ text: String, teacher: ModelDimensions) throws {
        var encoder = Array(0..<teacher.nAudioLayer), decoder = Array(0..<teacher.nTextLayer)
        var seen: Set<String> = []
        for part in text.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            let isCount = !part.contains("=")
            let pieces = part.split(separator: isCount ? ":" : "=", maxSplits: 1).map(String.init)
            guard pieces.count == 2, ["encoder", "decoder"].contains(pieces[0]), seen.insert(pieces[0]).inserted else {
                throw TrainError.invalidStudent("'\(part)' is not encoder=I,J,... / decoder=I,J,... / encoder:N / decoder:N (each once)")
            }
            let available = pieces[0] == "encoder" ? teacher.nAudioLayer : teacher.nTextLayer
            let layers = try Self.layers(pieces[1], count: isCount, available: available, side: pieces[0])
            if pieces[0] == "encoder" { encoder = layers } else { decoder = layers }
        }
        guard !seen.isEmpty else { throw TrainError.invalidStudent("'\(text)' names no layers") }
        (encoderLayers, decoderLayers, self.teacher) = (encoder, decoder, teacher)
    }

    private static func layers(_ value: String, count: Bool, available: Int, side: String) throws -> [Int] {
        if count {
            guard let n = Int(value), (1...available).contains(n) else {
                throw TrainError.invalidStudent("\(side):\(value): the teacher has \(available) \(side) layers; keep 1 to \(available)")
            }
            return maximallySpaced(n, of: available)
        }
        let layers = value.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !layers.isEmpty, layers.allSatisfy({ $0 != nil }) else {
            throw TrainError.invalidStudent("\(side)=\(value): expected comma-separated layer numbers")
        }
        let kept = layers.map { $0! }
        guard kept.allSatisfy({ (0..<available).contains($0) }) else {
            throw TrainError.invalidStudent("\(side)=\(value): the teacher's \(side) layers are 0...\(available - 1)")
        }
        guard zip(kept, kept.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw TrainError.invalidStudent("\(side)=\(value): layers must be ascending and distinct")
        }
        return kept
    }

    /// `count` of `layers` layers, evenly spread with the first and the last kept: distil-whisper's
    /// `np.linspace(0, layers - 1, count, dtype=int)` (create_student_model.py), which truncates.
    package static func maximallySpaced(_ count: Int, of layers: Int) -> [Int] {
        guard count > 1 else { return [0] }
        return (0..<count).map { $0 * (layers - 1) / (count - 1) }  // exact: no float rounding at the boundaries
    }

    package var description: String {
        "encoder=\(encoderLayers.map(String.init).joined(separator: ","));decoder=\(decoderLayers.map(String.init).joined(separator: ","))"
    }

    /// Whether the student keeps the teacher's whole encoder (so its output can be cached and frozen).
    package var keepsEncoder: Bool { encoderLayers == Array(0..<teacher.nAudioLayer) }

    package var studentDims: ModelDimensions {
        let t = teacher
        return ModelDimensions(nMels: t.nMels, nAudioCtx: t.nAudioCtx, nAudioState: t.nAudioState, nAudioHead: t.nAudioHead,
                               nAudioLayer: encoderLayers.count, nVocab: t.nVocab, nTextCtx: t.nTextCtx,
                               nTextState: t.nTextState, nTextHead: t.nTextHead, nTextLayer: decoderLayers.count)
    }

    /// The teacher parameter a student parameter starts from: `decoder.blocks.1.…` of a
    /// `decoder=0,3` student is the teacher's `decoder.blocks.3.…`.
    package func teacherKey(_ key: String) -> String {
        for (side, kept) in [("encoder", encoderLayers), ("decoder", decoderLayers)] {
            let prefix = "\(side).blocks."
            guard key.hasPrefix(prefix) else { continue }
            let rest = key.dropFirst(prefix.count)
            guard let dot = rest.firstIndex(of: "."), let index = Int(rest[..<dot]) else { continue }
            return "\(prefix)\(kept[index])\(rest[dot...])"
        }
        return key
    }

    /// The student's initial parameters, copied from the teacher's.
    package func initialize<T: TrainScalar>(from teacher: TrainingModel<T>, frozen: ParameterGroups) -> TrainingModel<T> {
        precondition(teacher.dims == self.teacher, "the spec was made for another teacher")
        let layout = ParameterLayout(dims: studentDims)
        var values = [T](repeating: 0, count: layout.totalCount)
        let teacherValues = teacher.parameters.array
        for entry in layout.entries {
            let source = teacher.layout[teacherKey(entry.key)]
            precondition(source.shape == entry.shape, "\(entry.key) and \(source.key) differ in shape")
            values.replaceSubrange(entry.range, with: teacherValues[source.range])
        }
        return TrainingModel(dims: studentDims, parameters: values, frozen: frozen)
    }
}
