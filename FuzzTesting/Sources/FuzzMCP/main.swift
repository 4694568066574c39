// libFuzzer target: the MCP server's message handling (Agents.MCPLineBuffer, JSONRPCMessage,
// MCPServerSession) — the input is stdio traffic: it is cut into chunks (sizes from its first
// byte), split into lines by MCPLineBuffer with a 4 KiB limit, and every line is answered by one
// server session over a calculator and an echo tool (initialize, tools/list, tools/call, …).
// Every line that parses must survive a round trip through its JSON, and every reply must be
// JSON-RPC that parses again.
import APIClient
import Agents
import Foundation

func makeServer() -> MCPServer? {
    guard let echo = try? JSONTool(name: "echo", description: "Echo the text", parameters: [
        "type": "object", "properties": ["text": ["type": "string"]], "required": ["text"],
    ], { args in args["text"]?.stringValue ?? "" }) else { return nil }
    return try? MCPServer(tools: [BuiltinTools.calculator(), echo], policy: ToolPolicy(timeout: 5, maxResultCharacters: 4096))
}

let server = makeServer()

/// Answers `line` on `session`, waiting on this (non-pool) thread.
func answer(_ line: Data, _ session: MCPServerSession) -> Data? {
    final class Box: @unchecked Sendable { var reply: Data? }
    let box = Box(), done = DispatchSemaphore(value: 0)
    Task {
        box.reply = await session.respond(toBytes: line)
        done.signal()
    }
    done.wait()
    return box.reply
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let server else { fatalError("the fuzz server cannot be made") }
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let chunk = max(1, Int(bytes.first ?? 1))
    var buffer = MCPLineBuffer(limit: 4096)
    var events: [MCPLineBuffer.Event] = []
    var offset = 0
    while offset < bytes.count {
        let end = min(bytes.count, offset + chunk)
        events += buffer.feed(bytes[offset..<end])
        offset = end
    }
    events += buffer.finish()
    let session = server.session()
    for event in events {
        guard case .line(let line) = event else { continue }
        if line.count > 4096 { fatalError("MCPLineBuffer handed out a line over its limit") }
        if let message = try? JSONRPCMessage.parse(line) {
            guard let again = try? JSONRPCMessage.parse(message.data), again == message else {
                fatalError("a message does not survive its own JSON: \(message.json.serialized)")
            }
        }
        if let reply = answer(line, session) {
            guard (try? JSONRPCMessage.parse(reply)) != nil else {
                fatalError("a reply that is not JSON-RPC: \(String(decoding: reply, as: UTF8.self))")
            }
        }
    }
    return 0
}
