import APIClient
import Foundation

/// What starts or continues a run.
public enum GraphInput: Sendable {
    /// New input written to the state through the reducers (a new run, or the next turn of a thread).
    case values([String: JSONValue])
    /// Continues an interrupted thread: `interrupt` calls waiting there return this value
    /// (LangGraph's `Command(resume=…)`).
    case resume(JSONValue)
    /// Continues from a static breakpoint or from an earlier checkpoint (time travel).
    case proceed
}

/// How a run is configured.
public struct RunConfig: Sendable {
    /// The conversation thread whose checkpoints the run reads and extends.
    public var threadID: String
    /// At most this many super-steps per invocation (LangGraph's default is 25).
    public var recursionLimit: Int
    /// Start from this checkpoint instead of the newest (replay or fork: time travel).
    public var checkpointID: String?

    public init(threadID: String = "default", recursionLimit: Int = 25, checkpointID: String? = nil) {
        self.threadID = threadID; self.recursionLimit = recursionLimit; self.checkpointID = checkpointID
    }
}

/// What a run streams, in order.
public enum GraphEvent: Sendable, Equatable {
    /// The whole state: after the input, after each step, and when the run stops (LangGraph's "values").
    case values(GraphState)
    /// One node's update (LangGraph's "updates").
    case update(node: String, update: [String: JSONValue])
    /// A node stopped for a human: its payload (`null` for a static breakpoint).
    case interrupt(node: String, value: JSONValue)
    /// Text a node streamed (model tokens: LangGraph's "messages").
    case token(node: String, text: String)
    /// Anything a node chose to report (LangGraph's "custom").
    case custom(node: String, value: JSONValue)
    /// A checkpoint was saved (step, id).
    case checkpoint(step: Int, id: String)
}

/// How a run ended.
public struct GraphRunResult: Sendable {
    public var state: GraphState
    /// The interrupts the run stopped at (empty when it ran to the end).
    public var interrupts: [(node: String, value: JSONValue)]
    /// The newest checkpoint's id.
    public var checkpointID: String
    public var isInterrupted: Bool { !interrupts.isEmpty }
}

/// A thread's current state (LangGraph's `StateSnapshot`).
public struct StateSnapshot: Sendable {
    public var checkpoint: Checkpoint
    /// The interrupts the checkpoint's tasks raised (the last one of each task, answered or not,
    /// as LangGraph's `StateSnapshot.tasks[].interrupts`).
    public var interrupts: [(node: String, value: JSONValue)]
    /// True when a task of the checkpoint waits for a resume value.
    public var isWaiting: Bool
    public var values: GraphState { GraphState(checkpoint.values) }
    public var next: [String] { checkpoint.nextNodes }
}

/// Handed to each node: its place in the run, human-in-the-loop interrupts and streaming.
public final class NodeContext: @unchecked Sendable {
    public let node: String
    public let threadID: String
    /// The super-step the node runs in.
    public let step: Int
    public let taskID: String
    private let resumes: [JSONValue]
    private var used = 0
    private let lock = NSLock()
    private let emitter: @Sendable (GraphEvent) -> Void
    private let parent: NodeContext?

    init(node: String, threadID: String, step: Int, taskID: String, resumes: [JSONValue],
         emitter: @escaping @Sendable (GraphEvent) -> Void, parent: NodeContext?) {
        self.node = node; self.threadID = threadID; self.step = step; self.taskID = taskID
        self.resumes = resumes; self.emitter = emitter; self.parent = parent
    }

    /// Stops the run for a human (LangGraph's `interrupt`): the first time, the run ends with
    /// `value` as its interrupt; when the thread is resumed, the node runs again from its start
    /// and this call returns the resume value. Several calls in one node are answered in order.
    /// Do not catch the error this throws; code before the call runs again on resume.
    public func interrupt(_ value: JSONValue) throws -> JSONValue {
        if let parent { return try parent.interrupt(value) }
        // Optional.none spelt out: JSONValue takes `nil` literals as `.null`.
        let answer: JSONValue? = lock.withLock {
            defer { used += 1 }
            if used < resumes.count { return Optional.some(resumes[used]) }
            return Optional<JSONValue>.none
        }
        if let answer { return answer }
        throw InterruptSignal(value: value)
    }

    /// Streams text (model tokens) as ``GraphEvent/token(node:text:)``.
    public func emit(token: String) { emitter(.token(node: node, text: token)) }
    /// Streams a value as ``GraphEvent/custom(node:value:)``.
    public func emit(custom: JSONValue) { emitter(.custom(node: node, value: custom)) }

    var eventSink: @Sendable (GraphEvent) -> Void { emitter }
}

/// Thrown by ``NodeContext/interrupt(_:)``; the runner records it.
struct InterruptSignal: Error { let value: JSONValue }

/// A graph ready to run (LangGraph's compiled `Pregel`): super-steps in which the triggered nodes
/// run concurrently on the same state, their updates combined by the reducers at the end of the
/// step, and a checkpoint saved after each step.
public struct CompiledGraph: Sendable {
    public let name: String
    public let schema: StateSchema
    let nodes: [String: GraphNode]
    let edges: [String: [String]]
    let joins: [(sources: [String], target: String)]
    let branches: [String: [Branch]]
    public let checkpointer: (any Checkpointer)?
    public let interruptBefore: Set<String>
    public let interruptAfter: Set<String>

    /// The node names, sorted.
    public var nodeNames: [String] { nodes.keys.sorted() }

    /// Runs to the end or to an interrupt and returns the final state.
    public func invoke(_ input: GraphInput, config: RunConfig = RunConfig()) async throws -> GraphRunResult {
        try await run(input, config: config, parentContext: nil, emit: { _ in })
    }

    /// Runs and streams events; the stream ends with the run (or throws its error).
    public func stream(_ input: GraphInput, config: RunConfig = RunConfig()) -> AsyncThrowingStream<GraphEvent, Error> {
        AsyncThrowingStream { continuation in
            let task = Task(executorPreference: AgentThreads.shared) {
                do {
                    _ = try await run(input, config: config, parentContext: nil, emit: { continuation.yield($0) })
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The thread's newest state, or nil when it has none.
    public func state(thread: String) throws -> StateSnapshot? {
        guard let store = checkpointer, let cp = try store.latest(thread: thread) else { return nil }
        return try snapshot(cp, store: store, thread: thread)
    }

    /// The thread's checkpoints, newest first (LangGraph's `get_state_history`).
    public func history(thread: String, limit: Int? = nil) throws -> [StateSnapshot] {
        guard let store = checkpointer else { return [] }
        return try store.history(thread: thread, limit: limit).map { try snapshot($0, store: store, thread: thread) }
    }

    private func snapshot(_ cp: Checkpoint, store: any Checkpointer, thread: String) throws -> StateSnapshot {
        let writes = try store.writes(thread: thread, checkpointID: cp.id)
        let order = Dictionary(uniqueKeysWithValues: cp.next.enumerated().map { ($1.id, $0) })
        let interrupts = writes.filter { $0.interrupt != nil }.sorted { (order[$0.taskID] ?? 0) < (order[$1.taskID] ?? 0) }
            .map { (node: $0.node, value: $0.interrupt!) }
        return StateSnapshot(checkpoint: cp, interrupts: interrupts, isWaiting: writes.contains { $0.waiting })
    }

    /// Writes `values` into a thread's state as if node `asNode` had returned them (LangGraph's
    /// `update_state`): the next tasks are that node's successors (with `asNode` nil, the pending
    /// tasks stay). A new checkpoint with source "update" is saved and returned.
    @discardableResult
    public func updateState(thread: String, values: [String: JSONValue], asNode: String? = nil,
                            checkpointID: String? = nil) throws -> Checkpoint {
        guard let store = checkpointer else { throw AgentError.invalidGraph("updating state needs a checkpointer") }
        let base: Checkpoint
        if let checkpointID {
            guard let c = try store.checkpoint(thread: thread, id: checkpointID) else {
                throw AgentError.unknownCheckpoint(thread: thread, id: checkpointID)
            }
            base = c
        } else {
            guard let c = try store.latest(thread: thread) else { throw AgentError.nothingToResume(thread: thread) }
            base = c
        }
        if let asNode, nodes[asNode] == nil, asNode != START {
            throw AgentError.invalidParameter(name: "asNode", value: asNode, reason: "no such node (nodes: \(nodeNames.joined(separator: ", ")))")
        }
        var ids = MessageIDSource(prefix: thread, counter: base.messageCounter)
        let node = asNode ?? "update"
        let newValues = try schema.apply([(node, values)], to: base.values, idSource: &ids)
        var barriers = base.barriers
        let next: [PendingTask]
        if let asNode {
            let task = PendingTask(id: "update", node: asNode, input: nil)
            let writes = TaskWrites(taskID: "update", node: asNode, update: values, done: true)
            next = try nextTasks(after: [task], writes: ["update": writes], old: base.values, barriers: &barriers,
                                 step: base.step + 1, ids: &ids)
        } else {
            next = base.next
        }
        let cp = Checkpoint(id: Self.newID(), parentID: base.id, step: base.step + 1, source: "update", values: newValues,
                            next: next, barriers: barriers, messageCounter: ids.counter, createdAt: Date().timeIntervalSince1970)
        try store.put(cp, thread: thread)
        return cp
    }

    static func newID() -> String { UUID().uuidString.lowercased() }

    // MARK: Running

    func run(_ input: GraphInput, config: RunConfig, parentContext: NodeContext?,
             emit: @escaping @Sendable (GraphEvent) -> Void) async throws -> GraphRunResult {
        try check(config.recursionLimit >= 1, "recursionLimit", config.recursionLimit, "must be at least 1")
        let store: any Checkpointer = checkpointer ?? InMemoryCheckpointer()
        let thread = config.threadID
        var cp: Checkpoint
        var writes: [String: TaskWrites] = [:]
        var startStep: Int
        var skipBreakpoint = false
        var ids: MessageIDSource

        var base: Checkpoint?
        if let id = config.checkpointID {
            guard let c = try store.checkpoint(thread: thread, id: id) else { throw AgentError.unknownCheckpoint(thread: thread, id: id) }
            base = c
        } else {
            base = try store.latest(thread: thread)
        }

        switch input {
        case .values(let values):
            ids = MessageIDSource(prefix: thread, counter: base?.messageCounter ?? 0)
            let start = base?.values ?? schema.initialValues
            let startTask = PendingTask(id: "\((base?.step ?? -2) + 1):\(START)", node: START, input: .object(values))
            let inputCP = Checkpoint(id: Self.newID(), parentID: base?.id, step: (base?.step ?? -2) + 1, source: "input",
                                     values: start, next: [startTask], barriers: base?.barriers ?? [:],
                                     messageCounter: ids.counter, createdAt: Date().timeIntervalSince1970)
            try store.put(inputCP, thread: thread)
            emit(.checkpoint(step: inputCP.step, id: inputCP.id))
            startStep = inputCP.step
            let after = try schema.apply([(START, values)], to: start, idSource: &ids)
            var barriers = inputCP.barriers
            let startWrites = TaskWrites(taskID: startTask.id, node: START, update: values, done: true)
            let next = try nextTasks(after: [startTask], writes: [startTask.id: startWrites], old: start, barriers: &barriers,
                                     step: inputCP.step + 1, ids: &ids)
            cp = Checkpoint(id: Self.newID(), parentID: inputCP.id, step: inputCP.step + 1, source: "loop", values: after,
                            next: next, barriers: barriers, messageCounter: ids.counter, createdAt: Date().timeIntervalSince1970)
            try store.put(cp, thread: thread)
            emit(.checkpoint(step: cp.step, id: cp.id))
        case .resume(let value):
            guard let c = base else { throw AgentError.nothingToResume(thread: thread) }
            cp = c
            ids = MessageIDSource(prefix: thread, counter: cp.messageCounter)
            for w in try store.writes(thread: thread, checkpointID: cp.id) { writes[w.taskID] = w }
            let waiting = writes.values.filter(\.waiting)
            guard !waiting.isEmpty else { throw AgentError.nothingToResume(thread: thread) }
            for var w in waiting {
                w.resumes.append(value)
                w.waiting = false
                writes[w.taskID] = w
                try store.putWrites(w, thread: thread, checkpointID: cp.id)
            }
            startStep = cp.step - 1
            skipBreakpoint = true
        case .proceed:
            guard let c = base else { throw AgentError.nothingToResume(thread: thread) }
            cp = c
            ids = MessageIDSource(prefix: thread, counter: cp.messageCounter)
            for w in try store.writes(thread: thread, checkpointID: cp.id) { writes[w.taskID] = w }
            startStep = cp.step - 1
            skipBreakpoint = true
        }
        emit(.values(GraphState(cp.values)))

        while !cp.next.isEmpty {
            if cp.step >= startStep + 1 + config.recursionLimit { throw AgentError.recursionLimit(config.recursionLimit) }
            if !skipBreakpoint, let hit = cp.next.first(where: { interruptBefore.contains($0.node) }) {
                emit(.interrupt(node: hit.node, value: .null))
                return GraphRunResult(state: GraphState(cp.values), interrupts: [(hit.node, .null)], checkpointID: cp.id)
            }
            skipBreakpoint = false
            try Task.checkCancellation()

            let toRun = cp.next.filter { writes[$0.id]?.done != true }
            let finished = try await runTasks(toRun, checkpoint: cp, writes: writes, store: store, thread: thread,
                                              parentContext: parentContext, emit: emit)
            for w in finished { writes[w.taskID] = w }
            for task in toRun {
                if let w = writes[task.id], w.done { emit(.update(node: task.node, update: w.update)) }
            }
            let stopped = cp.next.compactMap { t -> (String, JSONValue)? in
                guard let w = writes[t.id], w.waiting, let v = w.interrupt else { return nil }
                return (t.node, v)
            }
            if !stopped.isEmpty {
                for (node, value) in stopped { emit(.interrupt(node: node, value: value)) }
                emit(.values(GraphState(cp.values)))
                return GraphRunResult(state: GraphState(cp.values), interrupts: stopped, checkpointID: cp.id)
            }
            let ordered = try cp.next.map { t -> (node: String, update: [String: JSONValue]) in
                guard let w = writes[t.id], w.done else {
                    throw AgentError.checkpointStore(path: thread, reason: "task \(t.id) of checkpoint \(cp.id) has no result")
                }
                return (t.node, w.update)
            }
            let newValues = try schema.apply(ordered, to: cp.values, idSource: &ids)
            var barriers = cp.barriers
            let next = try nextTasks(after: cp.next, writes: writes, old: cp.values, barriers: &barriers, step: cp.step + 1, ids: &ids)
            let ran = cp.next
            cp = Checkpoint(id: Self.newID(), parentID: cp.id, step: cp.step + 1, source: "loop", values: newValues, next: next,
                            barriers: barriers, messageCounter: ids.counter, createdAt: Date().timeIntervalSince1970)
            try store.put(cp, thread: thread)
            writes = [:]
            emit(.checkpoint(step: cp.step, id: cp.id))
            emit(.values(GraphState(newValues)))
            if let hit = ran.first(where: { interruptAfter.contains($0.node) }), !cp.next.isEmpty {
                emit(.interrupt(node: hit.node, value: .null))
                return GraphRunResult(state: GraphState(cp.values), interrupts: [(hit.node, .null)], checkpointID: cp.id)
            }
        }
        return GraphRunResult(state: GraphState(cp.values), interrupts: [], checkpointID: cp.id)
    }

    /// Runs a step's tasks concurrently; each one's writes are saved the moment it finishes or
    /// stops at an interrupt. The first error is rethrown after the others are saved.
    private func runTasks(_ tasks: [PendingTask], checkpoint cp: Checkpoint, writes: [String: TaskWrites],
                          store: any Checkpointer, thread: String, parentContext: NodeContext?,
                          emit: @escaping @Sendable (GraphEvent) -> Void) async throws -> [TaskWrites] {
        let values = cp.values
        var out: [TaskWrites] = []
        var firstError: Error?
        await withTaskGroup(of: Result<TaskWrites, Error>.self) { group in
            for task in tasks {
                let resumes = writes[task.id]?.resumes ?? []
                let lastInterrupt = writes[task.id]?.interrupt
                group.addTask {
                    let ctx = NodeContext(node: task.node, threadID: thread, step: cp.step + 1, taskID: task.id, resumes: resumes,
                                          emitter: emit, parent: parentContext)
                    var w = TaskWrites(taskID: task.id, node: task.node, interrupt: lastInterrupt, resumes: resumes)
                    do {
                        let state: GraphState
                        if let input = task.input {
                            guard case .object(let o) = input else {
                                throw AgentError.invalidUpdate(node: task.node, reason: "a Send's input must be a JSON object")
                            }
                            state = GraphState(o)
                        } else {
                            state = GraphState(values)
                        }
                        let result = try await self.execute(task.node, state: state, context: ctx)
                        w.update = result.update
                        w.goto = result.goto
                        w.done = true
                    } catch let signal as InterruptSignal {
                        w.interrupt = signal.value
                        w.waiting = true
                    } catch {
                        return .failure(error)
                    }
                    do { try store.putWrites(w, thread: thread, checkpointID: cp.id) } catch { return .failure(error) }
                    return .success(w)
                }
            }
            for await r in group {
                switch r {
                case .success(let w): out.append(w)
                case .failure(let e): if firstError == nil { firstError = e }
                }
            }
        }
        if let firstError { throw firstError }
        return out
    }

    private func execute(_ name: String, state: GraphState, context: NodeContext) async throws -> NodeResult {
        guard let node = nodes[name] else { throw AgentError.invalidGraph("a task names unknown node '\(name)'") }
        switch node {
        case .function(let body):
            return try await body(state, context)
        case .subgraph(let child):
            let input = state.values.filter { child.schema.reducers[$0.key] != nil }
            let sink = context.eventSink
            let result = try await child.run(.values(input), config: RunConfig(threadID: "\(context.threadID)|\(name)"),
                                             parentContext: context, emit: { event in
                if case .token = event { sink(event) } else if case .custom = event { sink(event) }
            })
            return NodeResult(update: result.state.values)
        }
    }

    /// The tasks triggered by the finished tasks: their `goto`s, static edges, routers (which see
    /// the state as the task left it: the step's start plus its own update), and completed joins.
    /// Pull tasks come first, sorted by node name, then `Send`s in order (LangGraph's order).
    func nextTasks(after tasks: [PendingTask], writes: [String: TaskWrites], old: [String: JSONValue],
                   barriers: inout [String: [String]], step: Int, ids: inout MessageIDSource) throws -> [PendingTask] {
        var pulls = Set<String>()
        var pushes: [(String, JSONValue)] = []
        for task in tasks {
            guard let w = writes[task.id] else { continue }
            var targets = w.goto
            targets += (edges[task.node] ?? []).map { GraphTarget.node($0) }
            if let list = branches[task.node], !list.isEmpty {
                var scratch = ids
                let local = GraphState(try schema.apply([(task.node, w.update)], to: old, idSource: &scratch))
                for branch in list {
                    var routed: [GraphTarget]
                    do { routed = try branch.router(local) } catch let e as AgentError { throw e } catch {
                        throw AgentError.invalidGraph("the router after '\(task.node)' failed: \(error)")
                    }
                    if let map = branch.pathMap {
                        routed = try routed.map { t in
                            guard case .node(let key) = t else { return t }
                            guard let mapped = map[key] else {
                                throw AgentError.invalidGraph("the router after '\(task.node)' returned '\(key)', which its path map lacks (\(map.keys.sorted().joined(separator: ", ")))")
                            }
                            return .node(mapped)
                        }
                    }
                    targets += routed
                }
            }
            for t in targets {
                switch t {
                case .node(let n):
                    if n == END { continue }
                    guard nodes[n] != nil else { throw AgentError.invalidGraph("'\(task.node)' leads to unknown node '\(n)'") }
                    pulls.insert(n)
                case .send(let n, let arg):
                    guard nodes[n] != nil else { throw AgentError.invalidGraph("'\(task.node)' sends to unknown node '\(n)'") }
                    pushes.append((n, arg))
                }
            }
            for j in joins where j.sources.contains(task.node) {
                let key = j.target + "<" + j.sources.joined(separator: ",")
                var seen = Set(barriers[key] ?? [])
                seen.insert(task.node)
                if Set(j.sources).isSubset(of: seen) {
                    pulls.insert(j.target)
                    barriers[key] = nil
                } else {
                    barriers[key] = seen.sorted()
                }
            }
        }
        return pulls.sorted().map { PendingTask(id: "\(step):\($0)", node: $0, input: nil) }
            + pushes.enumerated().map { PendingTask(id: "\(step):\($1.0):\($0)", node: $1.0, input: $1.1) }
    }
}
