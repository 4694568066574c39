import Foundation

/// Who wrote a message.
public enum APIRole: String, Sendable, Equatable {
    case system, user, assistant, tool
}

/// A tool call the model made: its id, the function's name and its arguments as JSON text.
public struct ToolCall: Sendable, Equatable {
    public var id: String
    public var name: String
    public var arguments: String

    public init(id: String, name: String, arguments: String) { self.id = id; self.name = name; self.arguments = arguments }

    /// The arguments parsed (nil when they are not JSON).
    public var argumentsJSON: JSONValue? { try? JSONValue.parse(arguments) }
}

/// One message of a conversation. A `tool` message answers the call `toolCallID`; an
/// assistant message may carry the calls it made.
public struct APIMessage: Sendable, Equatable {
    public var role: APIRole
    public var content: String
    public var toolCalls: [ToolCall]
    public var toolCallID: String?

    public init(role: APIRole, content: String, toolCalls: [ToolCall] = [], toolCallID: String? = nil) {
        self.role = role; self.content = content; self.toolCalls = toolCalls; self.toolCallID = toolCallID
    }

    public static func system(_ text: String) -> APIMessage { APIMessage(role: .system, content: text) }
    public static func user(_ text: String) -> APIMessage { APIMessage(role: .user, content: text) }
    public static func assistant(_ text: String, toolCalls: [ToolCall] = []) -> APIMessage {
        APIMessage(role: .assistant, content: text, toolCalls: toolCalls)
    }
    /// A tool's result for the call `id`.
    public static func toolResult(id: String, _ text: String) -> APIMessage { APIMessage(role: .tool, content: text, toolCallID: id) }
}

/// A function the model may call; `parameters` is its arguments' JSON schema.
public struct APITool: Sendable, Equatable {
    public var name: String
    public var description: String?
    public var parameters: JSONValue

    public init(name: String, description: String? = nil, parameters: JSONValue = ["type": "object", "properties": [:]]) {
        self.name = name; self.description = description; self.parameters = parameters
    }
}

/// Whether and which tool the model must call.
public enum APIToolChoice: Sendable, Equatable {
    case auto, none, required
    case tool(String)
}

/// The reply's required shape (OpenAI's `response_format`).
public enum APIResponseFormat: Sendable, Equatable {
    case text
    case jsonObject
    case jsonSchema(name: String, schema: JSONValue, strict: Bool = true)
}

/// A chat request, for either API.
public struct APIChatRequest: Sendable, Equatable {
    public var model: String
    public var messages: [APIMessage]
    public var tools: [APITool] = []
    public var toolChoice: APIToolChoice?
    public var responseFormat: APIResponseFormat = .text
    /// Most tokens to generate (Anthropic requires one: `defaultMaxTokens` when nil).
    public var maxTokens: Int?
    public var temperature: Double?
    public var topP: Double?
    public var stop: [String] = []
    public var seed: Int?

    public init(model: String, messages: [APIMessage], maxTokens: Int? = nil, temperature: Double? = nil) {
        self.model = model; self.messages = messages; self.maxTokens = maxTokens; self.temperature = temperature
    }

    /// Anthropic's `max_tokens` when none is given.
    public static let defaultMaxTokens = 1024

    /// The rate limiter's estimate: prompt characters / 4 plus the tokens asked for.
    public var estimatedTokens: Int {
        let chars = messages.reduce(0) { $0 + $1.content.count + $1.toolCalls.reduce(0) { $0 + $1.arguments.count + $1.name.count } }
            + tools.reduce(0) { $0 + $1.name.count + ($1.description?.count ?? 0) + $1.parameters.serialized.count }
        return (chars + 3) / 4 + (maxTokens ?? Self.defaultMaxTokens)
    }
}

/// A complete reply.
public struct APIChatReply: Sendable, Equatable {
    public var id: String
    public var model: String
    public var text: String
    public var toolCalls: [ToolCall]
    /// `stop`, `length`, `tool_calls` (OpenAI) or `end_turn`, `max_tokens`, `tool_use`, `stop_sequence` (Anthropic).
    public var finishReason: String?
    public var usage: TokenUsage?

    public init(id: String = "", model: String = "", text: String = "", toolCalls: [ToolCall] = [], finishReason: String? = nil, usage: TokenUsage? = nil) {
        self.id = id; self.model = model; self.text = text; self.toolCalls = toolCalls; self.finishReason = finishReason; self.usage = usage
    }
}

/// A piece of a tool call as it streams: the first piece of a call carries its id and name,
/// later pieces more of its arguments' text. `index` tells calls apart.
public struct ToolCallDelta: Sendable, Equatable {
    public var index: Int
    public var id: String?
    public var name: String?
    public var arguments: String

    public init(index: Int, id: String? = nil, name: String? = nil, arguments: String = "") {
        self.index = index; self.id = id; self.name = name; self.arguments = arguments
    }
}

/// What a streamed reply delivers, in order.
public enum ChatStreamEvent: Sendable, Equatable {
    /// The reply's id and model (OpenAI's first chunk, Anthropic's `message_start`).
    case started(id: String, model: String)
    case text(String)
    case toolCall(ToolCallDelta)
    case finished(reason: String)
    case usage(TokenUsage)
}

/// Assembles stream events into a complete reply: text pieces concatenated, tool-call pieces
/// joined per index into whole calls, usage summed (Anthropic reports input and output apart).
public struct ChatReplyBuilder: Sendable {
    public private(set) var reply = APIChatReply()
    private var calls: [Int: ToolCall] = [:]

    public init() {}

    public mutating func add(_ event: ChatStreamEvent) {
        switch event {
        case .started(let id, let model): reply.id = id; reply.model = model
        case .text(let t): reply.text += t
        case .toolCall(let d):
            var call = calls[d.index] ?? ToolCall(id: "", name: "", arguments: "")
            if let id = d.id, !id.isEmpty { call.id = id }
            if let name = d.name, !name.isEmpty { call.name += name }
            call.arguments += d.arguments
            calls[d.index] = call
            reply.toolCalls = calls.keys.sorted().map { calls[$0]! }
        case .finished(let reason): reply.finishReason = reason
        case .usage(let u):
            let old = reply.usage ?? TokenUsage()
            reply.usage = TokenUsage(inputTokens: max(old.inputTokens, u.inputTokens), outputTokens: max(old.outputTokens, u.outputTokens))
        }
    }
}

/// An embeddings response.
public struct EmbeddingsReply: Sendable, Equatable {
    public var model: String
    public var vectors: [[Float]]
    public var usage: TokenUsage?
}

/// How embeddings travel: as JSON numbers, or base64 of little-endian float32.
public enum EmbeddingEncoding: String, Sendable {
    case float, base64
}

/// Decodes base64 of little-endian float32 values (OpenAI's `encoding_format: base64`).
public func decodeBase64Floats(_ text: String) throws -> [Float] {
    guard let data = Data(base64Encoded: text), data.count % 4 == 0 else {
        throw APIClientError.malformedResponse("an embedding is not base64 of float32 values")
    }
    let bytes = [UInt8](data)
    return stride(from: 0, to: bytes.count, by: 4).map { i in
        Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
    }
}
