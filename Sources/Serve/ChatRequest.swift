import Foundation
import LLM

/// A function the model may call (OpenAI's `tools[i].function`).
public struct ToolDefinition: Sendable {
    /// The function's name (what the model calls).
    public var name: String
    /// What it does, shown to the model.
    public var description: String?
    /// The JSON schema of its arguments (an object schema; `{"type": "object"}` when absent).
    public var parameters: JSON
}

/// Whether and which tool the model must call.
public enum ToolChoice: Sendable, Equatable {
    case none, auto, required
    case named(String)
}

/// The shape the reply must have.
public enum ResponseFormat: Sendable {
    case text
    case jsonObject
    /// A JSON schema (its text keeps the property order).
    case jsonSchema(name: String, schema: String)
}

/// A parsed, validated chat-completion request (OpenAI's `POST /v1/chat/completions`, and the
/// Anthropic Messages API mapped onto it).
public struct ChatRequest: Sendable {
    /// The model the client names.
    public var model: String
    /// The conversation (developer messages become system messages).
    public var messages: [ChatMessage]
    /// Functions the model may call, and whether or which one it must.
    public var tools: [ToolDefinition] = []
    public var toolChoice: ToolChoice = .auto
    /// Free text, any JSON object, or JSON under a schema.
    public var responseFormat: ResponseFormat = .text
    /// How tokens are drawn (OpenAI's defaults unless the request sets them).
    public var sampling = ChatRequest.openAIDefaults
    /// Most tokens to generate (nil: what the context leaves).
    public var maxTokens: Int?
    /// Stop strings (not part of the reply).
    public var stop: [String] = []
    /// Choices to generate (seeds `seed`, `seed + 1`, …).
    public var n = 1
    /// Whether to answer as server-sent events, and whether a last event carries the usage.
    public var stream = false
    public var includeUsage = false
    /// Alternatives per token when log-probabilities are asked for (nil: none).
    public var logprobs: Int?

    /// OpenAI's sampling defaults: temperature 1, top-p 1, no top-k/min-p, no penalties.
    public static var openAIDefaults: SamplingParameters {
        var p = SamplingParameters()
        p.temperature = 1; p.topP = 1; p.topK = 0; p.minP = 0
        p.seed = UInt64.random(in: 0...UInt64(Int64.max))
        return p
    }

    /// Most choices per request.
    public static let maxChoices = 8
    /// Most stop strings (OpenAI allows 4).
    public static let maxStops = 4
    /// Most messages and tools per request.
    public static let maxMessages = 4096, maxTools = 128

    /// Parses the body of `POST /v1/chat/completions`.
    /// - Throws: `APIError` (400) naming the field at fault.
    public init(openAI body: JSON) throws {
        let f = try JSONFields(body)
        guard let model = try f.string("model") else { throw APIError.invalid("'model' is required", param: "model", code: "missing_required_parameter") }
        self.model = model
        guard let items = try f.array("messages") else { throw APIError.invalid("'messages' is required", param: "messages", code: "missing_required_parameter") }
        guard !items.isEmpty else { throw APIError.invalid("'messages' must hold at least one message", param: "messages", code: "invalid_value") }
        guard items.count <= Self.maxMessages else { throw APIError.invalid("'messages' has \(items.count) items (at most \(Self.maxMessages))", param: "messages") }
        messages = try items.enumerated().map { i, item in try Self.message(try JSONFields(item, path: "messages[\(i)]")) }
        if let list = try f.array("tools") {
            guard list.count <= Self.maxTools else { throw APIError.invalid("'tools' has \(list.count) items (at most \(Self.maxTools))", param: "tools") }
            tools = try list.enumerated().map { i, item in try Self.tool(try JSONFields(item, path: "tools[\(i)]")) }
            let names = tools.map(\.name)
            if let dup = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
                throw APIError.invalid("tool '\(dup)' is defined twice", param: "tools")
            }
        }
        toolChoice = tools.isEmpty ? .none : .auto
        if let choice = f.raw("tool_choice") { toolChoice = try Self.toolChoice(choice, tools: tools) }
        if let format = try f.object("response_format") { responseFormat = try Self.responseFormat(format) }
        if case .text = responseFormat {} else if toolChoice != .none && !tools.isEmpty {
            throw APIError.invalid("'response_format' cannot be combined with tools (use tool_choice \"none\")", param: "response_format")
        }
        maxTokens = try f.integer("max_completion_tokens", in: 1...1_000_000) ?? f.integer("max_tokens", in: 1...1_000_000)
        n = try f.integer("n", in: 1...Self.maxChoices) ?? 1
        stream = try f.bool("stream") ?? false
        if let options = try f.object("stream_options") { includeUsage = try options.bool("include_usage") ?? false }
        stop = try f.strings("stop", limit: Self.maxStops) ?? []
        if try f.bool("logprobs") == true { logprobs = try f.integer("top_logprobs", in: 0...20) ?? 0 } else if f.raw("top_logprobs") != nil {
            throw APIError.invalid("'top_logprobs' needs 'logprobs': true", param: "top_logprobs")
        }
        try Self.readSampling(f, into: &sampling)
    }

    /// Sampling fields shared with `/v1/completions`: OpenAI's, and vLLM's extras.
    static func readSampling(_ f: JSONFields, into p: inout SamplingParameters) throws {
        if let t = try f.number("temperature", in: 0...2) { p.temperature = Float(t) }
        if let t = try f.number("top_p", in: 0...1) {
            guard t > 0 else { throw APIError.invalid("'top_p' must be greater than 0", param: "top_p", code: "invalid_value") }
            p.topP = Float(t)
        }
        if let s = try f.integer("seed", in: Int(Int64.min)...Int(Int64.max)) { p.seed = UInt64(bitPattern: Int64(s)) }
        if let v = try f.number("presence_penalty", in: -2...2) { p.presencePenalty = Float(v); p.penaltyLastN = -1 }
        if let v = try f.number("frequency_penalty", in: -2...2) { p.frequencyPenalty = Float(v); p.penaltyLastN = -1 }
        if let k = try f.integer("top_k", in: -1...1_000_000) { p.topK = max(0, k) }
        if let m = try f.number("min_p", in: 0...1) { p.minP = Float(m) }
        if let r = try f.number("repetition_penalty", in: 0.01...100) { p.repeatPenalty = Float(r) }
        if let bias = try f.object("logit_bias"), case .object(let pairs) = bias.value {
            guard pairs.count <= 300 else { throw APIError.invalid("'logit_bias' has \(pairs.count) entries (at most 300)", param: "logit_bias") }
            for (key, _) in pairs {
                guard let id = Int(key), id >= 0 else {
                    throw APIError.invalid("'logit_bias' keys must be token ids, not '\(key)'", param: "logit_bias", code: "invalid_value")
                }
                p.logitBias[id] = Float(try bias.number(key, in: -100...100) ?? 0)
            }
        }
    }

    static func text(ofContent v: JSON, _ f: JSONFields) throws -> String {
        switch v {
        case .string(let s): return s
        case .array(let parts):
            var text = ""
            for (i, part) in parts.enumerated() {
                let p = try JSONFields(part, path: "\(f.name("content"))[\(i)]")
                let type = try p.string("type") ?? "text"
                guard type == "text" || type == "input_text" else {
                    throw APIError.invalid("content part type '\(type)' is not supported: this model reads text only", param: p.name("type"), code: "invalid_value")
                }
                guard let t = try p.string("text") else { throw APIError.invalid("'\(p.name("text"))' is required", param: p.name("text")) }
                text += t
            }
            return text
        default: throw f.wrongType("content", v, "a string or an array of content parts")
        }
    }

    static func message(_ f: JSONFields) throws -> ChatMessage {
        guard let role = try f.string("role") else { throw APIError.invalid("'\(f.name("role"))' is required", param: f.name("role")) }
        let known = ["system", "developer", "user", "assistant", "tool", "function"]
        guard known.contains(role) else {
            throw APIError.invalid("'\(f.name("role"))' is '\(role)'; expected one of \(known.joined(separator: ", "))", param: f.name("role"), code: "invalid_value")
        }
        var content = ""
        if let v = f.raw("content") { content = try text(ofContent: v, f) }
        var message = ChatMessage(role: role == "developer" ? "system" : role, content: content)
        if role == "assistant", let calls = try f.array("tool_calls") {
            var list: [JSON] = []
            for (i, call) in calls.enumerated() {
                let c = try JSONFields(call, path: f.name("tool_calls[\(i)]"))
                guard let fn = try c.object("function"), let name = try fn.string("name") else {
                    throw APIError.invalid("'\(c.name("function.name"))' is required", param: c.name("function.name"))
                }
                let arguments = try fn.string("arguments") ?? "{}"
                list.append(.object([("id", .string(try c.string("id") ?? "")), ("name", .string(name)),
                                     ("arguments", (try? JSON.parse(Array(arguments.utf8))) ?? .string(arguments))]))
            }
            message.extra["tool_calls"] = JinjaValue.fromJSON(.array(list))
        } else if f.raw("content") == nil && role != "assistant" {
            throw APIError.invalid("'\(f.name("content"))' is required", param: f.name("content"))
        }
        if role == "tool", let id = try f.string("tool_call_id") { message.extra["tool_call_id"] = .string(id) }
        if let name = try f.string("name") { message.extra["name"] = .string(name) }
        return message
    }

    static func tool(_ f: JSONFields) throws -> ToolDefinition {
        let type = try f.string("type") ?? "function"
        guard type == "function" else { throw APIError.invalid("tool type '\(type)' is not supported (only \"function\")", param: f.name("type")) }
        guard let fn = try f.object("function") else { throw APIError.invalid("'\(f.name("function"))' is required", param: f.name("function")) }
        guard let name = try fn.string("name") else { throw APIError.invalid("'\(fn.name("name"))' is required", param: fn.name("name")) }
        guard !name.isEmpty, name.count <= 64, name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" }) else {
            throw APIError.invalid("tool name '\(name)' must be 1–64 letters, digits, '_' or '-'", param: fn.name("name"), code: "invalid_value")
        }
        var parameters = JSON.object([("type", .string("object")), ("properties", .object([]))])
        if let p = fn.raw("parameters") {
            guard case .object = p else { throw fn.wrongType("parameters", p, "a JSON schema object") }
            parameters = p
        }
        return ToolDefinition(name: name, description: try fn.string("description"), parameters: parameters)
    }

    static func toolChoice(_ v: JSON, tools: [ToolDefinition]) throws -> ToolChoice {
        switch v {
        case .string("none"): return .none
        case .string("auto"): return tools.isEmpty ? .none : .auto
        case .string("required"):
            guard !tools.isEmpty else { throw APIError.invalid("tool_choice \"required\" needs 'tools'", param: "tool_choice") }
            return .required
        case .object:
            let f = try JSONFields(v, path: "tool_choice")
            guard let fn = try f.object("function"), let name = try fn.string("name") else {
                throw APIError.invalid("'tool_choice.function.name' is required", param: "tool_choice.function.name")
            }
            guard tools.contains(where: { $0.name == name }) else {
                throw APIError.invalid("tool_choice names '\(name)', which is not in 'tools'", param: "tool_choice", code: "invalid_value")
            }
            return .named(name)
        default:
            throw APIError.invalid("'tool_choice' must be \"none\", \"auto\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": …}}",
                                   param: "tool_choice", code: "invalid_value")
        }
    }

    static func responseFormat(_ f: JSONFields) throws -> ResponseFormat {
        guard let type = try f.string("type") else { throw APIError.invalid("'response_format.type' is required", param: "response_format.type") }
        switch type {
        case "text": return .text
        case "json_object": return .jsonObject
        case "json_schema":
            guard let spec = try f.object("json_schema") else {
                throw APIError.invalid("'response_format.json_schema' is required", param: "response_format.json_schema")
            }
            let name = try spec.string("name") ?? "response"
            guard let schema = spec.raw("schema") else {
                // OpenAI's own default: no schema is any JSON object.
                return .jsonObject
            }
            guard case .object = schema else { throw spec.wrongType("schema", schema, "a JSON schema object") }
            return .jsonSchema(name: name, schema: schema.serialized())
        default:
            throw APIError.invalid("response_format type '\(type)' is not supported (text, json_object, json_schema)",
                                   param: "response_format.type", code: "invalid_value")
        }
    }
}

extension JinjaValue {
    /// A template value for a JSON value (objects keep their key order).
    static func fromJSON(_ v: JSON) -> JinjaValue {
        switch v {
        case .null: return .none
        case .bool(let b): return .bool(b)
        case .string(let s): return .string(s)
        case .number(let text):
            if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let i = Int(text) { return .int(i) }
            return .double(Double(text) ?? .nan)
        case .array(let items): return .list(items.map(fromJSON))
        case .object(let pairs): return .dict(JinjaDict(pairs.map { ($0.key, fromJSON($0.value)) }))
        }
    }
}
