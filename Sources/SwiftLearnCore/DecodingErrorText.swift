import Foundation

/// Readable text for a `DecodingError`: the field path and what was expected, without Swift's
/// internal type names: one text for every module that decodes outside JSON (model files, progress
/// imports, manifests).
package enum DecodingErrorText {
    /// `"field model.state.coef: expected a number"`-style text.
    package static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, let ctx):
            return "\(field(ctx.codingPath)): expected \(noun(type))"
        case .valueNotFound(let type, let ctx):
            return "\(field(ctx.codingPath)): missing value, expected \(noun(type))"
        case .keyNotFound(let key, let ctx):
            return "\(field(ctx.codingPath + [key])) is missing"
        case .dataCorrupted(let ctx):
            return ctx.codingPath.isEmpty ? "not valid JSON" : "\(field(ctx.codingPath)): invalid value"
        @unknown default:
            return "invalid contents"
        }
    }

    /// A coding path as `field a.b[2].c`.
    package static func field(_ path: [CodingKey]) -> String {
        guard !path.isEmpty else { return "top level" }
        var s = ""
        for key in path {
            if let i = key.intValue { s += "[\(i)]" } else { s += (s.isEmpty ? "" : ".") + key.stringValue }
        }
        return "field " + s
    }

    /// "a number", "an integer", … for the types a model file holds.
    package static func noun(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Float.Type: return "a number"
        case is Int.Type, is UInt64.Type, is Int64.Type, is UInt.Type: return "an integer"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default:
            let t = String(describing: type)
            if t.hasPrefix("Array") || t.hasPrefix("[") { return "a list" }
            if t.hasPrefix("Dictionary") { return "an object" }
            return "a value of another kind"
        }
    }
}
