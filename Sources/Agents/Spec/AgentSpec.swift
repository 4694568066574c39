import APIClient
import Foundation
import SwiftLearnCore

/// One agent of a spec (CrewAI's agent: role, goal, backstory; plus tools, limits, memory).
public struct AgentRoleSpec: Codable, Sendable, Equatable {
    public var name: String
    public var role: String?
    public var goal: String?
    public var backstory: String?
    /// Extra instructions appended to the system prompt.
    public var instructions: String?
    /// Tool names, from the ``ToolRegistry``.
    public var tools: [String]?
    /// Tools that need a human's approval (interrupt) before each call.
    public var approval: [String]?
    public var maxSteps: Int?
    /// `buffer`, `window:N`, `entity`, `vector`, `episodic` or `summary`.
    public var memory: String?
    /// `native` (default) or `text` (ReAct's text format).
    public var toolProtocol: ToolCallProtocol?
    /// Require a tool call on the first turn (see ``ReactAgent/forceFirstToolCall``).
    public var forceTool: Bool?

    enum CodingKeys: String, CodingKey {
        case name, role, goal, backstory, instructions, tools, approval, maxSteps = "max_steps", memory, toolProtocol = "tool_protocol",
             forceTool = "force_tool"
    }

    /// The system prompt made of role, goal and backstory (CrewAI's template, in our words).
    public var systemPrompt: String {
        var parts: [String] = []
        if let role { parts.append("You are \(role).") }
        if let goal { parts.append("Your goal: \(goal)") }
        if let backstory { parts.append(backstory) }
        if let instructions { parts.append(instructions) }
        return parts.isEmpty ? "You are a helpful assistant." : parts.joined(separator: "\n")
    }
}

/// One task of a sequential process (CrewAI's task).
public struct TaskSpec: Codable, Sendable, Equatable {
    public var name: String?
    public var description: String
    public var expectedOutput: String?
    /// The agent that does it.
    public var agent: String

    enum CodingKeys: String, CodingKey { case name, description, expectedOutput = "expected_output", agent }
}

/// How the agents of a spec work together.
public enum ProcessKind: String, Codable, Sendable {
    /// One agent answers the input with its tools (the first agent).
    case react
    /// Tasks in order, each output handed to the next (CrewAI's sequential process).
    case sequential
    /// A supervisor model delegates to the agents (CrewAI's hierarchical process).
    case hierarchical
    case groupChat = "group_chat"
    case debate
    case handoffs
}

/// An agent system declared in a YAML or JSON file: agents with roles and tools, tasks, and the
/// process that runs them (`swiftlearn agent run FILE.yaml`).
///
/// ```yaml
/// name: research
/// process: react
/// input: What does max_depth do in a decision tree?
/// agents:
///   - name: researcher
///     role: a research assistant for the ML handbook
///     goal: answer from the handbook and name the page
///     tools: [search_collection, calculator]
/// ```
public struct AgentSpec: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    public var process: ProcessKind
    /// The default request when the command line gives none.
    public var input: String?
    public var agents: [AgentRoleSpec]
    public var tasks: [TaskSpec]?
    /// Group chat: `round_robin` (default) or `auto`.
    public var speakerPolicy: String?
    public var maxTurns: Int?
    /// Debate: rounds (default 2).
    public var rounds: Int?
    /// Group chat: the text that ends the chat.
    public var termination: String?

    enum CodingKeys: String, CodingKey {
        case name, description, process, input, agents, tasks, speakerPolicy = "speaker_policy", maxTurns = "max_turns", rounds, termination
    }

    /// Reads a spec (`.yaml`/`.yml` as YAML, anything else as JSON) and checks it.
    /// - Throws: ``AgentError/invalidFile(path:reason:)`` naming the field that is wrong.
    public static func load(_ url: URL) throws -> AgentSpec {
        try checkFileSize(url, limit: 4 << 20)
        let text: String
        do { text = try readTextFile(url.path) } catch { throw AgentError.invalidFile(path: url.path, reason: readableReason(error)) }
        guard text.utf8.count <= 4 << 20 else { throw AgentError.invalidFile(path: url.path, reason: "larger than 4 MiB") }
        return try parse(text, yaml: ["yaml", "yml"].contains(url.pathExtension.lowercased()), path: url.path)
    }

    /// Parses and checks a spec.
    public static func parse(_ text: String, yaml: Bool, path: String = "spec") throws -> AgentSpec {
        let json: JSONValue
        if yaml {
            json = try YAMLDocument.jsonValue(text, path: path)
        } else {
            do { json = try JSONValue.parse(text) } catch { throw AgentError.invalidFile(path: path, reason: "not valid JSON: \(error)") }
        }
        let spec: AgentSpec
        do { spec = try json.decode(AgentSpec.self) } catch let e as DecodingError {
            throw AgentError.invalidFile(path: path, reason: DecodingErrorText.describe(e))
        }
        try spec.validate(path: path)
        return spec
    }

    func validate(path: String) throws {
        func fail(_ reason: String) -> AgentError { .invalidFile(path: path, reason: reason) }
        guard !agents.isEmpty else { throw fail("'agents' is empty") }
        let names = agents.map(\.name)
        guard Set(names).count == names.count else { throw fail("two agents share a name") }
        for a in agents {
            do { try checkToolName(a.name) } catch { throw fail("agent name '\(a.name)' must be 1–64 letters, digits, '_' or '-'") }
            if let m = a.maxSteps, m < 1 || m > 100 { throw fail("agent '\(a.name)': max_steps must be 1–100") }
            if let memory = a.memory { _ = try MemoryKind(memory, path: path) }
            for t in a.approval ?? [] where !(a.tools ?? []).contains(t) {
                throw fail("agent '\(a.name)': approval names '\(t)', which is not among its tools")
            }
        }
        switch process {
        case .sequential:
            guard let tasks, !tasks.isEmpty else { throw fail("a sequential process needs 'tasks'") }
            for t in tasks where !names.contains(t.agent) { throw fail("task '\(t.name ?? t.description.prefix(30).description)' names unknown agent '\(t.agent)'") }
        case .groupChat, .handoffs:
            guard agents.count >= 2 else { throw fail("\(process.rawValue) needs at least two agents") }
        case .debate:
            guard agents.count >= 2 else { throw fail("a debate needs at least two agents") }
        case .react, .hierarchical: break
        }
        if let p = speakerPolicy, !["round_robin", "auto"].contains(p) { throw fail("speaker_policy must be round_robin or auto") }
        if let m = maxTurns, m < 1 || m > 100 { throw fail("max_turns must be 1–100") }
        if let r = rounds, r < 1 || r > 20 { throw fail("rounds must be 1–20") }
    }
}

/// A memory named in a spec.
enum MemoryKind: Equatable {
    case buffer, window(Int), entity, vector, episodic, summary

    init(_ text: String, path: String) throws {
        switch text {
        case "buffer": self = .buffer
        case "entity": self = .entity
        case "vector": self = .vector
        case "episodic": self = .episodic
        case "summary": self = .summary
        default:
            if text.hasPrefix("window:"), let n = Int(text.dropFirst(7)), n >= 1 { self = .window(n); return }
            throw AgentError.invalidFile(path: path, reason: "memory '\(text)' is not buffer, window:N, entity, vector, episodic or summary")
        }
    }
}
