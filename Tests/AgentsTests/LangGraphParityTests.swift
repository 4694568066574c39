import APIClient
import Agents
import Foundation
import Testing

/// The traces recorded from LangGraph by scripts/fixtures/agents/langgraph_parity.py.
enum ParityFixture {
    static let data: JSONValue = {
        guard let url = Bundle.module.url(forResource: "Fixtures/langgraph_traces", withExtension: "json"),
              let data = try? Data(contentsOf: url), let value = try? JSONValue.parse(data) else {
            fatalError("Fixtures/langgraph_traces.json is missing: run scripts/fixtures/agents/langgraph_parity.py")
        }
        return value
    }()

    static func scenario(_ name: String) -> JSONValue { data[name]! }

    static func turns(_ scenario: JSONValue) throws -> ScriptedChatModel {
        try ScriptedChatModel(json: scenario["turns"]!.data)
    }
}

/// Message ids are random in LangGraph and counters here: traces compare without them.
func withoutMessageIDs(_ v: JSONValue) -> JSONValue {
    switch v {
    case .array(let a): return .array(a.map(withoutMessageIDs))
    case .object(var o):
        if o["role"] != nil { o["id"] = nil }
        return .object(o.mapValues(withoutMessageIDs))
    default: return v
    }
}

/// The fixture's canonical form of a stream: updates and interrupts between two "values" events
/// sorted (parallel tasks finish in any order), message ids dropped.
func canonicalEvents(_ events: [GraphEvent]) -> [JSONValue] {
    var out: [JSONValue] = []
    var group: [JSONValue] = []
    func flush() {
        out += group.sorted { $0.serialized < $1.serialized }
        group.removeAll()
    }
    for e in events {
        switch e {
        case .update(let node, let update):
            group.append(["type": "update", "node": .string(node), "update": withoutMessageIDs(.object(update))])
        case .interrupt(_, let value):
            group.append(["type": "interrupt", "value": value])
        case .values(let state):
            flush()
            out.append(["type": "values", "state": withoutMessageIDs(state.json)])
        default: break
        }
    }
    flush()
    return out
}

func runJSON(_ graph: CompiledGraph, _ input: GraphInput, _ config: RunConfig) async throws -> JSONValue {
    var events: [GraphEvent] = []
    do {
        for try await e in graph.stream(input, config: config) { events.append(e) }
    } catch AgentError.recursionLimit {
        return ["error": "recursion_limit"]
    }
    return ["events": .array(canonicalEvents(events))]
}

func historyJSON(_ graph: CompiledGraph, thread: String) throws -> JSONValue {
    .array(try graph.history(thread: thread).map { s in
        ["step": .number(Double(s.checkpoint.step)), "source": .string(s.checkpoint.source),
         "next": .array(s.next.map { .string($0) }), "values": withoutMessageIDs(s.values.json),
         "interrupts": .array(s.interrupts.map(\.value))]
    })
}

/// Compares two JSON values and names the first path where they differ.
func firstDifference(_ a: JSONValue, _ b: JSONValue, path: String = "$") -> String? {
    switch (a, b) {
    case (.object(let x), .object(let y)):
        for k in Set(x.keys).union(y.keys).sorted() {
            guard let xv = x[k], let yv = y[k] else { return "\(path).\(k): only in \(x[k] == nil ? "LangGraph" : "SwiftLearn")" }
            if let d = firstDifference(xv, yv, path: "\(path).\(k)") { return d }
        }
        return nil
    case (.array(let x), .array(let y)):
        for i in 0..<min(x.count, y.count) { if let d = firstDifference(x[i], y[i], path: "\(path)[\(i)]") { return d } }
        return x.count == y.count ? nil : "\(path): \(x.count) items here, \(y.count) in LangGraph"
    default:
        return a == b ? nil : "\(path): \(a.serialized) here, \(b.serialized) in LangGraph"
    }
}

func expectSame(_ mine: JSONValue, _ theirs: JSONValue, _ what: String) {
    let difference = firstDifference(mine, theirs)
    #expect(difference == nil, "\(what): \(difference ?? "")")
}

// MARK: - The graphs, built as the fixture builds them

func reactGraph(model: ScriptedChatModel) throws -> CompiledGraph {
    let facts = ["capital_of_france": "Paris", "speed_of_light": "299792458 m/s"]
    @Sendable func runTool(_ name: String, _ args: JSONValue) -> String {
        switch name {
        case "calculator":
            let a = args["a"]!.doubleValue!, b = args["b"]!.doubleValue!
            let r: Double = args["op"]!.stringValue! == "+" ? a + b : args["op"]!.stringValue! == "-" ? a - b : a * b
            return String(Int(r))
        case "lookup": return facts[args["key"]!.stringValue!] ?? "unknown key"
        default: return "unknown tool"
        }
    }
    var g = StateGraph(.messages)
    g.addNode("agent") { state, _ in
        let reply = try await model.respond(to: state.messages())
        return ["messages": [reply.message.json]]
    }
    g.addNode("tools") { state, ctx in
        let calls = state.messages().last?.toolCalls ?? []
        var decisions: [JSONValue] = []
        for c in calls { decisions.append(try ctx.interrupt(["tool": .string(c.name), "arguments": c.arguments])) }
        let results = zip(calls, decisions).map { c, d in
            AgentMessage.tool(d == "approve" ? runTool(c.name, c.arguments) : "denied by the user", callID: c.id).json
        }
        return ["messages": .array(results)]
    }
    g.addEdge(START, "agent")
    g.addConditionalEdges(from: "agent", to: ["tools", END]) { state in
        (state.messages().last?.toolCalls.isEmpty ?? true) ? END : "tools"
    }
    g.addEdge("tools", "agent")
    return try g.compile(checkpointer: InMemoryCheckpointer())
}

func routerGraph(model: ScriptedChatModel) throws -> CompiledGraph {
    var g = StateGraph(StateSchema(["question": .lastValue, "category": .lastValue, "answer": .lastValue, "steps": .append]))
    g.addNode("classify") { state, _ in
        let reply = try await model.respond(to: [.user(state.string("question")!)])
        return ["category": .string(reply.message.content), "steps": ["classify"]]
    }
    for name in ["math_expert", "code_expert", "general"] {
        g.addNode(name) { state, _ in
            ["answer": .string("\(name) answers: \(state.string("question")!)"), "steps": [.string(name)]]
        }
        g.addEdge(name, "finalize")
    }
    g.addNode("finalize") { state, _ in ["answer": .string(state.string("answer")! + " (checked)"), "steps": ["finalize"]] }
    g.addEdge(START, "classify")
    g.addConditionalEdges(from: "classify", pathMap: ["math": "math_expert", "code": "code_expert", "other": "general"]) { state in
        let c = state.string("category")!
        return c == "math" || c == "code" ? c : "other"
    }
    g.addEdge("finalize", END)
    return try g.compile(checkpointer: InMemoryCheckpointer())
}

func mapReduceGraph() throws -> CompiledGraph {
    var g = StateGraph(StateSchema(["subject": .lastValue, "topics": .lastValue, "summaries": .append, "notes": .append, "report": .lastValue]))
    g.addNode("plan") { state, _ in
        let s = state.string("subject")!
        return ["topics": [.string("\(s) history"), .string("\(s) uses"), .string("\(s) limits")]]
    }
    g.addNode("summarize") { arg, _ in
        ["summaries": [.string("\(arg.int("index")!): summary of \(arg.string("topic")!)")]]
    }
    g.addNode("left") { state, _ in ["notes": [.string("left saw \(state.array("summaries").count)")]] }
    g.addNode("right") { state, _ in ["notes": [.string("right saw \(state.array("summaries").count)")]] }
    g.addNode("merge") { state, _ in
        let summaries = state.array("summaries").compactMap(\.stringValue).joined(separator: " | ")
        let notes = state.array("notes").compactMap(\.stringValue).joined(separator: ", ")
        return ["report": .string(summaries + " / " + notes)]
    }
    g.addEdge(START, "plan")
    g.addConditionalEdges(from: "plan", to: ["summarize"], targets: { state in
        state.array("topics").enumerated().map { i, t in .send("summarize", ["topic": t, "index": .number(Double(i))]) }
    })
    g.addEdge("summarize", "left")
    g.addEdge("summarize", "right")
    g.addEdge(["left", "right"], "merge")
    g.addEdge("merge", END)
    return try g.compile(checkpointer: InMemoryCheckpointer())
}

func subgraphGraph() throws -> CompiledGraph {
    var child = StateGraph(StateSchema(["text": .lastValue, "log": .append]))
    child.addNode("upper") { s, _ in ["text": .string(s.string("text")!.uppercased()), "log": ["upper"]] }
    child.addNode("exclaim") { s, _ in ["text": .string(s.string("text")! + "!"), "log": ["exclaim"]] }
    child.addEdge(START, "upper")
    child.addEdge("upper", "exclaim")
    child.addEdge("exclaim", END)
    var g = StateGraph(StateSchema(["text": .lastValue, "log": .append, "done": .lastValue]))
    g.addNode("prepare") { s, _ in ["text": .string(s.string("text")!.trimmingCharacters(in: .whitespaces)), "log": ["prepare"]] }
    g.addNode("child", subgraph: try child.compile())
    g.addNode("finish") { _, _ in ["done": true, "log": ["finish"]] }
    g.addEdge(START, "prepare")
    g.addEdge("prepare", "child")
    g.addEdge("child", "finish")
    g.addEdge("finish", END)
    return try g.compile(checkpointer: InMemoryCheckpointer())
}

func loopGraph() throws -> CompiledGraph {
    var g = StateGraph(StateSchema(["count": .lastValue, "trail": .append]))
    g.addNode("step") { s, _ in
        let c = s.int("count")!
        return ["count": .number(Double(c + 1)), "trail": [.number(Double(c))]]
    }
    g.addEdge(START, "step")
    g.addConditionalEdges(from: "step", to: ["step", END]) { s in s.int("count")! < 4 ? "step" : END }
    return try g.compile(checkpointer: InMemoryCheckpointer())
}

func objectInput(_ v: JSONValue) -> GraphInput { .values(v.objectValue ?? [:]) }

// MARK: - Tests

@Suite struct LangGraphParityTests {
    @Test func reactWithApprovalInterrupts() async throws {
        let fx = ParityFixture.scenario("react")
        let graph = try reactGraph(model: try ParityFixture.turns(fx))
        let config = RunConfig(threadID: "react")
        let inputs = fx["inputs"]!.arrayValue!
        var runs: [JSONValue] = [try await runJSON(graph, objectInput(inputs[0]), config)]
        for i in inputs.dropFirst() { runs.append(try await runJSON(graph, .resume(i["resume"]!), config)) }
        expectSame(.array(runs), fx["runs"]!, "react runs")
        expectSame(try historyJSON(graph, thread: "react"), fx["history"]!, "react history")
    }

    @Test func conditionalRouter() async throws {
        let fx = ParityFixture.scenario("router")
        let graph = try routerGraph(model: try ParityFixture.turns(fx))
        var runs: [JSONValue] = [], histories: [JSONValue] = []
        for (i, input) in fx["inputs"]!.arrayValue!.enumerated() {
            runs.append(try await runJSON(graph, objectInput(input), RunConfig(threadID: "router-\(i)")))
            histories.append(try historyJSON(graph, thread: "router-\(i)"))
        }
        expectSame(.array(runs), fx["runs"]!, "router runs")
        expectSame(.array(histories), fx["histories"]!, "router histories")
    }

    @Test func mapReduceWithSendAndJoin() async throws {
        let fx = ParityFixture.scenario("map_reduce")
        let graph = try mapReduceGraph()
        let run = try await runJSON(graph, objectInput(fx["inputs"]![0]!), RunConfig(threadID: "map"))
        expectSame(.array([run]), fx["runs"]!, "map-reduce run")
        expectSame(try historyJSON(graph, thread: "map"), fx["history"]!, "map-reduce history")
    }

    @Test func subgraphAsNode() async throws {
        let fx = ParityFixture.scenario("subgraph")
        let graph = try subgraphGraph()
        let run = try await runJSON(graph, objectInput(fx["inputs"]![0]!), RunConfig(threadID: "sub"))
        expectSame(.array([run]), fx["runs"]!, "subgraph run")
        expectSame(try historyJSON(graph, thread: "sub"), fx["history"]!, "subgraph history")
    }

    @Test func cycleAndRecursionLimit() async throws {
        let fx = ParityFixture.scenario("loop")
        let graph = try loopGraph()
        var runs: [JSONValue] = [], histories: [JSONValue] = []
        for (i, limit) in fx["limits"]!.arrayValue!.enumerated() {
            let config = RunConfig(threadID: "loop-\(i)", recursionLimit: limit.intValue!)
            runs.append(try await runJSON(graph, objectInput(fx["inputs"]![0]!), config))
            histories.append(try historyJSON(graph, thread: "loop-\(i)"))
        }
        expectSame(.array(runs), fx["runs"]!, "loop runs")
        expectSame(.array(histories), fx["histories"]!, "loop histories")
    }
}
