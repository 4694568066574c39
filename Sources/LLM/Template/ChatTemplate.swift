import Foundation
import SwiftLearnCore

/// One message of a conversation.
public struct ChatMessage: Sendable {
    /// `system`, `user`, `assistant` or `tool`.
    public var role: String
    /// The text.
    public var content: String
    /// Further fields templates read (`tool_calls`, `tool_call_id`, `name`), in order.
    public var extra: JinjaDict

    /// A message; `extra` holds further fields (`tool_calls`, …) in order.
    public init(role: String, content: String, extra: JinjaDict = JinjaDict()) {
        self.role = role; self.content = content; self.extra = extra
    }

    /// A system, user or assistant message with `text`.
    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: "system", content: text) }
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: "user", content: text) }
    public static func assistant(_ text: String) -> ChatMessage { ChatMessage(role: "assistant", content: text) }

    /// The message as the dict templates see (`role`, `content`, then `extra`).
    public var value: JinjaValue {
        var d = JinjaDict([("role", .string(role)), ("content", .string(content))])
        for k in extra.keys { d[k] = extra[k] }
        return .dict(d)
    }
}

/// A model's chat template: turns a conversation into the prompt text the model was trained on, as
/// Hugging Face's `apply_chat_template` does (variables `messages`, `add_generation_prompt`,
/// `tools`, `bos_token`, `eos_token`).
public struct ChatTemplate: Sendable {
    /// The template's source.
    public let source: String
    /// Values of `bos_token` / `eos_token` inside the template.
    public let bosToken: String, eosToken: String
    let template: JinjaTemplate

    /// Parses a template.
    /// - Throws: `LLMError.template` when it uses syntax the Jinja subset does not implement.
    public init(_ source: String, bosToken: String = "", eosToken: String = "") throws {
        self.source = source
        self.bosToken = bosToken
        self.eosToken = eosToken
        template = try JinjaTemplate(source)
    }

    /// The template stored in a GGUF file (`tokenizer.chat_template`), with its BOS/EOS texts.
    /// - Throws: `LLMError.missing` when the file has no template; `LLMError.template` when it
    ///   cannot be parsed.
    public init(tokenizer: GGUFTokenizer, path: String) throws {
        guard let source = tokenizer.chatTemplate else { throw LLMError.missing(path: path, what: "the file has no tokenizer.chat_template") }
        func text(_ id: Int?) -> String { id.map { String(decoding: tokenizer.pieceBytes($0), as: UTF8.self) } ?? "" }
        try self.init(source, bosToken: text(tokenizer.bosID), eosToken: text(tokenizer.eosID))
    }

    /// The prompt for `messages`; `addGenerationPrompt` opens the assistant's turn; `tools` are the
    /// OpenAI-style function definitions a tool-aware template lists; `extra` adds variables.
    /// - Throws: `LLMError.template` for a runtime error, including the template's own
    ///   `raise_exception` (e.g. "Conversation roles must alternate").
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = true, tools: [JinjaValue]? = nil,
                       extra: [String: JinjaValue] = [:]) throws -> String {
        var context = extra
        context["messages"] = .list(messages.map(\.value))
        context["add_generation_prompt"] = .bool(addGenerationPrompt)
        context["bos_token"] = .string(bosToken)
        context["eos_token"] = .string(eosToken)
        if let tools { context["tools"] = .list(tools) }
        return try template.render(context)
    }
}

extension JinjaValue {
    /// Parses JSON text keeping the order of object keys (which `tojson` in a template reproduces).
    /// - Throws: `LLMError.invalidParameter` for malformed JSON, a repeated key or nesting deeper
    ///   than 64 levels.
    public init(json: String) throws {
        let parsed: OrderedJSON
        do { parsed = try OrderedJSON.parse(ArraySlice(json.utf8)) } catch let e as OrderedJSON.ParseError {
            throw LLMError.invalidParameter(name: "json", value: "byte \(e.offset)", expected: "valid JSON (\(e.reason))")
        }
        self.init(parsed)
    }

    init(_ json: OrderedJSON) {
        switch json {
        case .null: self = .none
        case .bool(let b): self = .bool(b)
        case .string(let s): self = .string(s)
        case .number(let text):
            if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let i = Int(text) { self = .int(i) } else { self = .double(Double(text) ?? .nan) }
        case .array(let items): self = .list(items.map(JinjaValue.init))
        case .object(let pairs): self = .dict(JinjaDict(pairs.map { ($0.key, JinjaValue($0.value)) }))
        }
    }
}
