import APIClient
import Foundation
import LLM
import RAG
import SwiftLearnCore

/// A GGUF chat model run on this machine, with tool calls and structured output kept valid by
/// constrained decoding: under tools, the reply is generated under ``ToolCallGrammar`` (a real
/// tool's name and arguments that follow its schema, or plain text when the choice is `auto`);
/// under a JSON schema response format, under that schema's grammar. Templates that know nothing
/// of tools get the tools described in the system message, and earlier calls and results written
/// as text.
public struct LocalChatModel: ChatModel {
    public let generator: Generator
    public let template: ChatTemplate
    public let name: String
    public let contextLength: Int
    /// llama.cpp's repeat penalty over the last 64 tokens (1: none).
    public var repeatPenalty: Float = 1.1

    /// Opens a GGUF model file with a chat template.
    /// - Throws: `LLMError` for a bad file; `RAGError.invalidParameter` when it has no chat template.
    public init(contentsOf url: URL, contextLength: Int? = nil) throws {
        self.init(try LocalLanguageModel(contentsOf: url, contextLength: contextLength))
    }

    /// The chat model of an open ``LocalLanguageModel`` (RAG's), sharing its weights.
    public init(_ model: LocalLanguageModel) {
        generator = model.generator
        template = model.template
        name = model.name
        contextLength = model.contextLength
    }

    /// The system text describing `tools` and how to call them.
    static func instructions(_ tools: [APITool], required: Bool) -> String {
        var text = "You can call these tools. To call one, reply with only a JSON object {\"name\": <tool name>, \"arguments\": <arguments object>} and nothing else"
        if !required { text += "; otherwise answer normally" }
        text += ".\nTools:\n"
        for t in tools {
            var entry: [String: JSONValue] = ["name": .string(t.name), "parameters": t.parameters]
            if let d = t.description { entry["description"] = .string(d) }
            text += JSONValue.object(entry).serialized + "\n"
        }
        return text
    }

    /// The template's messages: tool calls written as the JSON the model produces, tool results
    /// as user messages naming the call (small templates have no tool role).
    func templateMessages(_ messages: [AgentMessage], tools: [APITool], choice: APIToolChoice?) -> [ChatMessage] {
        var out: [ChatMessage] = []
        for m in messages {
            switch m.role {
            case "assistant":
                let calls = m.toolCalls.map { "{\"name\": \(JSONValue.string($0.name).serialized), \"arguments\": \($0.arguments.serialized)}" }
                out.append(ChatMessage(role: "assistant", content: ([m.content].filter { !$0.isEmpty } + calls).joined(separator: "\n")))
            case "tool":
                out.append(ChatMessage(role: "user", content: "Result of \(m.name ?? "the tool") (call \(m.toolCallID ?? "?")):\n\(m.content)"))
            default:
                out.append(ChatMessage(role: m.role, content: m.content))
            }
        }
        if !tools.isEmpty && choice != APIToolChoice.none {
            let text = Self.instructions(tools, required: choice == .required || { if case .tool = choice { return true }; return false }())
            if let first = out.first, first.role == "system" {
                out[0] = ChatMessage(role: "system", content: first.content + "\n\n" + text)
            } else {
                out.insert(ChatMessage(role: "system", content: text), at: 0)
            }
        }
        return out
    }

    func grammar(tools: [APITool], options: ChatOptions) throws -> Grammar? {
        do {
            switch options.responseFormat {
            case .jsonObject: return JSONSchemaGrammar.jsonObject()
            case .jsonSchema(_, let schema, _): return try JSONSchemaGrammar.grammar(schema: schema.serialized)
            case .text: break
            }
            var chosen = tools
            var mode = ToolCallGrammar.Mode.auto
            switch options.toolChoice {
            case .none?: return nil
            case .required?: mode = .required
            case .tool(let name)?: chosen = tools.filter { $0.name == name }; mode = .required
            case .auto?, nil: break
            }
            guard !chosen.isEmpty else { return nil }
            return try Grammar(gbnf: ToolCallGrammar.gbnf(tools: chosen.map { ($0.name, $0.parameters.serialized) }, mode: mode))
        } catch let e as GrammarError {
            throw AgentError.invalidParameter(name: "schema", value: "tools/response format", reason: "not a supported JSON schema: \(e)")
        }
    }

    public func respond(to messages: [AgentMessage], tools: [APITool], options: ChatOptions,
                        onText: @escaping @Sendable (String) -> Void) async throws -> ChatResponse {
        let prompt = try template.render(templateMessages(messages, tools: tools, choice: options.toolChoice))
        let grammar = try grammar(tools: tools, options: options)
        var sampling = SamplingParameters.greedy
        if options.temperature > 0 { sampling = SamplingParameters(); sampling.temperature = Float(options.temperature) }
        sampling.repeatPenalty = repeatPenalty
        let ids = generator.tokenizer.encode(prompt)
        guard ids.count < contextLength else {
            throw AgentError.limitReached(limit: "context", value: "the prompt has \(ids.count) tokens; the context holds \(contextLength)")
        }
        let maxTokens = max(1, min(options.maxTokens ?? 512, contextLength - ids.count))
        let chosen = sampling, stop = options.stop
        let toolsOn = !tools.isEmpty && options.toolChoice != APIToolChoice.none
        let result = try await onOwnThread {
            try generator.generate(promptTokens: ids, maxTokens: maxTokens, sampling: chosen, stop: stop, contextLength: contextLength,
                                   grammar: grammar) { token in
                if !toolsOn && !token.text.isEmpty { onText(token.text) }
                return !Task.isCancelled
            }
        }
        let usage = TokenUsage(inputTokens: ids.count, outputTokens: result.tokens.count)
        if toolsOn, let call = Self.parseCall(result.text, tools: tools) {
            let id = "call_" + String(UUID().uuidString.prefix(8)).lowercased()
            return ChatResponse(message: .assistant("", toolCalls: [AgentToolCall(id: id, name: call.name, arguments: call.arguments)]),
                                usage: usage, finishReason: "tool_calls")
        }
        if toolsOn { onText(result.text) }
        return ChatResponse(message: .assistant(result.text), usage: usage, finishReason: result.finishReason.rawValue)
    }

    /// A call read back from generated text, when the text is one.
    static func parseCall(_ text: String, tools: [APITool]) -> (name: String, arguments: JSONValue)? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("{"), let json = try? JSONValue.parse(trimmed), let name = json["name"]?.stringValue,
              tools.contains(where: { $0.name == name }), let args = json["arguments"] else { return nil }
        return (name, args)
    }
}
