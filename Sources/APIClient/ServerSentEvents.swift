import Foundation

/// One server-sent event: its `event:` name (nil when absent) and its `data:` lines joined by "\n".
public struct ServerSentEvent: Sendable, Equatable {
    public var event: String?
    public var data: String
    public var id: String?

    public init(event: String? = nil, data: String, id: String? = nil) { self.event = event; self.data = data; self.id = id }
}

/// An incremental `text/event-stream` parser: feed it bytes as they arrive, in chunks of any
/// size, and it hands back the events completed so far. Bytes are kept until their line ends,
/// so a chunk boundary inside a line or inside a UTF-8 character changes nothing (a line break
/// byte never occurs inside a multi-byte character).
public struct ServerSentEventParser: Sendable {
    private var pending: [UInt8] = []
    private var event: String?
    private var data: [String] = []
    private var id: String?
    private var hasData = false

    public init() {}

    /// Adds bytes; returns the events they complete.
    public mutating func feed<C: Collection>(_ bytes: C) -> [ServerSentEvent] where C.Element == UInt8 {
        pending.append(contentsOf: bytes)
        var out: [ServerSentEvent] = []
        var start = 0
        var i = 0
        while i < pending.count {
            let b = pending[i]
            if b == 0x0A || b == 0x0D {
                // "\r\n" counts as one break; a lone "\r" at the end waits for the next byte.
                if b == 0x0D && i + 1 == pending.count { break }
                let line = String(decoding: pending[start..<i], as: UTF8.self)
                if let e = process(line) { out.append(e) }
                if b == 0x0D && pending[i + 1] == 0x0A { i += 1 }
                start = i + 1
            }
            i += 1
        }
        pending.removeFirst(start)
        return out
    }

    /// Ends the stream: an event whose blank line never came is still handed back.
    public mutating func finish() -> [ServerSentEvent] {
        var out: [ServerSentEvent] = []
        if !pending.isEmpty {
            let line = String(decoding: pending, as: UTF8.self)
            pending = []
            if let e = process(line) { out.append(e) }
        }
        if let e = process("") { out.append(e) }
        return out
    }

    private mutating func process(_ line: String) -> ServerSentEvent? {
        if line.isEmpty {
            defer { event = nil; data = []; hasData = false }
            guard hasData else { return nil }
            return ServerSentEvent(event: event, data: data.joined(separator: "\n"), id: id)
        }
        if line.hasPrefix(":") { return nil }
        let field: Substring, value: Substring
        if let colon = line.firstIndex(of: ":") {
            field = line[..<colon]
            var v = line[line.index(after: colon)...]
            if v.hasPrefix(" ") { v = v.dropFirst() }
            value = v
        } else {
            field = Substring(line); value = ""
        }
        switch field {
        case "event": event = String(value)
        case "data": data.append(String(value)); hasData = true
        case "id": id = String(value)
        default: break
        }
        return nil
    }
}
