import Foundation
import SwiftLearnCore

/// The grammar of a tool call written as text, `{"name": "<tool>", "arguments": {…}}`, built from
/// the tools' JSON schemas: a model generating under it always names a real tool and gives
/// arguments that parse and follow that tool's schema. Used by the server for local models
/// (Serve) and by local agents (Agents).
public enum ToolCallGrammar {
    /// Whether the model must call a tool or may answer in text instead.
    public enum Mode: Sendable {
        /// A call of one of the tools.
        case required
        /// A call, or text that does not start with `{`.
        case auto
    }

    /// The JSON schema of one call to any of `tools` (each a name and its parameters' schema as
    /// JSON text).
    public static func callSchema(_ tools: [(name: String, parameters: String)]) -> String {
        let branches = tools.map { t -> String in
            var name: [UInt8] = []
            OrderedJSON.appendQuoted(t.name, to: &name)
            return "{\"type\": \"object\", \"properties\": {\"name\": {\"const\": \(String(decoding: name, as: UTF8.self))}, "
                + "\"arguments\": \(t.parameters)}, \"required\": [\"name\", \"arguments\"]}"
        }
        return branches.count == 1 ? branches[0] : "{\"anyOf\": [\(branches.joined(separator: ", "))]}"
    }

    /// GBNF text for a call of one of `tools` under `mode`.
    /// - Throws: `GrammarError` when a schema uses something the converter does not support.
    public static func gbnf(tools: [(name: String, parameters: String)], mode: Mode) throws -> String {
        var text = try JSONSchemaGrammar.gbnf(schema: callSchema(tools))
        if mode == .auto {
            text = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                line.hasPrefix("root ::= ") ? "toolcall ::= " + line.dropFirst("root ::= ".count) : String(line)
            }.joined(separator: "\n")
            text = "root ::= toolcall | freetext\nfreetext ::= [^{] .*\n" + text
        }
        return text
    }
}
