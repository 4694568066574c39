import Foundation

/// One HTTP request as the service sees it, independent of the server library: method, path,
/// query, headers (names lowercased) and the whole body (already bounded by the server).
public struct ServeRequest: Sendable {
    /// The method, uppercased.
    public var method: String
    /// The path without the query, and the query's items (percent-decoded).
    public var path: String
    public var query: [String: String]
    /// Header values by lowercased name.
    public var headers: [String: String]
    /// The whole body.
    public var body: [UInt8]

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.body = body
    }

    /// Splits a request target (`/v1/models?x=1`) into its path and query items.
    public init(method: String, target: String, headers: [String: String] = [:], body: [UInt8] = []) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var query: [String: String] = [:]
        if parts.count == 2 {
            for item in parts[1].split(separator: "&") {
                let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(kv[0]).removingPercentEncoding ?? String(kv[0])
                let value = kv.count > 1 ? (String(kv[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(kv[1])) : ""
                query[key] = value
            }
        }
        self.init(method: method, path: String(parts[0]), query: query, headers: headers, body: body)
    }
}

/// A response body: bytes known up front, or a stream of chunks (server-sent events).
public enum ServeBody: Sendable {
    case bytes([UInt8])
    case stream(AsyncThrowingStream<[UInt8], any Error>)
}

/// One HTTP response as the service produces it.
public struct ServeResponse: Sendable {
    /// The HTTP status, headers in order, and the body.
    public var status: Int
    public var headers: [(String, String)]
    public var body: ServeBody

    public init(status: Int, headers: [(String, String)] = [], body: ServeBody) {
        self.status = status; self.headers = headers; self.body = body
    }

    /// A JSON response from bytes already encoded.
    public static func json(_ bytes: [UInt8], status: Int = 200, headers: [(String, String)] = []) -> ServeResponse {
        ServeResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: .bytes(bytes))
    }

    /// A JSON response from a value.
    public static func json(_ value: JSON, status: Int = 200, headers: [(String, String)] = []) -> ServeResponse {
        json(Array(value.serialized().utf8), status: status, headers: headers)
    }

    /// A plain-text (or other `contentType`) response.
    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8") -> ServeResponse {
        ServeResponse(status: status, headers: [("Content-Type", contentType)], body: .bytes(Array(text.utf8)))
    }

    /// A server-sent event stream. `produce` writes events through `emit` in a task that is
    /// cancelled when the client goes away (and with it the generation it reads from); an error
    /// it throws becomes one last event, `errorEvent(error)`, since the status line is already sent.
    static func eventStream(on executor: (any TaskExecutor)?, errorEvent: @escaping @Sendable (APIError) -> [UInt8],
                            _ produce: @escaping @Sendable (_ emit: @escaping @Sendable ([UInt8]) -> Void) async throws -> Void) -> ServeResponse {
        let body = AsyncThrowingStream<[UInt8], any Error> { continuation in
            let task = Task(executorPreference: executor) {
                do {
                    try await produce { continuation.yield($0) }
                } catch is CancellationError {
                } catch {
                    continuation.yield(errorEvent((error as? APIError) ?? APIError.internal("generation failed: \(error)")))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        return ServeResponse(status: 200, headers: [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")], body: .stream(body))
    }

    /// The body's bytes when it is not a stream (tests).
    public var bodyBytes: [UInt8]? { if case .bytes(let b) = body { return b } else { return nil } }
}

/// An error the API reports to the client, in OpenAI's shape
/// `{"error": {"message", "type", "param", "code"}}` with its HTTP status.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status.
    public var status: Int
    /// What went wrong, for a person.
    public var message: String
    /// OpenAI's error type (`invalid_request_error`, `rate_limit_error`, …).
    public var type: String
    /// The request field at fault (`messages[0].content`), when there is one.
    public var param: String?
    /// A machine-readable code (`model_not_found`, `context_length_exceeded`, …).
    public var code: String?
    /// Extra response headers (`Retry-After` on 429/503).
    public var headers: [String: String] = [:]

    public init(status: Int, message: String, type: String, param: String? = nil, code: String? = nil, headers: [String: String] = [:]) {
        self.status = status; self.message = message; self.type = type; self.param = param; self.code = code; self.headers = headers
    }

    /// "STATUS TYPE: MESSAGE".
    public var description: String { "\(status) \(type): \(message)" }

    /// 400: a malformed or invalid request; `param` names the field at fault.
    public static func invalid(_ message: String, param: String? = nil, code: String? = nil) -> APIError {
        APIError(status: 400, message: message, type: "invalid_request_error", param: param, code: code)
    }
    /// 401: no or a wrong API key.
    public static func unauthorized(_ message: String) -> APIError {
        APIError(status: 401, message: message, type: "authentication_error", code: "invalid_api_key")
    }
    /// 404: an unknown route or model.
    public static func notFound(_ message: String, param: String? = nil, code: String? = nil) -> APIError {
        APIError(status: 404, message: message, type: "not_found_error", param: param, code: code)
    }
    /// 405: a known path with another method.
    public static func methodNotAllowed(_ method: String, _ path: String, allowed: [String]) -> APIError {
        APIError(status: 405, message: "\(method) is not allowed on \(path) (use \(allowed.joined(separator: " or ")))",
                 type: "invalid_request_error", headers: ["Allow": allowed.joined(separator: ", ")])
    }
    /// 413: a body over the size limit.
    public static func tooLarge(limit: Int) -> APIError {
        APIError(status: 413, message: "request body is larger than the server's limit of \(limit) bytes", type: "invalid_request_error",
                 code: "request_too_large")
    }
    /// 415: a body type the route does not read.
    public static func unsupportedMediaType(_ type: String, expected: String) -> APIError {
        APIError(status: 415, message: "content type '\(type)' is not accepted here (expected \(expected))", type: "invalid_request_error")
    }
    /// 429: the queue is full; retry after the given seconds.
    public static func overloaded(queue: Int, retryAfter: Int) -> APIError {
        APIError(status: 429, message: "the server is busy: \(queue) requests are already waiting; retry in \(retryAfter) s",
                 type: "rate_limit_error", code: "queue_full", headers: ["Retry-After": "\(retryAfter)"])
    }
    /// 503: shutting down, or a capability the server was not started with.
    public static func unavailable(_ message: String, retryAfter: Int? = nil) -> APIError {
        APIError(status: 503, message: message, type: "service_unavailable", headers: retryAfter.map { ["Retry-After": "\($0)"] } ?? [:])
    }
    /// 500: a failure inside the server (the message never carries a stack trace).
    public static func `internal`(_ message: String) -> APIError {
        APIError(status: 500, message: message, type: "server_error")
    }
    /// 504: a request that ran past the server's time limit.
    public static func timeout(seconds: Double) -> APIError {
        APIError(status: 504, message: "the request ran past the server's limit of \(seconds) s", type: "timeout_error")
    }

    /// OpenAI's error object.
    public var json: JSON {
        .object([("error", .object([("message", .string(message)), ("type", .string(type)),
                                    ("param", param.map(JSON.string) ?? .null), ("code", code.map(JSON.string) ?? .null)]))])
    }

    /// Anthropic's error object (`{"type": "error", "error": {"type", "message"}}`).
    public var anthropicJSON: JSON {
        let kind: String
        switch status {
        case 401: kind = "authentication_error"
        case 404: kind = "not_found_error"
        case 413: kind = "request_too_large"
        case 429: kind = "rate_limit_error"
        case 503: kind = "overloaded_error"
        case 500...: kind = "api_error"
        default: kind = "invalid_request_error"
        }
        return .object([("type", .string("error")), ("error", .object([("type", .string(kind)), ("message", .string(message))]))])
    }

    /// The HTTP response for this error.
    public func response(anthropic: Bool = false) -> ServeResponse {
        .json(anthropic ? anthropicJSON : json, status: status, headers: headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }
}
