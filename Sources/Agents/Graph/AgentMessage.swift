import APIClient
import Foundation

/// A tool call inside a message: its id, the tool's name and the arguments object.
public struct AgentToolCall: Sendable, Equatable, Codable {
    /// The call's id, echoed by the tool message that answers it.
    public var id: String
    /// The tool's name.
    public var name: String
    /// The arguments object (a string when the model's text did not parse as JSON).
    public var arguments: JSONValue

    /// Creates a call.
    public init(id: String, name: String, arguments: JSONValue = .object([:])) {
        self.id = id; self.name = name; self.arguments = arguments
    }
}

/// One message of an agent's conversation, as it lives in graph state (JSON with the keys
/// `role`, `content`, `tool_calls`, `tool_call_id`, `name`, `id`). The `id` lets the
/// ``Reducer/messages`` reducer replace or remove a message, as LangGraph's `add_messages` does.
public struct AgentMessage: Sendable, Equatable, Codable {
    /// "system", "user", "assistant" or "tool".
    public var role: String
    /// The text.
    public var content: String
    /// The calls an assistant message makes.
    public var toolCalls: [AgentToolCall]
    /// The call a `tool` message answers.
    public var toolCallID: String?
    /// The speaker's name (multi-agent conversations), or the tool's name on a tool message.
    public var name: String?
    /// A stable id; assigned when the message enters the state if empty.
    public var id: String?

    /// Creates a message.
    public init(role: String, content: String, toolCalls: [AgentToolCall] = [], toolCallID: String? = nil,
                name: String? = nil, id: String? = nil) {
        self.role = role; self.content = content; self.toolCalls = toolCalls; self.toolCallID = toolCallID
        self.name = name; self.id = id
    }

    /// A system message.
    public static func system(_ text: String) -> AgentMessage { AgentMessage(role: "system", content: text) }
    /// A user message.
    public static func user(_ text: String) -> AgentMessage { AgentMessage(role: "user", content: text) }
    /// An assistant message, with tool calls and a speaker name when given.
    public static func assistant(_ text: String, toolCalls: [AgentToolCall] = [], name: String? = nil) -> AgentMessage {
        AgentMessage(role: "assistant", content: text, toolCalls: toolCalls, name: name)
    }
    /// A tool's result for the call `callID`.
    public static func tool(_ text: String, callID: String, name: String? = nil) -> AgentMessage {
        AgentMessage(role: "tool", content: text, toolCallID: callID, name: name)
    }

    enum CodingKeys: String, CodingKey {
        case role, content, toolCalls = "tool_calls", toolCallID = "tool_call_id", name, id
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        role = try c.decode(String.self, forKey: .role)
        guard ["system", "user", "assistant", "tool"].contains(role) else {
            throw DecodingError.dataCorruptedError(forKey: .role, in: c, debugDescription: "role must be system, user, assistant or tool, not '\(role)'")
        }
        content = try c.decodeIfPresent(String.self, forKey: .content) ?? ""
        toolCalls = try c.decodeIfPresent([AgentToolCall].self, forKey: .toolCalls) ?? []
        toolCallID = try c.decodeIfPresent(String.self, forKey: .toolCallID)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        id = try c.decodeIfPresent(String.self, forKey: .id)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(role, forKey: .role)
        try c.encode(content, forKey: .content)
        if !toolCalls.isEmpty { try c.encode(toolCalls, forKey: .toolCalls) }
        try c.encodeIfPresent(toolCallID, forKey: .toolCallID)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeIfPresent(id, forKey: .id)
    }

    /// The message as JSON state.
    public var json: JSONValue { (try? JSONValue(encoding: self)) ?? .null }

    /// The message in APIClient's form (tool-call arguments as JSON text).
    public var apiMessage: APIMessage {
        APIMessage(role: APIRole(rawValue: role) ?? .user, content: content,
                   toolCalls: toolCalls.map { ToolCall(id: $0.id, name: $0.name, arguments: $0.arguments.serialized) },
                   toolCallID: toolCallID)
    }
}

extension JSONValue {
    /// Any `Encodable` value as JSON (through JSONEncoder).
    public init<T: Encodable>(encoding value: T) throws {
        let data = try JSONEncoder().encode(value)
        self = try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Decodes the JSON into a `Decodable` type; the error names the field that did not fit.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: data)
    }
}
