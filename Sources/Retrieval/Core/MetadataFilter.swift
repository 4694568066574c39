import Foundation

/// One metadata value attached to a vector or document: a string, integer, number or boolean
/// (the value types Chroma allows).
public enum MetadataValue: Hashable, Sendable, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)

    public var description: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return String(b)
        }
    }

    /// The value as a number when it is one (int or double).
    var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// JSON-compatible object (for `JSONSerialization`).
    var jsonObject: Any {
        switch self {
        case .string(let s): return s
        case .int(let i): return i
        case .double(let d): return d
        case .bool(let b): return b
        }
    }

    /// Converts a value decoded by `JSONSerialization`; nil for arrays, objects, null.
    init?(jsonObject: Any) {
        if let n = jsonObject as? NSNumber {
            // JSONSerialization gives booleans objCType "c" and fractional numbers "d" on both
            // Darwin and Linux; integers come as "q" / "l" / "i".
            switch String(cString: n.objCType) {
            case "c", "B": self = .bool(n.boolValue)
            case "d", "f": self = .double(n.doubleValue)
            default: self = .int(n.int64Value)
            }
        } else if let s = jsonObject as? String {
            self = .string(s)
        } else {
            return nil
        }
    }
}

/// Metadata of one item: field name → value.
public typealias Metadata = [String: MetadataValue]

/// Encodes metadata as a JSON object string (keys sorted).
func metadataJSON(_ m: Metadata) -> String {
    let obj = m.mapValues { $0.jsonObject }
    guard let data = try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]) else { return "{}" }
    return String(decoding: data, as: UTF8.self)
}

/// Decodes a JSON object of strings, numbers and booleans into metadata
/// (`{"lang": "en", "year": 2024}`); nested values throw ``RetrievalError/invalidInput(_:)``.
public func decodeMetadata(json text: String) throws -> Metadata { try parseMetadataJSON(text) }

/// Decodes a JSON object string into metadata (nested values are rejected).
func parseMetadataJSON(_ text: String) throws -> Metadata {
    guard let obj = try? JSONSerialization.jsonObject(with: Data(text.utf8)), let dict = obj as? [String: Any] else {
        throw RetrievalError.invalidInput("metadata must be a JSON object of strings, numbers and booleans: \(text)")
    }
    var out = Metadata()
    for (k, v) in dict {
        guard let mv = MetadataValue(jsonObject: v) else {
            throw RetrievalError.invalidInput("metadata field '\(k)' must be a string, number or boolean")
        }
        out[k] = mv
    }
    return out
}

/// A filter expression over metadata, evaluated per item. The JSON form follows Chroma's `where`:
/// `{"lang": "en"}`, `{"year": {"$gte": 2020}}`, `{"tag": {"$in": ["a", "b"]}}`,
/// `{"$and": [{…}, {…}]}`, `{"$or": [...]}`; operators `$eq $ne $gt $gte $lt $lte $in $nin`.
/// A field missing from an item's metadata fails every comparison except `$ne` and `$nin`.
public indirect enum MetadataFilter: Hashable, Sendable {
    case equals(String, MetadataValue)
    case notEquals(String, MetadataValue)
    case greaterThan(String, Double)
    case greaterThanOrEqual(String, Double)
    case lessThan(String, Double)
    case lessThanOrEqual(String, Double)
    case isIn(String, [MetadataValue])
    case notIn(String, [MetadataValue])
    case and([MetadataFilter])
    case or([MetadataFilter])
    case not(MetadataFilter)

    /// Whether `metadata` passes the filter.
    public func matches(_ metadata: Metadata?) -> Bool {
        let m = metadata ?? [:]
        switch self {
        case .equals(let k, let v): return m[k].map { Self.same($0, v) } ?? false
        case .notEquals(let k, let v): return m[k].map { !Self.same($0, v) } ?? true
        case .greaterThan(let k, let x): return (m[k]?.number).map { $0 > x } ?? false
        case .greaterThanOrEqual(let k, let x): return (m[k]?.number).map { $0 >= x } ?? false
        case .lessThan(let k, let x): return (m[k]?.number).map { $0 < x } ?? false
        case .lessThanOrEqual(let k, let x): return (m[k]?.number).map { $0 <= x } ?? false
        case .isIn(let k, let vs): return m[k].map { v in vs.contains { Self.same(v, $0) } } ?? false
        case .notIn(let k, let vs): return m[k].map { v in !vs.contains { Self.same(v, $0) } } ?? true
        case .and(let fs): return fs.allSatisfy { $0.matches(m) }
        case .or(let fs): return fs.contains { $0.matches(m) }
        case .not(let f): return !f.matches(m)
        }
    }

    /// Values compare equal across int/double (3 == 3.0), otherwise by case and payload.
    private static func same(_ a: MetadataValue, _ b: MetadataValue) -> Bool {
        if let x = a.number, let y = b.number { return x == y }
        return a == b
    }

    /// Parses the Chroma-style JSON form (see the type's documentation).
    public init(json text: String) throws {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else {
            throw RetrievalError.invalidFilter("not valid JSON: \(text)")
        }
        self = try Self.parse(obj)
    }

    private static func parse(_ obj: Any) throws -> MetadataFilter {
        guard let dict = obj as? [String: Any], !dict.isEmpty else {
            throw RetrievalError.invalidFilter("expected a non-empty JSON object, got \(obj)")
        }
        var parts: [MetadataFilter] = []
        for key in dict.keys.sorted() {
            let value = dict[key]!
            switch key {
            case "$and", "$or":
                guard let list = value as? [Any], !list.isEmpty else {
                    throw RetrievalError.invalidFilter("\(key) takes a non-empty list of filters")
                }
                let subs = try list.map(parse)
                parts.append(key == "$and" ? .and(subs) : .or(subs))
            case "$not":
                parts.append(.not(try parse(value)))
            default:
                if key.hasPrefix("$") { throw RetrievalError.invalidFilter("unknown logical operator \(key)") }
                parts.append(try parseField(key, value))
            }
        }
        return parts.count == 1 ? parts[0] : .and(parts)
    }

    private static func parseField(_ field: String, _ value: Any) throws -> MetadataFilter {
        if let v = MetadataValue(jsonObject: value) { return .equals(field, v) }
        guard let ops = value as? [String: Any], ops.count >= 1 else {
            throw RetrievalError.invalidFilter("field '\(field)' needs a value or an {\"$op\": value} object")
        }
        var parts: [MetadataFilter] = []
        for op in ops.keys.sorted() {
            let arg = ops[op]!
            func scalar() throws -> MetadataValue {
                guard let v = MetadataValue(jsonObject: arg) else { throw RetrievalError.invalidFilter("\(op) on '\(field)' needs a scalar") }
                return v
            }
            func number() throws -> Double {
                guard let v = MetadataValue(jsonObject: arg)?.number else { throw RetrievalError.invalidFilter("\(op) on '\(field)' needs a number") }
                return v
            }
            func list() throws -> [MetadataValue] {
                guard let a = arg as? [Any] else { throw RetrievalError.invalidFilter("\(op) on '\(field)' needs a list") }
                return try a.map { guard let v = MetadataValue(jsonObject: $0) else { throw RetrievalError.invalidFilter("\(op) list items must be scalars") }; return v }
            }
            switch op {
            case "$eq": parts.append(.equals(field, try scalar()))
            case "$ne": parts.append(.notEquals(field, try scalar()))
            case "$gt": parts.append(.greaterThan(field, try number()))
            case "$gte": parts.append(.greaterThanOrEqual(field, try number()))
            case "$lt": parts.append(.lessThan(field, try number()))
            case "$lte": parts.append(.lessThanOrEqual(field, try number()))
            case "$in": parts.append(.isIn(field, try list()))
            case "$nin": parts.append(.notIn(field, try list()))
            default: throw RetrievalError.invalidFilter("unknown operator \(op) on field '\(field)'")
            }
        }
        return parts.count == 1 ? parts[0] : .and(parts)
    }
}

/// Restricts a vector search to some ids: an explicit set, a predicate, or a metadata filter over
/// the metadata stored in the index.
public enum VectorFilter {
    /// Only these ids.
    case ids(Set<Int64>)
    /// Ids for which the predicate returns true.
    case predicate((Int64) -> Bool)
    /// Ids whose metadata (set with `setMetadata`) matches the filter.
    case metadata(MetadataFilter)
}
