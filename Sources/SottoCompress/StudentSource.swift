import Foundation
import SottoModel
import SottoText
import SottoTrain

/// Where a student's first parameters come from: teacher layers (`StudentSpec`), or a model
/// directory of its own (an earlier student, or a smaller Whisper), which must share the teacher's
/// tokenizer because the KL term compares the two models' distributions token id by token id.
struct StudentSource {
    let description: String
    let model: TrainingModel<Float>
    /// The student's decoding config and tokenizer come from here when it is written.
    let like: Checkpoint
    /// A student with the teacher's whole encoder trains its decoder on cached encoder output; any
    /// other trains everything on the mel windows, unless its encoder is frozen (`encoderFrozen`).
    let keepsTeacherEncoder: Bool
    /// The student's encoder does not train (the teacher's whole encoder, or `--freeze-encoder`): its
    /// output is computed once per example and cached.
    var encoderFrozen: Bool { model.frozen.contains(.encoder) }

    /// `encoderOnly`: the decoder is frozen (an encoder-only stage). `freezeEncoder`: a student with
    /// an encoder of its own (teacher layers cut, or a model directory's) keeps it as it starts.
    /// `audioMargin`: the student learns to attend to its audio alone (`ModelConfig.audioContextMargin`),
    /// so its encoder trains even where it keeps every teacher layer.
    static func make(_ spec: String, model directory: URL?, teacher: Checkpoint, teacherModel: TrainingModel<Float>,
                     teacherTokenizer: Tokenizer, encoderOnly: Bool = false, freezeEncoder: Bool = false,
                     audioMargin: Int? = nil) throws -> StudentSource {
        let marginSuffix = audioMargin.map { ";audio-margin=\($0)" } ?? ""
        guard let directory else {
            let layers = try StudentSpec(spec, teacher: teacher.dims)
            let keepsTeacherEncoder = layers.keepsEncoder && audioMargin == nil
            let frozen: ParameterGroups = keepsTeacherEncoder || freezeEncoder ? [.encoder] : encoderOnly ? [.decoder] : []
            return StudentSource(description: layers.description + marginSuffix,
                                 model: layers.initialize(from: teacherModel, frozen: frozen),
                                 like: withMargin(teacher, audioMargin), keepsTeacherEncoder: keepsTeacherEncoder)
        }
        let checkpoint = try Checkpoint.read(directory: directory)
        let tokenizer = try Tokenizer(contentsOf: directory.appendingPathComponent("tokenizer.json"),
                                      isMultilingual: checkpoint.dims.isMultilingual)
        try checkTokenizers(teacher: (teacher, teacherTokenizer), student: (checkpoint, tokenizer), studentName: spec)
        return StudentSource(description: "model:\(spec)" + marginSuffix,
                             model: try TrainingModel(checkpoint: checkpoint,
                                                      frozen: freezeEncoder ? [.encoder] : encoderOnly ? [.decoder] : []),
                             like: withMargin(checkpoint, audioMargin ?? checkpoint.config.audioContextMargin), keepsTeacherEncoder: false)
    }

    private static func withMargin(_ checkpoint: Checkpoint, _ margin: Int?) -> Checkpoint {
        var copy = checkpoint
        copy.config.audioContextMargin = margin
        return copy
    }

    /// The vocabulary size, the language tokens and every special token id must agree.
    static func checkTokenizers(teacher: (Checkpoint, Tokenizer), student: (Checkpoint, Tokenizer), studentName: String) throws {
        let (t, s) = (teacher.1, student.1)
        var reasons: [String] = []
        if teacher.0.dims.nVocab != student.0.dims.nVocab {
            reasons.append("\(teacher.0.dims.nVocab) against \(student.0.dims.nVocab) tokens")
        }
        if t.isMultilingual != s.isMultilingual {
            reasons.append(t.isMultilingual ? "the teacher is multilingual, the student English-only" : "the teacher is English-only, the student multilingual")
        }
        let ids: [(String, KeyPath<SpecialTokens, Int>)] = [("end of text", \.eot), ("start of transcript", \.sot),
                                                             ("no timestamps", \.noTimestamps), ("first timestamp", \.timestampBegin)]
        for (name, key) in ids where t.special[keyPath: key] != s.special[keyPath: key] {
            reasons.append("\(name) \(t.special[keyPath: key]) against \(s.special[keyPath: key])")
        }
        guard reasons.isEmpty else {
            throw DistillationError.tokenizerMismatch(teacher: teacher.0.directory.path, student: studentName, reason: reasons.joined(separator: "; "))
        }
    }
}
