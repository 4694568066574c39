import APIClient
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads newline-delimited messages from a file descriptor, one `read` at a time on a queue of
/// its own (a blocking read never holds a thread of the cooperative pool), so a reader that is
/// not asked for the next line reads nothing more: at most one 64 KiB chunk plus one line in
/// memory, and a line over the limit is dropped as it arrives (``MCPLineBuffer``).
final class FileDescriptorLineReader: @unchecked Sendable {
    // Safety: `buffer`, `ready` and `ended` are touched only on `queue`, which is serial.
    private let fd: Int32
    private let queue: DispatchQueue
    private var buffer: MCPLineBuffer
    private var ready: [MCPLineBuffer.Event] = []
    private var ended = false

    init(fd: Int32, limit: Int = MCPProtocol.maxMessageBytes, label: String) {
        self.fd = fd
        buffer = MCPLineBuffer(limit: limit)
        queue = DispatchQueue(label: label)
    }

    /// The next line (or oversized line), or nil once the input has ended or failed.
    func next() async -> MCPLineBuffer.Event? {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.nextBlocking()) }
        }
    }

    private func nextBlocking() -> MCPLineBuffer.Event? {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while ready.isEmpty && !ended {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                ended = true
                ready += buffer.finish()
            } else {
                ready += buffer.feed(chunk[..<n])
            }
        }
        return ready.isEmpty ? nil : ready.removeFirst()
    }
}

/// Writes lines to a file handle, one whole message at a time (callers on several tasks never
/// interleave). A write to a closed pipe fails instead of killing the process (SIGPIPE is ignored).
final class LineWriter: @unchecked Sendable {
    // Safety: `handle` is written only under `lock`; `broken` is guarded by it too.
    private let handle: FileHandle
    private let lock = NSLock()
    private var broken = false

    init(_ handle: FileHandle) {
        self.handle = handle
        ignoreSIGPIPE()
    }

    /// Writes `data` and a newline; false when the other end is gone.
    @discardableResult
    func write(_ data: Data) -> Bool {
        var line = data
        line.append(0x0A)
        return lock.withLock {
            guard !broken else { return false }
            do { try handle.write(contentsOf: line) } catch { broken = true }
            return !broken
        }
    }
}

/// A write to a pipe whose reader has gone must fail with EPIPE, not end the process.
func ignoreSIGPIPE() {
    signal(SIGPIPE, SIG_IGN)
}

// MARK: - Server

/// Serves an ``MCPServer`` over standard input and output: one JSON-RPC message per line
/// (UTF-8, no embedded newlines), as MCP clients expect when they launch a server. Requests are
/// answered concurrently (up to ``maxConcurrentRequests``; until `initialize` is done, one at
/// a time and in order); a line
/// that is not JSON gets a -32700 error, one longer than ``MCPProtocol/maxMessageBytes`` a
/// -32600 error (its bytes are skipped, never stored), and serving goes on. It returns when the
/// input ends, after the answers still being computed are written.
///
/// Nothing else may write to standard output while it runs: log to standard error.
public struct MCPStdioServer: Sendable {
    /// The tools and their session handling.
    public let server: MCPServer
    /// Most requests answered at once; further lines wait to be read.
    public var maxConcurrentRequests = 16
    /// The longest line read, in bytes.
    public var maxLineBytes = MCPProtocol.maxMessageBytes
    private let input: FileHandle
    private let output: FileHandle

    /// Serves on `input` and `output` (standard input and output by default).
    public init(server: MCPServer, input: FileHandle = .standardInput, output: FileHandle = .standardOutput) {
        self.server = server; self.input = input; self.output = output
    }

    /// Serves until the input ends.
    public func run() async {
        let session = server.session()
        let reader = FileDescriptorLineReader(fd: input.fileDescriptor, limit: maxLineBytes, label: "swiftlearn.mcp.stdin")
        let writer = LineWriter(output)
        let limit = max(1, maxConcurrentRequests), maxLine = maxLineBytes
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            while let event = await reader.next() {
                let message: JSONRPCMessage
                switch event {
                case .tooLong(let n):
                    let error = JSONRPCError.invalidRequest("Invalid request: a line of more than \(n) bytes; the limit is \(maxLine)")
                    writer.write(JSONRPCMessage.failure(id: nil, error).data)
                    continue
                case .line(let data):
                    do throws(JSONRPCFailure) { message = try JSONRPCMessage.parse(data) } catch {
                        writer.write(error.response.data)
                        continue
                    }
                }
                guard case .request(_, let method, _) = message, method != "initialize", session.protocolVersion != nil else {
                    // Notifications, replies, `initialize` and whatever comes before it: in
                    // order, before the next line.
                    if let reply = await session.respond(to: message) { writer.write(reply.data) }
                    continue
                }
                if running >= limit {
                    _ = await group.next()
                    running -= 1
                }
                running += 1
                group.addTask {
                    if let reply = await session.respond(to: message) { writer.write(reply.data) }
                }
            }
        }
    }
}

// MARK: - Client transport

/// The stdio transport of an MCP client: launches the server as a subprocess (arguments,
/// environment, working directory), writes requests to its standard input and reads replies
/// from its standard output, one message per line. Replies are matched to requests by id, so
/// requests may run concurrently; the server's own `ping` requests are answered.
///
/// Failures are ``AgentError/mcpTransport(_:)``: a command that cannot start, a process that
/// exits (with the end of its standard error in the message), a line of more than
/// ``MCPProtocol/maxMessageBytes`` (the process is then stopped). Lines that are not JSON-RPC
/// are skipped, and named in the error of a request that then times out.
///
/// ``close()`` closes the server's input, waits `stopGrace` seconds for it to exit, then sends
/// SIGTERM and, after as long again, SIGKILL — to the server's process group, so what it started
/// goes too. A transport released without `close()` kills its process group. SIGPIPE is
/// ignored in this process from the first transport on, so writing to a server that has exited
/// is an error, not the end of the process.
public final class MCPStdioTransport: MCPTransport, @unchecked Sendable {
    // Safety: `pending`, `failure`, `noise` and `stderrTail` are guarded by `lock`; `process`
    // and the pipes are set in init and not reassigned.
    /// The executable and its arguments.
    public let executable: URL
    public let arguments: [String]
    /// Seconds `close()` waits after closing the input, and again after SIGTERM (set it before
    /// calling `close()`).
    public var stopGrace: Double = 2
    private let process = Process()
    private let stdinPipe: Pipe, stdoutPipe = Pipe(), stderrPipe = Pipe()
    private let writer: LineWriter
    private let writeQueue = DispatchQueue(label: "swiftlearn.mcp.client.write")
    private let lock = NSLock()
    private var pending: [JSONRPCID: CheckedContinuation<JSONRPCMessage, any Error>] = [:]
    private var failure: AgentError?
    private var noise: String?
    private var stderrTail: [UInt8] = []
    private var stderrEnded = false
    private let forwardStderr: Bool

    /// Launches `command` (a path, or a name looked up on the `PATH` of the environment it gets).
    /// - Parameters:
    ///   - environment: variables set over the inherited environment.
    ///   - forwardStderr: copy the server's standard error to ours (it is always kept, the last
    ///     8 KiB, for error messages).
    /// - Throws: ``AgentError/mcpTransport(_:)`` when the command is not found or cannot start.
    public init(command: String, arguments: [String] = [], environment: [String: String] = [:],
                currentDirectory: URL? = nil, forwardStderr: Bool = false) throws {
        let env = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        guard let url = Self.locate(command, path: env["PATH"] ?? "/usr/bin:/bin") else {
            throw AgentError.mcpTransport("cannot find the server command '\(command)'\(command.contains("/") ? "" : " on PATH")")
        }
        executable = url
        self.arguments = arguments
        self.forwardStderr = forwardStderr
        let input = Pipe()
        stdinPipe = input
        writer = LineWriter(input.fileHandleForWriting)
        process.executableURL = url
        process.arguments = arguments
        process.environment = env
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        do { try Self.start(process) } catch {
            throw AgentError.mcpTransport("cannot start \(url.path): \(error.localizedDescription)")
        }
        // The child has its copies; ours would keep its input open and hide its exit.
        try? stdinPipe.fileHandleForReading.close()
        try? stdoutPipe.fileHandleForWriting.close()
        try? stderrPipe.fileHandleForWriting.close()
        startReading()
    }

    deinit {
        if process.isRunning { signalGroup(SIGKILL) }
    }

    /// The process id of the server.
    public var processIdentifier: Int32 { process.processIdentifier }
    /// Whether the server process is still running.
    public var isRunning: Bool { process.isRunning }

    /// Starts `process` from a thread of its own whose signal mask is empty. A child inherits the
    /// signal mask of the thread that spawns it, and the threads of the concurrency pool block
    /// most signals: a server started from one would ignore SIGTERM and Ctrl-C for good.
    static func start(_ process: Process) throws {
        final class Outcome: @unchecked Sendable {
            // Safety: written by the spawning thread before `done` is signalled, read after.
            var error: (any Error)?
            let done = DispatchSemaphore(value: 0)
        }
        let outcome = Outcome()
        let thread = Thread {
            var empty = sigset_t()
            sigemptyset(&empty)
            pthread_sigmask(SIG_SETMASK, &empty, nil)
            do { try process.run() } catch { outcome.error = error }
            outcome.done.signal()
        }
        thread.start()
        outcome.done.wait()
        if let error = outcome.error { throw error }
    }

    /// `command` itself when it names a path, else the first executable of that name on `path`.
    static func locate(_ command: String, path: String) -> URL? {
        guard !command.isEmpty else { return nil }
        if command.contains("/") {
            return FileManager.default.isExecutableFile(atPath: command) ? URL(fileURLWithPath: command) : nil
        }
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent(command)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    private func startReading() {
        let reader = FileDescriptorLineReader(fd: stdoutPipe.fileHandleForReading.fileDescriptor, label: "swiftlearn.mcp.client.stdout")
        // Weak: a transport nobody holds is released (its deinit kills the process, which ends the loop).
        Task(executorPreference: AgentThreads.shared) { [weak self] in
            while let event = await reader.next() {
                guard let self else { return }
                self.receive(event)
            }
            await self?.outputEnded()
        }
        let stderrFD = stderrPipe.fileHandleForReading.fileDescriptor
        let forward = forwardStderr
        DispatchQueue(label: "swiftlearn.mcp.client.stderr").async { [weak self] in
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(stderrFD, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard let self else { return }
                guard n > 0 else { return self.lock.withLock { self.stderrEnded = true } }
                if forward { FileHandle.standardError.write(Data(chunk[..<n])) }
                self.lock.withLock {
                    self.stderrTail.append(contentsOf: chunk[..<n])
                    if self.stderrTail.count > 8192 { self.stderrTail.removeFirst(self.stderrTail.count - 8192) }
                }
            }
        }
    }

    private func receive(_ event: MCPLineBuffer.Event) {
        switch event {
        case .tooLong(let n):
            fail(.mcpTransport("the server sent a message of more than \(n) bytes; the limit is \(MCPProtocol.maxMessageBytes)"))
            stopNow()
        case .line(let data):
            let message: JSONRPCMessage
            do { message = try JSONRPCMessage.parse(data) } catch {
                let preview = String(decoding: data.prefix(200), as: UTF8.self)
                lock.withLock { noise = "the server wrote a line that is not JSON-RPC (\(error.error.message)): \(preview)" }
                return
            }
            switch message {
            case .result(let id, _), .failure(.some(let id), _):
                let c = lock.withLock { pending.removeValue(forKey: id) }
                c?.resume(returning: message)
            case .failure(.none, let e):
                lock.withLock { noise = "the server could not read a message: \(e.message)" }
            case .request(let id, let method, _):
                let reply: JSONRPCMessage = method == "ping" ? .result(id: id, [:]) : .failure(id: id, .methodNotFound(method))
                send(reply.data)
            case .notification:
                break
            }
        }
    }

    /// The server's output ended: the process exited (or closed it).
    private func outputEnded() async {
        _ = await waitForExit(1)
        // The last words on standard error may still be in the pipe.
        let deadline = Date().addingTimeInterval(1)
        while !lock.withLock({ stderrEnded }) && Date() < deadline { try? await Task.sleep(nanoseconds: 5_000_000) }
        let status = process.isRunning ? "still running" : "exit status \(process.terminationStatus)"
        fail(.mcpTransport("the server process ended its output (\(status))\(stderrSummary())"))
    }

    private func stderrSummary() -> String {
        let tail = lock.withLock { String(decoding: stderrTail, as: UTF8.self) }
        let lines = tail.split(whereSeparator: \.isNewline).suffix(8)
        return lines.isEmpty ? "" : "; its standard error ends with:\n" + lines.joined(separator: "\n")
    }

    /// Marks the transport failed (the first reason stays) and fails every pending request.
    private func fail(_ error: AgentError) {
        let (waiting, reason) = lock.withLock { () -> ([CheckedContinuation<JSONRPCMessage, any Error>], AgentError) in
            let reason = failure ?? error
            failure = reason
            defer { pending = [:] }
            return (Array(pending.values), reason)
        }
        for c in waiting { c.resume(throwing: reason) }
    }

    private func send(_ data: Data) {
        let writer = self.writer
        writeQueue.async { [weak self] in
            if !writer.write(data) { self?.fail(.mcpTransport("the server process closed its input\(self?.stderrSummary() ?? "")")) }
        }
    }

    public func request(_ request: JSONRPCMessage) async throws -> JSONRPCMessage {
        guard case .request(let id, _, _) = request else { throw AgentError.mcpProtocol("request(_:) takes a request, not \(request.json.serialized.prefix(100))") }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JSONRPCMessage, any Error>) in
                let refused = lock.withLock { () -> AgentError? in
                    if let failure { return failure }
                    pending[id] = continuation
                    return nil
                }
                if let refused { return continuation.resume(throwing: refused) }
                if Task.isCancelled, let c = lock.withLock({ pending.removeValue(forKey: id) }) {
                    return c.resume(throwing: CancellationError())
                }
                send(request.data)
            }
        } onCancel: {
            lock.withLock { pending.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    public func notify(_ notification: JSONRPCMessage) async throws {
        if let failure = lock.withLock({ failure }) { throw failure }
        send(notification.data)
    }

    /// What went wrong with the last line that was not JSON-RPC (for error messages).
    public var lastNoise: String? { lock.withLock { noise } }

    public func close() async {
        fail(.mcpTransport("the client is closed"))
        writeQueue.async { [stdinPipe] in try? stdinPipe.fileHandleForWriting.close() }
        if await !waitForExit(stopGrace) {
            signalGroup(SIGTERM)
            if await !waitForExit(stopGrace) {
                signalGroup(SIGKILL)
                _ = await waitForExit(stopGrace)
            }
        }
        // What the server started and left behind (its process group) goes too.
        signalGroup(SIGKILL)
    }

    private func stopNow() {
        if process.isRunning { signalGroup(SIGKILL) }
    }

    /// Sends `signal` to the server's process group (Foundation starts the process as the leader
    /// of a group of its own, so this reaches what it started too).
    private func signalGroup(_ signal: Int32) {
        let pid = process.processIdentifier
        guard pid > 0 else { return }
        if kill(-pid, signal) != 0 && process.isRunning { kill(pid, signal) }
    }

    private func waitForExit(_ seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { try? await Task.sleep(nanoseconds: 10_000_000) }
        return !process.isRunning
    }
}
