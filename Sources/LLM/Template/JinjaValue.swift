import Foundation
import SwiftLearnCore

/// A value inside a Jinja template: what Python's jinja2 would hold (None, booleans, integers,
/// floats, strings, lists, dicts with their insertion order, namespaces).
public indirect enum JinjaValue: Sendable {
    case undefined
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([JinjaValue])
    case dict(JinjaDict)
    /// A `namespace(...)` object: mutable, shared by reference (`{% set ns.x = 1 %}`).
    case namespace(JinjaNamespace)

    /// Python truthiness.
    public var isTruthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .list(let a): return !a.isEmpty
        case .dict(let d): return !d.keys.isEmpty
        case .namespace: return true
        }
    }

    /// The Python type name (for messages).
    var typeName: String {
        switch self {
        case .undefined: return "undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .list: return "list"
        case .dict: return "dict"
        case .namespace: return "Namespace"
        }
    }

    /// `str(value)` as Python prints it (what `{{ value }}` writes; undefined writes nothing).
    public var rendered: String {
        switch self {
        case .undefined: return ""
        case .string(let s): return s
        default: return pythonRepr(topLevel: true)
        }
    }

    /// Python's `repr` (strings quoted) — or `str` at the top level.
    func pythonRepr(topLevel: Bool = false) -> String {
        switch self {
        case .undefined: return ""
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .double(let d): return JinjaValue.pythonFloat(d)
        case .string(let s):
            if topLevel { return s }
            let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
            var out = String(quote)
            for c in s {
                switch c {
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case "\r": out += "\\r"
                case quote: out += "\\\(quote)"
                default: out.append(c)
                }
            }
            out.append(quote)
            return out
        case .list(let a): return "[" + a.map { $0.pythonRepr() }.joined(separator: ", ") + "]"
        case .dict(let d): return "{" + d.keys.map { "'\($0)': \(d.values[$0]!.pythonRepr())" }.joined(separator: ", ") + "}"
        case .namespace(let n): return "<Namespace \(n.dict.keys.joined(separator: ", "))>"
        }
    }

    /// Python's `repr(float)`: shortest round-trip digits, always with a dot or exponent.
    static func pythonFloat(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d > 0 ? "inf" : "-inf" }
        var s = "\(d)"   // Swift also prints the shortest round-trip form
        if s.contains("e") {
            // Swift: 1e-05 → "1e-05"; Python: "1e-05". Swift: 1e+16 → "1e+16"; Python: "1e+16".
            return s
        }
        if !s.contains(".") { s += ".0" }
        return s
    }

    /// Equality as Python's `==` (1 == 1.0, lists and dicts element-wise).
    static func equal(_ a: JinjaValue, _ b: JinjaValue) -> Bool {
        switch (a, b) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.list(let x), .list(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.dict(let x), .dict(let y)):
            return x.keys.count == y.keys.count && x.keys.allSatisfy { k in y.values[k].map { equal(x.values[k]!, $0) } ?? false }
        case (.namespace(let x), .namespace(let y)): return x === y
        default:
            if let x = a.number, let y = b.number { return x == y }
            return false
        }
    }

    /// The value as a number when it is one (booleans count, as in Python).
    var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// JSON as transformers' `tojson` filter writes it (`json.dumps(x, ensure_ascii=False)`:
    /// `", "` and `": "` separators, or `indent` spaces per level).
    func json(indent: Int?, level: Int = 0) -> String {
        switch self {
        case .undefined, .none: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite ? JinjaValue.pythonFloat(d) : (d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"))
        case .string(let s): return JinjaValue.jsonString(s)
        case .list(let a):
            if a.isEmpty { return "[]" }
            return JinjaValue.jsonContainer("[", "]", a.map { $0.json(indent: indent, level: level + 1) }, indent: indent, level: level)
        case .dict(let d):
            if d.keys.isEmpty { return "{}" }
            return JinjaValue.jsonContainer("{", "}", d.keys.map { JinjaValue.jsonString($0) + ": " + d.values[$0]!.json(indent: indent, level: level + 1) },
                                            indent: indent, level: level)
        case .namespace(let n): return JinjaValue.dict(n.dict).json(indent: indent, level: level)
        }
    }

    static func jsonContainer(_ open: String, _ close: String, _ items: [String], indent: Int?, level: Int) -> String {
        guard let indent else { return open + items.joined(separator: ", ") + close }
        let pad = String(repeating: " ", count: indent * (level + 1)), end = String(repeating: " ", count: indent * level)
        return open + "\n" + items.map { pad + $0 }.joined(separator: ",\n") + "\n" + end + close
    }

    static func jsonString(_ s: String) -> String {
        var out: [UInt8] = []
        OrderedJSON.appendQuoted(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A value from JSON-like Swift data (`String`, `Int`, `Double`, `Bool`, arrays, dictionaries,
    /// `NSNull`); dictionary keys are sorted when no order is known.
    public init(any value: Any?) {
        guard let value, !(value is NSNull) else { self = .none; return }
        if let n = value as? NSNumber, type(of: value) is NSNumber.Type {
            // JSONSerialization's numbers and booleans: tell them apart by their C type.
            switch String(cString: n.objCType) {
            case "c", "B": self = .bool(n.boolValue)
            case "f", "d": self = .double(n.doubleValue)
            default: self = .int(n.intValue)
            }
            return
        }
        switch value {
        case let b as Bool: self = .bool(b)
        case let i as Int: self = .int(i)
        case let d as Double: self = .double(d)
        case let s as String: self = .string(s)
        case let a as [Any]: self = .list(a.map { JinjaValue(any: $0) })
        case let d as [String: Any]: self = .dict(JinjaDict(d.keys.sorted().map { ($0, JinjaValue(any: d[$0])) }))
        case let v as JinjaValue: self = v
        default: self = .string(String(describing: value))
        }
    }
}

/// A dict that keeps insertion order (as Python's).
public struct JinjaDict: Sendable {
    /// Keys in insertion order, and the values by key.
    public private(set) var keys: [String] = []
    public private(set) var values: [String: JinjaValue] = [:]

    /// A dict of `pairs` in order (a repeated key keeps its first position and last value).
    public init(_ pairs: [(String, JinjaValue)] = []) { for (k, v) in pairs { self[k] = v } }

    /// The value of `key`; setting `nil` removes it.
    public subscript(key: String) -> JinjaValue? {
        get { values[key] }
        set {
            if let newValue {
                if values[key] == nil { keys.append(key) }
                values[key] = newValue
            } else if values.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }
}

/// The object `namespace(...)` creates.
public final class JinjaNamespace: @unchecked Sendable {
    var dict: JinjaDict
    init(_ dict: JinjaDict) { self.dict = dict }
}
