import Foundation
import SwiftLearnCore

/// A JSON value that keeps the order of object keys (a JSON schema's property order is the order a
/// model writes them) and the text of numbers. Requests are parsed into it with typed, located
/// errors; responses are built from it.
public indirect enum JSON: Sendable, Equatable {
    case object([(key: String, value: JSON)])
    case array([JSON])
    case string(String)
    /// A number as its JSON text (exact for integers of any size).
    case number(String)
    case bool(Bool)
    case null

    /// Equal values serialize to equal text (key order and number text included).
    public static func == (a: JSON, b: JSON) -> Bool { a.serialized() == b.serialized() }

    /// An integer number.
    public static func int(_ v: Int) -> JSON { .number(String(v)) }
    /// A floating-point number (non-finite values, which JSON cannot hold, become null).
    public static func double(_ v: Double) -> JSON {
        guard v.isFinite else { return .null }
        if v == v.rounded(), abs(v) < 1e15 { return .number(String(format: "%.1f", v)) }
        return .number("\(v)")
    }
    /// A float32 number, written with the shortest text that reads back the same (non-finite: null).
    public static func float(_ v: Float) -> JSON {
        guard v.isFinite else { return .null }
        return .number("\(v)")
    }

    /// Parses JSON text (at most 64 levels deep; duplicate keys are refused).
    /// - Throws: `APIError.invalid` naming the byte offset and the reason.
    public static func parse(_ bytes: [UInt8]) throws -> JSON {
        do { return JSON(try OrderedJSON.parse(bytes[...])) } catch let e as OrderedJSON.ParseError {
            throw APIError.invalid("the body is not valid JSON: \(e.reason) at byte \(e.offset)", code: "invalid_json")
        }
    }

    init(_ o: OrderedJSON) {
        switch o {
        case .object(let pairs): self = .object(pairs.map { ($0.key, JSON($0.value)) })
        case .array(let items): self = .array(items.map(JSON.init))
        case .string(let s): self = .string(s)
        case .number(let n): self = .number(n)
        case .bool(let b): self = .bool(b)
        case .null: self = .null
        }
    }

    /// Compact JSON text (non-ASCII characters written as they are, control characters escaped).
    public func serialized() -> String {
        var out = [UInt8]()
        out.reserveCapacity(256)
        write(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .number(let n): out += Array(n.utf8)
        case .string(let s): OrderedJSON.appendQuoted(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let pairs):
            out.append(UInt8(ascii: "{"))
            for (i, pair) in pairs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                OrderedJSON.appendQuoted(pair.key, to: &out)
                out.append(UInt8(ascii: ":"))
                pair.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// The value under `key` of an object (nil for a missing key or a non-object).
    public subscript(key: String) -> JSON? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    /// What kind of value this is, for error messages.
    public var kind: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }

    /// The number as a Double, when it is one.
    public var doubleValue: Double? { if case .number(let n) = self { return Double(n) } else { return nil } }
    /// The string, when it is one.
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }

    /// Adds or replaces `key` in an object (no effect on other values).
    public mutating func set(_ key: String, _ value: JSON) {
        guard case .object(var pairs) = self else { return }
        if let i = pairs.firstIndex(where: { $0.key == key }) { pairs[i].value = value } else { pairs.append((key, value)) }
        self = .object(pairs)
    }
}

/// Reads fields of a request object with errors that name the field (`messages[2].content`),
/// as OpenAI's `param`.
struct JSONFields {
    let value: JSON
    /// Where this object sits in the request (empty at the top).
    let path: String

    /// The fields of `value`, which must be an object.
    init(_ value: JSON, path: String = "") throws {
        guard case .object = value else {
            throw APIError.invalid("\(path.isEmpty ? "the body" : "'\(path)'") must be a JSON object, not \(value.kind)", param: path.isEmpty ? nil : path)
        }
        self.value = value; self.path = path
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The raw value of `key` (nil when missing or JSON null: OpenAI treats null as absent).
    func raw(_ key: String) -> JSON? {
        guard let v = value[key] else { return nil }
        if case .null = v { return nil }
        return v
    }

    func require(_ key: String) throws -> JSON {
        guard let v = raw(key) else { throw APIError.invalid("'\(name(key))' is required", param: name(key), code: "missing_required_parameter") }
        return v
    }

    func wrongType(_ key: String, _ v: JSON, _ expected: String) -> APIError {
        .invalid("'\(name(key))' must be \(expected), not \(v.kind)", param: name(key), code: "invalid_type")
    }

    func string(_ key: String) throws -> String? {
        guard let v = raw(key) else { return nil }
        guard case .string(let s) = v else { throw wrongType(key, v, "a string") }
        return s
    }

    func bool(_ key: String) throws -> Bool? {
        guard let v = raw(key) else { return nil }
        guard case .bool(let b) = v else { throw wrongType(key, v, "a boolean") }
        return b
    }

    /// A number within `range` (inclusive), as Double.
    func number(_ key: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let v = raw(key) else { return nil }
        guard case .number(let text) = v, let d = Double(text) else { throw wrongType(key, v, "a number") }
        guard range.contains(d) else {
            throw APIError.invalid("'\(name(key))' is \(text); it must be between \(JSON.double(range.lowerBound).serialized()) and \(JSON.double(range.upperBound).serialized())",
                                   param: name(key), code: "invalid_value")
        }
        return d
    }

    /// An integer within `range` (a number with a fractional part is refused).
    func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let v = raw(key) else { return nil }
        guard case .number(let text) = v, let d = Double(text) else { throw wrongType(key, v, "an integer") }
        guard d == d.rounded(), abs(d) < 9e15 else { throw wrongType(key, v, "an integer") }
        let i = Int(d)
        guard range.contains(i) else {
            throw APIError.invalid("'\(name(key))' is \(i); it must be between \(range.lowerBound) and \(range.upperBound)", param: name(key), code: "invalid_value")
        }
        return i
    }

    func array(_ key: String) throws -> [JSON]? {
        guard let v = raw(key) else { return nil }
        guard case .array(let items) = v else { throw wrongType(key, v, "an array") }
        return items
    }

    func object(_ key: String) throws -> JSONFields? {
        guard let v = raw(key) else { return nil }
        return try JSONFields(v, path: name(key))
    }

    /// A string or a list of strings (`stop`, embedding `input`), at most `limit` items.
    func strings(_ key: String, limit: Int) throws -> [String]? {
        guard let v = raw(key) else { return nil }
        switch v {
        case .string(let s): return [s]
        case .array(let items):
            guard items.count <= limit else {
                throw APIError.invalid("'\(name(key))' has \(items.count) items; at most \(limit) are allowed", param: name(key), code: "invalid_value")
            }
            return try items.enumerated().map { i, item in
                guard case .string(let s) = item else {
                    throw APIError.invalid("'\(name(key))[\(i)]' must be a string, not \(item.kind)", param: "\(name(key))[\(i)]", code: "invalid_type")
                }
                return s
            }
        default: throw wrongType(key, v, "a string or an array of strings")
        }
    }
}
