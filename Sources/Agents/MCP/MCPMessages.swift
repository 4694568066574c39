import APIClient
import Foundation

/// Constants of the Model Context Protocol as this module speaks it.
public enum MCPProtocol {
    /// The revision offered first and answered when a client asks for one we do not know.
    public static let latestVersion = "2025-11-25"
    /// Every revision accepted in the `initialize` negotiation, newest first.
    public static let supportedVersions = ["2025-11-25", "2025-06-18", "2025-03-26"]
    /// The largest message read (a stdio line, an HTTP body, one server-sent event): 16 MiB.
    /// Longer ones are refused without being kept in memory.
    public static let maxMessageBytes = 16 << 20
}

/// A JSON-RPC request id: MCP allows strings and integers.
public enum JSONRPCID: Sendable, Hashable, CustomStringConvertible {
    case number(Int)
    case string(String)

    /// The id of a JSON value; nil for anything that is not a string or an integer (below 2^53).
    public init?(_ json: JSONValue) {
        switch json {
        case .string(let s): self = .string(s)
        case .number: guard let n = json.intValue else { return nil }; self = .number(n)
        default: return nil
        }
    }

    /// The id as JSON.
    public var json: JSONValue {
        switch self {
        case .number(let n): return .number(Double(n))
        case .string(let s): return .string(s)
        }
    }

    public var description: String { json.serialized }
}

/// A JSON-RPC error object (`{"code", "message", "data"?}`), with the standard codes.
public struct JSONRPCError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code; self.message = message; self.data = data
    }

    /// -32700: the text is not JSON.
    public static let parseErrorCode = -32700
    /// -32600: JSON that is not a valid request (or one the session cannot take now).
    public static let invalidRequestCode = -32600
    /// -32601: a method the server does not have.
    public static let methodNotFoundCode = -32601
    /// -32602: parameters of the wrong shape, or an unknown tool.
    public static let invalidParamsCode = -32602
    /// -32603: a failure inside the server.
    public static let internalErrorCode = -32603

    public static func parseError(_ message: String) -> JSONRPCError { JSONRPCError(code: parseErrorCode, message: message) }
    public static func invalidRequest(_ message: String) -> JSONRPCError { JSONRPCError(code: invalidRequestCode, message: message) }
    public static func methodNotFound(_ method: String) -> JSONRPCError {
        JSONRPCError(code: methodNotFoundCode, message: "Method not found: \(method.prefix(200))")
    }
    public static func invalidParams(_ message: String) -> JSONRPCError { JSONRPCError(code: invalidParamsCode, message: message) }

    /// The error object as JSON.
    public var json: JSONValue {
        var o: [String: JSONValue] = ["code": .number(Double(code)), "message": .string(message)]
        if let data { o["data"] = data }
        return .object(o)
    }

    public var description: String { "\(code): \(message)" }
}

/// A message that cannot be read as JSON-RPC, and the id to answer it with when it had one.
public struct JSONRPCFailure: Error, Sendable, Equatable {
    public var id: JSONRPCID?
    public var error: JSONRPCError

    /// The error response to send back (`"id": null` when the id could not be read).
    public var response: JSONRPCMessage { .failure(id: id, error) }
}

/// One JSON-RPC 2.0 message: a request, a notification, a result or an error.
public enum JSONRPCMessage: Sendable, Equatable {
    case request(id: JSONRPCID, method: String, params: JSONValue?)
    case notification(method: String, params: JSONValue?)
    case result(id: JSONRPCID, JSONValue)
    /// An error response; its id is nil when the message it answers could not be read.
    case failure(id: JSONRPCID?, JSONRPCError)

    /// Reads one message (a stdio line, an HTTP body).
    /// - Throws: ``JSONRPCFailure`` with -32700 for text that is not JSON (or is larger than
    ///   ``MCPProtocol/maxMessageBytes``), -32600 for JSON that is not a JSON-RPC 2.0 message
    ///   (batches included: MCP dropped them in 2025-06-18).
    public static func parse(_ data: Data) throws(JSONRPCFailure) -> JSONRPCMessage {
        guard data.count <= MCPProtocol.maxMessageBytes else {
            throw JSONRPCFailure(id: nil, error: .invalidRequest("the message has \(data.count) bytes; the limit is \(MCPProtocol.maxMessageBytes)"))
        }
        let json: JSONValue
        do { json = try JSONValue.parse(data) } catch {
            throw JSONRPCFailure(id: nil, error: .parseError("Parse error: the message is not JSON"))
        }
        return try parse(json)
    }

    /// Reads one message from JSON already parsed (throws as ``parse(_:)-(Data)``).
    public static func parse(_ json: JSONValue) throws(JSONRPCFailure) -> JSONRPCMessage {
        guard case .object(let o) = json else {
            let what = json.arrayValue != nil ? "a batch (an array); MCP takes one message at a time" : "not a JSON object"
            throw JSONRPCFailure(id: nil, error: .invalidRequest("Invalid request: \(what)"))
        }
        // An id that is present but unusable is reported with a null id.
        var id: JSONRPCID?
        if let raw = o["id"], raw != .null {
            guard let parsed = JSONRPCID(raw) else {
                throw JSONRPCFailure(id: nil, error: .invalidRequest("Invalid request: the id must be a string or an integer"))
            }
            id = parsed
        }
        guard o["jsonrpc"] == .string("2.0") else {
            throw JSONRPCFailure(id: id, error: .invalidRequest("Invalid request: \"jsonrpc\" must be \"2.0\""))
        }
        if let m = o["method"] {
            guard case .string(let method) = m, !method.isEmpty else {
                throw JSONRPCFailure(id: id, error: .invalidRequest("Invalid request: \"method\" must be a non-empty string"))
            }
            let params = o["params"] == .null ? nil : o["params"]
            if let params, params.objectValue == nil {
                throw JSONRPCFailure(id: id, error: .invalidParams("Invalid params: \"params\" must be an object"))
            }
            if let id { return .request(id: id, method: method, params: params) }
            if o["id"] == .null {
                throw JSONRPCFailure(id: nil, error: .invalidRequest("Invalid request: a request's id cannot be null"))
            }
            return .notification(method: method, params: params)
        }
        if let result = o["result"] {
            guard let id else { throw JSONRPCFailure(id: nil, error: .invalidRequest("Invalid response: a result needs an id")) }
            return .result(id: id, result)
        }
        if let e = o["error"] {
            guard let code = e["code"]?.intValue, let message = e["message"]?.stringValue else {
                throw JSONRPCFailure(id: id, error: .invalidRequest("Invalid response: \"error\" needs an integer code and a message"))
            }
            return .failure(id: id, JSONRPCError(code: code, message: message, data: e["data"]))
        }
        throw JSONRPCFailure(id: id, error: .invalidRequest("Invalid request: no \"method\", \"result\" or \"error\""))
    }

    /// The message as JSON.
    public var json: JSONValue {
        switch self {
        case .request(let id, let method, let params):
            var o: [String: JSONValue] = ["jsonrpc": "2.0", "id": id.json, "method": .string(method)]
            if let params { o["params"] = params }
            return .object(o)
        case .notification(let method, let params):
            var o: [String: JSONValue] = ["jsonrpc": "2.0", "method": .string(method)]
            if let params { o["params"] = params }
            return .object(o)
        case .result(let id, let result):
            return ["jsonrpc": "2.0", "id": id.json, "result": result]
        case .failure(let id, let error):
            return ["jsonrpc": "2.0", "id": id?.json ?? .null, "error": error.json]
        }
    }

    /// The compact JSON bytes, without a line break.
    public var data: Data { json.data }
}

/// Splits a byte stream into newline-delimited messages (stdio framing), never holding more than
/// `limit` bytes of one line: a longer line is reported once as ``Event/tooLong(_:)`` and its
/// bytes are dropped up to the next newline. A trailing `\r` is removed; blank lines are skipped.
public struct MCPLineBuffer: Sendable {
    /// What the buffer hands out.
    public enum Event: Sendable, Equatable {
        /// One complete line, without its line break.
        case line(Data)
        /// A line longer than the limit (its length so far, in bytes); it is skipped.
        case tooLong(Int)
    }

    /// The longest line kept, in bytes.
    public let limit: Int
    private var pending: [UInt8] = []
    /// Bytes of `pending` already searched for a newline.
    private var scanned = 0
    /// Bytes of an oversized line dropped so far (nil when not skipping one).
    private var skipping: Int?

    public init(limit: Int = MCPProtocol.maxMessageBytes) {
        self.limit = max(1, limit)
    }

    /// Adds bytes and returns the events they complete.
    public mutating func feed<C: Collection>(_ bytes: C) -> [Event] where C.Element == UInt8 {
        var out: [Event] = []
        var rest = bytes[...]
        while !rest.isEmpty {
            if let dropped = skipping {
                guard let nl = rest.firstIndex(of: 0x0A) else {
                    skipping = dropped + rest.count
                    return out
                }
                skipping = nil
                rest = rest[rest.index(after: nl)...]
                continue
            }
            pending.append(contentsOf: rest)
            rest = rest[rest.endIndex...]
            while let nl = pending[scanned...].firstIndex(of: 0x0A) {
                var line = pending[..<nl]
                if line.last == 0x0D { line = line.dropLast() }
                if line.count > limit {
                    out.append(.tooLong(line.count))
                } else if line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) {
                    out.append(.line(Data(line)))
                }
                pending.removeSubrange(...nl)
                scanned = 0
            }
            scanned = pending.count
            if pending.count > limit {
                out.append(.tooLong(pending.count))
                skipping = pending.count
                pending = []
                scanned = 0
            }
        }
        return out
    }

    /// Ends the stream: a last line without a line break is handed out (or reported too long).
    public mutating func finish() -> [Event] {
        defer { pending = []; scanned = 0; skipping = nil }
        if skipping != nil || pending.isEmpty { return [] }
        return feed([0x0A])
    }
}
