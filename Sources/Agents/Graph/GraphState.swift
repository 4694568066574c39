import APIClient
import Foundation

/// How a state key combines the values written to it, as LangGraph's channels do.
public enum Reducer: Sendable {
    /// The last write wins; two writes in one step are an error (LangGraph's `LastValue`).
    case lastValue
    /// Arrays are concatenated, starting from `[]` (LangGraph's `Annotated[list, operator.add]`).
    case append
    /// Messages are appended; one whose `id` is already there replaces it, and an object
    /// `{"remove": ID}` removes one (LangGraph's `add_messages`). Messages get ids as they enter.
    case messages
    /// Your own: the initial value (nil: the key is absent until written) and a function of the
    /// current value and the write.
    case custom(initial: JSONValue?, combine: @Sendable (JSONValue?, JSONValue) throws -> JSONValue)

    /// The key's value before anything was written.
    var initial: JSONValue? {
        switch self {
        case .lastValue: return nil
        case .append, .messages: return .array([])
        case .custom(let initial, _): return initial
        }
    }
}

/// The keys of a graph's state and how each combines writes. Writing a key that is not declared
/// is an error (a misspelt key would otherwise vanish silently).
public struct StateSchema: Sendable {
    public private(set) var reducers: [String: Reducer]

    public init(_ reducers: [String: Reducer]) { self.reducers = reducers }

    /// A schema with one key, `messages`, under the messages reducer (LangGraph's `MessagesState`).
    public static var messages: StateSchema { StateSchema(["messages": .messages]) }

    /// Adds or replaces a key.
    public func adding(_ key: String, _ reducer: Reducer) -> StateSchema {
        var s = self; s.reducers[key] = reducer; return s
    }

    public var keys: [String] { reducers.keys.sorted() }

    /// The state before any write: the keys whose reducers start with a value.
    public var initialValues: [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (k, r) in reducers { if let v = r.initial { out[k] = v } }
        return out
    }

    /// Applies one step's writes, in order, to `values`. `writes` pairs the writing node with its
    /// update; a `lastValue` key written twice in the step is an error.
    func apply(_ writes: [(node: String, update: [String: JSONValue])], to values: [String: JSONValue],
               idSource: inout MessageIDSource) throws -> [String: JSONValue] {
        var out = values
        var written: [String: String] = [:]
        for (node, update) in writes {
            for key in update.keys.sorted() {
                let value = update[key]!
                guard let reducer = reducers[key] else {
                    throw AgentError.invalidUpdate(node: node, reason: "the state has no key '\(key)' (keys: \(keys.joined(separator: ", ")))")
                }
                switch reducer {
                case .lastValue:
                    if let other = written[key] {
                        throw AgentError.invalidUpdate(node: node, reason: "'\(key)' holds one value but '\(other)' and '\(node)' both wrote it in the same step; give it a reducer")
                    }
                    out[key] = value
                case .append:
                    guard case .array(let items) = value else {
                        throw AgentError.invalidUpdate(node: node, reason: "'\(key)' appends arrays; got \(value.kindName)")
                    }
                    out[key] = .array((out[key]?.arrayValue ?? []) + items)
                case .messages:
                    out[key] = try Self.addMessages(out[key]?.arrayValue ?? [], value, node: node, ids: &idSource)
                case .custom(_, let combine):
                    do { out[key] = try combine(out[key], value) } catch let e as AgentError { throw e } catch {
                        throw AgentError.invalidUpdate(node: node, reason: "the reducer of '\(key)' failed: \(error)")
                    }
                }
                written[key] = node
            }
        }
        return out
    }

    /// LangGraph's `add_messages`: append, replace by id, or remove (`{"remove": id}`).
    static func addMessages(_ current: [JSONValue], _ write: JSONValue, node: String, ids: inout MessageIDSource) throws -> JSONValue {
        let incoming: [JSONValue]
        switch write {
        case .array(let a): incoming = a
        case .object: incoming = [write]
        default: throw AgentError.invalidUpdate(node: node, reason: "'messages' takes a message or an array of messages; got \(write.kindName)")
        }
        var out = current
        for item in incoming {
            if case .object(let o) = item, o.count == 1, let removed = o["remove"]?.stringValue {
                out.removeAll { $0["id"]?.stringValue == removed }
                continue
            }
            var message: AgentMessage
            do { message = try item.decode(AgentMessage.self) } catch {
                throw AgentError.invalidUpdate(node: node, reason: "not a message: \(item.serialized.prefix(200))")
            }
            if message.id?.isEmpty ?? true { message.id = ids.next() }
            if let at = out.firstIndex(where: { $0["id"]?.stringValue == message.id }) {
                out[at] = message.json
            } else {
                out.append(message.json)
            }
        }
        return .array(out)
    }
}

/// Hands out message ids; deterministic per run so traces compare (`<thread>-<n>`), unique
/// across a thread because the counter is kept in the checkpoint.
struct MessageIDSource: Sendable, Codable {
    var prefix: String
    var counter: Int
    mutating func next() -> String { counter += 1; return "\(prefix)-\(counter)" }
}

/// A graph's state: JSON values by key, with typed views.
public struct GraphState: Sendable, Equatable {
    public var values: [String: JSONValue]

    public init(_ values: [String: JSONValue] = [:]) { self.values = values }

    public subscript(key: String) -> JSONValue? { values[key] }

    /// The state decoded into your `Decodable` type (keys that are absent must be optional).
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSONValue.object(values).decode(T.self)
    }

    /// The messages under `key` (default `messages`); entries that are not messages are skipped.
    public func messages(_ key: String = "messages") -> [AgentMessage] {
        (values[key]?.arrayValue ?? []).compactMap { try? $0.decode(AgentMessage.self) }
    }

    public func string(_ key: String) -> String? { values[key]?.stringValue }
    public func int(_ key: String) -> Int? { values[key]?.intValue }
    public func array(_ key: String) -> [JSONValue] { values[key]?.arrayValue ?? [] }

    /// The state as one JSON object.
    public var json: JSONValue { .object(values) }
}

extension JSONValue {
    /// "a string", "a number", … for messages.
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
