import APIClient
import Foundation
import LLM
import SwiftLearnCore

/// A tool an agent can call: a name, a description for the model, the JSON schema of its
/// arguments, and the call itself. Results are text, fed back to the model.
public protocol AgentTool: Sendable {
    var name: String { get }
    var description: String { get }
    /// The arguments' JSON schema (an object schema).
    var parameters: JSONValue { get }
    /// Runs the tool on arguments that already passed the schema check.
    func call(_ arguments: JSONValue) async throws -> String
}

extension AgentTool {
    /// The tool as the chat APIs describe it.
    public var apiTool: APITool { APITool(name: name, description: description, parameters: parameters) }
}

/// A Swift function as a tool. Its arguments are a `Decodable` type whose JSON schema is derived
/// (``ArgumentSchema``), with field descriptions from ``DescribedArguments`` or `descriptions`.
///
/// ```swift
/// struct Weather: Decodable, DescribedArguments {
///     var city: String
///     var unit: Unit?
///     enum Unit: String, ToolArgumentEnum { case celsius, fahrenheit }
///     static let fieldDescriptions = ["city": "The city's name", "unit": "Temperature unit"]
/// }
/// let tool = try FunctionTool(name: "weather", description: "Today's weather") { (a: Weather) in "Sunny in \(a.city)" }
/// ```
public struct FunctionTool<Arguments: Decodable & Sendable>: AgentTool {
    public let name: String
    public let description: String
    public let parameters: JSONValue
    let body: @Sendable (Arguments) async throws -> String

    /// - Throws: ``AgentError/invalidParameter(name:value:reason:)`` for a bad name or an
    ///   arguments type whose schema cannot be derived.
    public init(name: String, description: String, descriptions: [String: String] = [:],
                _ body: @escaping @Sendable (Arguments) async throws -> String) throws {
        try checkToolName(name)
        self.name = name
        self.description = description
        parameters = try ArgumentSchema.derive(Arguments.self, descriptions: descriptions)
        self.body = body
    }

    public func call(_ arguments: JSONValue) async throws -> String {
        let args: Arguments
        do { args = try JSONDecoder().decode(Arguments.self, from: arguments.data) } catch let e as DecodingError {
            throw AgentError.invalidToolArguments(tool: name, reason: DecodingErrorText.describe(e))
        }
        return try await body(args)
    }
}

/// A tool given by its schema and a function of the raw JSON arguments (for schemas no Swift
/// type spells, and for tools that come from elsewhere, such as an MCP server).
public struct JSONTool: AgentTool {
    public let name: String
    public let description: String
    public let parameters: JSONValue
    let body: @Sendable (JSONValue) async throws -> String

    public init(name: String, description: String, parameters: JSONValue,
                _ body: @escaping @Sendable (JSONValue) async throws -> String) throws {
        try checkToolName(name)
        self.name = name; self.description = description; self.parameters = parameters; self.body = body
    }

    public func call(_ arguments: JSONValue) async throws -> String { try await body(arguments) }
}

/// Tool names as the OpenAI and Anthropic APIs accept them: 1–64 of `a-z A-Z 0-9 _ -`.
func checkToolName(_ name: String) throws {
    let ok = !name.isEmpty && name.count <= 64 && name.unicodeScalars.allSatisfy {
        ($0.value < 128) && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-")
    }
    try check(ok, "tool name", name, "must be 1–64 letters, digits, '_' or '-'")
}
