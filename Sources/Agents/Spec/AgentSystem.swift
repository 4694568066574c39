import APIClient
import Foundation
import Retrieval

/// Tools by name, for specs and the command line.
public struct ToolRegistry: Sendable {
    public private(set) var tools: [String: any AgentTool] = [:]

    public init(_ tools: [any AgentTool] = []) { for t in tools { self.tools[t.name] = t } }

    public mutating func add(_ tool: any AgentTool) { tools[tool.name] = tool }

    public var names: [String] { tools.keys.sorted() }

    /// This registry with `other`'s tools added (this one's win on a shared name).
    public func merging(_ other: ToolRegistry) -> ToolRegistry {
        var out = self
        for (name, tool) in other.tools where out.tools[name] == nil { out.tools[name] = tool }
        return out
    }

    /// The library's tools that the given resources allow: the calculator always; files, CSV
    /// description and model fitting under `root`; `search_collection` over `collection`;
    /// `sql_query` over `database`.
    public static func library(root: URL? = nil, collection: DocumentCollection? = nil, database: String? = nil) throws -> ToolRegistry {
        var r = ToolRegistry([BuiltinTools.calculator()])
        if let root {
            for t in [try BuiltinTools.readFile(root: root), try BuiltinTools.listFiles(root: root),
                      try BuiltinTools.describeCSV(root: root), try BuiltinTools.fitModel(root: root)] { r.add(t) }
        }
        if let collection { r.add(try BuiltinTools.searchCollection(collection)) }
        if let database { r.add(try BuiltinTools.sqlQuery(database: database)) }
        return r
    }

    /// The named tools, or an error naming the missing one and what is there.
    public func resolve(_ names: [String], agent: String) throws -> [any AgentTool] {
        try names.map { n in
            guard let t = tools[n] else {
                throw AgentError.invalidParameter(name: "tools of agent '\(agent)'", value: n,
                                                  reason: "no such tool here (available: \(self.names.joined(separator: ", ")); files need --root, search_collection --collection, sql_query --database)")
            }
            return t
        }
    }
}

/// The outcome of running an ``AgentSystem``.
public struct AgentSystemResult: Sendable {
    public var state: GraphState
    /// The final answer: the last assistant message (a debate's verdict), nil while interrupted.
    public var answer: String?
    public var interrupts: [JSONValue]
    public var modelCalls: Int
    public var usage: TokenUsage
    public var seconds: Double
    public var thread: String
    public var status: String { interrupts.isEmpty ? "done" : "interrupted" }
}

/// An ``AgentSpec`` made runnable: its agents built with one model and a tool registry, its
/// process as a graph with a checkpointer, its model metered and traced.
public struct AgentSystem: Sendable {
    public let spec: AgentSpec
    public let model: MeteredChatModel
    public let checkpointer: any Checkpointer
    let react: ReactAgent?
    let team: CompiledGraph?

    /// - Parameters:
    ///   - memoryStore: where agents' memories persist (each under its agent's name); nil keeps them in memory.
    ///   - memoryDirectory: where `vector` memories keep their collections (nil: a temporary folder).
    public init(spec: AgentSpec, model: any ChatModel, tools: ToolRegistry, checkpointer: any Checkpointer = InMemoryCheckpointer(),
                memoryStore: MemoryStore? = nil, memoryDirectory: URL? = nil, trace: TraceWriter? = nil) throws {
        try spec.validate(path: spec.name)
        self.spec = spec
        let metered = MeteredChatModel(model, trace: trace)
        self.model = metered
        self.checkpointer = checkpointer
        var members: [String: TeamMember] = [:]
        for a in spec.agents {
            var agent = try ReactAgent(model: metered, tools: try tools.resolve(a.tools ?? [], agent: a.name), systemPrompt: a.systemPrompt,
                                       limits: AgentLimits(maxSteps: a.maxSteps ?? 6), toolProtocol: a.toolProtocol ?? .native,
                                       approvalRequired: Set(a.approval ?? []))
            agent.forceFirstToolCall = a.forceTool ?? false
            if let m = a.memory {
                agent.memory = [try Self.memory(try MemoryKind(m, path: spec.name), agent: a.name, model: metered, store: memoryStore,
                                                directory: memoryDirectory)]
            }
            members[a.name] = try TeamMember(name: a.name, description: a.role ?? a.goal ?? a.name, agent: agent)
        }
        let ordered = spec.agents.compactMap { members[$0.name] }
        switch spec.process {
        case .react:
            react = ordered[0].agent
            team = nil
        case .sequential:
            react = nil
            let steps = (spec.tasks ?? []).enumerated().map { i, t in
                SequentialCrew.Step(name: t.name ?? "task_\(i + 1)", description: t.description, expectedOutput: t.expectedOutput, member: members[t.agent]!)
            }
            team = try SequentialCrew(steps: steps).graph(checkpointer: checkpointer)
        case .hierarchical:
            react = nil
            team = try Supervisor(model: metered, members: ordered, maxTurns: spec.maxTurns ?? 8).graph(checkpointer: checkpointer)
        case .groupChat:
            react = nil
            let policy: SpeakerPolicy = spec.speakerPolicy == "auto" ? .auto : .roundRobin
            team = try GroupChat(members: ordered, policy: policy, selector: metered, maxTurns: spec.maxTurns ?? 6,
                                 terminationText: spec.termination ?? "TERMINATE").graph(checkpointer: checkpointer)
        case .debate:
            react = nil
            team = try Debate(debaters: ordered, judge: metered, rounds: spec.rounds ?? 2).graph(checkpointer: checkpointer)
        case .handoffs:
            react = nil
            team = try Handoffs(members: ordered, maxTurns: spec.maxTurns ?? 6).graph(checkpointer: checkpointer)
        }
    }

    static func memory(_ kind: MemoryKind, agent: String, model: any ChatModel, store: MemoryStore?, directory: URL?) throws -> any AgentMemory {
        switch kind {
        case .buffer: return try BufferMemory(store: store, key: agent)
        case .window(let n): return try BufferMemory(window: n, store: store, key: agent)
        case .entity: return try EntityMemory(store: store, key: agent)
        case .episodic: return try EpisodicMemory(store: store, key: agent)
        case .summary: return try SummaryMemory(model: model, store: store, key: agent)
        case .vector:
            let dir = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("swiftlearn-memory-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            return try VectorMemory(at: dir.appendingPathComponent("\(agent).memory.sqlite"))
        }
    }

    /// Runs the system on `input` in `thread`.
    public func run(_ input: String, thread: String, onEvent: @escaping @Sendable (GraphEvent) -> Void = { _ in }) async throws -> AgentSystemResult {
        let t0 = Date(), calls0 = model.calls, usage0 = model.usage
        if let react {
            let r = try await react.run(input, thread: thread, checkpointer: checkpointer, onEvent: onEvent)
            return result(r.state, answer: r.answer, interrupts: r.interrupts, t0: t0, calls0: calls0, usage0: usage0, thread: thread)
        }
        let r = try await collect(.values(["messages": [AgentMessage.user(input).json]]), thread: thread, onEvent: onEvent)
        return result(r.state, answer: r.isInterrupted ? nil : Self.answer(r.state), interrupts: r.interrupts.map { ["node": .string($0.node), "value": $0.value] },
                      t0: t0, calls0: calls0, usage0: usage0, thread: thread)
    }

    /// Resumes an interrupted thread with `value`.
    public func resume(thread: String, value: JSONValue, onEvent: @escaping @Sendable (GraphEvent) -> Void = { _ in }) async throws -> AgentSystemResult {
        let t0 = Date(), calls0 = model.calls, usage0 = model.usage
        if let react {
            let r = try await react.resume(thread: thread, value: value, checkpointer: checkpointer, onEvent: onEvent)
            return result(r.state, answer: r.answer, interrupts: r.interrupts, t0: t0, calls0: calls0, usage0: usage0, thread: thread)
        }
        let r = try await collect(.resume(value), thread: thread, onEvent: onEvent)
        return result(r.state, answer: r.isInterrupted ? nil : Self.answer(r.state), interrupts: r.interrupts.map { ["node": .string($0.node), "value": $0.value] },
                      t0: t0, calls0: calls0, usage0: usage0, thread: thread)
    }

    /// Continues a thread from its last checkpoint (a run cut short by a crash or a breakpoint):
    /// tasks recorded as finished are not run again.
    public func proceed(thread: String, onEvent: @escaping @Sendable (GraphEvent) -> Void = { _ in }) async throws -> AgentSystemResult {
        let t0 = Date(), calls0 = model.calls, usage0 = model.usage
        if let react {
            let r = try await react.proceed(thread: thread, checkpointer: checkpointer, onEvent: onEvent)
            return result(r.state, answer: r.answer, interrupts: r.interrupts, t0: t0, calls0: calls0, usage0: usage0, thread: thread)
        }
        let r = try await collect(.proceed, thread: thread, onEvent: onEvent)
        return result(r.state, answer: r.isInterrupted ? nil : Self.answer(r.state), interrupts: r.interrupts.map { ["node": .string($0.node), "value": $0.value] },
                      t0: t0, calls0: calls0, usage0: usage0, thread: thread)
    }

    /// Model replies a thread's checkpoints hold (a single agent's `steps`); nil for teams, whose
    /// members' calls run inside their nodes. Used to line a scripted model up on resume.
    public func recordedModelCalls(thread: String) throws -> Int? {
        guard react != nil else { return nil }
        return try graph().state(thread: thread)?.values.int("steps")
    }

    /// The graph that runs the system (the react agent's own for a single agent).
    public func graph() throws -> CompiledGraph { try team ?? react!.graph(checkpointer: checkpointer) }

    private func collect(_ input: GraphInput, thread: String, onEvent: @escaping @Sendable (GraphEvent) -> Void) async throws -> GraphRunResult {
        let g = try graph()
        var last: GraphRunResult?
        _ = try await g.run(input, config: RunConfig(threadID: thread, recursionLimit: 200), parentContext: nil, emit: onEvent)
        if let snap = try g.state(thread: thread) {
            last = GraphRunResult(state: snap.values, interrupts: snap.isWaiting ? snap.interrupts : [], checkpointID: snap.checkpoint.id)
        }
        guard let last else { throw AgentError.nothingToResume(thread: thread) }
        return last
    }

    static func answer(_ state: GraphState) -> String? {
        if let v = state["verdict"], let w = v["winner"]?.stringValue { return "Winner: \(w). \(v["reason"]?.stringValue ?? "")" }
        return state.messages().last { $0.role == "assistant" }?.content
    }

    private func result(_ state: GraphState, answer: String?, interrupts: [JSONValue], t0: Date, calls0: Int, usage0: TokenUsage, thread: String) -> AgentSystemResult {
        let u = model.usage
        return AgentSystemResult(state: state, answer: answer, interrupts: interrupts, modelCalls: model.calls - calls0,
                                 usage: TokenUsage(inputTokens: u.inputTokens - usage0.inputTokens, outputTokens: u.outputTokens - usage0.outputTokens),
                                 seconds: Date().timeIntervalSince(t0), thread: thread)
    }
}
