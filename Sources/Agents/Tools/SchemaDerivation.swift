import APIClient
import Foundation

/// A `String` enum whose cases become the schema's `enum` list.
public protocol ToolArgumentEnum: CaseIterable, RawRepresentable, Decodable where RawValue == String {}

extension ToolArgumentEnum {
    static var rawValues: [String] { allCases.map(\.rawValue) }
}

/// Descriptions of argument fields, shown to the model in the tool's JSON schema.
public protocol DescribedArguments {
    /// Field name → description (nested fields by their own name).
    static var fieldDescriptions: [String: String] { get }
}

/// Extra JSON-schema keywords for argument fields (`minLength`, `minimum`, `maxItems`, …), merged
/// into the derived schema: under a local model's grammar they constrain what it can write.
public protocol ConstrainedArguments {
    /// Field name → keywords to add to that field's schema.
    static var fieldConstraints: [String: [String: JSONValue]] { get }
}

/// Derives a JSON schema from a `Decodable` type by decoding it once from a recording decoder:
/// each key the type asks for becomes a property (required unless asked with `decodeIfPresent`,
/// i.e. an optional), each requested type its JSON type, nested structs objects, arrays `items`,
/// ``ToolArgumentEnum``s `enum` lists. Types that check their values in `init(from:)` (and so
/// refuse the placeholder values) need an explicit schema.
public enum ArgumentSchema {
    /// The schema of `type`.
    /// - Throws: ``AgentError/invalidParameter(name:value:reason:)`` when the type cannot be
    ///   decoded from placeholders.
    public static func derive<T: Decodable>(_ type: T.Type, descriptions: [String: String] = [:]) throws -> JSONValue {
        let all = descriptions.merging((T.self as? DescribedArguments.Type)?.fieldDescriptions ?? [:]) { a, _ in a }
        do {
            var result = try schema(for: T.self, descriptions: all)
            if let constraints = (T.self as? ConstrainedArguments.Type)?.fieldConstraints,
               case .object(var top) = result, case .object(var properties)? = top["properties"] {
                for (field, extra) in constraints {
                    guard case .object(var p)? = properties[field] else { continue }
                    for (k, v) in extra { p[k] = v }
                    properties[field] = .object(p)
                }
                top["properties"] = .object(properties)
                result = .object(top)
            }
            return result
        } catch {
            throw AgentError.invalidParameter(name: "arguments type", value: "\(T.self)",
                                              reason: "its JSON schema cannot be derived (\(error)); give the schema explicitly")
        }
    }

    static func schema<T: Decodable>(for type: T.Type, descriptions: [String: String]) throws -> JSONValue {
        try SchemaRecorder(descriptions: descriptions).nested(T.self).0
    }

    static func primitiveSchema(_ type: Any.Type) -> JSONValue? {
        switch type {
        case is String.Type: return ["type": "string"]
        case is Bool.Type: return ["type": "boolean"]
        case is Int.Type, is Int8.Type, is Int16.Type, is Int32.Type, is Int64.Type,
             is UInt.Type, is UInt8.Type, is UInt16.Type, is UInt32.Type, is UInt64.Type: return ["type": "integer"]
        case is Double.Type, is Float.Type: return ["type": "number"]
        case is JSONValue.Type: return [:]
        default: return nil
        }
    }
}

/// `[String: Value]`: an object whose values all follow `Value`'s schema.
protocol DictionaryArgument {
    static func schema(descriptions: [String: String]) throws -> JSONValue
}

extension Dictionary: DictionaryArgument where Key == String, Value: Decodable {
    static func schema(descriptions: [String: String]) throws -> JSONValue {
        ["type": "object", "additionalProperties": try SchemaRecorder(descriptions: descriptions).nested(Value.self).0]
    }
}

/// What a recording decoder learnt about one value.
final class SchemaNode {
    enum Kind { case unknown, object, array, value(JSONValue) }
    var kind = Kind.unknown
    var properties: [(String, JSONValue)] = []
    var required: [String] = []
    /// Keys asked about with `decodeNil` first: what `decodeIfPresent` of a primitive does.
    var optionalKeys: Set<String> = []
    var items: JSONValue?

    var schema: JSONValue {
        switch kind {
        case .value(let v): return v
        case .array: return ["type": "array", "items": items ?? [:]]
        case .object, .unknown:
            var o: [String: JSONValue] = ["type": "object", "properties": .object(Dictionary(properties, uniquingKeysWith: { a, _ in a }))]
            if !required.isEmpty { o["required"] = .array(required.map { .string($0) }) }
            o["additionalProperties"] = false
            return .object(o)
        }
    }
}

final class SchemaRecorder: Decoder {
    let node = SchemaNode()
    let descriptions: [String: String]
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    init(descriptions: [String: String]) { self.descriptions = descriptions }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        node.kind = .object
        return KeyedDecodingContainer(KeyedRecorder<Key>(recorder: self))
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        node.kind = .array
        return UnkeyedRecorder(recorder: self)
    }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleRecorder(recorder: self) }

    /// The schema of a nested value plus a placeholder of its type.
    func nested<T: Decodable>(_ type: T.Type) throws -> (JSONValue, T) {
        if let primitive = ArgumentSchema.primitiveSchema(T.self) {
            return (primitive, try T(from: PlaceholderDecoder(string: nil)))
        }
        if let d = T.self as? any DictionaryArgument.Type {
            return (try d.schema(descriptions: descriptions), try T(from: SchemaRecorder(descriptions: descriptions)))
        }
        if let e = T.self as? any ToolArgumentEnum.Type, let first = e.rawValues.first {
            let value = try T(from: PlaceholderDecoder(string: first))
            return (["type": "string", "enum": .array(e.rawValues.map { .string($0) })], value)
        }
        let child = SchemaRecorder(descriptions: descriptions)
        let value = try T(from: child)
        return (child.node.schema, value)
    }
}

struct KeyedRecorder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let recorder: SchemaRecorder
    var codingPath: [any CodingKey] { recorder.codingPath }
    var allKeys: [Key] { [] }
    func contains(_ key: Key) -> Bool { true }

    private func record(_ key: Key, _ schema: JSONValue, required: Bool) {
        var s = schema
        if let d = recorder.descriptions[key.stringValue], case .object(var o) = s { o["description"] = .string(d); s = .object(o) }
        recorder.node.properties.append((key.stringValue, s))
        if required && !recorder.node.optionalKeys.contains(key.stringValue) { recorder.node.required.append(key.stringValue) }
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        recorder.node.optionalKeys.insert(key.stringValue)
        return false
    }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let (schema, value) = try recorder.nested(T.self)
        record(key, schema, required: true)
        return value
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        let (schema, _) = try recorder.nested(T.self)
        record(key, schema, required: false)
        return nil
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        let child = SchemaRecorder(descriptions: recorder.descriptions)
        record(key, ["type": "object"], required: true)
        return try child.container(keyedBy: NestedKey.self)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        record(key, ["type": "array"], required: true)
        return try SchemaRecorder(descriptions: recorder.descriptions).unkeyedContainer()
    }
    func superDecoder() throws -> any Decoder { recorder }
    func superDecoder(forKey key: Key) throws -> any Decoder { recorder }
}

struct UnkeyedRecorder: UnkeyedDecodingContainer {
    let recorder: SchemaRecorder
    var codingPath: [any CodingKey] { recorder.codingPath }
    var count: Int? { 0 }
    var currentIndex = 0
    var isAtEnd: Bool { currentIndex > 0 }

    mutating func decodeNil() throws -> Bool { false }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (schema, value) = try recorder.nested(T.self)
        recorder.node.items = schema
        currentIndex += 1
        return value
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        currentIndex += 1
        return try SchemaRecorder(descriptions: recorder.descriptions).container(keyedBy: NestedKey.self)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        currentIndex += 1
        return try SchemaRecorder(descriptions: recorder.descriptions).unkeyedContainer()
    }
    mutating func superDecoder() throws -> any Decoder { recorder }
}

struct SingleRecorder: SingleValueDecodingContainer {
    let recorder: SchemaRecorder
    var codingPath: [any CodingKey] { recorder.codingPath }
    func decodeNil() -> Bool { false }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let schema = ArgumentSchema.primitiveSchema(T.self) {
            recorder.node.kind = .value(schema)
            return try T(from: PlaceholderDecoder(string: nil))
        }
        let (schema, value) = try recorder.nested(T.self)
        recorder.node.kind = .value(schema)
        return value
    }
}

/// Hands out placeholder primitives (0, "", false, or a given string for enums).
struct PlaceholderDecoder: Decoder, SingleValueDecodingContainer {
    let string: String?
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        throw DecodingError.typeMismatch(type, .init(codingPath: [], debugDescription: "placeholder"))
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: [], debugDescription: "placeholder"))
    }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }
    func decodeNil() -> Bool { false }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let placeholders: [Any] = [string ?? "", false, 0, Int8(0), Int16(0), Int32(0), Int64(0), UInt(0), UInt8(0), UInt16(0),
                                   UInt32(0), UInt64(0), 0.0, Float(0), JSONValue.null]
        for p in placeholders { if let v = p as? T { return v } }
        throw DecodingError.typeMismatch(T.self, .init(codingPath: [], debugDescription: "no placeholder"))
    }
}
