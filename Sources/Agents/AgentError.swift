import Foundation

/// Errors of the Agents module, each with a message a person can act on. Errors of the layers
/// below (`APIClientError`, `LLMError`, `RAGError`, `RetrievalError`) pass through unchanged.
public enum AgentError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A graph that cannot be compiled: an edge to an unknown node, a node without a way in, …
    case invalidGraph(String)
    /// A node's update that the state cannot take: an unknown key, a value of the wrong kind,
    /// two writes to a single-value key in one step (node, reason).
    case invalidUpdate(node: String, reason: String)
    /// The graph ran more super-steps than its recursion limit allows (the limit).
    case recursionLimit(Int)
    /// A run asked to resume a thread that has no interrupted step, or a checkpoint that is not there.
    case nothingToResume(thread: String)
    /// A checkpoint that is not stored (thread, id).
    case unknownCheckpoint(thread: String, id: String)
    /// A checkpoint store that cannot be opened or read (path, reason).
    case checkpointStore(path: String, reason: String)
    /// A parameter outside its valid range (name, given value, what is allowed).
    case invalidParameter(name: String, value: String, reason: String)
    /// A model called a tool that does not exist (name, the tools there are).
    case unknownTool(name: String, available: [String])
    /// A tool's arguments that do not fit its schema (tool, what is wrong).
    case invalidToolArguments(tool: String, reason: String)
    /// A tool that failed (tool, reason) — fed back to the model as the tool's result.
    case toolFailed(tool: String, reason: String)
    /// A tool that ran past its time limit (tool, seconds).
    case toolTimeout(tool: String, seconds: Double)
    /// A scripted model asked for a turn it does not have (turns given).
    case scriptExhausted(turns: Int)
    /// A model reply that cannot be used (reason).
    case invalidModelReply(String)
    /// An agent run that hit one of its limits (which limit, its value).
    case limitReached(limit: String, value: String)
    /// A file that is not what it should be: an agent spec, a script, a trace (path, reason).
    case invalidFile(path: String, reason: String)
    /// The connection to an MCP server failed: a process that cannot start or has exited, a
    /// message over the size limit, an HTTP error, a closed client (reason).
    case mcpTransport(String)
    /// An MCP message that breaks the protocol: not JSON-RPC, a reply of the wrong shape, a
    /// protocol version neither side supports (reason).
    case mcpProtocol(String)
    /// A JSON-RPC error an MCP server answered with (its code and message).
    case mcpRemote(code: Int, message: String)
    /// An MCP request that got no answer in time (method, seconds).
    case mcpTimeout(method: String, seconds: Double)

    public var description: String {
        switch self {
        case .invalidGraph(let s): return "invalid graph: \(s)"
        case .invalidUpdate(let n, let r): return "node '\(n)' returned an invalid update: \(r)"
        case .recursionLimit(let l): return "the graph needed more than \(l) steps (the recursion limit); raise it or check for a cycle without an exit"
        case .nothingToResume(let t): return "thread '\(t)' has no interrupted run to resume"
        case .unknownCheckpoint(let t, let id): return "thread '\(t)' has no checkpoint '\(id)'"
        case .checkpointStore(let p, let r): return "checkpoint store \(p): \(r)"
        case .invalidParameter(let n, let v, let r): return "invalid \(n) '\(v)': \(r)"
        case .unknownTool(let n, let a): return "there is no tool '\(n)' (tools: \(a.joined(separator: ", ")))"
        case .invalidToolArguments(let t, let r): return "invalid arguments for tool '\(t)': \(r)"
        case .toolFailed(let t, let r): return "tool '\(t)' failed: \(r)"
        case .toolTimeout(let t, let s): return "tool '\(t)' took longer than \(s) s"
        case .scriptExhausted(let n): return "the scripted model has no turn left (it had \(n))"
        case .invalidModelReply(let s): return "unusable model reply: \(s)"
        case .limitReached(let l, let v): return "the agent reached its \(l) limit (\(v))"
        case .invalidFile(let p, let r): return "\(p): \(r)"
        case .mcpTransport(let r): return "MCP connection: \(r)"
        case .mcpProtocol(let r): return "MCP protocol error: \(r)"
        case .mcpRemote(let c, let m): return "the MCP server answered with error \(c): \(m)"
        case .mcpTimeout(let m, let s): return "the MCP server did not answer '\(m)' within \(s) s"
        }
    }

    public var errorDescription: String? { description }
}

/// Throws ``AgentError/invalidParameter(name:value:reason:)`` unless `condition` holds.
func check(_ condition: Bool, _ name: String, _ value: Any, _ reason: String) throws {
    if !condition { throw AgentError.invalidParameter(name: name, value: "\(value)", reason: reason) }
}

/// Throws ``AgentError/invalidFile(path:reason:)`` when the file at `url` is larger than
/// `limit` bytes, before anything reads it (a huge file never becomes a huge allocation).
func checkFileSize(_ url: URL, limit: Int) throws {
    let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    if size > limit { throw AgentError.invalidFile(path: url.path, reason: "\(size) bytes; the limit is \(limit)") }
}
