import APIClient
import Foundation

/// Asks `model` for JSON under `schema` and parses it (a local model generates under the schema's
/// grammar; APIs get `response_format`). A reply that does not parse is an error quoting it.
func structured(_ model: any ChatModel, _ messages: [AgentMessage], schema: JSONValue, name: String, maxTokens: Int = 384) async throws -> (JSONValue, TokenUsage) {
    let reply = try await model.respond(to: messages, options: ChatOptions(maxTokens: maxTokens, responseFormat: .jsonSchema(name: name, schema: schema)))
    guard let value = try? JSONValue.parse(reply.message.content.trimmingCharacters(in: .whitespacesAndNewlines)), value.objectValue != nil else {
        throw AgentError.invalidModelReply("expected a JSON object for \(name), got \(reply.message.content.prefix(200))")
    }
    return (value, reply.usage)
}

let stepsSchema: JSONValue = ["type": "object", "properties": ["steps": ["type": "array", "items": ["type": "string"]]],
                              "required": ["steps"], "additionalProperties": false]

/// Plan first, then execute (LangGraph's plan-and-execute): a planner writes the steps, an
/// executor agent (with tools) does them one at a time, and a re-planner after each step either
/// answers or rewrites the remaining steps. State: `input`, `plan`, `past_steps`, `response`.
public struct PlanAndExecute: Sendable {
    public let planner: any ChatModel
    public let executor: ReactAgent
    public var maxSteps: Int

    public init(planner: any ChatModel, executor: ReactAgent, maxSteps: Int = 6) throws {
        try check(maxSteps >= 1, "maxSteps", maxSteps, "must be at least 1")
        self.planner = planner; self.executor = executor; self.maxSteps = maxSteps
    }

    public static var schema: StateSchema {
        StateSchema(["input": .lastValue, "plan": .lastValue, "past_steps": .append, "response": .lastValue,
                     "usage": .custom(initial: ["input": 0, "output": 0], combine: sumObjects)])
    }

    public func graph(checkpointer: (any Checkpointer)? = nil) throws -> CompiledGraph {
        var g = StateGraph(Self.schema)
        let me = self
        g.addNode("planner") { state, _ in
            let (plan, usage) = try await structured(me.planner, [
                .system("For the objective, write a short step-by-step plan: each step a self-contained task; the last step's result is the answer. Reply with JSON {\"steps\": [...]}."),
                .user(state.string("input") ?? "")], schema: stepsSchema, name: "plan")
            return ["plan": plan["steps"] ?? [], "usage": usageUpdate(usage)]
        }
        g.addNode("execute") { state, ctx in
            let plan = state.array("plan").compactMap(\.stringValue)
            guard let step = plan.first else { return [:] }
            let done = state.array("past_steps").map { "\($0["step"]?.stringValue ?? ""): \($0["result"]?.stringValue ?? "")" }
            let task = "Objective: \(state.string("input") ?? "")\n" + (done.isEmpty ? "" : "Done so far:\n\(done.joined(separator: "\n"))\n") + "Now do: \(step)"
            let r = try await me.executor.run(task) { e in if case .token(_, let t) = e { ctx.emit(token: t) } }
            return ["past_steps": [["step": .string(step), "result": .string(r.answer ?? "(no result)")]], "plan": .array(plan.dropFirst().map { .string($0) }),
                    "usage": usageUpdate(r.usage)]
        }
        g.addNode("replan") { state, _ in
            let done = state.array("past_steps")
            let remaining = state.array("plan").compactMap(\.stringValue)
            if done.count >= me.maxSteps || remaining.isEmpty {
                return ["response": done.last?["result"] ?? ""]
            }
            let schema: JSONValue = ["type": "object", "properties": ["response": ["type": "string"], "steps": ["type": "array", "items": ["type": "string"]]],
                                     "additionalProperties": false]
            let (decision, usage) = try await structured(me.planner, [
                .system("Update the plan. If the objective is met, reply {\"response\": <the answer>}; otherwise reply {\"steps\": [<the remaining steps>]}."),
                .user("Objective: \(state.string("input") ?? "")\nDone:\n" + done.map { "- \($0["step"]?.stringValue ?? ""): \($0["result"]?.stringValue ?? "")" }.joined(separator: "\n")
                      + "\nRemaining plan:\n" + remaining.map { "- \($0)" }.joined(separator: "\n"))], schema: schema, name: "replan")
            if let response = decision["response"], response.stringValue?.isEmpty == false { return ["response": response, "usage": usageUpdate(usage)] }
            return ["plan": decision["steps"] ?? .array([]), "usage": usageUpdate(usage)]
        }
        g.addEdge(START, "planner")
        g.addEdge("planner", "execute")
        g.addEdge("execute", "replan")
        g.addConditionalEdges(from: "replan", to: ["execute", END]) { state in
            state["response"] != nil || state.array("plan").isEmpty ? END : "execute"
        }
        return try g.compile(checkpointer: checkpointer, name: "plan-and-execute")
    }
}

/// Draft, critique, revise (Reflexion / self-refine): a writer drafts, a critic reviews, and the
/// writer revises until the critic approves (its reply contains `approval`) or `maxRounds` pass.
/// State: `task`, `draft`, `critiques` (appended), `rounds`.
public struct Reflection: Sendable {
    public let writer: any ChatModel
    public let critic: any ChatModel
    public var maxRounds: Int
    public var approval: String

    public init(writer: any ChatModel, critic: any ChatModel, maxRounds: Int = 3, approval: String = "APPROVED") throws {
        try check(maxRounds >= 1, "maxRounds", maxRounds, "must be at least 1")
        self.writer = writer; self.critic = critic; self.maxRounds = maxRounds; self.approval = approval
    }

    public func graph(checkpointer: (any Checkpointer)? = nil) throws -> CompiledGraph {
        var g = StateGraph(StateSchema(["task": .lastValue, "draft": .lastValue, "critiques": .append,
                                        "rounds": .custom(initial: 0, combine: sumNumbers)]))
        let me = self
        g.addNode("write") { state, ctx in
            var messages: [AgentMessage] = [.system("You write the requested text. When given critique, revise the draft to address it."),
                                            .user(state.string("task") ?? "")]
            if let draft = state.string("draft"), let last = state.array("critiques").last?.stringValue {
                messages += [.assistant(draft), .user("Critique:\n\(last)\nRevise the draft.")]
            }
            let reply = try await me.writer.respond(to: messages, tools: [], options: ChatOptions(maxTokens: 400)) { ctx.emit(token: $0) }
            return ["draft": .string(reply.message.content), "rounds": 1]
        }
        g.addNode("critique") { state, _ in
            let reply = try await me.critic.respond(to: [
                .system("You review a draft for the task. List concrete problems, or reply \(me.approval) when it needs no change."),
                .user("Task: \(state.string("task") ?? "")\n\nDraft:\n\(state.string("draft") ?? "")")], options: ChatOptions(maxTokens: 300))
            return ["critiques": [.string(reply.message.content)]]
        }
        g.addEdge(START, "write")
        g.addConditionalEdges(from: "write", to: ["critique", END]) { state in (state.int("rounds") ?? 0) > me.maxRounds ? END : "critique" }
        g.addConditionalEdges(from: "critique", to: ["write", END]) { state in
            let last = state.array("critiques").last?.stringValue ?? ""
            return last.contains(me.approval) || (state.int("rounds") ?? 0) >= me.maxRounds ? END : "write"
        }
        return try g.compile(checkpointer: checkpointer, name: "reflection")
    }
}

/// BabyAGI's loop: take the first task of the list, do it with the executor agent, let the model
/// add new tasks from the result and re-order the list; stop when it is empty or after
/// `maxIterations`. State: `objective`, `tasks`, `results` (appended).
public struct TaskListAgent: Sendable {
    public let model: any ChatModel
    public let executor: ReactAgent
    public var maxIterations: Int

    public init(model: any ChatModel, executor: ReactAgent, maxIterations: Int = 5) throws {
        try check(maxIterations >= 1, "maxIterations", maxIterations, "must be at least 1")
        self.model = model; self.executor = executor; self.maxIterations = maxIterations
    }

    public func graph(checkpointer: (any Checkpointer)? = nil) throws -> CompiledGraph {
        var g = StateGraph(StateSchema(["objective": .lastValue, "tasks": .lastValue, "results": .append]))
        let me = self
        g.addNode("execute") { state, ctx in
            let tasks = state.array("tasks").compactMap(\.stringValue)
            guard let task = tasks.first else { return [:] }
            let earlier = state.array("results").suffix(3).map { "\($0["task"]?.stringValue ?? ""): \($0["result"]?.stringValue ?? "")" }
            let r = try await me.executor.run("Objective: \(state.string("objective") ?? "")\n" + (earlier.isEmpty ? "" : "Earlier results:\n\(earlier.joined(separator: "\n"))\n") + "Task: \(task)") { e in
                if case .token(_, let t) = e { ctx.emit(token: t) }
            }
            return ["results": [["task": .string(task), "result": .string(r.answer ?? "(no result)")]], "tasks": .array(tasks.dropFirst().map { .string($0) })]
        }
        g.addNode("create_and_prioritize") { state, _ in
            let remaining = state.array("tasks").compactMap(\.stringValue)
            let last = state.array("results").last
            let (reply, _) = try await structured(me.model, [
                .system("You manage a task list for an objective. Given the last result and the remaining tasks, return the new full list in priority order, adding tasks only if the objective needs them; an empty list when the objective is met. Reply with JSON {\"steps\": [...]}."),
                .user("Objective: \(state.string("objective") ?? "")\nLast task: \(last?["task"]?.stringValue ?? "")\nResult: \(last?["result"]?.stringValue ?? "")\nRemaining: \(remaining.joined(separator: "; "))")],
                schema: stepsSchema, name: "tasks")
            return ["tasks": .array((reply["steps"]?.arrayValue ?? []).prefix(10).map { $0 })]
        }
        g.addEdge(START, "execute")
        g.addConditionalEdges(from: "execute", to: ["create_and_prioritize", END]) { state in
            state.array("results").count >= me.maxIterations ? END : "create_and_prioritize"
        }
        g.addConditionalEdges(from: "create_and_prioritize", to: ["execute", END]) { state in state.array("tasks").isEmpty ? END : "execute" }
        return try g.compile(checkpointer: checkpointer, name: "task-list")
    }
}
