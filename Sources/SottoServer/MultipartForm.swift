import Foundation

/// A parsed `multipart/form-data` body (RFC 7578): the fields OpenAI's audio endpoints take.
package struct MultipartForm: Sendable, Equatable {
    package struct Part: Sendable, Equatable {
        package var name: String
        package var filename: String?
        package var contentType: String?
        package var bytes: [UInt8]
    }

    package var parts: [Part]

    /// The first part with this name.
    package func part(_ name: String) -> Part? { parts.first { $0.name == name } }

    /// A text field's value.
    package func text(_ name: String) -> String? { part(name).map { String(decoding: $0.bytes, as: UTF8.self) } }

    /// Every value of a repeated field (`timestamp_granularities[]`).
    package func texts(_ name: String) -> [String] {
        parts.filter { $0.name == name }.map { String(decoding: $0.bytes, as: UTF8.self) }
    }

    /// The boundary from a `Content-Type: multipart/form-data; boundary=...` header.
    package static func boundary(contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() where piece.lowercased().hasPrefix("boundary=") {
            var value = piece.dropFirst("boundary=".count)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            return value.isEmpty ? nil : String(value)
        }
        return nil
    }

    /// Splits `body` at `--boundary` delimiters; each part is headers, a blank line, then content.
    package init(body: [UInt8], boundary: String) throws(APIError) {
        let delimiter = Array("--\(boundary)".utf8)
        var positions: [Int] = []
        var searchFrom = 0
        while let found = body.firstRange(of: delimiter, from: searchFrom) {
            positions.append(found)
            searchFrom = found + delimiter.count
        }
        guard positions.count >= 2 else {
            throw .invalidRequest("The body is not multipart/form-data with boundary '\(boundary)'.")
        }
        var parts: [Part] = []
        for (start, end) in zip(positions, positions.dropFirst()) {
            // Each part sits between "--boundary\r\n" and "\r\n--boundary".
            let contentStart = start + delimiter.count + 2
            let contentEnd = end - 2
            guard contentStart <= contentEnd else { throw .invalidRequest("A multipart part is truncated.") }
            parts.append(try Self.parsePart(body[contentStart..<contentEnd]))
        }
        self.parts = parts
    }

    private static func parsePart(_ bytes: ArraySlice<UInt8>) throws(APIError) -> Part {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let headerEnd = Array(bytes).firstRange(of: separator, from: 0) else {
            throw .invalidRequest("A multipart part has no header block.")
        }
        let headerText = String(decoding: bytes.prefix(headerEnd), as: UTF8.self)
        var name: String?
        var filename: String?
        var contentType: String?
        for line in headerText.split(separator: "\r\n") {
            let lower = line.lowercased()
            if lower.hasPrefix("content-disposition:") {
                name = parameter("name", in: String(line))
                filename = parameter("filename", in: String(line))
            } else if lower.hasPrefix("content-type:") {
                contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
            }
        }
        guard let name else { throw .invalidRequest("A multipart part has no name.") }
        let content = Array(bytes.dropFirst(headerEnd + separator.count))
        return Part(name: name, filename: filename, contentType: contentType, bytes: content)
    }

    /// `name="value"` from a Content-Disposition line.
    private static func parameter(_ key: String, in line: String) -> String? {
        for piece in line.split(separator: ";").dropFirst() {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            guard trimmed.lowercased().hasPrefix(key + "=") else { continue }
            var value = trimmed.dropFirst(key.count + 1)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            return String(value)
        }
        return nil
    }
}

extension Array where Element == UInt8 {
    /// Index of the first occurrence of `needle` at or after `from`.
    package func firstRange(of needle: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, count >= needle.count, from <= count - needle.count else { return nil }
        let first = needle[0]
        var index = from
        while index <= count - needle.count {
            if self[index] == first, self[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
