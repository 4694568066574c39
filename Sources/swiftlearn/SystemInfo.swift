import Foundation
import SwiftLearn

/// Facts about the machine and the backends in use, for `info`, `tour` and benchmark headers.
struct SystemInfo {
    var fields: [(String, JSONValue)]

    static var current: SystemInfo {
        SystemInfo(fields: [
            ("cpus", .int(ProcessInfo.processInfo.activeProcessorCount)),
            ("cpu_features", .string(CPU.featureNames.joined(separator: ","))),
            ("blas", .string(BLAS.isAvailable ? BLAS.library : "none (native kernels)")),
            ("blas_core", .string(BLAS.coreName)),
            ("matmul", .string(BLAS.activeBackendName)),
            ("lapack", .string(Linalg.isLAPACKAvailable ? "yes" : "no (native linalg)")),
        ])
    }
}

/// A JSON value for line-oriented output (no Foundation encoder needed for flat records).
enum JSONValue {
    case string(String), int(Int), double(Double), bool(Bool), array([JSONValue]), null
    /// An object, written out already (`JSONValue.object`).
    case raw(String)

    /// An object with keys in the given order.
    static func object(_ fields: [(String, JSONValue)]) -> JSONValue { .raw(JSONLine(fields).text) }

    var text: String {
        switch self {
        case .string(let s):
            var out = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                default:
                    if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
                }
            }
            return out + "\""
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite ? String(format: "%.6g", d) : "null"
        case .bool(let b): return b ? "true" : "false"
        case .array(let items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .raw(let json): return json
        case .null: return "null"
        }
    }
}

/// One JSON object on one line, keys in the given order.
struct JSONLine {
    var fields: [(String, JSONValue)]
    init(_ fields: [(String, JSONValue)]) { self.fields = fields }
    var text: String { "{" + fields.map { "\(JSONValue.string($0.0).text): \($0.1.text)" }.joined(separator: ", ") + "}" }
}

extension JSONValue: CustomStringConvertible {
    var description: String {
        if case .string(let s) = self { return s }
        return text
    }
}
