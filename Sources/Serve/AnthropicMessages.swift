import Foundation
import LLM

/// Anthropic's Messages API (`POST /v1/messages`) on the same model: requests are mapped onto a
/// `ChatRequest`, replies written as Anthropic's message object or its event stream.
extension ChatRequest {
    /// Parses an Anthropic Messages request.
    /// - Throws: `APIError` (400) naming the field.
    public init(anthropic body: JSON) throws {
        let f = try JSONFields(body)
        guard let model = try f.string("model") else { throw APIError.invalid("model: Field required", param: "model") }
        guard let maxTokens = try f.integer("max_tokens", in: 1...1_000_000) else { throw APIError.invalid("max_tokens: Field required", param: "max_tokens") }
        guard let items = try f.array("messages"), !items.isEmpty else { throw APIError.invalid("messages: at least one message is required", param: "messages") }
        guard items.count <= Self.maxMessages else { throw APIError.invalid("messages: at most \(Self.maxMessages)", param: "messages") }
        var messages: [ChatMessage] = []
        if let system = f.raw("system") {
            messages.append(.system(try Self.anthropicText(system, JSONFields(.object([("system", system)])), key: "system")))
        }
        for (i, item) in items.enumerated() {
            let m = try JSONFields(item, path: "messages.\(i)")
            guard let role = try m.string("role"), role == "user" || role == "assistant" else {
                throw APIError.invalid("messages.\(i).role: must be 'user' or 'assistant'", param: "messages.\(i).role")
            }
            let content = try m.require("content")
            if case .array(let blocks) = content {
                var text = ""
                var calls: [JSON] = []
                for (j, block) in blocks.enumerated() {
                    let b = try JSONFields(block, path: "messages.\(i).content.\(j)")
                    switch try b.string("type") ?? "text" {
                    case "text": text += try b.string("text") ?? ""
                    case "tool_use":
                        calls.append(.object([("id", .string(try b.string("id") ?? "")), ("name", .string(try b.string("name") ?? "")),
                                              ("arguments", b.raw("input") ?? .object([]))]))
                    case "tool_result":
                        // A tool's answer becomes a `tool` message, as OpenAI's API has it.
                        var result = ""
                        if let c = b.raw("content") { result = try Self.anthropicText(c, b, key: "content") }
                        messages.append(ChatMessage(role: "tool", content: result, extra: JinjaDict([("tool_call_id", .string(try b.string("tool_use_id") ?? ""))])))
                    case let other:
                        throw APIError.invalid("messages.\(i).content.\(j).type: '\(other)' is not supported (text, tool_use, tool_result)", param: b.name("type"))
                    }
                }
                if !text.isEmpty || !calls.isEmpty || role == "assistant" {
                    var message = ChatMessage(role: role, content: text)
                    if !calls.isEmpty { message.extra["tool_calls"] = JinjaValue.fromJSON(.array(calls)) }
                    messages.append(message)
                }
            } else {
                messages.append(ChatMessage(role: role, content: try Self.anthropicText(content, m, key: "content")))
            }
        }
        self.model = model
        self.messages = messages
        self.maxTokens = maxTokens
        if let list = try f.array("tools") {
            tools = try list.enumerated().map { i, item in
                let t = try JSONFields(item, path: "tools.\(i)")
                guard let name = try t.string("name") else { throw APIError.invalid("tools.\(i).name: Field required", param: t.name("name")) }
                var schema = JSON.object([("type", .string("object"))])
                if let s = t.raw("input_schema") { schema = s }
                return ToolDefinition(name: name, description: try t.string("description"), parameters: schema)
            }
        }
        toolChoice = tools.isEmpty ? .none : .auto
        if let choice = try f.object("tool_choice") {
            switch try choice.string("type") ?? "auto" {
            case "auto": break
            case "any": toolChoice = tools.isEmpty ? .none : .required
            case "none": toolChoice = .none
            case "tool":
                guard let name = try choice.string("name"), tools.contains(where: { $0.name == name }) else {
                    throw APIError.invalid("tool_choice.name: must name one of 'tools'", param: "tool_choice.name")
                }
                toolChoice = .named(name)
            case let other: throw APIError.invalid("tool_choice.type: '\(other)' is not one of auto, any, tool, none", param: "tool_choice.type")
            }
        }
        stream = try f.bool("stream") ?? false
        stop = try f.strings("stop_sequences", limit: 16) ?? []
        if let t = try f.number("temperature", in: 0...1) { sampling.temperature = Float(t) }
        if let p = try f.number("top_p", in: 0...1) { sampling.topP = Float(max(p, 1e-6)) }
        if let k = try f.integer("top_k", in: 0...1_000_000) { sampling.topK = k }
    }

    /// A string, or the concatenated text of a list of text blocks.
    static func anthropicText(_ v: JSON, _ f: JSONFields, key: String) throws -> String {
        switch v {
        case .string(let s): return s
        case .array(let blocks):
            return try blocks.enumerated().map { j, block in
                let b = try JSONFields(block, path: "\(f.name(key)).\(j)")
                guard (try b.string("type") ?? "text") == "text" else {
                    throw APIError.invalid("\(b.name("type")): only text blocks are supported here", param: b.name("type"))
                }
                return try b.string("text") ?? ""
            }.joined()
        default: throw f.wrongType(key, v, "a string or a list of text blocks")
        }
    }
}

extension LanguageModelService {
    static func anthropicStopReason(_ r: FinishReason?, toolCall: Bool) -> String {
        if toolCall { return "tool_use" }
        switch r {
        case .length?, .contextFull?: return "max_tokens"
        case .stopString?: return "stop_sequence"
        default: return "end_turn"
        }
    }

    /// `POST /v1/messages`.
    public func anthropicMessages(_ body: JSON) async throws -> ServeResponse {
        let request = try ChatRequest(anthropic: body)
        let jobs = try jobs(request)
        let id = Self.newID("msg_")
        let toolsOn = request.toolChoice != .none && !request.tools.isEmpty
        let inputTokens = jobs[0].promptTokens.count
        if request.stream { return try streamAnthropic(request, job: jobs[0], id: id, toolsOn: toolsOn) }
        let c = try await complete(jobs)[0]
        var content: [JSON] = []
        let call = toolsOn ? ToolCalls.parse(c.text, tools: request.tools) : nil
        if let call {
            let input = (try? JSON.parse(Array(call.arguments.utf8))) ?? .object([])
            content.append(.object([("type", .string("tool_use")), ("id", .string(Self.newID("toolu_"))), ("name", .string(call.name)), ("input", input)]))
        } else {
            content.append(.object([("type", .string("text")), ("text", .string(c.text))]))
        }
        return .json(.object([("id", .string(id)), ("type", .string("message")), ("role", .string("assistant")), ("model", .string(name)),
                              ("content", .array(content)),
                              ("stop_reason", .string(Self.anthropicStopReason(c.result?.finishReason, toolCall: call != nil))),
                              ("stop_sequence", .null),
                              ("usage", .object([("input_tokens", .int(inputTokens)), ("output_tokens", .int(c.result?.tokens.count ?? 0))]))]))
    }

    func streamAnthropic(_ request: ChatRequest, job: GenerationJob, id: String, toolsOn: Bool) throws -> ServeResponse {
        let events = try engine.submit(job)
        let name = self.name
        let inputTokens = job.promptTokens.count
        return .eventStream(on: taskExecutor, errorEvent: { Array("event: error\ndata: \($0.anthropicJSON.serialized())\n\n".utf8) }) { emit in
                func send(_ event: String, _ value: JSON) { emit(Array("event: \(event)\ndata: \(value.serialized())\n\n".utf8)) }
                send("message_start", .object([("type", .string("message_start")), ("message", .object([
                    ("id", .string(id)), ("type", .string("message")), ("role", .string("assistant")), ("model", .string(name)),
                    ("content", .array([])), ("stop_reason", .null), ("stop_sequence", .null),
                    ("usage", .object([("input_tokens", .int(inputTokens)), ("output_tokens", .int(0))]))]))]))
                send("ping", .object([("type", .string("ping"))]))
                var isCall: Bool? = toolsOn ? nil : false
                var pending = "", streamer = ToolCallStreamer(), opened = false
                func open(_ block: JSON) {
                    send("content_block_start", .object([("type", .string("content_block_start")), ("index", .int(0)), ("content_block", block)]))
                    opened = true
                }
                func delta(_ d: JSON) { send("content_block_delta", .object([("type", .string("content_block_delta")), ("index", .int(0)), ("delta", d)])) }
                    for try await event in events {
                        switch event {
                        case .token(let t):
                            var text = t.text
                            if isCall == nil {
                                pending += text
                                guard let first = pending.drop(while: { $0.isWhitespace }).first else { continue }
                                isCall = first == "{"
                                text = pending
                            }
                            if isCall == true {
                                let (newName, args) = streamer.feed(text)
                                if let newName {
                                    open(.object([("type", .string("tool_use")), ("id", .string(Self.newID("toolu_"))), ("name", .string(newName)), ("input", .object([]))]))
                                }
                                if !args.isEmpty && opened { delta(.object([("type", .string("input_json_delta")), ("partial_json", .string(args))])) }
                            } else if !text.isEmpty {
                                if !opened { open(.object([("type", .string("text")), ("text", .string(""))])) }
                                delta(.object([("type", .string("text_delta")), ("text", .string(text))]))
                            }
                        case .finished(let r):
                            if !opened {
                                open(.object([("type", .string("text")), ("text", .string(""))]))
                                if !pending.isEmpty { delta(.object([("type", .string("text_delta")), ("text", .string(pending))])) }
                            }
                            send("content_block_stop", .object([("type", .string("content_block_stop")), ("index", .int(0))]))
                            send("message_delta", .object([("type", .string("message_delta")),
                                                           ("delta", .object([("stop_reason", .string(Self.anthropicStopReason(r.finishReason, toolCall: isCall == true && streamer.name != nil))),
                                                                              ("stop_sequence", .null)])),
                                                           ("usage", .object([("output_tokens", .int(r.tokens.count))]))]))
                            send("message_stop", .object([("type", .string("message_stop"))]))
                        }
                    }
        }
    }
}
