import Agents
import APIClient
import Datasets
import Foundation

/// A scripted chat model from assistant turns: text, or tool calls `(name, arguments)`.
func script(_ turns: [AgentMessage]) -> ScriptedChatModel { ScriptedChatModel(turns: turns) }

func toolTurn(_ calls: (String, JSONValue)...) -> AgentMessage {
    .assistant("", toolCalls: calls.enumerated().map { AgentToolCall(id: "call_\($0.offset + 1)", name: $0.element.0, arguments: $0.element.1) })
}

/// A folder for one demo's files, removed by the caller.
func demoFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlearn-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The transcript of an agent run, one line per message.
func transcriptLines(_ messages: [AgentMessage]) -> [String] {
    messages.map { m in
        let who = m.name ?? m.role
        if !m.toolCalls.isEmpty { return "\(who) → " + m.toolCalls.map { "\($0.name)(\($0.arguments.serialized))" }.joined(separator: ", ") }
        if m.role == "tool" { return "  ← \(m.name ?? "tool"): \(short(m.content, 100))" }
        return "\(who): \(short(m.content, 140))"
    }
}

/// A preset task of benchmarks' suite, run scripted, and for real when a model is present.
struct PresetRun {
    let scripted: AgentSystemResult
    let real: AgentSystemResult?
    let realError: String?
    let prompts: [String]

    /// - Parameter real: also run with the context's GGUF model (the project demos; the
    ///   checkpoints, which tests run, stay on scripted turns and are quick).
    static func run(_ preset: String, input: String, turns: [AgentMessage], ctx: DemoContext, memory: MemoryStore? = nil,
                    before: [(String, [AgentMessage])] = [], real runReal: Bool = true) throws -> PresetRun {
        let folder = try demoFolder("agent-\(preset)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let tools = try AgentPresets.tools(for: preset, in: folder)
        let spec = try AgentPresets.spec(preset)
        let store = try memory ?? MemoryStore(path: folder.appendingPathComponent("memory.sqlite").path)
        for (earlier, earlierTurns) in before {
            let system = try AgentSystem(spec: spec, model: script(earlierTurns), tools: tools, memoryStore: store)
            _ = try blocking { try await system.run(earlier, thread: "earlier-\(UUID().uuidString)") }
        }
        let model = script(turns)
        let system = try AgentSystem(spec: spec, model: model, tools: tools, memoryStore: store)
        let scripted = try blocking { try await system.run(input, thread: "demo") }
        var real: AgentSystemResult?
        var realError: String?
        if runReal, let path = ctx.languageModel {
            do {
                let local = try LocalChatModel(contentsOf: path, contextLength: 2048)
                let realSystem = try AgentSystem(spec: spec, model: local, tools: tools, memoryStore: store)
                real = try blocking { try await realSystem.run(input, thread: "real") }
            } catch {
                realError = "\(error)"
            }
        }
        return PresetRun(scripted: scripted, real: real, realError: realError, prompts: model.calls.flatMap { $0.map(\.content) })
    }

    /// Lines reporting the real model's run (or why there was none).
    func realLines(_ ctx: DemoContext) -> [String] {
        if let real {
            return ["with \(ctx.languageModel?.deletingPathExtension().lastPathComponent ?? "the model") (\(real.modelCalls) calls, \(f(real.seconds, 1)) s):"]
                + transcriptLines(real.state.messages()).map { "  " + $0 }
        }
        if let realError { return ["the local model's run failed: \(realError)"] }
        if ctx.languageModel != nil { return ["(scripted turns only; `swiftlearn demo` of the project runs the model too)"] }
        return ["(scripted turns only: \(LanguageModelLocator.howToGet))"]
    }
}

func toolsCalled(_ r: AgentSystemResult) -> [String] {
    r.state.array("tool_results").compactMap { $0["isError"] == false ? $0["name"]?.stringValue : nil }
}

extension DemoRegistry {
    /// Demos of agents: tool calling, ReAct, memory, graphs, teams, planning and evaluation. They
    /// run on scripted model turns (the same every time); with a GGUF model present, the project
    /// demos also run for real and show what the model did.
    public static let agents: [Demo] = [
        Demo("tool-calling", "Function calling: a Swift type becomes a tool's JSON schema; bad arguments go back to the model",
             shows: "A `Decodable` arguments type (with an enum, an optional and a nested array) becomes the JSON schema the model sees; a call with a missing field is answered with the validation error, the model corrects it, and the tool runs.") { _ in
            struct Convert: Decodable, Sendable, DescribedArguments {
                var amount: Double
                var unit: Unit
                var precision: Int?
                enum Unit: String, ToolArgumentEnum { case celsius, fahrenheit }
                static let fieldDescriptions = ["amount": "The temperature to convert", "unit": "The unit of `amount`"]
            }
            let tool = try FunctionTool(name: "convert_temperature", description: "Convert between Celsius and Fahrenheit") { (a: Convert) in
                let v = a.unit == .celsius ? a.amount * 9 / 5 + 32 : (a.amount - 32) * 5 / 9
                return String(format: "%.\(a.precision ?? 1)f", v)
            }
            let model = script([toolTurn(("convert_temperature", ["amount": 100])),
                                toolTurn(("convert_temperature", ["amount": 100, "unit": "celsius"])), .assistant("100 °C is 212.0 °F.")])
            let r = try blocking { try await ReactAgent(model: model, tools: [tool]).run("What is 100 °C in Fahrenheit?") }
            let results = r.toolResults
            let lines = ["schema: \(tool.parameters.serialized)"] + transcriptLines(r.messages)
            return DemoOutcome(passed: results.count == 2 && results[0].isError && results[0].content.contains("unit") && results[1].content == "212.0"
                               && r.answer == "100 °C is 212.0 °F.", result: lines.joined(separator: "\n"),
                               metrics: [("tool_calls", Double(results.count)), ("steps", Double(r.steps))])
        },
        Demo("react-pattern", "ReAct: thoughts, actions and observations in one transcript",
             shows: "A model without native tool calling writes `Thought:`, `Action:` and `Action Input:`; the agent parses the action, runs the calculator and appends `Observation:`, until `Final Answer:`.") { _ in
            let model = script([.assistant("Thought: I need the area of a circle of radius 3.\nAction: calculator\nAction Input: {\"expression\": \"pi * 3^2\"}"),
                                .assistant("Thought: I now know the final answer\nFinal Answer: about 28.27")])
            let r = try blocking { try await ReactAgent(model: model, tools: [BuiltinTools.calculator()], toolProtocol: .text).run("Area of a circle of radius 3?") }
            let second = model.calls[1].map(\.content).joined(separator: "\n")
            return DemoOutcome(passed: r.answer == "about 28.27" && second.contains("Observation: 28.2743338823"),
                               result: (transcriptLines(r.messages) + ["what the model saw on its second turn ends with: " + short(String(second.suffix(120)))]).joined(separator: "\n"))
        },
        Demo("agent-loop", "The agent loop and its stopping rules",
             shows: "Observe, think, act, repeat — until the model answers, or a limit stops it: a model that keeps calling tools is stopped after 3 model calls, another after 200 tokens.") { _ in
            let loop = (0..<10).map { _ in toolTurn(("calculator", ["expression": "1+1"])) }
            let byStep = try blocking { try await ReactAgent(model: script(loop), tools: [BuiltinTools.calculator()], limits: AgentLimits(maxSteps: 3)).run("count") }
            let wordy = (0..<10).map { _ in AgentMessage.assistant(String(repeating: "thinking ", count: 30), toolCalls: [AgentToolCall(id: "c", name: "calculator", arguments: ["expression": "2"])]) }
            let byTokens = try blocking { try await ReactAgent(model: script(wordy), tools: [BuiltinTools.calculator()], limits: AgentLimits(maxSteps: 10, maxTokens: 200)).run("think") }
            return DemoOutcome(passed: byStep.steps == 3 && byStep.answer?.contains("step limit") == true && byTokens.answer?.contains("token limit") == true,
                               result: ["step limit: \(byStep.steps) model calls → \(byStep.answer ?? "")",
                                        "token limit: \(byTokens.steps) calls, \(byTokens.usage.totalTokens) tokens → \(byTokens.answer ?? "")"].joined(separator: "\n"))
        },
        Demo("custom-tools", "Custom tools: a safe calculator, read-only SQL, CSV statistics and model fitting",
             shows: "The library's built-in tools called directly: arithmetic without eval, a SELECT over a SQLite file opened read-only (a DELETE is refused), a CSV described and a model fitted with its test accuracy, a path outside the allowed folder refused.") { _ in
            let folder = try demoFolder("tools")
            defer { try? FileManager.default.removeItem(at: folder) }
            let registry = try AgentPresets.tools(for: "data-analysis", in: folder)
                .merging(try AgentPresets.tools(for: "support", in: folder))
            let ex = try ToolExecutor(registry.names.compactMap { registry.tools[$0] })
            let calls: [AgentToolCall] = [
                .init(id: "1", name: "calculator", arguments: ["expression": "sqrt(2) * (3 + 4)^2 / 7"]),
                .init(id: "2", name: "sql_query", arguments: ["query": "SELECT customer, COUNT(*) AS orders FROM orders GROUP BY customer ORDER BY orders DESC LIMIT 2"]),
                .init(id: "3", name: "sql_query", arguments: ["query": "DELETE FROM orders"]),
                .init(id: "4", name: "describe_csv", arguments: ["path": "penguins.csv"]),
                .init(id: "5", name: "fit_model", arguments: ["path": "penguins.csv", "target": "species", "model": "random-forest"]),
                .init(id: "6", name: "read_file", arguments: ["path": "../../etc/passwd"]),
            ]
            let results = try blocking { await ex.run(calls) }
            let lines = zip(calls, results).map { "\($0.name)(\($0.arguments.serialized)) → \($1.isError ? "refused: " : "")\(short($1.content, 160))" }
            let ok = !results[0].isError && !results[1].isError && results[2].isError && !results[3].isError && !results[4].isError && results[5].isError
            return DemoOutcome(passed: ok, result: lines.joined(separator: "\n"))
        },
        Demo("agent-memory", "Agent memory: window, summary, entities, long-term vectors and episodes",
             shows: "One conversation stored five ways: the last two exchanges; a summary the model writes as old turns fall out; facts about entities (\"my order number is 1002\"); exchanges recalled by similarity from a collection; past runs recalled for a similar task.") { _ in
            let folder = try demoFolder("memory")
            defer { try? FileManager.default.removeItem(at: folder) }
            let turns = [("Hi, my name is Ada Lovelace and my order number is 1002.", "Hello Ada, I see order 1002."),
                         ("My email is ada@example.org.", "Thanks, noted."),
                         ("The book I want next is about reinforcement learning.", "Noted: reinforcement learning.")]
            let window = try BufferMemory(window: 2)
            let summary = try SummaryMemory(model: script([.assistant("Ada (order 1002) said hello."), .assistant("Ada (order 1002) gave her email."),
                                                           .assistant("Ada (order 1002) gave her email and wants a book on reinforcement learning.")]),
                                            maxRecentCharacters: 120)
            let entities = try EntityMemory()
            let vector = try VectorMemory(at: folder.appendingPathComponent("long.sqlite"), k: 1)
            let episodes = try EpisodicMemory(k: 1)
            for (q, a) in turns {
                for m in [window, summary, entities, vector] as [any AgentMemory] { try blocking { try await m.remember(input: q, output: a) } }
            }
            try episodes.record(.init(task: "find a customer's order status", outcome: "sql_query on orders by id", success: true, lesson: "ask for the order number first"))
            let query = "Which book topic did I ask about?"
            let w = try blocking { try await window.recall(for: query) }, s = try blocking { try await summary.recall(for: query) }
            let e = try blocking { try await entities.recall(for: query) }, v = try blocking { try await vector.recall(for: query) }
            let p = try blocking { try await episodes.recall(for: "what is the status of an order") }
            let lines = ["window (2 exchanges): \(w.count) messages, first: \(short(w.first?.content ?? ""))",
                         "summary: \(short(s.first?.content ?? ""))", "entities: \(short(e.first?.content ?? "", 200))",
                         "vector recall: \(short(v.first?.content ?? ""))", "episodes: \(short(p.first?.content ?? "", 200))"]
            let ok = w.count == 4 && s.first?.content.contains("order 1002") == true && e.first?.content.contains("email: ada@example.org") == true
                && v.first?.content.contains("reinforcement learning") == true && p.first?.content.contains("order number first") == true
            return DemoOutcome(passed: ok, result: lines.joined(separator: "\n"))
        },
        Demo("agent-chains", "Chains as graphs: a router and a map-reduce fan-out",
             shows: "A question routed by a classifier to one of three handlers (conditional edges), and three topics summarised in parallel by `Send` tasks whose results a reducer gathers before a final node joins them.") { _ in
            var router = StateGraph(StateSchema(["q": .lastValue, "kind": .lastValue, "answer": .lastValue]))
            let classifier = script([.assistant("math"), .assistant("code")])
            router.addNode("classify") { s, _ in ["kind": .string(try await classifier.respond(to: [.user(s.string("q") ?? "")]).message.content)] }
            for k in ["math", "code", "other"] { router.addNode(k) { s, _ in ["answer": .string("\(k) handler: \(s.string("q") ?? "")")] } }
            router.addEdge(START, "classify")
            router.addConditionalEdges(from: "classify", pathMap: ["math": "math", "code": "code", "other": "other"]) { s in
                ["math", "code"].contains(s.string("kind") ?? "") ? s.string("kind")! : "other"
            }
            let routed = try router.compile()
            let a1 = try blocking { try await routed.invoke(.values(["q": "integrate x^2"])) }, a2 = try blocking { try await routed.invoke(.values(["q": "reverse a list"])) }
            var mr = StateGraph(StateSchema(["topics": .lastValue, "notes": .append, "report": .lastValue]))
            mr.addNode("summarize") { arg, _ in ["notes": [.string("note on \(arg.string("topic") ?? "")")]] }
            mr.addNode("join") { s, _ in ["report": .string(s.array("notes").compactMap(\.stringValue).joined(separator: "; "))] }
            mr.addConditionalEdges(from: START, to: ["summarize"], targets: { s in s.array("topics").map { .send("summarize", ["topic": $0]) } })
            mr.addEdge("summarize", "join")
            let mapReduce = try mr.compile(checkpointer: InMemoryCheckpointer())
            let m = try blocking { try await mapReduce.invoke(.values(["topics": ["bagging", "boosting", "stacking"]]), config: RunConfig(threadID: "mr")) }
            let lines = [a1.state.string("answer") ?? "", a2.state.string("answer") ?? "", "map-reduce: \(m.state.string("report") ?? "")"]
            return DemoOutcome(passed: a1.state.string("answer")?.hasPrefix("math") == true && a2.state.string("answer")?.hasPrefix("code") == true
                               && m.state.array("notes").count == 3, result: lines.joined(separator: "\n"))
        },
        Demo("agent-workflows", "State-graph workflows: checkpoints, a human in the loop, time travel",
             shows: "A tool-calling agent whose calculator needs approval: the run stops at the interrupt with its checkpoints saved to SQLite, a new process resumes it with \"approve\", and the history lets us go back to any step and fork from it.") { _ in
            let folder = try demoFolder("workflow")
            defer { try? FileManager.default.removeItem(at: folder) }
            let store = try SQLiteCheckpointer(path: folder.appendingPathComponent("threads.sqlite").path)
            let turns = [toolTurn(("calculator", ["expression": "2^16"])), AgentMessage.assistant("2^16 is 65536.")]
            let agent = try ReactAgent(model: script(turns), tools: [BuiltinTools.calculator()], approvalRequired: ["calculator"])
            let first = try blocking { try await agent.run("What is 2^16?", thread: "w", checkpointer: store) }
            let later = try ReactAgent(model: script(Array(turns.dropFirst())), tools: [BuiltinTools.calculator()], approvalRequired: ["calculator"])
            let reopened = try SQLiteCheckpointer(path: store.path)
            let second = try blocking { try await later.resume(thread: "w", value: "approve", checkpointer: reopened) }
            // Time travel: back to the checkpoint before the answer, and fork a different ending from it.
            let graph = try later.graph(checkpointer: reopened)
            guard let beforeAnswer = try graph.history(thread: "w").first(where: { $0.next == ["agent"] && $0.checkpoint.step > 0 }) else {
                return DemoOutcome(passed: false, result: "no checkpoint before the answer")
            }
            // Replaying from a checkpoint reuses the steps recorded after it (LangGraph's replay);
            // editing the state there makes a new branch that runs anew (a fork).
            let forkAgent = try ReactAgent(model: script([.assistant("(forked) sixty-five thousand five hundred thirty-six")]), tools: [BuiltinTools.calculator()])
            let forkGraph = try forkAgent.graph(checkpointer: reopened)
            let edit = try forkGraph.updateState(thread: "w", values: ["messages": [AgentMessage.user("Say it in words, please.").json]],
                                                 checkpointID: beforeAnswer.checkpoint.id)
            let fork = try blocking { try await forkGraph.invoke(.proceed, config: RunConfig(threadID: "w", checkpointID: edit.id)) }
            let history = try graph.history(thread: "w")
            var lines = ["first run: interrupted with \(first.interrupts.first?["value"]?.serialized ?? "?")",
                         "resumed in a new store object: \(second.answer ?? "-")", "checkpoints (newest first):"]
            lines += history.map { "  step \($0.checkpoint.step) \($0.checkpoint.source) next=[\($0.next.joined(separator: ","))] messages=\($0.values.messages().count)"
                + ($0.checkpoint.parentID == beforeAnswer.checkpoint.id && $0.checkpoint.source == "update" ? "  (the edit: a fork of step \(beforeAnswer.checkpoint.step))" : "") }
            let forked = fork.state.messages().last?.content ?? ""
            lines.append("fork's answer: \(forked)")
            return DemoOutcome(passed: first.interrupts.count == 1 && second.answer == "2^16 is 65536." && forked.hasPrefix("(forked)") && history.count == 7,
                               result: lines.joined(separator: "\n"), metrics: [("checkpoints", Double(history.count))])
        },
        Demo("multi-agent-systems", "Multi-agent systems: a supervisor, a group chat and hand-offs",
             shows: "A supervisor picks which worker acts next (a structured choice) until it says FINISH; an author and a critic take turns in a group chat until one writes TERMINATE; a triage agent hands a billing question to the billing agent with a transfer tool.") { _ in
            @Sendable func member(_ name: String, _ description: String, _ replies: [String]) throws -> TeamMember {
                try TeamMember(name: name, description: description, agent: ReactAgent(model: script(replies.map { .assistant($0) }), tools: []))
            }
            let supervisor = try Supervisor(model: script([.assistant("{\"next\": \"researcher\"}"), .assistant("{\"next\": \"writer\"}"), .assistant("{\"next\": \"FINISH\"}")]),
                                            members: [member("researcher", "finds facts", ["Bagging averages models trained on bootstrap samples."]),
                                                      member("writer", "writes the final answer", ["Bagging reduces variance by averaging bootstrap-trained models."])])
            let s = try blocking { try await supervisor.graph().invoke(.values(["messages": [AgentMessage.user("Explain bagging").json]])) }
            let chat = try GroupChat(members: [member("author", "writes", ["Draft: trees for tables.", "Final: boosted trees are strong on tables."]),
                                               member("critic", "reviews", ["Be specific.", "Good. TERMINATE"])], maxTurns: 6)
            let c = try blocking { try await chat.graph().invoke(.values(["messages": [AgentMessage.user("A one-line claim about tabular ML").json]])) }
            let triage = try TeamMember(name: "triage", description: "routes", agent: ReactAgent(model: script([toolTurn(("transfer_to_billing", [:])), .assistant("Handing over.")]), tools: []))
            let h = try blocking { try await Handoffs(members: [triage, member("billing", "payments", ["Refund issued."])]).graph().invoke(.values(["messages": [AgentMessage.user("Charged twice").json]])) }
            let lines = ["supervisor: " + transcriptLines(s.state.messages()).joined(separator: " | "),
                         "group chat: " + transcriptLines(c.state.messages()).joined(separator: " | "),
                         "hand-off: " + transcriptLines(h.state.messages()).joined(separator: " | ")]
            let names = { (st: GraphState) in st.messages().compactMap(\.name) }
            return DemoOutcome(passed: names(s.state) == ["researcher", "writer"] && names(c.state) == ["author", "critic", "author", "critic"]
                               && names(h.state) == ["triage", "billing"], result: lines.joined(separator: "\n"))
        },
        Demo("agent-planning", "Planning and reflection: plan-and-execute, self-critique, a task list",
             shows: "A planner writes steps, an executor agent does each with the calculator, a re-planner answers when done; a writer revises a draft until a critic approves; a BabyAGI-style loop works through a task list the model keeps re-prioritising.") { _ in
            let planner = script([.assistant("{\"steps\": [\"compute the mean of 4, 8 and 15\", \"square it\"]}"), .assistant("{\"steps\": [\"square 9\"]}"), .assistant("{\"response\": \"81\"}")])
            let executor = try ReactAgent(model: script([toolTurn(("calculator", ["expression": "(4+8+15)/3"])), .assistant("9"),
                                                         toolTurn(("calculator", ["expression": "9^2"])), .assistant("81")]), tools: [BuiltinTools.calculator()])
            let p = try blocking { try await PlanAndExecute(planner: planner, executor: executor).graph().invoke(.values(["input": "Square the mean of 4, 8 and 15."])) }
            let reflection = try Reflection(writer: script([.assistant("PCA finds directions."), .assistant("PCA finds the orthogonal directions of largest variance.")]),
                                            critic: script([.assistant("Which directions? Say variance."), .assistant("APPROVED")]))
            let r = try blocking { try await reflection.graph().invoke(.values(["task": "Define PCA in one sentence."])) }
            let tasks = try TaskListAgent(model: script([.assistant("{\"steps\": [\"compare them\"]}"), .assistant("{\"steps\": []}")]),
                                          executor: ReactAgent(model: script([.assistant("listed 3 ensembles"), .assistant("boosting wins on bias")]), tools: []))
            let t = try blocking { try await tasks.graph().invoke(.values(["objective": "Compare ensembles", "tasks": ["list ensembles"]])) }
            let lines = ["plan-and-execute: " + p.state.array("past_steps").map { "\($0["step"]?.stringValue ?? "") → \($0["result"]?.stringValue ?? "")" }.joined(separator: "; ") + " ⇒ \(p.state.string("response") ?? "")",
                         "reflection (\(r.state.int("rounds") ?? 0) drafts): \(r.state.string("draft") ?? "")",
                         "task list: " + t.state.array("results").map { $0["task"]?.stringValue ?? "" }.joined(separator: " → ")]
            return DemoOutcome(passed: p.state.string("response") == "81" && r.state.int("rounds") == 2 && t.state.array("results").count == 2,
                               result: lines.joined(separator: "\n"))
        },
        Demo("agent-frameworks", "A CrewAI-style crew declared in YAML",
             shows: "Two agents with roles, goals and tools and two tasks, written as YAML: the researcher's output is handed to the writer (a sequential process), each step checkpointed like any graph.") { _ in
            let spec = try AgentSpec.parse("""
                name: crew
                process: sequential
                agents:
                  - {name: researcher, role: a data researcher, goal: find numbers, tools: [calculator]}
                  - {name: writer, role: a technical writer, goal: write one clear sentence}
                tasks:
                  - {name: research, description: Compute 15% of 240., expected_output: a number, agent: researcher}
                  - {name: write, description: Write one sentence with the number., agent: writer}
                """, yaml: true)
            let model = script([toolTurn(("calculator", ["expression": "0.15 * 240"])), .assistant("36"), .assistant("Fifteen percent of 240 is 36.")])
            let system = try AgentSystem(spec: spec, model: model, tools: try ToolRegistry.library())
            let r = try blocking { try await system.run("Report 15% of 240.", thread: "crew") }
            let outputs = r.state.array("outputs").map { "\($0["task"]?.stringValue ?? "") by \($0["agent"]?.stringValue ?? ""): \($0["output"]?.stringValue ?? "")" }
            return DemoOutcome(passed: r.answer == "Fifteen percent of 240 is 36." && outputs.count == 2 && r.modelCalls == 3,
                               result: outputs.joined(separator: "\n"))
        },
        Demo("agent-evaluation", "Evaluating agents: success, calls, tokens and latency over a suite",
             shows: "The roadmap's agent projects as five checkable tasks (tools that must be called, words the answer must hold, facts the model must have been sent), run on their scripted turns; `swiftlearn agent eval benchmarks/agents/suite.yaml --llm …` runs the same suite for real.") { _ in
            let suite = try AgentEvalSuite.parse(AgentPresets.projectSuiteYAML, yaml: true)
            let folder = try demoFolder("eval")
            defer { try? FileManager.default.removeItem(at: folder) }
            let results = try blocking {
                try await AgentEvaluation.run(suite, model: nil, specFolder: folder, tools: { p in try p.map { try AgentPresets.tools(for: $0, in: folder.appendingPathComponent($0)) } ?? ToolRegistry() })
            }
            let lines = results.map { "\($0.task): \($0.success ? "pass" : "FAIL \($0.failures.joined(separator: "; "))"), \($0.modelCalls) calls, \($0.usage.totalTokens) tokens" }
            let rate = Double(results.filter(\.success).count) / Double(results.count)
            return DemoOutcome(passed: rate == 1, result: lines.joined(separator: "\n"), metrics: [("success_rate", rate)])
        },
        Demo("project-research-agent", "Project: a research assistant over the ML handbook",
             shows: "The research preset: the agent searches the handbook collection and answers naming the page; scripted turns show the loop, and a GGUF model, when present, runs it for real.", quick: false) { ctx in
            let run = try PresetRun.run("research", input: "How does max_depth change what a decision tree learns?", turns: [
                toolTurn(("search_collection", ["query": "decision tree max_depth", "k": 3])),
                .assistant("Deeper trees fit the training data more closely and can overfit (trees-and-ensembles.md)."),
            ], ctx: ctx)
            let found = run.scripted.state.messages().first { $0.role == "tool" }?.content ?? ""
            return DemoOutcome(passed: toolsCalled(run.scripted) == ["search_collection"] && found.contains("trees-and-ensembles"),
                               result: (transcriptLines(run.scripted.state.messages()) + run.realLines(ctx)).joined(separator: "\n"))
        },
        Demo("project-data-analysis-agent", "Project: a data-analysis agent that fits a model on a CSV",
             shows: "The data-analysis preset: describe iris.csv, fit a model on its target, report the test accuracy the tool measured; with a GGUF model, a real run.", quick: false) { ctx in
            let run = try PresetRun.run("data-analysis", input: "Describe iris.csv, then fit a model that predicts its target column and report the test accuracy.", turns: [
                toolTurn(("describe_csv", ["path": "iris.csv"])), toolTurn(("fit_model", ["path": "iris.csv", "target": "target"])),
                .assistant("A random forest reaches the test accuracy reported by fit_model."),
            ], ctx: ctx)
            let fit = run.scripted.state.messages().last { $0.role == "tool" }?.content ?? ""
            let accuracy = Double(fit.components(separatedBy: "test accuracy ").last?.split(separator: " ").first ?? "") ?? 0
            return DemoOutcome(passed: toolsCalled(run.scripted) == ["describe_csv", "fit_model"] && accuracy > 0.85,
                               result: (transcriptLines(run.scripted.state.messages()) + run.realLines(ctx)).joined(separator: "\n"),
                               metrics: [("test_accuracy", accuracy)])
        },
        Demo("project-support-agent", "Project: a support agent with entity memory",
             shows: "The support preset: a customer gives her name and order number in one conversation; in a new conversation the agent is sent those facts by its entity memory and looks the order up read-only.", quick: false) { ctx in
            let run = try PresetRun.run("support", input: "Has my order shipped yet?", turns: [
                toolTurn(("sql_query", ["query": "SELECT status FROM orders WHERE id = 1002"])), .assistant("Yes, Ada, order 1002 has shipped."),
            ], ctx: ctx, before: [("Hi, my name is Ada Lovelace and my order number is 1002.", [.assistant("Thank you, Ada.")])])
            let remembered = run.prompts.contains { $0.contains("order number: 1002") && $0.contains("name: Ada Lovelace") }
            return DemoOutcome(passed: remembered && toolsCalled(run.scripted) == ["sql_query"] && run.scripted.state.messages().contains { $0.content.contains("shipped") },
                               result: (["entity memory sent to the model: \(remembered)"] + transcriptLines(run.scripted.state.messages()) + run.realLines(ctx)).joined(separator: "\n"))
        },
        Demo("project-multi-agent-debate", "Project: a multi-agent debate with a judge",
             shows: "The debate preset: two agents argue a motion for two rounds, each seeing the other's arguments; a judge returns a structured verdict (winner and reason).", quick: false) { ctx in
            let run = try PresetRun.run("debate", input: "Motion: gradient-boosted trees are a better default than neural networks for tabular data.", turns: [
                .assistant("Boosted trees need little tuning and handle missing values."), .assistant("Networks with embeddings scale to huge tables."),
                .assistant("Most business tables are small, where trees win."), .assistant("Pretrained tabular models close that gap."),
                .assistant("{\"winner\": \"pro\", \"reason\": \"evidence matched typical table sizes\"}"),
            ], ctx: ctx)
            let names = run.scripted.state.messages().compactMap(\.name)
            return DemoOutcome(passed: names == ["pro", "con", "pro", "con", "judge"] && run.scripted.state["verdict"]?["winner"] == "pro",
                               result: (transcriptLines(run.scripted.state.messages()) + run.realLines(ctx)).joined(separator: "\n"))
        },
    ]
}
