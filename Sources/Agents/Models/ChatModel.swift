import APIClient
import Foundation

/// Options of one model call.
public struct ChatOptions: Sendable {
    /// Most tokens to generate (nil: the model's or server's default).
    public var maxTokens: Int?
    /// 0: greedy.
    public var temperature: Double
    /// Whether and which tool the model must call (nil: `auto` when tools are given).
    public var toolChoice: APIToolChoice?
    /// A required reply shape (structured output).
    public var responseFormat: APIResponseFormat
    /// Texts that end the reply.
    public var stop: [String]

    /// Options; greedy, no limit, free text by default.
    public init(maxTokens: Int? = nil, temperature: Double = 0, toolChoice: APIToolChoice? = nil,
                responseFormat: APIResponseFormat = .text, stop: [String] = []) {
        self.maxTokens = maxTokens; self.temperature = temperature; self.toolChoice = toolChoice
        self.responseFormat = responseFormat; self.stop = stop
    }
}

/// A model's reply: an assistant message (text and/or tool calls) with its cost.
public struct ChatResponse: Sendable, Equatable {
    /// The assistant message.
    public var message: AgentMessage
    /// Prompt and generated tokens (estimated as characters / 4 by the scripted model).
    public var usage: TokenUsage
    /// `stop`, `length`, `tool_calls`, … as the model reported it.
    public var finishReason: String?

    /// Creates a response.
    public init(message: AgentMessage, usage: TokenUsage = TokenUsage(), finishReason: String? = nil) {
        self.message = message; self.usage = usage; self.finishReason = finishReason
    }
}

/// A chat model with tool calling and structured output: a local GGUF model
/// (``LocalChatModel``), an OpenAI/Anthropic-compatible endpoint (``EndpointChatModel``) or a
/// script of recorded turns (``ScriptedChatModel``, for deterministic tests).
public protocol ChatModel: Sendable {
    /// A name for traces and reports.
    var name: String { get }
    /// Replies to `messages`, with `tools` on offer, streaming text to `onText`.
    func respond(to messages: [AgentMessage], tools: [APITool], options: ChatOptions,
                 onText: @escaping @Sendable (String) -> Void) async throws -> ChatResponse
}

extension ChatModel {
    /// Replies without streaming.
    public func respond(to messages: [AgentMessage], tools: [APITool] = [], options: ChatOptions = ChatOptions()) async throws -> ChatResponse {
        try await respond(to: messages, tools: tools, options: options, onText: { _ in })
    }
}

/// Replays recorded assistant turns in order, whatever it is asked (LangChain's
/// `GenericFakeChatModel`): tests and traces run the same way every time. Text is streamed in
/// whitespace-separated pieces. It records what it was sent (``calls``).
public final class ScriptedChatModel: ChatModel, @unchecked Sendable {
    public let name: String
    public let turns: [AgentMessage]
    private let lock = NSLock()
    private var position = 0
    private var received: [[AgentMessage]] = []

    public init(turns: [AgentMessage], name: String = "scripted") {
        self.turns = turns.map { var m = $0; m.role = "assistant"; return m }
        self.name = name
    }

    /// Reads a script: a JSON array of turns, or an object with a `turns` array; each turn is
    /// `{"content": …, "tool_calls": [{"id", "name", "arguments"}]}` (role optional).
    /// - Throws: ``AgentError/invalidFile(path:reason:)`` naming what is wrong.
    public convenience init(contentsOf url: URL) throws {
        try checkFileSize(url, limit: 64 << 20)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw AgentError.invalidFile(path: url.path, reason: "cannot be read (\(error.localizedDescription))")
        }
        try self.init(json: data, path: url.path)
    }

    /// Parses a script from JSON text (see ``init(contentsOf:)``).
    public convenience init(json data: Data, path: String = "script") throws {
        guard data.count <= 64 << 20 else { throw AgentError.invalidFile(path: path, reason: "larger than 64 MiB") }
        let value: JSONValue
        do { value = try JSONValue.parse(data) } catch { throw AgentError.invalidFile(path: path, reason: "not JSON (\(error))") }
        let list: [JSONValue]
        if let a = value.arrayValue { list = a } else if let a = value["turns"]?.arrayValue { list = a } else {
            throw AgentError.invalidFile(path: path, reason: "expected an array of turns or an object with \"turns\"")
        }
        var turns: [AgentMessage] = []
        for (i, item) in list.enumerated() {
            guard case .object(var o) = item else { throw AgentError.invalidFile(path: path, reason: "turn \(i + 1) is not an object") }
            if o["role"] == nil { o["role"] = "assistant" }
            do { turns.append(try JSONValue.object(o).decode(AgentMessage.self)) } catch {
                throw AgentError.invalidFile(path: path, reason: "turn \(i + 1): \(error)")
            }
        }
        self.init(turns: turns, name: "scripted(\(URL(fileURLWithPath: path).lastPathComponent))")
    }

    /// The conversations the model was sent, one per call.
    public var calls: [[AgentMessage]] { lock.withLock { received } }
    /// Turns not replayed yet.
    public var remaining: Int { lock.withLock { turns.count - position } }

    public func respond(to messages: [AgentMessage], tools: [APITool], options: ChatOptions,
                        onText: @escaping @Sendable (String) -> Void) async throws -> ChatResponse {
        let turn: AgentMessage? = lock.withLock {
            received.append(messages)
            guard position < turns.count else { return nil }
            defer { position += 1 }
            return turns[position]
        }
        guard var turn else { throw AgentError.scriptExhausted(turns: turns.count) }
        turn.id = nil
        var first = true
        for piece in turn.content.split(separator: " ", omittingEmptySubsequences: false) {
            onText(first ? String(piece) : " " + piece)
            first = false
        }
        let input = messages.reduce(0) { $0 + $1.content.count } / 4
        return ChatResponse(message: turn, usage: TokenUsage(inputTokens: input, outputTokens: (turn.content.count + 3) / 4),
                            finishReason: turn.toolCalls.isEmpty ? "stop" : "tool_calls")
    }
}

/// A model behind an OpenAI- or Anthropic-compatible API (APIClient: retries, rate limits,
/// streaming, native tool calls and structured output).
public struct EndpointChatModel: ChatModel {
    public let client: any ChatClient
    public let model: String
    public let name: String

    public init(client: any ChatClient, model: String, name: String? = nil) {
        self.client = client; self.model = model; self.name = name ?? model
    }

    /// - Parameter anthropic: speak Anthropic's Messages API instead of OpenAI's chat completions.
    public init(baseURL: URL, model: String, apiKey: String? = nil, anthropic: Bool = false,
                transport: any HTTPTransport = URLSessionTransport()) {
        client = makeChatClient(baseURL: baseURL, apiKey: apiKey, anthropic: anthropic, transport: transport)
        self.model = model
        name = "\(model) at \(baseURL.absoluteString)"
    }

    public func respond(to messages: [AgentMessage], tools: [APITool], options: ChatOptions,
                        onText: @escaping @Sendable (String) -> Void) async throws -> ChatResponse {
        var request = APIChatRequest(model: model, messages: messages.map(\.apiMessage), maxTokens: options.maxTokens,
                                     temperature: options.temperature)
        request.tools = tools
        request.toolChoice = tools.isEmpty ? nil : options.toolChoice
        request.responseFormat = options.responseFormat
        request.stop = options.stop
        let reply = try await client.streamedReply(request) { event in
            if case .text(let piece) = event { onText(piece) }
        }
        var calls: [AgentToolCall] = []
        for (i, c) in reply.toolCalls.enumerated() {
            guard let args = c.argumentsJSON else {
                // Kept as text so the agent can tell the model its arguments did not parse.
                calls.append(AgentToolCall(id: c.id.isEmpty ? "call_\(i)" : c.id, name: c.name, arguments: .string(c.arguments)))
                continue
            }
            calls.append(AgentToolCall(id: c.id.isEmpty ? "call_\(i)" : c.id, name: c.name, arguments: args))
        }
        return ChatResponse(message: .assistant(reply.text, toolCalls: calls), usage: reply.usage ?? TokenUsage(),
                            finishReason: reply.finishReason)
    }
}
