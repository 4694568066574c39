import APIClient
import Foundation
import LLM

/// How tools are run.
public struct ToolPolicy: Sendable {
    /// Seconds a call may take (nil: no limit).
    public var timeout: Double?
    /// Further attempts after a call fails (argument errors and unknown tools are never retried).
    public var retries: Int
    /// Seconds before a retry (doubled each time).
    public var retryDelay: Double
    /// Calls of one model turn run concurrently.
    public var parallel: Bool
    /// Longest result kept (characters); longer ones are cut with a note.
    public var maxResultCharacters: Int

    public init(timeout: Double? = 30, retries: Int = 0, retryDelay: Double = 0.2, parallel: Bool = true, maxResultCharacters: Int = 8000) {
        self.timeout = timeout; self.retries = retries; self.retryDelay = retryDelay; self.parallel = parallel
        self.maxResultCharacters = maxResultCharacters
    }
}

/// One call's outcome: the text for the model, and whether it is an error.
public struct ToolResult: Sendable, Equatable, Codable {
    public var callID: String
    public var name: String
    public var arguments: JSONValue
    public var content: String
    public var isError: Bool
    public var attempts: Int
    public var seconds: Double

    /// The tool message that answers the call.
    public var message: AgentMessage { .tool(content, callID: callID, name: name) }
}

/// Runs a model's tool calls: finds each tool, checks the arguments against its schema (the
/// error goes back to the model so it can correct itself), applies the time limit and retries,
/// and runs the calls of one turn concurrently.
public struct ToolExecutor: Sendable {
    public let tools: [String: any AgentTool]
    public let order: [String]
    public var policy: ToolPolicy
    private let validators: [String: JSONSchemaValidator]

    /// - Throws: ``AgentError/invalidParameter(name:value:reason:)`` for two tools with one name
    ///   or a schema the validator cannot read.
    public init(_ tools: [any AgentTool], policy: ToolPolicy = ToolPolicy()) throws {
        var byName: [String: any AgentTool] = [:]
        var validators: [String: JSONSchemaValidator] = [:]
        for t in tools {
            try check(byName[t.name] == nil, "tools", t.name, "two tools have this name")
            byName[t.name] = t
            do { validators[t.name] = try JSONSchemaValidator(schema: t.parameters.serialized) } catch {
                throw AgentError.invalidParameter(name: "tool schema", value: t.name, reason: "\(error)")
            }
        }
        self.tools = byName
        order = tools.map(\.name)
        self.policy = policy
        self.validators = validators
    }

    /// The tools as the chat APIs describe them, in the order given.
    public var apiTools: [APITool] { order.compactMap { tools[$0]?.apiTool } }

    /// Runs the calls (concurrently when the policy says so) and returns results in call order.
    public func run(_ calls: [AgentToolCall]) async -> [ToolResult] {
        if !policy.parallel || calls.count < 2 {
            var out: [ToolResult] = []
            for c in calls { out.append(await run(c)) }
            return out
        }
        return await withTaskGroup(of: (Int, ToolResult).self) { group in
            for (i, c) in calls.enumerated() { group.addTask { (i, await self.run(c)) } }
            var results = [ToolResult?](repeating: nil, count: calls.count)
            for await (i, r) in group { results[i] = r }
            return results.compactMap { $0 }
        }
    }

    /// Runs one call; failures become error results (text for the model), never throws.
    public func run(_ call: AgentToolCall) async -> ToolResult {
        let start = Date()
        func result(_ text: String, error: Bool, attempts: Int) -> ToolResult {
            var content = text
            if content.count > policy.maxResultCharacters {
                content = String(content.prefix(policy.maxResultCharacters)) + "\n[result cut at \(policy.maxResultCharacters) characters]"
            }
            return ToolResult(callID: call.id, name: call.name, arguments: call.arguments, content: content, isError: error,
                              attempts: attempts, seconds: Date().timeIntervalSince(start))
        }
        guard let tool = tools[call.name] else {
            return result("Error: " + AgentError.unknownTool(name: call.name, available: order).description, error: true, attempts: 0)
        }
        if case .string(let text) = call.arguments {
            return result("Error: the arguments are not a JSON object: \(text.prefix(200)). Call again with valid JSON.", error: true, attempts: 0)
        }
        let problems = validators[call.name]?.validate(json: call.arguments.serialized) ?? []
        if !problems.isEmpty {
            let e = AgentError.invalidToolArguments(tool: call.name, reason: problems.prefix(5).joined(separator: "; "))
            return result("Error: \(e). Fix the arguments and call again.", error: true, attempts: 0)
        }
        var attempt = 0
        var delay = policy.retryDelay
        while true {
            attempt += 1
            do {
                let text = try await withTimeout(policy.timeout, tool: call.name) { try await tool.call(call.arguments) }
                return result(text, error: false, attempts: attempt)
            } catch let e as AgentError {
                if case .invalidToolArguments = e { return result("Error: \(e). Fix the arguments and call again.", error: true, attempts: attempt) }
                if attempt > policy.retries { return result("Error: \(e)", error: true, attempts: attempt) }
            } catch {
                if attempt > policy.retries { return result("Error: " + AgentError.toolFailed(tool: call.name, reason: "\(error)").description, error: true, attempts: attempt) }
            }
            try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            delay *= 2
        }
    }
}

/// Runs `work`, giving up after `seconds` with ``AgentError/toolTimeout(tool:seconds:)``.
func withTimeout<T: Sendable>(_ seconds: Double?, tool: String, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withTimeout(seconds, { AgentError.toolTimeout(tool: tool, seconds: seconds ?? 0) }, work)
}

/// Runs `work`, giving up after `seconds` (nil: no limit) with `timeoutError()`. The work is
/// cancelled; work that ignores cancellation runs on, detached, until it returns, and its result
/// is dropped — the caller never waits for it. Cancelling the caller cancels the work and throws
/// `CancellationError` at once.
func withTimeout<T: Sendable>(_ seconds: Double?, _ timeoutError: @escaping @Sendable () -> AgentError,
                              _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    guard let seconds else { return try await work() }
    // At most a year; a NaN or negative limit is no wait.
    let nanoseconds = UInt64((seconds > 0 ? min(seconds, 31_536_000) : 0) * 1e9)
    let onCallerCancel = CancelAction(), stopTimer = CancelAction()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let once = ResumeOnce(continuation)
            // Both tasks run on threads of their own, not Swift's cooperative pool: the caller may be
            // blocking a pool thread while it waits for us (a synchronous caller, a test).
            let worker = Task(executorPreference: AgentThreads.shared) {
                do { once.resume(.success(try await work())) } catch { once.resume(.failure(error)) }
                stopTimer.run()
            }
            let timer = Task(executorPreference: AgentThreads.shared) {
                try? await Task.sleep(nanoseconds: nanoseconds)
                if !Task.isCancelled, once.resume(.failure(timeoutError())) { worker.cancel() }
            }
            stopTimer.set { timer.cancel() }
            onCallerCancel.set {
                worker.cancel()
                timer.cancel()
                once.resume(.failure(CancellationError()))
            }
        }
    } onCancel: { onCallerCancel.run() }
}

/// An action run once: when ``run()`` is called, or at once when it is ``set(_:)`` after that.
final class CancelAction: @unchecked Sendable {
    // Safety: guarded by `lock`.
    private let lock = NSLock()
    private var action: (@Sendable () -> Void)?
    private var fired = false

    func set(_ a: @escaping @Sendable () -> Void) {
        let now = lock.withLock { () -> Bool in
            if !fired { action = a }
            return fired
        }
        if now { a() }
    }

    func run() {
        let a = lock.withLock { () -> (@Sendable () -> Void)? in
            fired = true
            defer { action = nil }
            return action
        }
        a?()
    }
}

/// Resumes a continuation the first time only.
final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private var continuation: CheckedContinuation<T, Error>?
    private let lock = NSLock()
    init(_ c: CheckedContinuation<T, Error>) { continuation = c }
    /// True when this call resumed it.
    @discardableResult
    func resume(_ result: Result<T, Error>) -> Bool {
        let c: CheckedContinuation<T, Error>? = lock.withLock { defer { continuation = nil }; return continuation }
        guard let c else { return false }
        c.resume(with: result)
        return true
    }
}

/// A task executor on a concurrent dispatch queue (which gets new threads when its threads
/// block, unlike Swift's cooperative pool of one thread per core). The unstructured tasks of
/// this module run there, so they make progress even when every pool thread is blocked waiting
/// for them.
final class AgentThreads: TaskExecutor, @unchecked Sendable {
    // Safety: the queue is the only state, and DispatchQueue is thread-safe.
    static let shared = AgentThreads()
    private let queue = DispatchQueue(label: "swiftlearn.agents", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
