import Foundation

/// A client of Anthropic's Messages API (`POST /v1/messages`), as Anthropic and `swiftlearn serve`
/// answer it: text and tool use, whole or as its event stream.
public struct AnthropicClient: ChatClient {
    public let configuration: ClientConfiguration
    /// The `anthropic-version` header.
    public var version = "2023-06-01"
    let runner: RequestRunner

    public init(configuration: ClientConfiguration, transport: any HTTPTransport = URLSessionTransport()) {
        self.configuration = configuration
        runner = RequestRunner(configuration: configuration, transport: transport)
    }

    var headers: [String: String] {
        var h = ["anthropic-version": version]
        if let key = configuration.apiKey { h["x-api-key"] = key }
        return h
    }

    /// The body of `POST /v1/messages`: system messages go to `system`, tool results become
    /// `tool_result` blocks of a user message, assistant tool calls `tool_use` blocks.
    /// - Throws: `.invalidRequest` for `response_format`, which this API does not have.
    public static func body(_ r: APIChatRequest, stream: Bool) throws -> JSONValue {
        if r.responseFormat != .text {
            throw APIClientError.invalidRequest("Anthropic's Messages API has no response_format (use a forced tool instead)")
        }
        var o: [String: JSONValue] = ["model": .string(r.model), "max_tokens": .number(Double(r.maxTokens ?? APIChatRequest.defaultMaxTokens))]
        let system = r.messages.filter { $0.role == .system }.map(\.content)
        if !system.isEmpty { o["system"] = .string(system.joined(separator: "\n\n")) }
        var messages: [JSONValue] = []
        for m in r.messages where m.role != .system {
            switch m.role {
            case .user: messages.append(["role": "user", "content": .string(m.content)])
            case .assistant:
                var blocks: [JSONValue] = []
                if !m.content.isEmpty { blocks.append(["type": "text", "text": .string(m.content)]) }
                for c in m.toolCalls {
                    blocks.append(["type": "tool_use", "id": .string(c.id), "name": .string(c.name),
                                   "input": c.argumentsJSON ?? .object([:])])
                }
                messages.append(["role": "assistant", "content": .array(blocks)])
            case .tool:
                messages.append(["role": "user", "content": [["type": "tool_result", "tool_use_id": .string(m.toolCallID ?? ""),
                                                              "content": .string(m.content)]]])
            case .system: break
            }
        }
        o["messages"] = .array(messages)
        if !r.tools.isEmpty {
            o["tools"] = .array(r.tools.map { t in
                var tool: [String: JSONValue] = ["name": .string(t.name), "input_schema": t.parameters]
                if let d = t.description { tool["description"] = .string(d) }
                return .object(tool)
            })
        }
        switch r.toolChoice {
        case nil: break
        case .auto?: o["tool_choice"] = ["type": "auto"]
        case .none?: o["tool_choice"] = ["type": "none"]
        case .required?: o["tool_choice"] = ["type": "any"]
        case .tool(let name)?: o["tool_choice"] = ["type": "tool", "name": .string(name)]
        }
        if let t = r.temperature { o["temperature"] = .number(t) }
        if let p = r.topP { o["top_p"] = .number(p) }
        if !r.stop.isEmpty { o["stop_sequences"] = .array(r.stop.map(JSONValue.string)) }
        if stream { o["stream"] = true }
        return .object(o)
    }

    static func usage(_ v: JSONValue?) -> TokenUsage? {
        guard let v, case .object = v else { return nil }
        return TokenUsage(inputTokens: v["input_tokens"]?.intValue ?? 0, outputTokens: v["output_tokens"]?.intValue ?? 0)
    }

    /// Reads a message object.
    public static func reply(_ json: JSONValue) throws -> APIChatReply {
        guard let blocks = json["content"]?.arrayValue else {
            throw APIClientError.malformedResponse("a message without 'content': \(json.serialized.prefix(200))")
        }
        var reply = APIChatReply(id: json["id"]?.stringValue ?? "", model: json["model"]?.stringValue ?? "",
                                 finishReason: json["stop_reason"]?.stringValue, usage: usage(json["usage"]))
        for b in blocks {
            switch b["type"]?.stringValue {
            case "text"?: reply.text += b["text"]?.stringValue ?? ""
            case "tool_use"?:
                reply.toolCalls.append(ToolCall(id: b["id"]?.stringValue ?? "", name: b["name"]?.stringValue ?? "",
                                                arguments: (b["input"] ?? .object([:])).serialized))
            default: break
            }
        }
        return reply
    }

    /// The events of one stream event: `message_start`, `content_block_start`/`_delta`/`_stop`,
    /// `message_delta`, `message_stop`, `ping`; `error` throws.
    public static func events(_ sse: ServerSentEvent) throws -> [ChatStreamEvent] {
        guard !sse.data.trimmingCharacters(in: .whitespaces).isEmpty else { return [] }
        let json = try JSONValue.parse(sse.data)
        let type = json["type"]?.stringValue ?? sse.event ?? ""
        switch type {
        case "message_start":
            let m = json["message"]
            var out: [ChatStreamEvent] = [.started(id: m?["id"]?.stringValue ?? "", model: m?["model"]?.stringValue ?? "")]
            if let u = usage(m?["usage"]) { out.append(.usage(u)) }
            return out
        case "content_block_start":
            let index = json["index"]?.intValue ?? 0
            guard let block = json["content_block"] else { throw APIClientError.malformedResponse("content_block_start without content_block") }
            switch block["type"]?.stringValue {
            case "tool_use"?:
                // `input` starts empty; the arguments come as input_json_delta pieces.
                return [.toolCall(ToolCallDelta(index: index, id: block["id"]?.stringValue, name: block["name"]?.stringValue))]
            case "text"?:
                let t = block["text"]?.stringValue ?? ""
                return t.isEmpty ? [] : [.text(t)]
            default: return []
            }
        case "content_block_delta":
            let index = json["index"]?.intValue ?? 0
            let d = json["delta"]
            switch d?["type"]?.stringValue {
            case "text_delta"?: return [.text(d?["text"]?.stringValue ?? "")]
            case "input_json_delta"?: return [.toolCall(ToolCallDelta(index: index, arguments: d?["partial_json"]?.stringValue ?? ""))]
            default: return []
            }
        case "message_delta":
            var out: [ChatStreamEvent] = []
            if let reason = json["delta"]?["stop_reason"]?.stringValue { out.append(.finished(reason: reason)) }
            if let u = json["usage"], let o = u["output_tokens"]?.intValue {
                out.append(.usage(TokenUsage(inputTokens: u["input_tokens"]?.intValue ?? 0, outputTokens: o)))
            }
            return out
        case "error":
            throw APIClientError.server(ServerErrorInfo.decode(status: 0, json: json))
        default:
            return []  // ping, content_block_stop, message_stop, unknown events
        }
    }

    public func chat(_ request: APIChatRequest) async throws -> APIChatReply {
        let estimate = request.estimatedTokens
        let body = try Self.body(request, stream: false)
        try await runner.acquire(estimate)
        let json = try await runner.send(runner.request("POST", "/v1/messages", headers: headers, body: body))
        let reply = try Self.reply(json)
        await runner.account(model: reply.model.isEmpty ? request.model : reply.model, estimate: estimate, usage: reply.usage)
        return reply
    }

    public func streamChat(_ request: APIChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
        let runner = self.runner
        let headers = self.headers.merging(["accept": "text/event-stream"]) { _, b in b }
        return runner.chatStream(model: request.model, estimate: request.estimatedTokens, handle: Self.events) {
            runner.request("POST", "/v1/messages", headers: headers, body: try Self.body(request, stream: true))
        }
    }
}
