import Foundation

/// An error the server reported: its HTTP status and, when the body was in OpenAI's shape
/// `{"error": {"message", "type", "param", "code"}}` or Anthropic's
/// `{"type": "error", "error": {"type", "message"}}`, what it said.
public struct ServerErrorInfo: Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status (0 for an error event inside a stream that had already begun).
    public var status: Int
    public var type: String?
    public var message: String
    public var param: String?
    public var code: String?
    /// Seconds the server asked the client to wait (`retry-after-ms`, `Retry-After`).
    public var retryAfter: Double?

    public init(status: Int, type: String? = nil, message: String, param: String? = nil, code: String? = nil, retryAfter: Double? = nil) {
        self.status = status; self.type = type; self.message = message; self.param = param; self.code = code; self.retryAfter = retryAfter
    }

    public var description: String {
        var text = status > 0 ? "HTTP \(status)" : "stream error"
        if let type { text += " \(type)" }
        text += ": \(message)"
        if let param { text += " (param: \(param))" }
        if let code { text += " [\(code)]" }
        return text
    }

    /// Reads an error body in either family's shape; anything else keeps its first 300 bytes as the message.
    public static func decode(status: Int, body: Data, headers: [String: String] = [:]) -> ServerErrorInfo {
        let retry = RetryPolicy.retryAfter(headers: headers)
        guard let json = try? JSONValue.parse(body) else {
            let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return ServerErrorInfo(status: status, message: text.isEmpty ? "HTTP \(status) with an empty body" : text, retryAfter: retry)
        }
        return decode(status: status, json: json, retryAfter: retry)
    }

    /// Reads an error object (`{"error": …}` in either shape, or a bare `{"message": …}`).
    public static func decode(status: Int, json: JSONValue, retryAfter: Double? = nil) -> ServerErrorInfo {
        let inner = json["error"] ?? json
        if let message = inner.stringValue {
            return ServerErrorInfo(status: status, message: message, retryAfter: retryAfter)
        }
        func text(_ v: JSONValue?) -> String? {
            switch v {
            case .string(let s)?: return s
            case .number?: return v?.intValue.map(String.init) ?? v?.doubleValue.map { "\($0)" }
            default: return nil
            }
        }
        return ServerErrorInfo(status: status, type: text(inner["type"]),
                               message: text(inner["message"]) ?? json.serialized,
                               param: text(inner["param"]), code: text(inner["code"]), retryAfter: retryAfter)
    }
}

/// Everything a client call can fail with. A bad response body is a `malformedResponse`, never a crash.
public enum APIClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A non-2xx response, or an error event in a stream.
    case server(ServerErrorInfo)
    /// The connection failed (DNS, refused, reset, TLS…).
    case transport(String)
    /// No complete answer within the per-request timeout.
    case timedOut(seconds: Double)
    /// The calling task was cancelled.
    case cancelled
    /// The body could not be read as the API's response.
    case malformedResponse(String)
    /// The request cannot be sent as asked (a bad URL, an option this API lacks).
    case invalidRequest(String)

    /// The HTTP status of a server error.
    public var status: Int? { if case .server(let e) = self { return e.status } else { return nil } }

    public var description: String {
        switch self {
        case .server(let e): return e.description
        case .transport(let m): return "transport error: \(m)"
        case .timedOut(let s): return "no answer within \(s) s"
        case .cancelled: return "cancelled"
        case .malformedResponse(let m): return "malformed response: \(m)"
        case .invalidRequest(let m): return "invalid request: \(m)"
        }
    }
}
