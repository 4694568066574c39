import APIClient
import Foundation

/// The streamable HTTP transport of an MCP client: each message is a POST to the endpoint
/// (`http://host:port/mcp`); the reply comes back as a JSON body or as server-sent events (the
/// server's `ping` requests on that stream are answered). The `Mcp-Session-Id` the server gives
/// in `initialize`'s reply is sent with every later request, with `MCP-Protocol-Version`;
/// ``close()`` ends the session with a DELETE.
///
/// Failures are ``AgentError/mcpTransport(_:)``: an unreachable server, an HTTP error status (a
/// JSON-RPC error in its body is returned as the reply instead), a session the server ended
/// (404), a body or event larger than ``MCPProtocol/maxMessageBytes``.
public final class MCPHTTPTransport: MCPTransport, @unchecked Sendable {
    // Safety: `session`, `version` and `closed` are guarded by `lock`; the rest is immutable.
    /// The endpoint, and headers sent with every request.
    public let url: URL
    public let headers: [String: String]
    /// Seconds the network may stay silent within one request.
    public let idleTimeout: Double
    private let http: any HTTPTransport
    private let lock = NSLock()
    private var session: String?
    private var version: String?
    private var closed = false

    /// - Parameter transport: how requests are sent (URLSession by default).
    public init(url: URL, headers: [String: String] = [:], idleTimeout: Double = 300, transport: any HTTPTransport = URLSessionTransport()) {
        self.url = url; self.headers = headers; self.idleTimeout = idleTimeout; http = transport
    }

    /// The session id the server assigned (nil before `initialize` or for a server without sessions).
    public var sessionID: String? { lock.withLock { session } }

    private func httpRequest(_ method: String, body: Data = Data()) throws -> HTTPRequest {
        let (session, version, closed) = lock.withLock { (self.session, self.version, self.closed) }
        if closed { throw AgentError.mcpTransport("the client is closed") }
        var h = headers
        h["Content-Type"] = "application/json"
        h["Accept"] = "application/json, text/event-stream"
        if let session { h["Mcp-Session-Id"] = session }
        if let version { h["MCP-Protocol-Version"] = version }
        return HTTPRequest(method: method, url: url, headers: h, body: body, timeout: idleTimeout)
    }

    private func post(_ message: JSONRPCMessage) async throws -> HTTPStreamResponse {
        let request = try httpRequest("POST", body: message.data)
        do { return try await http.stream(request) } catch let e as APIClientError {
            if case .cancelled = e { throw CancellationError() }
            throw AgentError.mcpTransport("POST \(url.absoluteString): \(e)")
        }
    }

    public func request(_ request: JSONRPCMessage) async throws -> JSONRPCMessage {
        guard case .request(let id, let method, _) = request else {
            throw AgentError.mcpProtocol("request(_:) takes a request, not \(request.json.serialized.prefix(100))")
        }
        let response = try await post(request)
        let type = response.headers["content-type"]?.lowercased() ?? ""
        let reply: JSONRPCMessage
        switch response.status {
        case 200..<300 where type.hasPrefix("text/event-stream"):
            reply = try await readEvents(response.body, id: id, method: method)
        case 200..<300 where type.hasPrefix("application/json"):
            reply = try matchReply(to: id, method: method, try await Self.collect(response.body, limit: MCPProtocol.maxMessageBytes))
        case 200..<300:
            throw AgentError.mcpProtocol("the server answered '\(method)' with HTTP \(response.status) and content type '\(type)'")
        default:
            let body = (try? await Self.collect(response.body, limit: 1 << 16)) ?? Data()
            // A JSON-RPC error in the body is the server's answer (400 for bad params, …).
            if type.hasPrefix("application/json"), let message = try? JSONRPCMessage.parse(body), case .failure(_, let error) = message {
                if response.status == 404 { lock.withLock { session = nil } }
                return .failure(id: id, error)
            }
            if response.status == 404, sessionID != nil {
                lock.withLock { session = nil }
                throw AgentError.mcpTransport("the server ended the session (HTTP 404 from \(url.absoluteString)); connect again")
            }
            throw AgentError.mcpTransport("HTTP \(response.status) from \(url.absoluteString): \(String(decoding: body.prefix(300), as: UTF8.self))")
        }
        if method == "initialize", case .result(_, let result) = reply {
            lock.withLock {
                if let s = response.headers["mcp-session-id"], !s.isEmpty { session = s }
                version = result["protocolVersion"]?.stringValue
            }
        }
        return reply
    }

    /// The reply to request `id` in `body`.
    private func matchReply(to id: JSONRPCID, method: String, _ body: Data) throws -> JSONRPCMessage {
        let message: JSONRPCMessage
        do { message = try JSONRPCMessage.parse(body) } catch {
            throw AgentError.mcpProtocol("the reply to '\(method)' is not JSON-RPC: \(error.error.message)")
        }
        switch message {
        case .result(let rid, _) where rid == id: return message
        case .failure(let rid, _) where rid == id || rid == nil: return message
        default: throw AgentError.mcpProtocol("the reply to '\(method)' (id \(id)) is another message: \(message.json.serialized.prefix(200))")
        }
    }

    /// Reads server-sent events until the reply to `id`; answers the server's pings.
    private func readEvents(_ body: AsyncThrowingStream<Data, any Error>, id: JSONRPCID, method: String) async throws -> JSONRPCMessage {
        var parser = ServerSentEventParser()
        var unread = 0
        func take(_ events: [ServerSentEvent]) async throws -> JSONRPCMessage? {
            for event in events where (event.event ?? "message") == "message" && !event.data.isEmpty {
                unread = 0
                guard let message = try? JSONRPCMessage.parse(Data(event.data.utf8)) else { continue }
                switch message {
                case .result(let rid, _) where rid == id: return message
                case .failure(let rid, _) where rid == id: return message
                case .request(let rid, let m, _):
                    let answer: JSONRPCMessage = m == "ping" ? .result(id: rid, [:]) : .failure(id: rid, .methodNotFound(m))
                    _ = try? await post(answer)
                default: continue
                }
            }
            return nil
        }
        do {
            for try await chunk in body {
                unread += chunk.count
                guard unread <= MCPProtocol.maxMessageBytes else {
                    throw AgentError.mcpTransport("the server sent an event of more than \(MCPProtocol.maxMessageBytes) bytes")
                }
                if let reply = try await take(parser.feed(chunk)) { return reply }
            }
        } catch let e as APIClientError {
            if case .cancelled = e { throw CancellationError() }
            throw AgentError.mcpTransport("reading the reply to '\(method)': \(e)")
        }
        if let reply = try await take(parser.finish()) { return reply }
        throw AgentError.mcpTransport("the server's event stream ended without a reply to '\(method)'")
    }

    /// The whole body, refused past `limit` bytes.
    static func collect(_ body: AsyncThrowingStream<Data, any Error>, limit: Int) async throws -> Data {
        var data = Data()
        do {
            for try await chunk in body {
                guard data.count + chunk.count <= limit else {
                    throw AgentError.mcpTransport("the server sent a body of more than \(limit) bytes")
                }
                data.append(chunk)
            }
        } catch let e as APIClientError {
            if case .cancelled = e { throw CancellationError() }
            throw AgentError.mcpTransport("reading a reply: \(e)")
        }
        return data
    }

    public func notify(_ notification: JSONRPCMessage) async throws {
        let response = try await post(notification)
        let body = (try? await Self.collect(response.body, limit: 1 << 16)) ?? Data()
        guard (200..<300).contains(response.status) else {
            throw AgentError.mcpTransport("HTTP \(response.status) for a notification: \(String(decoding: body.prefix(300), as: UTF8.self))")
        }
    }

    /// Ends the session with a DELETE (a server that does not allow it is fine); later requests fail.
    public func close() async {
        guard let request = try? httpRequest("DELETE") else { return }
        let hadSession = lock.withLock { () -> Bool in
            closed = true
            return session != nil
        }
        guard hadSession else { return }
        var delete = request
        delete.timeout = min(idleTimeout, 5)
        _ = try? await http.send(delete)
    }
}
