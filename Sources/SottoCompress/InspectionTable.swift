import Foundation

/// `sotto inspect`'s terminal output.
public enum InspectionTable {
    public static func render(_ inspection: ModelInspection, listTensors: Bool = false) -> String {
        let d = inspection.dims
        var lines = ["model: \(inspection.directory)"]
        if let manifest = inspection.manifest {
            let p = manifest.provenance
            lines.append("format: \(manifest.format) v\(manifest.version), scheme \(p.scheme), from \(p.sourceModel) "
                         + "(sha256 \(p.sourceSHA256.prefix(12))), Sotto \(p.sottoVersion), \(p.createdAt)")
            if !p.options.isEmpty {
                lines.append("options: " + p.options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
            }
        } else {
            lines.append("format: CTranslate2 (float parameters counted as the float32 Sotto decodes them to)")
        }
        lines.append("architecture: \(d.nAudioLayer) encoder + \(d.nTextLayer) decoder layers, width \(d.nAudioState)/\(d.nTextState), "
                     + "\(d.nAudioHead) heads, vocabulary \(d.nVocab), \(d.nMels) mel bins"
                     + (d.isMultilingual ? ", multilingual" : ", English-only"))
        lines.append("")
        lines += table(inspection.groups, header: "group", total: inspection)
        lines.append("")
        lines += table(inspection.byEncoding, header: "encoding", total: inspection)
        lines.append("")
        lines.append(String(format: "files on disk: %.2f MB", Double(inspection.fileBytes) / 1e6))
        if listTensors {
            lines.append("")
            lines.append(pad("tensor", 48) + pad("shape", 16) + pad("encoding", 14) + "bytes")
            for row in inspection.tensors {
                lines.append(pad(row.name, 48) + pad(row.shape.map(String.init).joined(separator: "x"), 16)
                             + pad(row.encoding, 14) + String(row.bytes))
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func table(_ totals: [ModelInspection.Total], header: String, total: ModelInspection) -> [String] {
        var lines = [pad(header, 28) + pad("params (M)", 12, right: true) + pad("MB", 10, right: true)
                     + pad("share", 8, right: true) + "  encodings"]
        let all = max(1, total.totalBytes)
        for t in totals {
            lines.append(pad(t.name, 28) + number(Double(t.parameters) / 1e6, 12) + number(Double(t.bytes) / 1e6, 10)
                         + pad(String(format: "%.1f%%", 100 * Double(t.bytes) / Double(all)), 8, right: true)
                         + "  " + t.encodings.joined(separator: ", "))
        }
        lines.append(pad("total", 28) + number(Double(total.totalParameters) / 1e6, 12) + number(Double(total.totalBytes) / 1e6, 10))
        return lines
    }

    private static func number(_ value: Double, _ width: Int) -> String {
        pad(String(format: "%.2f", value), width, right: true)
    }

    private static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(1, width - text.count))
        return right ? fill + text : text + fill
    }
}
