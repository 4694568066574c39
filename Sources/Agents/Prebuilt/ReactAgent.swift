import APIClient
import Foundation

/// Limits of one agent run; the run stops with a final message naming the limit it reached.
public struct AgentLimits: Sendable, Codable, Equatable {
    /// Model calls.
    public var maxSteps: Int
    /// Prompt + generated tokens over the run.
    public var maxTokens: Int?
    /// Dollars over the run, at ``costPerMillionInput`` / ``costPerMillionOutput``.
    public var maxCost: Double?
    public var costPerMillionInput: Double
    public var costPerMillionOutput: Double
    /// Wall-clock seconds.
    public var maxSeconds: Double?

    public init(maxSteps: Int = 10, maxTokens: Int? = nil, maxCost: Double? = nil, costPerMillionInput: Double = 0,
                costPerMillionOutput: Double = 0, maxSeconds: Double? = nil) {
        self.maxSteps = maxSteps; self.maxTokens = maxTokens; self.maxCost = maxCost
        self.costPerMillionInput = costPerMillionInput; self.costPerMillionOutput = costPerMillionOutput; self.maxSeconds = maxSeconds
    }

    func cost(_ u: TokenUsage) -> Double {
        (Double(u.inputTokens) * costPerMillionInput + Double(u.outputTokens) * costPerMillionOutput) / 1e6
    }
}

/// How the model is asked for tool calls.
public enum ToolCallProtocol: String, Sendable, Codable {
    /// The model's own tool calling (APIs; local models under the tool-call grammar).
    case native
    /// ReAct's text format — `Thought:`, `Action:`, `Action Input:`, then `Observation:` — for
    /// models and servers without tool calling.
    case text
}

/// The tool-calling agent loop (ReAct; LangGraph's `create_react_agent`) as a graph: the model
/// node calls the model with the tools; each tool call then runs as its own task (a `Send`), so
/// calls of one turn run concurrently and each finished call is checkpointed on its own (a crash
/// never repeats one); the results go back to the model until it answers without calls or a limit
/// is reached. Tools listed in ``approvalRequired`` interrupt for a human first: resume with
/// `"approve"` (or `true`) to run the call, anything else to refuse it.
///
/// State keys: `messages` (the conversation), `usage` (`{"input", "output"}` tokens), `steps`
/// (model calls), `started` (seconds since 1970), `tool_results` (every call's outcome).
public struct ReactAgent: Sendable {
    public let model: any ChatModel
    public let tools: ToolExecutor
    public var systemPrompt: String?
    public var limits: AgentLimits
    public var toolProtocol: ToolCallProtocol
    public var approvalRequired: Set<String>
    public var options: ChatOptions
    /// Require a tool call on a run's first model turn (`tool_choice: required`; under a local
    /// model's grammar the reply must then be a valid call). Small models asked with `auto` often
    /// answer from their own knowledge instead of using the tools.
    public var forceFirstToolCall = false
    /// Memories recalled before each run (their messages go to the model after the system
    /// prompt, as `context` in the state) and told the exchange after it.
    public var memory: [any AgentMemory] = []

    public init(model: any ChatModel, tools: [any AgentTool], systemPrompt: String? = nil, limits: AgentLimits = AgentLimits(),
                toolProtocol: ToolCallProtocol = .native, approvalRequired: Set<String> = [], policy: ToolPolicy = ToolPolicy(),
                options: ChatOptions = ChatOptions(maxTokens: 512)) throws {
        self.model = model
        self.tools = try ToolExecutor(tools, policy: policy)
        self.systemPrompt = systemPrompt
        self.limits = limits
        self.toolProtocol = toolProtocol
        for name in approvalRequired where self.tools.tools[name] == nil {
            throw AgentError.unknownTool(name: name, available: self.tools.order)
        }
        self.approvalRequired = approvalRequired
        self.options = options
        try check(limits.maxSteps >= 1, "maxSteps", limits.maxSteps, "must be at least 1")
    }

    /// The state schema of the agent's graph.
    public static var schema: StateSchema {
        StateSchema(["messages": .messages, "usage": .custom(initial: ["input": 0, "output": 0], combine: sumObjects),
                     "steps": .custom(initial: 0, combine: sumNumbers), "started": .lastValue, "tool_results": .append,
                     "context": .lastValue, "base": .lastValue])
    }

    /// The agent as a graph (add it to a larger graph as a subgraph, or run it).
    public func graph(checkpointer: (any Checkpointer)? = nil, name: String = "react-agent") throws -> CompiledGraph {
        var g = StateGraph(Self.schema)
        let agent = self
        g.addNode("agent") { state, ctx in try await agent.modelStep(state, ctx) }
        g.addNode("tools") { input, ctx in try await agent.toolStep(input, ctx) }
        g.addEdge(START, "agent")
        g.addConditionalEdges(from: "agent", to: ["tools", END], targets: { state in
            guard let last = state.messages().last, last.role == "assistant", !last.toolCalls.isEmpty else { return [.end] }
            return last.toolCalls.map { .send("tools", ["call": (try? JSONValue(encoding: $0)) ?? .null]) }
        })
        g.addEdge("tools", "agent")
        return try g.compile(checkpointer: checkpointer, name: name)
    }

    /// Runs the agent on `input` (a new thread, or the next turn of `thread` when the checkpointer
    /// holds it) and returns the outcome; `onEvent` sees the graph's events as they happen.
    public func run(_ input: String, thread: String = UUID().uuidString, checkpointer: (any Checkpointer)? = nil,
                    onEvent: @escaping @Sendable (GraphEvent) -> Void = { _ in }) async throws -> AgentRunResult {
        let graph = try graph(checkpointer: checkpointer ?? InMemoryCheckpointer())
        var context: [AgentMessage] = []
        for m in memory { context += try await m.recall(for: input) }
        // Limits count from here: a thread's earlier turns do not use up this run's budget.
        let before = try graph.state(thread: thread)?.values
        let base: JSONValue = ["steps": before?["steps"] ?? 0, "usage": before?["usage"] ?? ["input": 0, "output": 0]]
        let values: [String: JSONValue] = ["messages": [AgentMessage.user(input).json], "started": .number(Date().timeIntervalSince1970),
                                           "context": .array(context.map(\.json)), "base": base]
        let result = try await Self.collect(graph, .values(values), config: RunConfig(threadID: thread, recursionLimit: 2 * limits.maxSteps + 2), onEvent: onEvent)
        try await remember(input: input, result)
        return result
    }

    private func remember(input: String, _ result: AgentRunResult) async throws {
        guard let answer = result.answer else { return }
        for m in memory { try await m.remember(input: input, output: answer) }
    }

    /// Resumes `thread` after an approval interrupt.
    public func resume(thread: String, value: JSONValue, checkpointer: any Checkpointer,
                       onEvent: @escaping @Sendable (GraphEvent) -> Void = { _ in }) async throws -> AgentRunResult {
        let result = try await Self.collect(try graph(checkpointer: checkpointer), .resume(value),
                                            config: RunConfig(threadID: thread, recursionLimit: 2 * limits.maxSteps + 2), onEvent: onEvent)
        if let input = result.messages.last(where: { $0.role == "user" })?.content { try await remember(input: input, result) }
        return result
    }

    /// Continues `thread` from its last checkpoint (after a crash): finished tool calls are not
    /// run again.
    public func proceed(thread: String, checkpointer: any Checkpointer,
                        onEvent: @escaping @Sendable (GraphEvent) -> Void = { _ in }) async throws -> AgentRunResult {
        try await Self.collect(try graph(checkpointer: checkpointer), .proceed,
                               config: RunConfig(threadID: thread, recursionLimit: 2 * limits.maxSteps + 2), onEvent: onEvent)
    }

    static func collect(_ graph: CompiledGraph, _ input: GraphInput, config: RunConfig,
                        onEvent: @escaping @Sendable (GraphEvent) -> Void) async throws -> AgentRunResult {
        let t0 = Date()
        var result: GraphRunResult?
        _ = try await graph.run(input, config: config, parentContext: nil, emit: onEvent)
        if let snap = try graph.state(thread: config.threadID) {
            result = GraphRunResult(state: snap.values, interrupts: snap.isWaiting ? snap.interrupts : [], checkpointID: snap.checkpoint.id)
        }
        guard let result else { throw AgentError.nothingToResume(thread: config.threadID) }
        return AgentRunResult(state: result.state, interrupts: result.interrupts.map { ["node": .string($0.node), "value": $0.value] },
                              seconds: Date().timeIntervalSince(t0), thread: config.threadID)
    }

    // MARK: Nodes

    func limitReached(_ state: GraphState) -> String? {
        func count(_ v: JSONValue?) -> Int { v?.intValue ?? 0 }
        let base = state["base"]
        let steps = count(state["steps"]) - count(base?["steps"])
        let usage = TokenUsage(inputTokens: count(state["usage"]?["input"]) - count(base?["usage"]?["input"]),
                               outputTokens: count(state["usage"]?["output"]) - count(base?["usage"]?["output"]))
        if steps >= limits.maxSteps { return "step limit (\(limits.maxSteps) model calls)" }
        if let m = limits.maxTokens, usage.totalTokens >= m { return "token limit (\(m))" }
        if let c = limits.maxCost, limits.cost(usage) >= c { return "cost limit ($\(c))" }
        if let s = limits.maxSeconds, let started = state["started"]?.doubleValue, Date().timeIntervalSince1970 - started >= s {
            return "time limit (\(s) s)"
        }
        return nil
    }

    func modelStep(_ state: GraphState, _ ctx: NodeContext) async throws -> NodeResult {
        if let limit = limitReached(state) {
            return ["messages": [AgentMessage.assistant("Stopped: the agent reached its \(limit) before finishing.").json]]
        }
        var messages = state.messages()
        let context = state.messages("context")
        if !context.isEmpty {
            let at = messages.lastIndex { $0.role == "user" } ?? 0
            messages.insert(contentsOf: context, at: at)
        }
        if let systemPrompt, messages.first?.role != "system" { messages.insert(.system(systemPrompt), at: 0) }
        let reply: ChatResponse
        switch toolProtocol {
        case .native:
            var chosen = options
            let firstTurn = (state.int("steps") ?? 0) == (state["base"]?["steps"]?.intValue ?? 0)
            if forceFirstToolCall && firstTurn && !tools.order.isEmpty { chosen.toolChoice = .required }
            reply = try await model.respond(to: messages, tools: tools.apiTools, options: chosen) { ctx.emit(token: $0) }
        case .text:
            var textOptions = options
            textOptions.stop += ["\nObservation:"]
            let raw = try await model.respond(to: TextReAct.render(messages, tools: tools.apiTools), tools: [], options: textOptions) {
                ctx.emit(token: $0)
            }
            var message = raw.message
            let step = ((state.int("steps") ?? 0) + 1)
            message.toolCalls = TextReAct.parse(message.content, step: step).map { [$0] } ?? []
            reply = ChatResponse(message: message, usage: raw.usage, finishReason: raw.finishReason)
        }
        return ["messages": [reply.message.json],
                "usage": ["input": .number(Double(reply.usage.inputTokens)), "output": .number(Double(reply.usage.outputTokens))],
                "steps": 1]
    }

    func toolStep(_ input: GraphState, _ ctx: NodeContext) async throws -> NodeResult {
        guard let value = input["call"], let call = try? value.decode(AgentToolCall.self) else {
            throw AgentError.invalidUpdate(node: "tools", reason: "a tool task needs a 'call'")
        }
        var result: ToolResult
        if approvalRequired.contains(call.name) {
            let decision = try ctx.interrupt(["tool": .string(call.name), "arguments": call.arguments, "id": .string(call.id)])
            if decision == "approve" || decision == true {
                result = await tools.run(call)
            } else {
                result = ToolResult(callID: call.id, name: call.name, arguments: call.arguments,
                                    content: "The user refused this call" + (decision.stringValue.map { ": \($0)" } ?? "."),
                                    isError: true, attempts: 0, seconds: 0)
            }
        } else {
            result = await tools.run(call)
        }
        return ["messages": [result.message.json], "tool_results": [try JSONValue(encoding: result)]]
    }
}

func sumNumbers(_ a: JSONValue?, _ b: JSONValue) throws -> JSONValue {
    guard let x = b.doubleValue else { throw AgentError.invalidUpdate(node: "", reason: "a counter takes numbers") }
    return .number((a?.doubleValue ?? 0) + x)
}

func sumObjects(_ a: JSONValue?, _ b: JSONValue) throws -> JSONValue {
    guard case .object(let add) = b else { throw AgentError.invalidUpdate(node: "", reason: "usage takes an object of counts") }
    var out = a?.objectValue ?? [:]
    for (k, v) in add { out[k] = .number((out[k]?.doubleValue ?? 0) + (v.doubleValue ?? 0)) }
    return .object(out)
}

/// The outcome of an agent run.
public struct AgentRunResult: Sendable {
    public var state: GraphState
    /// Waiting approvals: `{"node", "value": {"tool", "arguments", "id"}}` each.
    public var interrupts: [JSONValue]
    public var seconds: Double
    public var thread: String

    public var messages: [AgentMessage] { state.messages() }
    /// The last assistant message's text (the answer), when the run finished.
    public var answer: String? {
        guard interrupts.isEmpty, let last = messages.last, last.role == "assistant", last.toolCalls.isEmpty else { return nil }
        return TextReAct.finalAnswer(last.content) ?? last.content
    }
    /// Model calls of this run (a thread's earlier turns not counted).
    public var steps: Int { (state.int("steps") ?? 0) - (state["base"]?["steps"]?.intValue ?? 0) }
    /// Tokens of this run.
    public var usage: TokenUsage {
        func count(_ v: JSONValue?) -> Int { v?.intValue ?? 0 }
        return TokenUsage(inputTokens: count(state["usage"]?["input"]) - count(state["base"]?["usage"]?["input"]),
                          outputTokens: count(state["usage"]?["output"]) - count(state["base"]?["usage"]?["output"]))
    }
    public var toolResults: [ToolResult] { state.array("tool_results").compactMap { try? $0.decode(ToolResult.self) } }
}

/// ReAct's text protocol (Yao et al., 2022; LangChain's ReAct prompt).
public enum TextReAct {
    /// The conversation for a model without tool calling: tools and the format in the system
    /// message, earlier calls as their text, results as `Observation:` lines.
    public static func render(_ messages: [AgentMessage], tools: [APITool]) -> [AgentMessage] {
        var toolText = ""
        for t in tools { toolText += "- \(t.name): \(t.description ?? "") Arguments: \(t.parameters.serialized)\n" }
        let format = """
            Answer the question. You can use these tools:
            \(toolText)
            Use this format:
            Thought: what to do next
            Action: the tool's name
            Action Input: the arguments as a JSON object
            Observation: the result (given to you)
            … (Thought/Action/Action Input/Observation can repeat)
            Thought: I now know the final answer
            Final Answer: the answer
            """
        var out: [AgentMessage] = []
        var system = format
        if let first = messages.first, first.role == "system" { system = first.content + "\n\n" + format }
        out.append(.system(system))
        var scratch = ""
        for m in messages where m.role != "system" {
            switch m.role {
            case "assistant": scratch += m.content + "\n"
            case "tool": scratch += "Observation: \(m.content)\n"
            default:
                if !scratch.isEmpty { out.append(.assistant(scratch)); scratch = "" }
                out.append(m)
            }
        }
        if !scratch.isEmpty { out.append(.user(scratch + "Continue.")) }
        return out
    }

    /// The call in a ReAct reply (`Action:` and `Action Input:`), when it has one before any
    /// final answer. Arguments that are not a JSON object are passed as text (the executor tells
    /// the model).
    public static func parse(_ text: String, step: Int) -> AgentToolCall? {
        guard finalAnswer(text) == nil || (text.range(of: "Action:")?.lowerBound ?? text.endIndex) < (text.range(of: "Final Answer:")?.lowerBound ?? text.endIndex),
              let a = text.range(of: "Action:") else { return nil }
        let afterAction = text[a.upperBound...]
        let name = afterAction.prefix { $0 != "\n" }.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return nil }
        var arguments: JSONValue = .object([:])
        if let i = afterAction.range(of: "Action Input:") {
            let raw = afterAction[i.upperBound...]
            let cut = raw.range(of: "\nObservation:").map { raw[..<$0.lowerBound] } ?? raw
            let text = String(cut).trimmingCharacters(in: .whitespacesAndNewlines)
            arguments = (try? JSONValue.parse(text)).flatMap { $0.objectValue != nil ? $0 : nil } ?? .string(text)
        }
        return AgentToolCall(id: "react_\(step)", name: name, arguments: arguments)
    }

    /// The text after `Final Answer:`, when present.
    public static func finalAnswer(_ text: String) -> String? {
        guard let r = text.range(of: "Final Answer:", options: .backwards) else { return nil }
        return text[r.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
