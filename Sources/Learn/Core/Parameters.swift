import Foundation

/// A hyper-parameter value, as scikit-learn's `get_params()` would show it.
///
/// The CLI's `--set key=value` and grid search speak this type: ``parse(_:)`` reads
/// `"0.1"`, `"100"`, `"true"`, `"None"`, `"rbf"`; each estimator converts it with the typed
/// accessors below, which throw ``LearnError/invalidParameter(name:value:reason:)``.
public enum ParamValue: Hashable, Codable, Sendable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)
    /// Python's `None` (e.g. `max_depth=None`: unlimited).
    case none
    /// A list (e.g. `hidden_layer_sizes`, `class_weight` pairs).
    case list([ParamValue])

    /// Reads a command-line value: int, then double, then bool (`true`/`false`), `None`/`null`,
    /// a comma-separated list in brackets (`[1,2]`), else a string.
    public static func parse(_ text: String) -> ParamValue {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let i = Int(t) { return .int(i) }
        if let d = Double(t) { return .double(d) }
        switch t.lowercased() {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "none", "null": return .none
        default: break
        }
        if t.hasPrefix("[") && t.hasSuffix("]") {
            let inner = t.dropFirst().dropLast()
            if inner.trimmingCharacters(in: .whitespaces).isEmpty { return .list([]) }
            return .list(inner.split(separator: ",").map { parse(String($0)) })
        }
        if t.count >= 2, let f = t.first, f == t.last, f == "'" || f == "\"" { return .string(String(t.dropFirst().dropLast())) }
        return .string(t)
    }

    public var description: String {
        switch self {
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return s
        case .bool(let b): return b ? "True" : "False"
        case .none: return "None"
        case .list(let l): return "[" + l.map(\.description).joined(separator: ", ") + "]"
        }
    }

    /// As a finite Double (ints accepted): `1e400` parses as infinity and `nan` as NaN, and no
    /// hyper-parameter takes either (SimpleImputer's `missing_values=nan` is read on its own).
    public func double(_ name: String) throws -> Double {
        switch self {
        case .double(let d) where !d.isFinite:
            throw LearnError.invalidParameter(name: name, value: description, reason: "must be a finite number")
        case .double(let d): return d
        case .int(let i): return Double(i)
        default: throw LearnError.invalidParameter(name: name, value: description, reason: "expected a number")
        }
    }

    /// As an Int (doubles with integral values accepted).
    public func int(_ name: String) throws -> Int {
        switch self {
        case .int(let i): return i
        case .double(let d) where d == d.rounded() && abs(d) < 1e15: return Int(d)
        default: throw LearnError.invalidParameter(name: name, value: description, reason: "expected an integer")
        }
    }

    /// As an optional Int (`None` → nil).
    public func optionalInt(_ name: String) throws -> Int? {
        if case .none = self { return nil }
        return try int(name)
    }

    /// As an optional Double (`None` → nil).
    public func optionalDouble(_ name: String) throws -> Double? {
        if case .none = self { return nil }
        return try double(name)
    }

    /// As a Bool.
    public func bool(_ name: String) throws -> Bool {
        switch self {
        case .bool(let b): return b
        case .int(let i) where i == 0 || i == 1: return i == 1
        default: throw LearnError.invalidParameter(name: name, value: description, reason: "expected true or false")
        }
    }

    /// As a String.
    public func string(_ name: String) throws -> String {
        switch self {
        case .string(let s): return s
        default: throw LearnError.invalidParameter(name: name, value: description, reason: "expected a string")
        }
    }

    /// As one of `choices`.
    public func choice(_ name: String, _ choices: [String]) throws -> String {
        let s: String
        switch self {
        case .string(let v): s = v
        case .none: s = "None"
        default: s = description
        }
        guard choices.contains(s) else {
            throw LearnError.invalidParameter(name: name, value: description, reason: "expected one of \(choices.joined(separator: ", "))")
        }
        return s
    }
}

extension ParamValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral {
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension Optional where Wrapped == Int {
    /// `nil` as `.none`, otherwise `.int`.
    public var param: ParamValue { map { .int($0) } ?? .none }
}

extension Optional where Wrapped == Double {
    /// `nil` as `.none`, otherwise `.double`.
    public var param: ParamValue { map { .double($0) } ?? .none }
}

/// Throws when `condition` is false: a parameter outside its domain.
@inline(__always)
public func require(_ condition: Bool, _ name: String, _ value: CustomStringConvertible, _ reason: String) throws {
    if !condition { throw LearnError.invalidParameter(name: name, value: value.description, reason: reason) }
}
