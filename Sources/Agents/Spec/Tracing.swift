import APIClient
import Foundation

/// A chat model wrapper that counts calls, tokens and seconds, and writes each call to a trace.
public final class MeteredChatModel: ChatModel, @unchecked Sendable {
    public let base: any ChatModel
    public var name: String { base.name }
    private let lock = NSLock()
    private var _calls = 0
    private var _usage = TokenUsage()
    private var _seconds = 0.0
    let trace: TraceWriter?

    public init(_ base: any ChatModel, trace: TraceWriter? = nil) { self.base = base; self.trace = trace }

    public var calls: Int { lock.withLock { _calls } }
    public var usage: TokenUsage { lock.withLock { _usage } }
    public var seconds: Double { lock.withLock { _seconds } }

    public func respond(to messages: [AgentMessage], tools: [APITool], options: ChatOptions,
                        onText: @escaping @Sendable (String) -> Void) async throws -> ChatResponse {
        let t0 = Date()
        let reply = try await base.respond(to: messages, tools: tools, options: options, onText: onText)
        let dt = Date().timeIntervalSince(t0)
        let index: Int = lock.withLock {
            _calls += 1; _usage = _usage + reply.usage; _seconds += dt
            return _calls
        }
        trace?.write(["type": "model_call", "index": .number(Double(index)), "model": .string(base.name),
                      "prompt_messages": .number(Double(messages.count)), "tools": .number(Double(tools.count)),
                      "reply": reply.message.json, "finish_reason": reply.finishReason.map { .string($0) } ?? .null,
                      "usage": ["input": .number(Double(reply.usage.inputTokens)), "output": .number(Double(reply.usage.outputTokens))],
                      "seconds": .number(dt)])
        return reply
    }
}

/// Writes a run's trace as JSON Lines: the run, each model call (with its reply, tokens and
/// seconds), each node's update, interrupts, checkpoints, and a closing summary. Lines are
/// flushed as written, so a crashed run leaves its trace up to the crash.
public final class TraceWriter: @unchecked Sendable {
    public let url: URL
    private let handle: FileHandle
    private let lock = NSLock()
    private let start = Date()

    /// Creates (or truncates) the trace file.
    public init(url: URL) throws {
        self.url = url
        guard FileManager.default.createFile(atPath: url.path, contents: nil), let h = FileHandle(forWritingAtPath: url.path) else {
            throw AgentError.invalidFile(path: url.path, reason: "cannot be written")
        }
        handle = h
    }

    deinit { try? handle.close() }

    public func write(_ record: [String: JSONValue]) {
        var r = record
        r["t"] = .number((Date().timeIntervalSince(start) * 1000).rounded() / 1000)
        let line = JSONValue.object(r).serialized + "\n"
        lock.withLock { try? handle.write(contentsOf: Data(line.utf8)) }
    }

    /// Records a graph event (tokens are left out: the model call carries the whole reply).
    public func record(_ event: GraphEvent) {
        switch event {
        case .update(let node, let update): write(["type": "update", "node": .string(node), "update": .object(update)])
        case .interrupt(let node, let value): write(["type": "interrupt", "node": .string(node), "value": value])
        case .checkpoint(let step, let id): write(["type": "checkpoint", "step": .number(Double(step)), "id": .string(id)])
        case .custom(let node, let value): write(["type": "custom", "node": .string(node), "value": value])
        case .values, .token: break
        }
    }

    /// The model replies recorded in a trace, in order: a ``ScriptedChatModel`` that replays the run.
    public static func replayModel(_ url: URL) throws -> ScriptedChatModel {
        try checkFileSize(url, limit: 256 << 20)
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw AgentError.invalidFile(path: url.path, reason: "cannot be read (\(error.localizedDescription))")
        }
        var turns: [AgentMessage] = []
        for (i, line) in text.split(separator: "\n").enumerated() {
            guard let record = try? JSONValue.parse(String(line)) else {
                throw AgentError.invalidFile(path: url.path, reason: "line \(i + 1) is not JSON")
            }
            guard record["type"] == "model_call" else { continue }
            guard let reply = record["reply"], let message = try? reply.decode(AgentMessage.self) else {
                throw AgentError.invalidFile(path: url.path, reason: "line \(i + 1): a model call without a valid reply")
            }
            turns.append(message)
        }
        return ScriptedChatModel(turns: turns, name: "replay(\(url.lastPathComponent))")
    }
}
