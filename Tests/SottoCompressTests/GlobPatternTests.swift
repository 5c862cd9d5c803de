import SottoCompress
import Testing

@Suite struct GlobPatternTests {
    @Test(arguments: [
        ("decoder.token_embedding.*", "decoder.token_embedding.weight", true),
        ("decoder.token_embedding.*", "decoder.token_embedding", false),
        ("*.mlp.*", "encoder.blocks.3.mlp.0.weight", true),
        ("*.mlp.*", "encoder.blocks.3.attn.qkv.weight", false),
        ("encoder.blocks.?.attn.*", "encoder.blocks.1.attn.out.weight", true),
        ("encoder.blocks.?.attn.*", "encoder.blocks.11.attn.out.weight", false),
        ("*", "", true),
        ("", "x", false),
        ("a*b*c", "aXXbYYbc", true),
        ("a*b*c", "aXXbYYbcd", false),
    ])
    func matches(pattern: String, name: String, expected: Bool) {
        #expect(GlobPattern(pattern).matches(name) == expected)
    }
}
