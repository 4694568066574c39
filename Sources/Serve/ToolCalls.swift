import Foundation
import LLM

/// How tool calls are asked for and read back. A call is the JSON object
/// `{"name": "<tool>", "arguments": {…}}`, produced under a grammar built from the tools' schemas,
/// so its arguments always parse and follow the schema.
enum ToolCalls {
    /// The grammar for a reply under `choice`: nil when the model writes freely (no tools, or
    /// `none`); a call of the named tool, a call of any tool (`required`), or (`auto`) either a
    /// call or text that does not start with `{` (``ToolCallGrammar``).
    static func grammar(tools: [ToolDefinition], choice: ToolChoice) throws -> Grammar? {
        let chosen: [ToolDefinition]
        switch choice {
        case .none: return nil
        case .auto, .required: chosen = tools
        case .named(let name): chosen = tools.filter { $0.name == name }
        }
        guard !chosen.isEmpty else { return nil }
        let text: String
        do {
            text = try ToolCallGrammar.gbnf(tools: chosen.map { ($0.name, $0.parameters.serialized()) }, mode: choice == .auto ? .auto : .required)
        } catch let e as GrammarError {
            throw APIError.invalid("a tool's parameters are not a supported JSON schema: \(e)", param: "tools", code: "invalid_schema")
        }
        do { return try Grammar(gbnf: text) } catch {
            throw APIError.invalid("the tools' schemas make a grammar that cannot be used: \(error)", param: "tools", code: "invalid_schema")
        }
    }

    /// The system text that tells a model whose template knows nothing of tools how to call them.
    static func instructions(_ tools: [ToolDefinition], choice: ToolChoice) -> String {
        var text = "You can call these tools. To call one, reply with only a JSON object {\"name\": <tool name>, \"arguments\": <arguments object>} and nothing else"
        if choice == .auto { text += "; otherwise answer normally" }
        text += ".\nTools:\n"
        for t in tools {
            var entry: [(key: String, value: JSON)] = [("name", .string(t.name))]
            if let d = t.description { entry.append(("description", .string(d))) }
            entry.append(("parameters", t.parameters))
            text += JSON.object(entry).serialized() + "\n"
        }
        return text
    }

    /// A call read back from generated text, when the text is one.
    static func parse(_ text: String, tools: [ToolDefinition]) -> (name: String, arguments: String)? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("{"), let json = try? JSON.parse(Array(trimmed.utf8)),
              case .string(let name)? = json["name"], tools.contains(where: { $0.name == name }), let args = json["arguments"] else { return nil }
        return (name, args.serialized())
    }
}

/// Follows a tool call's text as it streams and hands out what OpenAI's streamed deltas carry:
/// the tool's name once it is complete, then the arguments object in pieces, never the
/// surrounding `{"name": …, "arguments": … }`.
public struct ToolCallStreamer: Sendable {
    public init() {}
    private var buffer = ""
    /// The called tool's name, once complete.
    public private(set) var name: String?
    private var argumentsStarted = false
    private var argumentsDone = false
    private var depth = 0
    private var inString = false
    private var escaped = false

    /// Feeds newly generated text; returns the name when it has just become known, and the
    /// arguments text that follows.
    public mutating func feed(_ text: String) -> (name: String?, arguments: String) {
        var newName: String?
        var args = ""
        for ch in text {
            if argumentsDone { continue }
            if argumentsStarted {
                if depth == 0 && !inString && ch.isWhitespace && args.isEmpty { continue }
                args.append(ch)
                if inString {
                    if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { inString = false; if depth == 0 { argumentsDone = true } }
                } else if ch == "\"" {
                    inString = true
                } else if ch == "{" || ch == "[" {
                    depth += 1
                } else if ch == "}" || ch == "]" {
                    depth -= 1
                    if depth == 0 { argumentsDone = true }
                }
                continue
            }
            buffer.append(ch)
            if name == nil, let range = buffer.range(of: #""name"\s*:\s*"((?:[^"\\]|\\.)*)""#, options: .regularExpression) {
                let match = String(buffer[range])
                if let open = match.range(of: ":") {
                    let literal = match[open.upperBound...].trimmingCharacters(in: .whitespaces)
                    name = (try? JSON.parse(Array(literal.utf8)))?.stringValue
                    newName = name
                }
            }
            if name != nil, buffer.range(of: #""arguments"\s*:"#, options: .regularExpression) != nil { argumentsStarted = true }
        }
        return (newName, args)
    }
}
