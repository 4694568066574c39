import APIClient
import Foundation
import Serve

/// The streamable HTTP endpoint of an ``MCPServer`` (`POST /mcp`), as a function from requests
/// to responses:
/// - `initialize` starts a session; its reply carries the `Mcp-Session-Id` header, which every
///   later request must send (a missing one is 400, an unknown or ended one 404);
/// - a request is answered with a JSON body, or with server-sent events (one `message` event)
///   when the endpoint prefers them or the client accepts nothing else; notifications and
///   replies get 202 and no body;
/// - `DELETE` ends a session; `GET` (a stream of server-initiated messages) is 405: this server
///   sends none;
/// - an `MCP-Protocol-Version` header must name a supported version; a body that is not
///   JSON-RPC gets a JSON-RPC error with status 400;
/// - with `allowedHosts` set (the default for a loopback address), the `Host` header and any
///   `Origin` header must name one of them (403 otherwise), against DNS rebinding.
///
/// Sessions idle longer than `sessionIdleTimeout` are ended; beyond `maxSessions` the one idle
/// longest is ended.
public final class MCPHTTPEndpoint: @unchecked Sendable {
    // Safety: `sessions`, `draining` and `active` are guarded by `lock`; the rest is immutable.
    public let server: MCPServer
    /// The endpoint's path.
    public let path: String
    /// Answer requests with server-sent events when the client accepts them (else JSON).
    public let prefersEventStream: Bool
    /// Host names the `Host` and `Origin` headers may name (nil: any).
    public let allowedHosts: Set<String>?
    public let maxSessions: Int
    public let sessionIdleTimeout: Double
    /// Largest request body, in bytes.
    public let maxBodyBytes = MCPProtocol.maxMessageBytes
    private let lock = NSLock()
    private var sessions: [String: (session: MCPServerSession, used: Date)] = [:]
    private var draining = false
    private var active = 0

    public init(server: MCPServer, path: String = "/mcp", prefersEventStream: Bool = false, allowedHosts: Set<String>? = nil,
                maxSessions: Int = 256, sessionIdleTimeout: Double = 3600) {
        self.server = server; self.path = path; self.prefersEventStream = prefersEventStream
        self.allowedHosts = allowedHosts.map { Set($0.map { $0.lowercased() }) }
        self.maxSessions = max(1, maxSessions); self.sessionIdleTimeout = sessionIdleTimeout
    }

    /// The host names a server bound to loopback answers to.
    public static let loopbackHosts: Set<String> = ["localhost", "127.0.0.1", "::1", "[::1]"]

    /// Sessions open now.
    public var sessionCount: Int { lock.withLock { sessions.count } }

    /// Answers one request; never throws.
    public func handle(_ request: ServeRequest) async -> ServeResponse {
        let path = request.path.count > 1 && request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path
        guard path == self.path else { return Self.error(404, .invalidRequest("Not found: the MCP endpoint is \(self.path)")) }
        if let refusal = checkHost(request.headers) { return refusal }
        switch request.method {
        case "POST":
            let admitted = lock.withLock { () -> Bool in
                if draining { return false }
                active += 1
                return true
            }
            guard admitted else { return Self.error(503, JSONRPCError(code: JSONRPCError.internalErrorCode, message: "the server is shutting down")) }
            defer { lock.withLock { active -= 1 } }
            return await post(request)
        case "DELETE":
            guard let id = request.headers["mcp-session-id"] else { return Self.error(400, .invalidRequest("Bad request: no Mcp-Session-Id header")) }
            let removed = lock.withLock { sessions.removeValue(forKey: id) != nil }
            return removed ? ServeResponse(status: 200, body: .bytes([])) : Self.error(404, .invalidRequest("Session not found"))
        default:
            var r = Self.error(405, .invalidRequest("Method not allowed: \(request.method.prefix(20)) (this endpoint takes POST and DELETE)"))
            r.headers.append(("Allow", "POST, DELETE"))
            return r
        }
    }

    private func checkHost(_ headers: [String: String]) -> ServeResponse? {
        guard let allowedHosts else { return nil }
        func hostName(_ authority: String) -> String {
            var a = authority.lowercased()
            if a.hasPrefix("[") { if let end = a.firstIndex(of: "]") { a = String(a[...end]) }; return a }
            if let colon = a.lastIndex(of: ":"), a.firstIndex(of: ":") == colon { a = String(a[..<colon]) }
            return a
        }
        if let host = headers["host"], !allowedHosts.contains(hostName(host)) {
            return Self.error(403, .invalidRequest("Forbidden: host '\(host.prefix(100))' is not allowed"))
        }
        if let origin = headers["origin"], origin != "null" {
            let authority = URL(string: origin)?.host.map { $0.contains(":") ? "[\($0)]" : $0 }
            guard let authority, allowedHosts.contains(authority.lowercased()) || allowedHosts.contains(hostName(authority)) else {
                return Self.error(403, .invalidRequest("Forbidden: origin '\(origin.prefix(100))' is not allowed"))
            }
        }
        return nil
    }

    private func post(_ request: ServeRequest) async -> ServeResponse {
        if let type = request.headers["content-type"]?.lowercased(), !type.hasPrefix("application/json") {
            return Self.error(415, .invalidRequest("Unsupported media type '\(type.prefix(100))': send application/json"))
        }
        let accept = request.headers["accept"]?.lowercased() ?? "*/*"
        let json = accept.contains("application/json") || accept.contains("*/*") || accept.contains("application/*")
        let events = accept.contains("text/event-stream")
        guard json || events else {
            return Self.error(406, .invalidRequest("Not acceptable: accept application/json or text/event-stream"))
        }
        if let version = request.headers["mcp-protocol-version"], !MCPProtocol.supportedVersions.contains(version) {
            return Self.error(400, .invalidRequest("Bad request: unsupported MCP-Protocol-Version '\(version.prefix(40))' (supported: \(MCPProtocol.supportedVersions.joined(separator: ", ")))"))
        }
        let message: JSONRPCMessage
        do { message = try JSONRPCMessage.parse(Data(request.body)) } catch {
            return Self.reply(error.response, status: 400)
        }
        let stream = events && (prefersEventStream || !json)
        if case .request(_, "initialize", _) = message {
            let session = server.session()
            guard let reply = await session.respond(to: message) else { return ServeResponse(status: 202, body: .bytes([])) }
            guard case .result = reply else { return Self.reply(reply, status: 200) }
            let id = UUID().uuidString
            store(session, id: id)
            var response = Self.reply(reply, status: 200, eventStream: stream)
            response.headers.append(("Mcp-Session-Id", id))
            return response
        }
        let requestID: JSONRPCID?
        if case .request(let id, _, _) = message { requestID = id } else { requestID = nil }
        guard let sessionID = request.headers["mcp-session-id"] else {
            var error = JSONRPCError.invalidRequest("Bad request: no Mcp-Session-Id header; send 'initialize' first")
            if case .request(_, let method, _) = message, !MCPServerSession.methods.contains(method) { error = .methodNotFound(method) }
            return Self.reply(.failure(id: requestID, error), status: 400)
        }
        guard let session = lock.withLock({ () -> MCPServerSession? in
            sessions[sessionID]?.used = Date()
            return sessions[sessionID]?.session
        }) else {
            return Self.reply(.failure(id: requestID, .invalidRequest("Session not found: it ended or never existed; send 'initialize' again")), status: 404)
        }
        guard requestID != nil else {
            _ = await session.respond(to: message)
            return ServeResponse(status: 202, body: .bytes([]))
        }
        guard stream else {
            guard let reply = await session.respond(to: message) else { return ServeResponse(status: 202, body: .bytes([])) }
            return Self.reply(reply, status: 200)
        }
        // The status line goes out now and the reply follows as an event, so a long tool call
        // keeps the connection busy rather than silent; a client that leaves cancels the wait.
        let body = AsyncThrowingStream<[UInt8], any Error> { continuation in
            let task = Task {
                if let reply = await session.respond(to: message) { continuation.yield(Self.event(reply)) }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        return ServeResponse(status: 200, headers: [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")], body: .stream(body))
    }

    private func store(_ session: MCPServerSession, id: String) {
        let now = Date()
        lock.withLock {
            sessions = sessions.filter { now.timeIntervalSince($0.value.used) < sessionIdleTimeout }
            while sessions.count >= maxSessions, let oldest = sessions.min(by: { $0.value.used < $1.value.used }) {
                sessions.removeValue(forKey: oldest.key)
            }
            sessions[id] = (session, now)
        }
    }

    /// One server-sent event carrying `message`.
    static func event(_ message: JSONRPCMessage) -> [UInt8] {
        Array("event: message\ndata: ".utf8) + Array(message.data) + Array("\n\n".utf8)
    }

    static func reply(_ message: JSONRPCMessage, status: Int, eventStream: Bool = false) -> ServeResponse {
        if eventStream {
            return ServeResponse(status: status, headers: [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")],
                                 body: .bytes(event(message)))
        }
        return .json(Array(message.data), status: status)
    }

    static func error(_ status: Int, _ error: JSONRPCError) -> ServeResponse {
        reply(.failure(id: nil, error), status: status)
    }

    /// Refuses new requests (503) and waits, up to `seconds`, for those in flight.
    public func drain(seconds: Double = 30) async {
        lock.withLock { draining = true }
        let deadline = Date().addingTimeInterval(seconds)
        while lock.withLock({ active }) > 0 && Date() < deadline { try? await Task.sleep(nanoseconds: 20_000_000) }
    }
}

extension MCPHTTPEndpoint: HTTPHandler {
    package func refusal(_ error: APIError, path: String) -> ServeResponse {
        Self.error(error.status, .invalidRequest(error.message))
    }

    package func drain() async { await drain(seconds: 30) }
}

/// Serves an ``MCPServer`` over streamable HTTP (Hummingbird 2, HTTP/1.1): see
/// ``MCPHTTPEndpoint`` for the protocol. Bound to a loopback address, it answers only requests
/// whose `Host` and `Origin` name a loopback host.
///
/// ```swift
/// let http = MCPHTTPServer(server: try MCPServer(tools: [BuiltinTools.calculator()]), port: 8765)
/// try await http.run()            // POST http://127.0.0.1:8765/mcp
/// ```
public struct MCPHTTPServer: Sendable {
    /// The endpoint, and where it listens (port 0: any free port).
    public let endpoint: MCPHTTPEndpoint
    public let host: String
    public let port: Int

    /// - Parameter eventStream: answer with server-sent events rather than JSON bodies.
    public init(server: MCPServer, host: String = "127.0.0.1", port: Int = 0, path: String = "/mcp", eventStream: Bool = false) {
        let loopback = ["127.0.0.1", "localhost", "::1"].contains(host) || host.hasPrefix("127.")
        endpoint = MCPHTTPEndpoint(server: server, path: path, prefersEventStream: eventStream,
                                   allowedHosts: loopback ? MCPHTTPEndpoint.loopbackHosts.union([host]) : nil)
        self.host = host
        self.port = port
    }

    /// Serves until the calling task is cancelled, or (with `handleSignals`) until SIGTERM or
    /// SIGINT, after which new requests get 503 and those in flight finish.
    /// `onListening` receives the bound port.
    public func run(handleSignals: Bool = true, onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        try await HTTPServer.serve(endpoint, host: host, port: port, handleSignals: handleSignals, logLabel: "swiftlearn.mcp", onListening: onListening)
    }
}
