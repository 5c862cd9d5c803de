import SottoModel
import SottoTrain
import Testing

@Suite("student spec")
struct StudentSpecTests {
    static let teacher = ModelDimensions(nMels: 3, nAudioCtx: 4, nAudioState: 8, nAudioHead: 2, nAudioLayer: 4,
                                         nVocab: 13, nTextCtx: 6, nTextState: 8, nTextHead: 2, nTextLayer: 6)

    @Test("maximally spaced layers keep the first and the last", arguments: [
        (1, 4, [0]), (2, 4, [0, 3]), (3, 4, [0, 1, 3]), (4, 4, [0, 1, 2, 3]), (3, 6, [0, 2, 5]), (2, 32, [0, 31]),
    ])
    func spacing(count: Int, layers: Int, expected: [Int]) {
        #expect(StudentSpec.maximallySpaced(count, of: layers) == expected)
    }

    @Test("parses lists, counts and both sides")
    func parsing() throws {
        let listed = try StudentSpec("decoder=0,5", teacher: Self.teacher)
        #expect(listed.decoderLayers == [0, 5] && listed.encoderLayers == [0, 1, 2, 3] && listed.keepsEncoder)
        let counted = try StudentSpec("decoder:3", teacher: Self.teacher)
        #expect(counted.decoderLayers == [0, 2, 5])
        let both = try StudentSpec("encoder:2; decoder=1,2", teacher: Self.teacher)
        #expect(both.encoderLayers == [0, 3] && both.decoderLayers == [1, 2] && !both.keepsEncoder)
        #expect(both.studentDims.nAudioLayer == 2 && both.studentDims.nTextLayer == 2)
        #expect(both.description == "encoder=0,3;decoder=1,2")
    }

    @Test("a student the teacher cannot give is refused with the reason", arguments: [
        "decoder=0,6", "decoder=3,1", "decoder=2,2", "decoder:0", "decoder:7", "decoder=", "decoder=a", "middle=1",
        "decoder=1;decoder=2", "", "encoder:5",
    ])
    func refusals(spec: String) {
        #expect(throws: TrainError.self) { try StudentSpec(spec, teacher: Self.teacher) }
    }

    @Test("student layers start as copies of the kept teacher layers")
    func initialization() throws {
        let spec = try StudentSpec("encoder=1,3;decoder=0,4", teacher: Self.teacher)
        #expect(spec.teacherKey("decoder.blocks.1.mlp.0.weight") == "decoder.blocks.4.mlp.0.weight")
        #expect(spec.teacherKey("encoder.blocks.0.attn_ln.bias") == "encoder.blocks.1.attn_ln.bias")
        #expect(spec.teacherKey("decoder.token_embedding.weight") == "decoder.token_embedding.weight")
        let count = ParameterLayout(dims: Self.teacher).totalCount
        let teacher = TrainingModel<Float>(dims: Self.teacher, parameters: (0..<count).map { Float($0) })
        let student = spec.initialize(from: teacher, frozen: [.encoder])
        for entry in student.layout.entries {
            #expect(student.values(entry.key) == teacher.values(spec.teacherKey(entry.key)), "\(entry.key)")
        }
        #expect(student.frozen == [.encoder])
    }
}
