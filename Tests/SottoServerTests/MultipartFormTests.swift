import Testing
import SottoServer

@Suite struct MultipartFormTests {
    @Test func readsFieldsAndFileBytesExactly() throws {
        let file: [UInt8] = [0, 13, 10, 45, 45, 255, 1]  // bytes that look like CRLF and dashes
        let body = ServerTestSupport.form(file: file, fields: [("model", "tiny.en"), ("timestamp_granularities[]", "segment")])
        let form = try MultipartForm(body: body, boundary: ServerTestSupport.boundary)
        #expect(form.text("model") == "tiny.en")
        #expect(form.texts("timestamp_granularities[]") == ["segment"])
        #expect(form.part("file")?.bytes == file)
        #expect(form.part("file")?.filename == "clip.wav")
    }

    @Test(arguments: [
        ("multipart/form-data; boundary=abc", "abc"),
        ("multipart/form-data; boundary=\"a b\"", "a b"),
        ("Multipart/Form-Data;charset=utf-8; boundary=x", "x"),
    ])
    func boundaryFromContentType(header: String, expected: String) {
        #expect(MultipartForm.boundary(contentType: header) == expected)
    }

    @Test func rejectsOtherContentTypes() {
        #expect(MultipartForm.boundary(contentType: "application/json") == nil)
        #expect(MultipartForm.boundary(contentType: "multipart/form-data") == nil)
    }

    @Test func aBodyWithoutTheBoundaryIsABadRequest() {
        #expect(throws: APIError.self) { try MultipartForm(body: Array("hello".utf8), boundary: "abc") }
    }
}
