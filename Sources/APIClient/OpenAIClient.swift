import Foundation

/// A client of OpenAI's API and servers compatible with it (`swiftlearn serve`, vLLM, llama.cpp…):
/// chat completions (tools, `response_format`, streaming), embeddings and the model list.
public struct OpenAIClient: ChatClient {
    public let configuration: ClientConfiguration
    let runner: RequestRunner

    public init(configuration: ClientConfiguration, transport: any HTTPTransport = URLSessionTransport()) {
        self.configuration = configuration
        runner = RequestRunner(configuration: configuration, transport: transport)
    }

    var authHeaders: [String: String] {
        configuration.apiKey.map { ["authorization": "Bearer \($0)"] } ?? [:]
    }

    // MARK: Requests

    static func message(_ m: APIMessage) -> JSONValue {
        var o: [String: JSONValue] = ["role": .string(m.role.rawValue)]
        if m.role == .assistant && !m.toolCalls.isEmpty {
            o["content"] = m.content.isEmpty ? .null : .string(m.content)
            o["tool_calls"] = .array(m.toolCalls.map { c in
                ["id": .string(c.id), "type": "function", "function": ["name": .string(c.name), "arguments": .string(c.arguments)]]
            })
        } else {
            o["content"] = .string(m.content)
        }
        if let id = m.toolCallID { o["tool_call_id"] = .string(id) }
        return .object(o)
    }

    /// The body of `POST /v1/chat/completions`.
    public static func body(_ r: APIChatRequest, stream: Bool) -> JSONValue {
        var o: [String: JSONValue] = ["model": .string(r.model), "messages": .array(r.messages.map(message))]
        if !r.tools.isEmpty {
            o["tools"] = .array(r.tools.map { t in
                var fn: [String: JSONValue] = ["name": .string(t.name), "parameters": t.parameters]
                if let d = t.description { fn["description"] = .string(d) }
                return ["type": "function", "function": .object(fn)]
            })
        }
        switch r.toolChoice {
        case nil: break
        case .auto?: o["tool_choice"] = "auto"
        case .none?: o["tool_choice"] = "none"
        case .required?: o["tool_choice"] = "required"
        case .tool(let name)?: o["tool_choice"] = ["type": "function", "function": ["name": .string(name)]]
        }
        switch r.responseFormat {
        case .text: break
        case .jsonObject: o["response_format"] = ["type": "json_object"]
        case .jsonSchema(let name, let schema, let strict):
            o["response_format"] = ["type": "json_schema", "json_schema": ["name": .string(name), "schema": schema, "strict": .bool(strict)]]
        }
        if let m = r.maxTokens { o["max_tokens"] = .number(Double(m)) }
        if let t = r.temperature { o["temperature"] = .number(t) }
        if let p = r.topP { o["top_p"] = .number(p) }
        if !r.stop.isEmpty { o["stop"] = .array(r.stop.map(JSONValue.string)) }
        if let s = r.seed { o["seed"] = .number(Double(s)) }
        if stream {
            o["stream"] = true
            o["stream_options"] = ["include_usage": true]
        }
        return .object(o)
    }

    // MARK: Responses

    static func usage(_ v: JSONValue?) -> TokenUsage? {
        guard let v, case .object = v else { return nil }
        return TokenUsage(inputTokens: v["prompt_tokens"]?.intValue ?? 0, outputTokens: v["completion_tokens"]?.intValue ?? 0)
    }

    /// Reads a chat completion.
    /// - Throws: `.malformedResponse` when it has no choice with a message.
    public static func reply(_ json: JSONValue) throws -> APIChatReply {
        guard let choice = json["choices"]?[0], let message = choice["message"], case .object = message else {
            throw APIClientError.malformedResponse("a chat completion without choices[0].message: \(json.serialized.prefix(200))")
        }
        var calls: [ToolCall] = []
        for (i, c) in (message["tool_calls"]?.arrayValue ?? []).enumerated() {
            guard let name = c["function"]?["name"]?.stringValue else { throw APIClientError.malformedResponse("tool_calls[\(i)] has no function name") }
            let args: String
            switch c["function"]?["arguments"] {
            case .string(let s)?: args = s
            case let other?: args = other.serialized
            case nil: args = "{}"
            }
            calls.append(ToolCall(id: c["id"]?.stringValue ?? "", name: name, arguments: args))
        }
        return APIChatReply(id: json["id"]?.stringValue ?? "", model: json["model"]?.stringValue ?? "",
                            text: message["content"]?.stringValue ?? "", toolCalls: calls,
                            finishReason: choice["finish_reason"]?.stringValue, usage: usage(json["usage"]))
    }

    /// The events of one streamed chunk (`data: {...}`); `[DONE]` gives none; an error object throws.
    public static func events(_ sse: ServerSentEvent) throws -> [ChatStreamEvent] {
        let data = sse.data.trimmingCharacters(in: .whitespaces)
        if data == "[DONE]" || data.isEmpty { return [] }
        let json = try JSONValue.parse(data)
        if json["error"] != nil { throw APIClientError.server(ServerErrorInfo.decode(status: 0, json: json)) }
        var out: [ChatStreamEvent] = []
        if let id = json["id"]?.stringValue, let model = json["model"]?.stringValue,
           json["choices"]?[0]?["delta"]?["role"] != nil {
            out.append(.started(id: id, model: model))
        }
        for choice in json["choices"]?.arrayValue ?? [] where (choice["index"]?.intValue ?? 0) == 0 {
            let delta = choice["delta"]
            if let text = delta?["content"]?.stringValue, !text.isEmpty { out.append(.text(text)) }
            for (k, c) in (delta?["tool_calls"]?.arrayValue ?? []).enumerated() {
                out.append(.toolCall(ToolCallDelta(index: c["index"]?.intValue ?? k, id: c["id"]?.stringValue,
                                                   name: c["function"]?["name"]?.stringValue,
                                                   arguments: c["function"]?["arguments"]?.stringValue ?? "")))
            }
            if let reason = choice["finish_reason"]?.stringValue { out.append(.finished(reason: reason)) }
        }
        if let u = usage(json["usage"]) { out.append(.usage(u)) }
        return out
    }

    // MARK: Calls

    public func chat(_ request: APIChatRequest) async throws -> APIChatReply {
        let estimate = request.estimatedTokens
        try await runner.acquire(estimate)
        let json = try await runner.send(runner.request("POST", "/v1/chat/completions", headers: authHeaders, body: Self.body(request, stream: false)))
        let reply = try Self.reply(json)
        await runner.account(model: reply.model.isEmpty ? request.model : reply.model, estimate: estimate, usage: reply.usage)
        return reply
    }

    public func streamChat(_ request: APIChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
        let http = runner.request("POST", "/v1/chat/completions", headers: authHeaders.merging(["accept": "text/event-stream"]) { _, b in b },
                                  body: Self.body(request, stream: true))
        return runner.chatStream(model: request.model, estimate: request.estimatedTokens, handle: Self.events) { http }
    }

    /// `POST /v1/embeddings`: one vector per input, decoded from floats or base64.
    public func embeddings(model: String, inputs: [String], encoding: EmbeddingEncoding = .float) async throws -> EmbeddingsReply {
        let estimate = inputs.reduce(0) { $0 + estimateTokens($1) }
        try await runner.acquire(estimate)
        let body: JSONValue = ["model": .string(model), "input": .array(inputs.map(JSONValue.string)), "encoding_format": .string(encoding.rawValue)]
        let json = try await runner.send(runner.request("POST", "/v1/embeddings", headers: authHeaders, body: body))
        guard let data = json["data"]?.arrayValue else { throw APIClientError.malformedResponse("embeddings without 'data'") }
        var vectors = [[Float]](repeating: [], count: data.count)
        for (k, item) in data.enumerated() {
            let i = item["index"]?.intValue ?? k
            guard vectors.indices.contains(i) else { throw APIClientError.malformedResponse("embedding index \(i) out of range") }
            switch item["embedding"] {
            case .string(let b64)?: vectors[i] = try decodeBase64Floats(b64)
            case .array(let xs)?:
                vectors[i] = try xs.map { x in
                    guard let d = x.doubleValue else { throw APIClientError.malformedResponse("an embedding holds a non-number") }
                    return Float(d)
                }
            default: throw APIClientError.malformedResponse("data[\(k)] has no embedding")
            }
        }
        var usage: TokenUsage?
        if let u = json["usage"], let p = u["prompt_tokens"]?.intValue { usage = TokenUsage(inputTokens: p, outputTokens: 0) }
        let name = json["model"]?.stringValue ?? model
        await runner.account(model: name, estimate: estimate, usage: usage)
        return EmbeddingsReply(model: name, vectors: vectors, usage: usage)
    }

    /// `GET /v1/models`: the ids served.
    public func models() async throws -> [String] {
        let json = try await runner.send(runner.request("GET", "/v1/models", headers: authHeaders, body: nil))
        guard let data = json["data"]?.arrayValue else { throw APIClientError.malformedResponse("a model list without 'data'") }
        return data.compactMap { $0["id"]?.stringValue }
    }
}
