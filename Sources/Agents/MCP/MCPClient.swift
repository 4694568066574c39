import APIClient
import Foundation

/// How an ``MCPClient`` reaches a server: ``MCPStdioTransport`` (a subprocess) or
/// ``MCPHTTPTransport`` (streamable HTTP).
public protocol MCPTransport: Sendable {
    /// Sends a request and returns the server's reply to it: a `.result` or `.failure` with the
    /// request's id. Returns promptly, throwing `CancellationError`, when the calling task is
    /// cancelled (the client's time limits rely on it).
    /// - Throws: ``AgentError/mcpTransport(_:)`` when the connection fails.
    func request(_ request: JSONRPCMessage) async throws -> JSONRPCMessage
    /// Sends a notification.
    func notify(_ notification: JSONRPCMessage) async throws
    /// Ends the connection: stops the server process, or ends the HTTP session.
    func close() async
}

/// A tool as an MCP server lists it.
public struct MCPToolInfo: Sendable, Equatable {
    public var name: String
    public var description: String
    /// The arguments' JSON schema (an object schema).
    public var inputSchema: JSONValue

    public init(name: String, description: String, inputSchema: JSONValue) {
        self.name = name; self.description = description; self.inputSchema = inputSchema
    }
}

/// What a `tools/call` returned: its content blocks, and whether the tool failed.
public struct MCPToolResult: Sendable, Equatable {
    /// The content blocks as sent (`{"type": "text", "text"}`, images, resources, …).
    public var content: [JSONValue]
    /// The tool failed (its content says why); the call itself went through.
    public var isError: Bool
    /// Structured output, when the tool declared some.
    public var structuredContent: JSONValue?

    public init(content: [JSONValue], isError: Bool, structuredContent: JSONValue? = nil) {
        self.content = content; self.isError = isError; self.structuredContent = structuredContent
    }

    /// The result as text: text blocks joined by newlines, other blocks as a short note
    /// (`[image image/png]`), or the structured output when there is nothing else.
    public var text: String {
        let parts = content.map { block -> String in
            switch block["type"]?.stringValue {
            case "text": return block["text"]?.stringValue ?? ""
            case "resource":
                if let text = block["resource"]?["text"]?.stringValue { return text }
                return "[resource \(block["resource"]?["uri"]?.stringValue ?? "")]"
            case "resource_link": return "[resource \(block["uri"]?.stringValue ?? "")]"
            case let kind?: return "[\(kind) \(block["mimeType"]?.stringValue ?? "")]"
            case nil: return block.serialized
            }
        }
        if parts.isEmpty, let structuredContent { return structuredContent.serialized }
        return parts.joined(separator: "\n")
    }
}

/// A Model Context Protocol client: it initializes a session (protocol version negotiation),
/// lists the server's tools and calls them, and turns them into ``AgentTool``s an agent can use.
/// Every request has a time limit (``requestTimeout``, or ``toolTimeout`` for tool calls); a
/// request that runs past it throws ``AgentError/mcpTimeout(method:seconds:)`` and the server is
/// told (`notifications/cancelled`). Requests may run concurrently.
///
/// ```swift
/// let client = try await MCPClient.launch("python3", arguments: ["server.py"])
/// let tools = try await client.agentTools()          // [any AgentTool], calls go to the server
/// let executor = try ToolExecutor(tools)
/// …
/// await client.close()                                // stops the subprocess
/// ```
public actor MCPClient {
    /// The connection.
    public nonisolated let transport: any MCPTransport
    /// Seconds a request may take, and a tool call.
    public var requestTimeout: Double
    public var toolTimeout: Double
    /// What `initialize` returned: the agreed protocol version, the server's `serverInfo`,
    /// `capabilities` and `instructions` (nil before ``initialize()``).
    public private(set) var protocolVersion: String?
    public private(set) var serverInfo: JSONValue?
    public private(set) var capabilities: JSONValue?
    public private(set) var instructions: String?
    private let clientInfo: JSONValue
    private var nextID = 1

    /// A client over `transport`; call ``initialize()`` before anything else (``launch(_:arguments:environment:currentDirectory:requestTimeout:toolTimeout:)``
    /// and ``connect(url:headers:requestTimeout:toolTimeout:)`` do).
    public init(transport: any MCPTransport, name: String = "swiftlearn", version: String = "1.0",
                requestTimeout: Double = 60, toolTimeout: Double = 300) {
        self.transport = transport
        self.requestTimeout = requestTimeout
        self.toolTimeout = toolTimeout
        clientInfo = ["name": .string(name), "version": .string(version)]
    }

    /// Launches a stdio server and initializes (see ``MCPStdioTransport``).
    /// - Throws: ``AgentError/mcpTransport(_:)`` when it cannot start; as ``initialize()``
    ///   (the process is stopped then).
    public static func launch(_ command: String, arguments: [String] = [], environment: [String: String] = [:],
                              currentDirectory: URL? = nil, requestTimeout: Double = 60, toolTimeout: Double = 300) async throws -> MCPClient {
        let transport = try MCPStdioTransport(command: command, arguments: arguments, environment: environment, currentDirectory: currentDirectory)
        return try await started(MCPClient(transport: transport, requestTimeout: requestTimeout, toolTimeout: toolTimeout))
    }

    /// Connects to a streamable HTTP endpoint (`http://host:port/mcp`) and initializes.
    /// - Parameter headers: sent with every request (`Authorization`, …).
    public static func connect(url: URL, headers: [String: String] = [:], requestTimeout: Double = 60,
                               toolTimeout: Double = 300) async throws -> MCPClient {
        let transport = MCPHTTPTransport(url: url, headers: headers)
        return try await started(MCPClient(transport: transport, requestTimeout: requestTimeout, toolTimeout: toolTimeout))
    }

    private static func started(_ client: MCPClient) async throws -> MCPClient {
        do { try await client.initialize() } catch {
            await client.close()
            throw error
        }
        return client
    }

    /// The handshake: `initialize` with ``MCPProtocol/latestVersion``, then
    /// `notifications/initialized`.
    /// - Throws: ``AgentError/mcpProtocol(_:)`` when the server answers with a version this
    ///   client does not speak, or a result of the wrong shape; errors of ``send(_:params:timeout:)``.
    public func initialize() async throws {
        let result = try await send("initialize", params: [
            "protocolVersion": .string(MCPProtocol.latestVersion), "capabilities": [:], "clientInfo": clientInfo,
        ])
        guard let version = result["protocolVersion"]?.stringValue else {
            throw AgentError.mcpProtocol("the 'initialize' result has no protocolVersion: \(result.serialized.prefix(200))")
        }
        guard MCPProtocol.supportedVersions.contains(version) else {
            throw AgentError.mcpProtocol("the server speaks protocol version \(version.prefix(40)); this client speaks \(MCPProtocol.supportedVersions.joined(separator: ", "))")
        }
        protocolVersion = version
        serverInfo = result["serverInfo"]
        capabilities = result["capabilities"]
        instructions = result["instructions"]?.stringValue
        try await transport.notify(.notification(method: "notifications/initialized", params: nil))
    }

    /// `ping`: succeeds when the server answers.
    public func ping() async throws {
        _ = try await send("ping", params: nil)
    }

    /// `tools/list`, every page (at most 1000).
    /// - Throws: ``AgentError/mcpProtocol(_:)`` for a list of the wrong shape.
    public func listTools() async throws -> [MCPToolInfo] {
        var tools: [MCPToolInfo] = []
        var cursor: JSONValue?
        var seen = Set<String>()
        for _ in 0..<1000 {
            let result = try await send("tools/list", params: cursor.map { ["cursor": $0] })
            guard let list = result["tools"]?.arrayValue else {
                throw AgentError.mcpProtocol("the 'tools/list' result has no tools array: \(result.serialized.prefix(200))")
            }
            for item in list {
                guard let name = item["name"]?.stringValue else {
                    throw AgentError.mcpProtocol("a listed tool has no name: \(item.serialized.prefix(200))")
                }
                var schema = item["inputSchema"] ?? ["type": "object", "properties": [:]]
                if schema.objectValue == nil { schema = ["type": "object", "properties": [:]] }
                tools.append(MCPToolInfo(name: name, description: item["description"]?.stringValue ?? "", inputSchema: schema))
            }
            guard let next = result["nextCursor"], next != .null, seen.insert(next.serialized).inserted else { return tools }
            cursor = next
        }
        return tools
    }

    /// `tools/call`. A tool that fails is a result with `isError` (not an error).
    /// - Throws: ``AgentError/mcpRemote(code:message:)`` when the server refuses the call (an
    ///   unknown tool, bad parameters), ``AgentError/mcpTimeout(method:seconds:)``, transport errors.
    public func callTool(_ name: String, arguments: JSONValue = [:]) async throws -> MCPToolResult {
        let result = try await send("tools/call", params: ["name": .string(name), "arguments": arguments], timeout: toolTimeout)
        guard let content = result["content"]?.arrayValue else {
            throw AgentError.mcpProtocol("the 'tools/call' result has no content array: \(result.serialized.prefix(200))")
        }
        return MCPToolResult(content: content, isError: result["isError"]?.boolValue ?? false, structuredContent: result["structuredContent"])
    }

    /// The server's tools as ``AgentTool``s (``JSONTool``s whose call is `tools/call`; a result
    /// with `isError` throws ``AgentError/toolFailed(tool:reason:)`` with its text). Names are
    /// `prefix` + the server's name, with characters chat APIs refuse replaced by `_`, cut to 64
    /// characters and made unique; the call uses the server's own name.
    public func agentTools(prefix: String = "") async throws -> [any AgentTool] {
        var used = Set<String>()
        var out: [any AgentTool] = []
        for info in try await listTools() {
            let local = Self.localName(prefix + info.name, taken: used)
            used.insert(local)
            let remote = info.name
            out.append(try JSONTool(name: local, description: info.description, parameters: info.inputSchema) { [self] arguments in
                let result = try await self.callTool(remote, arguments: arguments)
                if result.isError { throw AgentError.toolFailed(tool: local, reason: result.text) }
                return result.text
            })
        }
        return out
    }

    /// A tool name chat APIs accept (1–64 of `a-z A-Z 0-9 _ -`), not in `taken`.
    static func localName(_ name: String, taken: Set<String>) -> String {
        var scalars = String.UnicodeScalarView()
        for s in name.unicodeScalars.prefix(64) {
            scalars.append(s.isASCII && (CharacterSet.alphanumerics.contains(s) || s == "_" || s == "-") ? s : "_")
        }
        var base = String(scalars)
        if base.isEmpty { base = "tool" }
        var candidate = base, n = 2
        while taken.contains(candidate) {
            let suffix = "_\(n)"
            candidate = String(base.prefix(64 - suffix.count)) + suffix
            n += 1
        }
        return candidate
    }

    /// Sends any request and returns its result.
    /// - Throws: ``AgentError/mcpRemote(code:message:)`` for a JSON-RPC error reply,
    ///   ``AgentError/mcpTimeout(method:seconds:)`` past `timeout` (default ``requestTimeout``;
    ///   ``AgentError/mcpTransport(_:)`` instead when a stdio server wrote lines that are not
    ///   JSON-RPC, naming the last one), ``AgentError/mcpTransport(_:)``, `CancellationError`.
    public func send(_ method: String, params: JSONValue?, timeout: Double? = nil) async throws -> JSONValue {
        let id = JSONRPCID.number(nextID)
        nextID += 1
        let seconds = timeout ?? requestTimeout
        let transport = self.transport
        let request = JSONRPCMessage.request(id: id, method: method, params: params)
        let reply: JSONRPCMessage
        do {
            reply = try await withTimeout(seconds, { .mcpTimeout(method: method, seconds: seconds) }) { try await transport.request(request) }
        } catch let e as AgentError {
            if case .mcpTimeout = e {
                let cancel = JSONRPCMessage.notification(method: "notifications/cancelled",
                                                         params: ["requestId": id.json, "reason": .string("timed out after \(seconds) s")])
                Task(executorPreference: AgentThreads.shared) { try? await transport.notify(cancel) }
                if let noise = (transport as? MCPStdioTransport)?.lastNoise { throw AgentError.mcpTransport("\(e.description); \(noise)") }
            }
            throw e
        }
        switch reply {
        case .result(_, let result): return result
        case .failure(_, let error): throw AgentError.mcpRemote(code: error.code, message: error.message)
        default: throw AgentError.mcpProtocol("the reply to '\(method)' is neither a result nor an error")
        }
    }

    /// Ends the connection (see the transport's `close()`); later requests fail.
    public func close() async {
        await transport.close()
    }
}
