import Foundation

/// One message of a conversation.
public struct ChatMessage: Sendable {
    /// `system`, `user`, `assistant` or `tool`.
    public var role: String
    /// The text.
    public var content: String
    /// Further fields templates read (`tool_calls`, `tool_call_id`, `name`), in order.
    public var extra: JinjaDict

    public init(role: String, content: String, extra: JinjaDict = JinjaDict()) {
        self.role = role; self.content = content; self.extra = extra
    }

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
    /// - Throws: `LLMError.invalidParameter` for malformed JSON or nesting deeper than 128.
    public init(json: String) throws {
        var p = OrderedJSONParser(Array(json.utf8))
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.at == p.bytes.count else { throw p.fail("unexpected text after the JSON value") }
        self = v
    }
}

/// A small JSON reader that keeps object key order (Foundation's does not).
struct OrderedJSONParser {
    let bytes: [UInt8]
    var at = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func fail(_ m: String) -> LLMError { .invalidParameter(name: "json", value: "byte \(at)", expected: m) }

    mutating func skipSpace() { while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 } }

    mutating func literal(_ word: String, _ v: JinjaValue) throws -> JinjaValue {
        let w = Array(word.utf8)
        guard at + w.count <= bytes.count, Array(bytes[at..<(at + w.count)]) == w else { throw fail("a JSON value") }
        at += w.count
        return v
    }

    mutating func value(depth: Int) throws -> JinjaValue {
        guard depth < 128 else { throw fail("nesting of at most 128") }
        skipSpace()
        guard at < bytes.count else { throw fail("a value before the end") }
        switch bytes[at] {
        case UInt8(ascii: "{"):
            at += 1
            var d = JinjaDict()
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .dict(d) }
            while true {
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw fail("a string key") }
                let k = try string()
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw fail("':'") }
                at += 1
                d[k] = try value(depth: depth + 1)
                skipSpace()
                guard at < bytes.count else { throw fail("'}'") }
                if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                guard bytes[at] == UInt8(ascii: "}") else { throw fail("',' or '}'") }
                at += 1
                return .dict(d)
            }
        case UInt8(ascii: "["):
            at += 1
            var a: [JinjaValue] = []
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .list(a) }
            while true {
                a.append(try value(depth: depth + 1))
                skipSpace()
                guard at < bytes.count else { throw fail("']'") }
                if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                guard bytes[at] == UInt8(ascii: "]") else { throw fail("',' or ']'") }
                at += 1
                return .list(a)
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .none)
        default: return try number()
        }
    }

    mutating func number() throws -> JinjaValue {
        let start = at
        while at < bytes.count, let c = Optional(bytes[at]), (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2B || c == 0x2E || c == 0x65 || c == 0x45 { at += 1 }
        let text = String(decoding: bytes[start..<at], as: UTF8.self)
        if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let i = Int(text) { return .int(i) }
        guard !text.isEmpty, let d = Double(text) else { at = start; throw fail("a number") }
        return .double(d)
    }

    mutating func string() throws -> String {
        at += 1   // opening quote
        var out: [UInt8] = []
        while at < bytes.count {
            let c = bytes[at]
            if c == UInt8(ascii: "\"") {
                at += 1
                guard let s = String(validating: out, as: UTF8.self) else { throw fail("valid UTF-8") }
                return s
            }
            if c == UInt8(ascii: "\\") {
                guard at + 1 < bytes.count else { break }
                let e = bytes[at + 1]
                at += 2
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code), at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") {
                        at += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("a low surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(scalar).utf8))
                default: out.append(e)
                }
                continue
            }
            guard c >= 0x20 else { throw fail("no control characters inside strings") }
            out.append(c)
            at += 1
        }
        throw fail("a closing quote")
    }

    mutating func hex4() throws -> UInt32 {
        guard at + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[at..<(at + 4)], as: UTF8.self), radix: 16) else { throw fail("4 hex digits") }
        at += 4
        return v
    }
}
