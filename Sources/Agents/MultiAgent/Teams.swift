import APIClient
import Foundation

/// One member of a team: a name others address it by, what it is for (the supervisor and the
/// speaker selector read this), and the agent that does its work.
public struct TeamMember: Sendable {
    public var name: String
    public var description: String
    public var agent: ReactAgent

    public init(name: String, description: String, agent: ReactAgent) throws {
        try checkToolName(name)
        self.name = name; self.description = description; self.agent = agent
    }
}

/// The shared transcript as one member sees it: its own turns as assistant messages, the others'
/// as user messages that start with the speaker's name (AutoGen's group-chat view).
func transcript(_ messages: [AgentMessage], for member: String) -> [AgentMessage] {
    messages.compactMap { m in
        if m.role == "assistant" {
            if m.name == member { return .assistant(m.content) }
            return .user("\(m.name ?? "assistant"): \(m.content)")
        }
        if m.role == "user" { return .user(m.name.map { "\($0): \(m.content)" } ?? m.content) }
        return nil
    }
}

/// Asks `model` to pick one of `options` (JSON under an enum schema: a local model generates
/// under its grammar; an API model gets `response_format`). A reply that is not one of them is
/// an error naming it.
func choose(_ model: any ChatModel, prompt: [AgentMessage], options: [String], key: String = "next") async throws -> (String, TokenUsage) {
    let schema: JSONValue = ["type": "object", "properties": [key: ["type": "string", "enum": .array(options.map { .string($0) })]],
                             "required": [.string(key)], "additionalProperties": false]
    let reply = try await model.respond(to: prompt, options: ChatOptions(maxTokens: 64, responseFormat: .jsonSchema(name: "choice", schema: schema)))
    let text = reply.message.content.trimmingCharacters(in: .whitespacesAndNewlines)
    if let value = (try? JSONValue.parse(text))?[key]?.stringValue, options.contains(value) { return (value, reply.usage) }
    // Models without structured output often answer with the bare name.
    if let bare = options.first(where: { $0.caseInsensitiveCompare(text.trimmingCharacters(in: CharacterSet(charactersIn: "\"'."))) == .orderedSame }) {
        return (bare, reply.usage)
    }
    throw AgentError.invalidModelReply("expected {\"\(key)\": one of \(options.joined(separator: ", "))}, got \(text.prefix(200))")
}

/// Common state keys of the team graphs: the shared transcript, the number of turns taken, and
/// token usage.
var teamSchema: StateSchema {
    StateSchema(["messages": .messages, "turns": .custom(initial: 0, combine: sumNumbers),
                 "usage": .custom(initial: ["input": 0, "output": 0], combine: sumObjects), "next": .lastValue,
                 "verdict": .lastValue])
}

func usageUpdate(_ u: TokenUsage) -> JSONValue { ["input": .number(Double(u.inputTokens)), "output": .number(Double(u.outputTokens))] }

/// The transcript as one task text for a member's agent: its own turns as "You: …", the
/// others' under their names, then the instruction.
func memberTask(_ messages: [AgentMessage], for member: String, instruction: String?) -> String {
    var view = transcript(messages, for: member)
    if let instruction { view.append(.user(instruction)) }
    return view.map { $0.role == "assistant" ? "You: \($0.content)" : $0.content }.joined(separator: "\n\n")
}

/// Runs `member` on the transcript and returns its contribution as a named assistant message.
func speak(_ member: TeamMember, messages: [AgentMessage], instruction: String?, ctx: NodeContext) async throws -> NodeResult {
    let task = memberTask(messages, for: member.name, instruction: instruction)
    let result = try await member.agent.run(task) { event in
        if case .token(_, let t) = event { ctx.emit(token: t) }
    }
    let text = result.answer ?? "(no answer)"
    return ["messages": [AgentMessage.assistant(text, name: member.name).json], "turns": 1, "usage": usageUpdate(result.usage)]
}

/// A supervisor that hands the work to one member at a time until it decides the request is done
/// (LangGraph's supervisor pattern; CrewAI's hierarchical process). Each decision is a structured
/// choice among the members' names and `FINISH`.
public struct Supervisor: Sendable {
    public let model: any ChatModel
    public let members: [TeamMember]
    public var maxTurns: Int

    public init(model: any ChatModel, members: [TeamMember], maxTurns: Int = 8) throws {
        try check(!members.isEmpty, "members", 0, "a supervisor needs at least one member")
        try check(Set(members.map(\.name)).count == members.count, "members", members.map(\.name), "names must differ")
        try check(!members.contains { $0.name == "FINISH" }, "members", "FINISH", "is reserved")
        try check(maxTurns >= 1, "maxTurns", maxTurns, "must be at least 1")
        self.model = model; self.members = members; self.maxTurns = maxTurns
    }

    public func graph(checkpointer: (any Checkpointer)? = nil) throws -> CompiledGraph {
        var g = StateGraph(teamSchema)
        let me = self
        g.addNode("supervisor") { state, _ in
            if (state.int("turns") ?? 0) >= me.maxTurns { return ["next": "FINISH"] }
            let roster = me.members.map { "- \($0.name): \($0.description)" }.joined(separator: "\n")
            let prompt: [AgentMessage] = [.system("""
                You are a supervisor managing these workers:
                \(roster)
                Given the conversation, choose the worker to act next, or FINISH when the request is answered. \
                Reply with JSON {"next": NAME}.
                """)] + transcript(state.messages(), for: "supervisor")
            let (next, usage) = try await choose(me.model, prompt: prompt, options: me.members.map(\.name) + ["FINISH"])
            return ["next": .string(next), "usage": usageUpdate(usage)]
        }
        for m in members {
            g.addNode(m.name) { state, ctx in try await speak(m, messages: state.messages(), instruction: nil, ctx: ctx) }
            g.addEdge(m.name, "supervisor")
        }
        g.addEdge(START, "supervisor")
        g.addConditionalEdges(from: "supervisor", to: members.map(\.name) + [END]) { state in
            let next = state.string("next") ?? "FINISH"
            return next == "FINISH" ? END : next
        }
        return try g.compile(checkpointer: checkpointer, name: "supervisor")
    }
}

/// How a group chat picks the next speaker (AutoGen's speaker selection).
public enum SpeakerPolicy: Sendable, Equatable {
    /// Members in order, again and again.
    case roundRobin
    /// A fixed sequence of member names, repeated.
    case sequence([String])
    /// The model picks among the members who did not just speak.
    case auto
}

/// Members take turns on one transcript until `maxTurns` or until a message contains the
/// termination text (AutoGen's `GroupChat`).
public struct GroupChat: Sendable {
    public let members: [TeamMember]
    public let policy: SpeakerPolicy
    /// The selector for `.auto`.
    public let selector: (any ChatModel)?
    public var maxTurns: Int
    public var terminationText: String

    public init(members: [TeamMember], policy: SpeakerPolicy = .roundRobin, selector: (any ChatModel)? = nil, maxTurns: Int = 6,
                terminationText: String = "TERMINATE") throws {
        try check(members.count >= 2, "members", members.count, "a group chat needs at least two members")
        try check(Set(members.map(\.name)).count == members.count, "members", members.map(\.name), "names must differ")
        if case .sequence(let names) = policy {
            try check(!names.isEmpty && names.allSatisfy { n in members.contains { $0.name == n } }, "sequence", names, "must name members")
        }
        if policy == .auto { try check(selector != nil, "selector", "nil", "the auto policy needs a model to choose speakers") }
        try check(maxTurns >= 1, "maxTurns", maxTurns, "must be at least 1")
        self.members = members; self.policy = policy; self.selector = selector; self.maxTurns = maxTurns
        self.terminationText = terminationText
    }

    func nextSpeaker(turn: Int, messages: [AgentMessage]) async throws -> (String, TokenUsage) {
        switch policy {
        case .roundRobin: return (members[turn % members.count].name, TokenUsage())
        case .sequence(let names): return (names[turn % names.count], TokenUsage())
        case .auto:
            let last = messages.last?.name
            let candidates = members.filter { $0.name != last }
            let roster = candidates.map { "- \($0.name): \($0.description)" }.joined(separator: "\n")
            return try await choose(selector!, prompt: [.system("You pick who speaks next in a group conversation. Members:\n\(roster)\nReply with JSON {\"next\": NAME}.")]
                                    + transcript(messages, for: "selector"), options: candidates.map(\.name))
        }
    }

    public func graph(checkpointer: (any Checkpointer)? = nil) throws -> CompiledGraph {
        var g = StateGraph(teamSchema)
        let me = self
        g.addNode("select") { state, _ in
            let (name, usage) = try await me.nextSpeaker(turn: state.int("turns") ?? 0, messages: state.messages())
            return ["next": .string(name), "usage": usageUpdate(usage)]
        }
        for m in members {
            g.addNode(m.name) { state, ctx in try await speak(m, messages: state.messages(), instruction: nil, ctx: ctx) }
            g.addConditionalEdges(from: m.name, to: ["select", END]) { state in
                let done = (state.int("turns") ?? 0) >= me.maxTurns
                    || (state.messages().last?.content.contains(me.terminationText) ?? false)
                return done ? END : "select"
            }
        }
        g.addEdge(START, "select")
        g.addConditionalEdges(from: "select", to: members.map(\.name)) { $0.string("next") ?? me.members[0].name }
        return try g.compile(checkpointer: checkpointer, name: "group-chat")
    }
}

/// Debaters argue in rounds, each seeing the others' arguments, then a judge names the winner
/// with a reason (structured output `{"winner", "reason"}`, stored under `verdict`).
public struct Debate: Sendable {
    public let debaters: [TeamMember]
    public let judge: any ChatModel
    public var rounds: Int

    public init(debaters: [TeamMember], judge: any ChatModel, rounds: Int = 2) throws {
        try check(debaters.count >= 2, "debaters", debaters.count, "a debate needs at least two sides")
        try check(Set(debaters.map(\.name)).count == debaters.count, "debaters", debaters.map(\.name), "names must differ")
        try check(rounds >= 1, "rounds", rounds, "must be at least 1")
        self.debaters = debaters; self.judge = judge; self.rounds = rounds
    }

    public func graph(checkpointer: (any Checkpointer)? = nil) throws -> CompiledGraph {
        var g = StateGraph(teamSchema)
        let me = self
        for (i, d) in debaters.enumerated() {
            g.addNode(d.name) { state, ctx in
                let turn = state.int("turns") ?? 0
                let round = turn / me.debaters.count + 1
                let instruction = "Round \(round) of \(me.rounds). Argue your position in a short paragraph, answering the other side's points."
                return try await speak(d, messages: state.messages(), instruction: instruction, ctx: ctx)
            }
            let next = i + 1 < debaters.count ? debaters[i + 1].name : nil
            g.addConditionalEdges(from: d.name, to: [next ?? debaters[0].name, "judge"]) { state in
                if let next { return next }
                return (state.int("turns") ?? 0) >= me.rounds * me.debaters.count ? "judge" : me.debaters[0].name
            }
        }
        g.addNode("judge") { state, _ in
            let names = me.debaters.map(\.name)
            let schema: JSONValue = ["type": "object", "properties": ["winner": ["type": "string", "enum": .array(names.map { .string($0) })],
                                                                     "reason": ["type": "string"]],
                                     "required": ["winner", "reason"], "additionalProperties": false]
            let prompt: [AgentMessage] = [.system("You judge a debate between \(names.joined(separator: " and ")). Decide who argued better and why. Reply with JSON {\"winner\": NAME, \"reason\": TEXT}.")]
                + transcript(state.messages(), for: "judge")
            let reply = try await me.judge.respond(to: prompt, options: ChatOptions(maxTokens: 256, responseFormat: .jsonSchema(name: "verdict", schema: schema)))
            guard let verdict = try? JSONValue.parse(reply.message.content), let w = verdict["winner"]?.stringValue, names.contains(w) else {
                throw AgentError.invalidModelReply("the judge's verdict is not {\"winner\": one of \(names.joined(separator: ", ")), \"reason\": …}: \(reply.message.content.prefix(200))")
            }
            return ["verdict": verdict, "messages": [AgentMessage.assistant("Winner: \(w). \(verdict["reason"]?.stringValue ?? "")", name: "judge").json],
                    "usage": usageUpdate(reply.usage)]
        }
        g.addEdge(START, debaters[0].name)
        g.addEdge("judge", END)
        return try g.compile(checkpointer: checkpointer, name: "debate")
    }
}

/// Agents that pass control to one another with `transfer_to_<name>` tools (OpenAI Swarm's and
/// LangGraph's hand-off pattern): the active agent answers or hands the conversation over.
public struct Handoffs: Sendable {
    public let members: [TeamMember]
    public var maxTurns: Int

    public init(members: [TeamMember], maxTurns: Int = 6) throws {
        try check(members.count >= 2, "members", members.count, "hand-offs need at least two agents")
        try check(Set(members.map(\.name)).count == members.count, "members", members.map(\.name), "names must differ")
        self.members = members; self.maxTurns = maxTurns
    }

    public func graph(checkpointer: (any Checkpointer)? = nil) throws -> CompiledGraph {
        var g = StateGraph(teamSchema)
        let me = self
        for m in members {
            let others = members.filter { $0.name != m.name }
            var agent = m.agent
            let transfers: [any AgentTool] = try others.map { o in
                try JSONTool(name: "transfer_to_\(o.name)", description: "Hand the conversation to \(o.name): \(o.description)",
                             parameters: ["type": "object", "properties": [:]]) { _ in "transferred to \(o.name)" }
            }
            agent = try ReactAgent(model: agent.model, tools: Array(agent.tools.order.compactMap { agent.tools.tools[$0] }) + transfers,
                                   systemPrompt: agent.systemPrompt, limits: agent.limits, toolProtocol: agent.toolProtocol,
                                   approvalRequired: agent.approvalRequired, policy: agent.tools.policy, options: agent.options)
            agent.memory = m.agent.memory
            agent.forceFirstToolCall = m.agent.forceFirstToolCall
            let member = try TeamMember(name: m.name, description: m.description, agent: agent)
            g.addNode(m.name, destinations: others.map(\.name) + [END]) { state, ctx in
                let task = memberTask(state.messages(), for: member.name, instruction: nil)
                let result = try await member.agent.run(task) { e in if case .token(_, let t) = e { ctx.emit(token: t) } }
                let handoff = result.toolResults.last { $0.name.hasPrefix("transfer_to_") }
                let target = handoff.map { String($0.name.dropFirst("transfer_to_".count)) }
                var update: [String: JSONValue] = ["turns": 1, "usage": usageUpdate(result.usage), "next": target.map { .string($0) } ?? .null]
                if let answer = result.answer, target == nil || !answer.isEmpty {
                    update["messages"] = [AgentMessage.assistant(answer, name: member.name).json]
                }
                let done = target == nil || (state.int("turns") ?? 0) + 1 >= me.maxTurns
                return NodeResult(update: update, goto: done ? [.end] : [.node(target!)])
            }
        }
        g.addEdge(START, members[0].name)
        return try g.compile(checkpointer: checkpointer, name: "handoffs")
    }
}

/// Tasks done in order by their agents, each seeing the earlier outputs (CrewAI's sequential
/// process). Each task's output is a named assistant message and an entry of `outputs`.
public struct SequentialCrew: Sendable {
    public struct Step: Sendable {
        public var name: String
        public var description: String
        public var expectedOutput: String?
        public var member: TeamMember
        public init(name: String, description: String, expectedOutput: String? = nil, member: TeamMember) {
            self.name = name; self.description = description; self.expectedOutput = expectedOutput; self.member = member
        }
    }
    public let steps: [Step]

    public init(steps: [Step]) throws {
        try check(!steps.isEmpty, "tasks", 0, "a crew needs at least one task")
        try check(Set(steps.map(\.name)).count == steps.count, "tasks", steps.map(\.name), "task names must differ")
        self.steps = steps
    }

    public func graph(checkpointer: (any Checkpointer)? = nil) throws -> CompiledGraph {
        var g = StateGraph(teamSchema.adding("outputs", .append))
        var previous = START
        for step in steps {
            g.addNode(step.name) { state, ctx in
                var instruction = "Your task: \(step.description)"
                if let e = step.expectedOutput { instruction += "\nExpected output: \(e)" }
                var result = try await speak(step.member, messages: state.messages(), instruction: instruction, ctx: ctx)
                let text = result.update["messages"]?[0]?["content"] ?? ""
                result.update["outputs"] = [["task": .string(step.name), "agent": .string(step.member.name), "output": text]]
                return result
            }
            g.addEdge(previous, step.name)
            previous = step.name
        }
        g.addEdge(previous, END)
        return try g.compile(checkpointer: checkpointer, name: "crew")
    }
}
