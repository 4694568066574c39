import Foundation
import LLM

/// A GGUF language model behind the OpenAI and Anthropic APIs: turns requests into prompts and
/// generation jobs, and jobs' results into responses (whole, or as server-sent events).
public final class LanguageModelService: Sendable {
    /// The id clients name in `model` (the file's name without `.gguf`).
    public let name: String
    /// Runs the generation jobs (queue, batching, cancellation).
    public let engine: GenerationEngine
    let tokenizer: GGUFTokenizer
    let template: ChatTemplate?
    /// Whether the template itself renders `tools` (otherwise they are described in a system message).
    let templateTakesTools: Bool
    /// Tokens per sequence: prompt plus completion.
    public let contextLength: Int
    /// When the model was loaded (OpenAI's `created`).
    public let created: Int
    /// Where the service's own tasks (streams, merged choices) run; nil: Swift's global executor.
    /// An in-process caller that blocks pool threads while it waits (a synchronous demo) passes
    /// an executor of its own, since unstructured tasks do not inherit a task's preference.
    let taskExecutor: (any TaskExecutor)?

    public init(name: String, generator: Generator, engine: GenerationEngine, contextLength: Int? = nil, taskExecutor: (any TaskExecutor)? = nil) {
        self.name = name
        self.taskExecutor = taskExecutor
        self.engine = engine
        tokenizer = generator.tokenizer
        template = try? ChatTemplate(tokenizer: generator.tokenizer, path: name)
        templateTakesTools = template?.source.contains("tools") ?? false
        self.contextLength = contextLength ?? generator.model.configuration.contextLength
        created = Int(Date().timeIntervalSince1970)
    }

    /// Whether `model` names this model (its id, or the id with `.gguf`).
    public func serves(_ model: String) -> Bool { model == name || model == name + ".gguf" }

    func checkModel(_ model: String) throws {
        guard serves(model) else {
            throw APIError.notFound("The model '\(model)' does not exist (this server has '\(name)')", param: "model", code: "model_not_found")
        }
    }

    // MARK: Prompts

    /// The prompt text of a chat request (template applied; tools described when the template
    /// does not render them; assistant tool calls written as the JSON the model produces).
    func prompt(_ request: ChatRequest) throws -> String {
        guard let template else {
            throw APIError.invalid("the model '\(name)' has no chat template; use /v1/completions", param: "messages", code: "no_chat_template")
        }
        var messages = request.messages
        let useTools = request.toolChoice != .none && !request.tools.isEmpty
        if !templateTakesTools {
            for i in messages.indices where messages[i].role == "assistant" {
                guard case .list(let calls)? = messages[i].extra["tool_calls"] else { continue }
                let texts = calls.compactMap { call -> String? in
                    guard case .dict(let d) = call, case .string(let name)? = d["name"] else { return nil }
                    return "{\"name\": \(JSON.string(name).serialized()), \"arguments\": \(d["arguments"].map(Self.jsonText) ?? "{}")}"
                }
                messages[i].content += texts.joined(separator: "\n")
            }
            if useTools {
                let text = ToolCalls.instructions(request.tools, choice: request.toolChoice)
                if let first = messages.first, first.role == "system" {
                    messages[0].content = first.content + "\n\n" + text
                } else {
                    messages.insert(.system(text), at: 0)
                }
            }
        }
        let tools: [JinjaValue]? = templateTakesTools && useTools ? request.tools.map { t in
            JinjaValue.fromJSON(.object([("type", .string("function")), ("function", .object(
                [("name", .string(t.name))] + (t.description.map { [("description", JSON.string($0))] } ?? []) + [("parameters", t.parameters)]))]))
        } : nil
        do { return try template.render(messages, tools: tools) } catch let e as LLMError {
            throw APIError.invalid("the chat template refused the messages: \(e)", param: "messages", code: "template_error")
        }
    }

    static func jsonText(_ v: JinjaValue) -> String {
        switch v {
        case .none, .undefined: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return JSON.double(d).serialized()
        case .string(let s): return JSON.string(s).serialized()
        case .list(let items): return "[" + items.map(jsonText).joined(separator: ", ") + "]"
        case .dict(let d): return "{" + d.keys.map { "\(JSON.string($0).serialized()): \(jsonText(d[$0] ?? .none))" }.joined(separator: ", ") + "}"
        case .namespace: return "{}"
        }
    }

    /// Token ids of a prompt, checked against the context: the prompt plus at least one
    /// generated token must fit; `maxTokens` defaults to what is left.
    func tokens(of prompt: String, maxTokens: Int?) throws -> (ids: [Int], maxTokens: Int) {
        let ids = tokenizer.encode(prompt)
        guard !ids.isEmpty else { throw APIError.invalid("the prompt is empty", param: "messages") }
        let room = contextLength - ids.count
        guard room >= 1 else {
            throw APIError.invalid("This model's maximum context length is \(contextLength) tokens. However, your messages resulted in \(ids.count) tokens.",
                                   param: "messages", code: "context_length_exceeded")
        }
        if let m = maxTokens, m > room {
            throw APIError.invalid("This model's maximum context length is \(contextLength) tokens. However, you requested \(ids.count + m) tokens (\(ids.count) in the messages, \(m) in the completion).",
                                   param: "max_tokens", code: "context_length_exceeded")
        }
        return (ids, maxTokens ?? room)
    }

    func grammar(_ request: ChatRequest) throws -> Grammar? {
        switch request.responseFormat {
        case .text: return try ToolCalls.grammar(tools: request.tools, choice: request.toolChoice)
        case .jsonObject: return JSONSchemaGrammar.jsonObject()
        case .jsonSchema(_, let schema):
            do { return try JSONSchemaGrammar.grammar(schema: schema) } catch let e as GrammarError {
                throw APIError.invalid("the JSON schema cannot be used: \(e)", param: "response_format.json_schema.schema", code: "invalid_schema")
            }
        }
    }

    /// One job per choice (seeds `seed`, `seed + 1`, …).
    func jobs(_ request: ChatRequest) throws -> [GenerationJob] {
        try checkModel(request.model)
        let (ids, maxTokens) = try tokens(of: try prompt(request), maxTokens: request.maxTokens)
        let grammar = try grammar(request)
        do { try request.sampling.validate(vocabularySize: tokenizer.vocabularySize) } catch let LLMError.invalidParameter(name, value, expected) {
            throw APIError.invalid("'\(name)' is \(value); expected \(expected)", param: name, code: "invalid_value")
        }
        return (0..<request.n).map { i in
            var s = request.sampling
            s.seed &+= UInt64(i)
            return GenerationJob(promptTokens: ids, maxTokens: maxTokens, sampling: s, stop: request.stop, logprobs: request.logprobs, grammar: grammar)
        }
    }

    // MARK: Running

    /// A choice's whole output.
    struct Completion {
        var text = ""
        var tokens: [TokenPiece] = []
        var result: GenerationResult?
    }

    /// Runs every job to the end (for non-streaming responses).
    func complete(_ jobs: [GenerationJob]) async throws -> [Completion] {
        let streams = try jobs.map { try engine.submit($0) }
        var out: [Completion] = []
        for stream in streams {
            var c = Completion()
            for try await event in stream {
                switch event {
                case .token(let t): c.text += t.text; if t.id >= 0 { c.tokens.append(t) }
                case .finished(let r): c.result = r
                }
            }
            out.append(c)
        }
        return out
    }

    /// Merges the event streams of several jobs, tagged with the choice index.
    func merged(_ jobs: [GenerationJob]) throws -> AsyncThrowingStream<(Int, GenerationEvent), any Error> {
        let streams = try jobs.map { try engine.submit($0) }
        let executor = taskExecutor
        return AsyncThrowingStream { continuation in
            let task = Task(executorPreference: executor) {
                do {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for (i, s) in streams.enumerated() {
                            group.addTask { for try await e in s { continuation.yield((i, e)) } }
                        }
                        try await group.waitForAll()
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    static func finishReason(_ r: FinishReason?, toolCall: Bool) -> String {
        if toolCall { return "tool_calls" }
        switch r {
        case .length?, .contextFull?: return "length"
        default: return "stop"
        }
    }

    func tokenText(_ id: Int) -> String { String(decoding: tokenizer.pieceBytes(id), as: UTF8.self) }
    func tokenBytes(_ id: Int) -> JSON { .array(tokenizer.pieceBytes(id).map { .int(Int($0)) }) }

    /// OpenAI's chat `logprobs.content` entries.
    func chatLogprobs(_ tokens: [TokenPiece]) -> JSON {
        .object([("content", .array(tokens.compactMap { t in
            guard let lp = t.logprob else { return nil }
            return .object([("token", .string(tokenText(t.id))), ("logprob", .float(lp.logprob)), ("bytes", tokenBytes(t.id)),
                            ("top_logprobs", .array(lp.top.map { alt in
                                .object([("token", .string(tokenText(alt.id))), ("logprob", .float(alt.logprob)), ("bytes", tokenBytes(alt.id))])
                            }))])
        })), ("refusal", .null)])
    }

    static func usage(prompt: Int, completion: Int) -> JSON {
        .object([("prompt_tokens", .int(prompt)), ("completion_tokens", .int(completion)), ("total_tokens", .int(prompt + completion))])
    }

    static func newID(_ prefix: String) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return prefix + String((0..<24).map { _ in alphabet.randomElement()! })
    }

    // MARK: Chat completions

    /// `POST /v1/chat/completions`.
    public func chatCompletion(_ body: JSON) async throws -> ServeResponse {
        let request = try ChatRequest(openAI: body)
        let jobs = try jobs(request)
        let id = Self.newID("chatcmpl-")
        let created = Int(Date().timeIntervalSince1970)
        let toolsOn = request.toolChoice != .none && !request.tools.isEmpty
        if request.stream { return try streamChat(request, jobs: jobs, id: id, created: created, toolsOn: toolsOn) }
        let completions = try await complete(jobs)
        var choices: [JSON] = []
        var completionTokens = 0
        for (i, c) in completions.enumerated() {
            completionTokens += c.result?.tokens.count ?? 0
            var message: [(key: String, value: JSON)] = [("role", .string("assistant"))]
            let call = toolsOn ? ToolCalls.parse(c.text, tools: request.tools) : nil
            if let call {
                message.append(("content", .null))
                message.append(("tool_calls", .array([.object([("id", .string(Self.newID("call_"))), ("type", .string("function")),
                                                               ("function", .object([("name", .string(call.name)), ("arguments", .string(call.arguments))]))])])))
            } else {
                message.append(("content", .string(c.text)))
            }
            message.append(("refusal", .null))
            choices.append(.object([("index", .int(i)), ("message", .object(message)),
                                    ("logprobs", request.logprobs != nil ? chatLogprobs(c.tokens) : .null),
                                    ("finish_reason", .string(Self.finishReason(c.result?.finishReason, toolCall: call != nil)))]))
        }
        let promptTokens = jobs[0].promptTokens.count
        return .json(.object([("id", .string(id)), ("object", .string("chat.completion")), ("created", .int(created)),
                              ("model", .string(name)), ("choices", .array(choices)),
                              ("usage", Self.usage(prompt: promptTokens, completion: completionTokens)),
                              ("system_fingerprint", .string("swiftlearn"))]))
    }

    func streamChat(_ request: ChatRequest, jobs: [GenerationJob], id: String, created: Int, toolsOn: Bool) throws -> ServeResponse {
        let events = try merged(jobs)
        let name = self.name
        let promptTokens = jobs[0].promptTokens.count
        @Sendable func chunk(_ choices: [JSON], usage: JSON? = nil) -> JSON {
            var fields: [(key: String, value: JSON)] = [("id", .string(id)), ("object", .string("chat.completion.chunk")), ("created", .int(created)),
                                                        ("model", .string(name)), ("system_fingerprint", .string("swiftlearn")), ("choices", .array(choices))]
            if request.includeUsage { fields.append(("usage", usage ?? .null)) }
            return .object(fields)
        }
        @Sendable func choice(_ i: Int, delta: JSON, logprobs: JSON = .null, finish: String? = nil) -> JSON {
            .object([("index", .int(i)), ("delta", delta), ("logprobs", logprobs), ("finish_reason", finish.map(JSON.string) ?? .null)])
        }
        return .eventStream(on: taskExecutor, errorEvent: { Array("data: \($0.json.serialized())\n\n".utf8) }) { emit in
                func send(_ value: JSON) { emit(Array("data: \(value.serialized())\n\n".utf8)) }
                // Per choice: whether the reply is a tool call (decided by its first visible
                // character under the `auto` grammar), the call's streamer, pending text.
                var mode = [Int: Bool](), streamers = [Int: ToolCallStreamer](), callIDs = [Int: String]()
                var pending = [Int: String](), completionTokens = 0
                for i in 0..<jobs.count { send(chunk([choice(i, delta: .object([("role", .string("assistant")), ("content", .string("")), ("refusal", .null)]))])) }
                    for try await (i, event) in events {
                        switch event {
                        case .token(let t):
                            var text = t.text
                            if toolsOn && mode[i] == nil {
                                pending[i, default: ""] += text
                                let visible = pending[i]!.drop { $0.isWhitespace }
                                guard let first = visible.first else { continue }
                                mode[i] = first == "{"
                                text = pending[i]!
                            }
                            let lp = (request.logprobs != nil && t.id >= 0) ? self.chatLogprobs([t]) : JSON.null
                            if mode[i] == true {
                                let (newName, args) = streamers[i, default: ToolCallStreamer()].feed(text)
                                if let newName {
                                    let callID = Self.newID("call_")
                                    callIDs[i] = callID
                                    send(chunk([choice(i, delta: .object([("tool_calls", .array([.object([
                                        ("index", .int(0)), ("id", .string(callID)), ("type", .string("function")),
                                        ("function", .object([("name", .string(newName)), ("arguments", .string(""))]))])]))]))]))
                                }
                                if !args.isEmpty {
                                    send(chunk([choice(i, delta: .object([("tool_calls", .array([.object([
                                        ("index", .int(0)), ("function", .object([("arguments", .string(args))]))])]))]))]))
                                }
                            } else if !text.isEmpty || lp != .null {
                                send(chunk([choice(i, delta: .object([("content", .string(text))]), logprobs: lp)]))
                            }
                        case .finished(let r):
                            completionTokens += r.tokens.count
                            if toolsOn, mode[i] == nil, let text = pending[i], !text.isEmpty {
                                send(chunk([choice(i, delta: .object([("content", .string(text))]))]))
                            }
                            send(chunk([choice(i, delta: .object([]), finish: Self.finishReason(r.finishReason, toolCall: callIDs[i] != nil))]))
                        }
                    }
                    if request.includeUsage { send(chunk([], usage: Self.usage(prompt: promptTokens, completion: completionTokens))) }
                    emit(Array("data: [DONE]\n\n".utf8))
        }
    }

    // MARK: Completions

    /// `POST /v1/completions` (the legacy text-completion API).
    public func textCompletion(_ body: JSON) async throws -> ServeResponse {
        let f = try JSONFields(body)
        guard let model = try f.string("model") else { throw APIError.invalid("'model' is required", param: "model", code: "missing_required_parameter") }
        try checkModel(model)
        guard let promptValue = f.raw("prompt") else { throw APIError.invalid("'prompt' is required", param: "prompt", code: "missing_required_parameter") }
        var prompts: [[Int]]
        switch promptValue {
        case .string(let s): prompts = [tokenizer.encode(s)]
        case .array(let items) where items.allSatisfy({ $0.stringValue != nil }):
            prompts = items.compactMap(\.stringValue).map { tokenizer.encode($0) }
        case .array(let items) where items.allSatisfy({ $0.doubleValue != nil }):
            prompts = [try Self.tokenIDs(items, param: "prompt", vocabulary: tokenizer.vocabularySize)]
        case .array(let items):
            prompts = try items.enumerated().map { i, item in
                switch item {
                case .string(let s): return tokenizer.encode(s)
                case .array(let ids): return try Self.tokenIDs(ids, param: "prompt[\(i)]", vocabulary: tokenizer.vocabularySize)
                default: throw APIError.invalid("'prompt[\(i)]' must be a string or a list of token ids, not \(item.kind)", param: "prompt[\(i)]")
                }
            }
        default: throw f.wrongType("prompt", promptValue, "a string, a list of strings, or token ids")
        }
        guard !prompts.isEmpty, prompts.count <= 16 else { throw APIError.invalid("'prompt' must hold 1 to 16 prompts", param: "prompt") }
        if f.raw("suffix") != nil { throw APIError.invalid("'suffix' (fill-in-the-middle) is not supported by this model", param: "suffix") }
        if let bestOf = try f.integer("best_of", in: 1...8), bestOf != (try f.integer("n", in: 1...8) ?? 1) {
            throw APIError.invalid("'best_of' other than 'n' is not supported", param: "best_of")
        }
        let n = try f.integer("n", in: 1...ChatRequest.maxChoices) ?? 1
        guard prompts.count * n <= 16 else { throw APIError.invalid("prompts × n must be at most 16", param: "n") }
        let maxTokens = try f.integer("max_tokens", in: 1...1_000_000) ?? 16
        let stream = try f.bool("stream") ?? false
        let echo = try f.bool("echo") ?? false
        let logprobs = try f.integer("logprobs", in: 0...20)
        let stop = try f.strings("stop", limit: ChatRequest.maxStops) ?? []
        var sampling = ChatRequest.openAIDefaults
        try ChatRequest.readSampling(f, into: &sampling)
        do { try sampling.validate(vocabularySize: tokenizer.vocabularySize) } catch let LLMError.invalidParameter(name, value, expected) {
            throw APIError.invalid("'\(name)' is \(value); expected \(expected)", param: name, code: "invalid_value")
        }
        var jobs: [GenerationJob] = []
        for ids in prompts {
            guard !ids.isEmpty else { throw APIError.invalid("a prompt is empty", param: "prompt") }
            guard ids.count + maxTokens <= contextLength else {
                throw APIError.invalid("This model's maximum context length is \(contextLength) tokens, however you requested \(ids.count + maxTokens) tokens (\(ids.count) in your prompt; \(maxTokens) for the completion).",
                                       param: "max_tokens", code: "context_length_exceeded")
            }
            for k in 0..<n {
                var s = sampling
                s.seed &+= UInt64(k)
                jobs.append(GenerationJob(promptTokens: ids, maxTokens: maxTokens, sampling: s, stop: stop, logprobs: logprobs))
            }
        }
        let id = Self.newID("cmpl-")
        let created = Int(Date().timeIntervalSince1970)
        let promptTokens = jobs.reduce(0) { $0 + $1.promptTokens.count } / max(1, n)
        @Sendable func completionLogprobs(_ tokens: [TokenPiece], offset: Int) -> JSON {
            var texts: [JSON] = [], lps: [JSON] = [], tops: [JSON] = [], offsets: [JSON] = []
            var at = offset
            for t in tokens {
                guard let lp = t.logprob else { continue }
                let piece = tokenText(t.id)
                texts.append(.string(piece)); lps.append(.float(lp.logprob)); offsets.append(.int(at))
                at += piece.count
                tops.append(.object(lp.top.map { (tokenText($0.id), JSON.float($0.logprob)) }))
            }
            return .object([("tokens", .array(texts)), ("token_logprobs", .array(lps)), ("top_logprobs", .array(tops)), ("text_offset", .array(offsets))])
        }
        if stream {
            let events = try merged(jobs)
            let name = self.name
            let echoes = jobs.map { echo ? tokenizer.decode($0.promptTokens) : "" }
            return .eventStream(on: taskExecutor, errorEvent: { Array("data: \($0.json.serialized())\n\n".utf8) }) { emit in
                    func send(_ i: Int, _ text: String, finish: String?, logprobs: JSON = .null) {
                        let chunk = JSON.object([("id", .string(id)), ("object", .string("text_completion")), ("created", .int(created)), ("model", .string(name)),
                                                 ("choices", .array([.object([("index", .int(i)), ("text", .string(text)), ("logprobs", logprobs),
                                                                              ("finish_reason", finish.map(JSON.string) ?? .null)])]))])
                        emit(Array("data: \(chunk.serialized())\n\n".utf8))
                    }
                    for (i, e) in echoes.enumerated() where !e.isEmpty { send(i, e, finish: nil) }
                        for try await (i, event) in events {
                            switch event {
                            case .token(let t):
                                let lp = (logprobs != nil && t.id >= 0) ? completionLogprobs([t], offset: 0) : JSON.null
                                if !t.text.isEmpty || lp != .null { send(i, t.text, finish: nil, logprobs: lp) }
                            case .finished(let r): send(i, "", finish: Self.finishReason(r.finishReason, toolCall: false))
                            }
                        }
                        emit(Array("data: [DONE]\n\n".utf8))
            }
        }
        let completions = try await complete(jobs)
        var choices: [JSON] = []
        var completionTokens = 0
        for (i, c) in completions.enumerated() {
            completionTokens += c.result?.tokens.count ?? 0
            let prefix = echo ? tokenizer.decode(jobs[i].promptTokens) : ""
            choices.append(.object([("index", .int(i)), ("text", .string(prefix + c.text)),
                                    ("logprobs", logprobs != nil ? completionLogprobs(c.tokens, offset: prefix.count) : .null),
                                    ("finish_reason", .string(Self.finishReason(c.result?.finishReason, toolCall: false)))]))
        }
        return .json(.object([("id", .string(id)), ("object", .string("text_completion")), ("created", .int(created)), ("model", .string(name)),
                              ("choices", .array(choices)), ("usage", Self.usage(prompt: promptTokens, completion: completionTokens)),
                              ("system_fingerprint", .string("swiftlearn"))]))
    }

    static func tokenIDs(_ items: [JSON], param: String, vocabulary: Int) throws -> [Int] {
        try items.enumerated().map { j, v in
            guard let d = v.doubleValue, d == d.rounded(), d >= 0, d < Double(vocabulary) else {
                throw APIError.invalid("'\(param)[\(j)]' must be a token id in 0..<\(vocabulary)", param: "\(param)[\(j)]", code: "invalid_value")
            }
            return Int(d)
        }
    }
}
