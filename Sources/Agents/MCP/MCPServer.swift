import APIClient
import Foundation

/// An MCP server over a set of ``AgentTool``s: `initialize` (protocol version negotiation),
/// `ping`, `tools/list` (each tool's name, description and `inputSchema`) and `tools/call`
/// (text content, `isError` for a failed call). Calls go through a ``ToolExecutor``, so
/// arguments are checked against the tool's schema, and time limits and result limits apply;
/// a failure is a tool result with `isError: true` the model can read, while an unknown tool,
/// an unknown method or parameters of the wrong shape are JSON-RPC errors.
///
/// The server holds no connection state: each connection (a stdio process, an HTTP session)
/// gets its own ``MCPServerSession``. Transports: ``MCPStdioServer`` and ``MCPHTTPServer``.
///
/// ```swift
/// let server = try MCPServer(tools: [BuiltinTools.calculator()])
/// await MCPStdioServer(server: server).run()
/// ```
public final class MCPServer: Sendable {
    /// The name and version in `initialize`'s `serverInfo`.
    public let name: String
    public let version: String
    /// Text for the client's model on how to use the tools (`initialize`'s `instructions`).
    public let instructions: String?
    /// Runs the calls (schema check, time limit, result size).
    public let executor: ToolExecutor
    /// The `tools/list` result, made once.
    let toolList: JSONValue

    /// - Parameters:
    ///   - policy: time limit and result size of each call; retries and parallelism do not
    ///     apply (one call per request).
    /// - Throws: ``AgentError/invalidParameter(name:value:reason:)`` for two tools with one name
    ///   or a schema that cannot be read (as ``ToolExecutor``).
    public init(tools: [any AgentTool], name: String = "swiftlearn", version: String = "1.0", instructions: String? = nil,
                policy: ToolPolicy = ToolPolicy(timeout: 300, maxResultCharacters: 1 << 20)) throws {
        self.name = name
        self.version = version
        self.instructions = instructions
        executor = try ToolExecutor(tools, policy: policy)
        toolList = ["tools": .array(tools.map { ["name": .string($0.name), "description": .string($0.description), "inputSchema": $0.parameters] })]
    }

    /// A new connection's state.
    public func session() -> MCPServerSession { MCPServerSession(server: self) }

    /// The `initialize` result for a negotiated version.
    func initializeResult(version: String) -> JSONValue {
        var result: [String: JSONValue] = [
            "protocolVersion": .string(version),
            "capabilities": ["tools": ["listChanged": false]],
            "serverInfo": ["name": .string(name), "version": .string(self.version)],
        ]
        if let instructions { result["instructions"] = .string(instructions) }
        return .object(result)
    }
}

/// One connection to an ``MCPServer``: whether it was initialized, with which protocol version,
/// and the requests in flight (so `notifications/cancelled` can drop their answers). Safe to use
/// from several tasks at once; requests are answered concurrently.
public final class MCPServerSession: @unchecked Sendable {
    // Safety: the mutable fields are guarded by `lock`.
    /// The server it belongs to.
    public let server: MCPServer
    private let lock = NSLock()
    private var version: String?
    private var client: JSONValue?
    private var inFlight: Set<JSONRPCID> = []
    private var cancelled: Set<JSONRPCID> = []

    init(server: MCPServer) { self.server = server }

    /// The protocol version agreed in `initialize` (nil before it).
    public var protocolVersion: String? { lock.withLock { version } }
    /// The client's `clientInfo` from `initialize` (nil before it).
    public var clientInfo: JSONValue? { lock.withLock { client } }

    /// Answers one raw message (a stdio line, an HTTP body): the bytes of the reply, or nil when
    /// there is none (a notification, a response, a cancelled request). Never throws: what
    /// cannot be read gets a JSON-RPC error reply.
    public func respond(toBytes data: Data) async -> Data? {
        let message: JSONRPCMessage
        do { message = try JSONRPCMessage.parse(data) } catch { return error.response.data }
        return await respond(to: message)?.data
    }

    /// Answers one message: the reply, or nil for notifications, responses and requests the
    /// client cancelled.
    public func respond(to message: JSONRPCMessage) async -> JSONRPCMessage? {
        switch message {
        case .request(let id, let method, let params):
            let fresh = lock.withLock { inFlight.insert(id).inserted }
            guard fresh else { return .failure(id: id, .invalidRequest("Invalid request: a request with id \(id) is already in flight")) }
            let reply: JSONRPCMessage
            do { reply = .result(id: id, try await answer(id: id, method: method, params: params ?? [:])) } catch let e as JSONRPCError {
                reply = .failure(id: id, e)
            } catch {
                reply = .failure(id: id, JSONRPCError(code: JSONRPCError.internalErrorCode, message: "Internal error: \(error)"))
            }
            let dropped = lock.withLock { () -> Bool in
                inFlight.remove(id)
                return cancelled.remove(id) != nil
            }
            return dropped ? nil : reply
        case .notification(let method, let params):
            if method == "notifications/cancelled", let id = params?["requestId"].flatMap(JSONRPCID.init) {
                lock.withLock { if inFlight.contains(id) { _ = cancelled.insert(id) } }
            }
            return nil
        case .result, .failure:
            return nil   // this server sends no requests, so there is nothing to match a reply to
        }
    }

    /// The methods this server has.
    static let methods: Set<String> = ["initialize", "ping", "tools/list", "tools/call"]

    private func answer(id: JSONRPCID, method: String, params: JSONValue) async throws -> JSONValue {
        guard Self.methods.contains(method) else { throw JSONRPCError.methodNotFound(method) }
        if method == "ping" { return [:] }
        if method == "initialize" { return try initialize(params) }
        guard protocolVersion != nil else {
            throw JSONRPCError.invalidRequest("Invalid request: the session is not initialized; send 'initialize' first")
        }
        if method == "tools/list" {
            if let cursor = params["cursor"], cursor != .null {
                throw JSONRPCError.invalidParams("Invalid params: unknown cursor \(cursor.serialized.prefix(100)) (the list has one page)")
            }
            return server.toolList
        }
        return try await callTool(id: id, params)
    }

    private func initialize(_ params: JSONValue) throws -> JSONValue {
        guard let requested = params["protocolVersion"]?.stringValue else {
            throw JSONRPCError.invalidParams("Invalid params: 'initialize' needs a string \"protocolVersion\"")
        }
        let agreed = MCPProtocol.supportedVersions.contains(requested) ? requested : MCPProtocol.latestVersion
        let first = lock.withLock { () -> Bool in
            guard version == nil else { return false }
            version = agreed
            client = params["clientInfo"]
            return true
        }
        guard first else { throw JSONRPCError.invalidRequest("Invalid request: the session is already initialized") }
        return server.initializeResult(version: agreed)
    }

    private func callTool(id: JSONRPCID, _ params: JSONValue) async throws -> JSONValue {
        guard let name = params["name"]?.stringValue else {
            throw JSONRPCError.invalidParams("Invalid params: 'tools/call' needs a string \"name\"")
        }
        let arguments = params["arguments"] ?? .null
        guard arguments == .null || arguments.objectValue != nil else {
            throw JSONRPCError.invalidParams("Invalid params: \"arguments\" must be an object")
        }
        guard server.executor.tools[name] != nil else {
            throw JSONRPCError.invalidParams("Unknown tool: \(name.prefix(200)) (tools: \(server.executor.order.joined(separator: ", ")))")
        }
        let call = AgentToolCall(id: id.description, name: name, arguments: arguments == .null ? [:] : arguments)
        let result = await server.executor.run(call)
        return ["content": [["type": "text", "text": .string(result.content)]], "isError": .bool(result.isError)]
    }
}
