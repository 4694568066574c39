import APIClient
import Agents
import Foundation
import Testing

func call(_ id: String, _ name: String, _ args: JSONValue) -> AgentToolCall { AgentToolCall(id: id, name: name, arguments: args) }

@Suite struct ReactAgentTests {
    @Test func toolCallThenAnswer() async throws {
        let model = ScriptedChatModel(turns: [
            .assistant("", toolCalls: [call("c1", "calculator", ["expression": "12*7"])]),
            .assistant("12 times 7 is 84."),
        ])
        let agent = try ReactAgent(model: model, tools: [BuiltinTools.calculator()], systemPrompt: "Be brief.")
        let r = try await agent.run("What is 12*7?")
        #expect(r.answer == "12 times 7 is 84.")
        #expect(r.steps == 2)
        #expect(r.toolResults.map(\.content) == ["84"])
        #expect(r.messages.map(\.role) == ["user", "assistant", "tool", "assistant"])
        let second = model.calls[1]
        #expect(second.first?.role == "system" && second.first?.content == "Be brief.")
        #expect(second.last?.role == "tool" && second.last?.content == "84" && second.last?.toolCallID == "c1")
    }

    @Test func badArgumentsAreFedBackAndCorrected() async throws {
        let model = ScriptedChatModel(turns: [
            .assistant("", toolCalls: [call("c1", "calculator", ["expr": "2+2"])]),
            .assistant("", toolCalls: [call("c2", "calculator", ["expression": "2+2"])]),
            .assistant("4"),
        ])
        let r = try await ReactAgent(model: model, tools: [BuiltinTools.calculator()]).run("2+2?")
        #expect(r.answer == "4")
        let results = r.toolResults
        #expect(results.count == 2 && results[0].isError && results[0].content.contains("expression") && !results[1].isError)
        #expect(model.calls[1].last?.content.hasPrefix("Error: invalid arguments for tool 'calculator'") == true)
    }

    @Test func stepLimitStopsALoop() async throws {
        let loop = (0..<6).map { AgentMessage.assistant("", toolCalls: [call("c\($0)", "calculator", ["expression": "1+1"])]) }
        let agent = try ReactAgent(model: ScriptedChatModel(turns: loop), tools: [BuiltinTools.calculator()], limits: AgentLimits(maxSteps: 3))
        let r = try await agent.run("loop")
        #expect(r.steps == 3)
        #expect(r.answer?.contains("step limit") == true)
        #expect(r.toolResults.count == 3)
    }

    @Test func tokenLimit() async throws {
        let loop = (0..<6).map { AgentMessage.assistant(String(repeating: "word ", count: 40), toolCalls: [call("c\($0)", "calculator", ["expression": "1"])]) }
        let agent = try ReactAgent(model: ScriptedChatModel(turns: loop), tools: [BuiltinTools.calculator()], limits: AgentLimits(maxSteps: 10, maxTokens: 100))
        let r = try await agent.run("go")
        #expect(r.answer?.contains("token limit") == true)
        #expect(r.steps < 6)
    }

    @Test func approvalSurvivesARestart() async throws {
        let dir = try temporaryDirectory()
        let path = dir.appendingPathComponent("threads.sqlite").path
        let turns: [AgentMessage] = [
            .assistant("", toolCalls: [call("c1", "calculator", ["expression": "6*7"]), call("c2", "calculator", ["expression": "1/0"])]),
            .assistant("6*7 is 42; the second call was refused."),
        ]
        let first = try ReactAgent(model: ScriptedChatModel(turns: turns), tools: [BuiltinTools.calculator()], approvalRequired: ["calculator"])
        let r1 = try await first.run("compute", thread: "t1", checkpointer: try SQLiteCheckpointer(path: path))
        #expect(r1.interrupts.count == 2)
        #expect(r1.answer == nil)
        // A new process: new store object, new agent; the script's first turn was already used.
        let store = try SQLiteCheckpointer(path: path)
        let later = try ReactAgent(model: ScriptedChatModel(turns: Array(turns.dropFirst())), tools: [BuiltinTools.calculator()],
                                   approvalRequired: ["calculator"])
        #expect(try later.graph(checkpointer: store).state(thread: "t1")?.isWaiting == true)
        let r2 = try await later.resume(thread: "t1", value: "approve", checkpointer: store)
        #expect(r2.answer == "6*7 is 42; the second call was refused.")
        #expect(r2.toolResults.map(\.content) == ["42", "Error: invalid arguments for tool 'calculator': division by zero. Fix the arguments and call again."])
    }

    @Test func textReActProtocol() async throws {
        let model = ScriptedChatModel(turns: [
            AgentMessage.assistant("Thought: I should compute.\nAction: calculator\nAction Input: {\"expression\": \"2^8\"}"),
            AgentMessage.assistant("Thought: I now know the final answer\nFinal Answer: 256"),
        ])
        let agent = try ReactAgent(model: model, tools: [BuiltinTools.calculator()], toolProtocol: .text)
        let r = try await agent.run("2 to the 8th?")
        #expect(r.answer == "256")
        #expect(r.toolResults.map(\.content) == ["256"])
        let sent = model.calls[1]
        #expect(sent.first?.content.contains("Action Input:") == true)
        #expect(sent.last?.content.contains("Observation: 256") == true)
        #expect(TextReAct.parse("Thought: x\nAction: lookup\nAction Input: not json", step: 1)?.arguments == .string("not json"))
        #expect(TextReAct.parse("Final Answer: done", step: 1) == nil)
    }

    @Test func exhaustedScriptIsAnError() async throws {
        let agent = try ReactAgent(model: ScriptedChatModel(turns: []), tools: [BuiltinTools.calculator()])
        await #expect(throws: AgentError.scriptExhausted(turns: 0)) { try await agent.run("hi") }
    }
}

@Suite struct GraphBehaviourTests {
    func counter(_ checkpointer: (any Checkpointer)? = InMemoryCheckpointer(), before: [String] = []) throws -> CompiledGraph {
        var g = StateGraph(StateSchema(["n": .lastValue, "log": .append]))
        g.addNode("inc") { s, _ in ["n": .number(Double((s.int("n") ?? 0) + 1)), "log": ["inc"]] }
        g.addNode("double") { s, _ in ["n": .number(Double((s.int("n") ?? 0) * 2)), "log": ["double"]] }
        g.addEdge(START, "inc")
        g.addEdge("inc", "double")
        g.addEdge("double", END)
        return try g.compile(checkpointer: checkpointer, interruptBefore: before)
    }

    @Test func staticBreakpointAndProceed() async throws {
        let graph = try counter(before: ["double"])
        let r1 = try await graph.invoke(.values(["n": 1]), config: RunConfig(threadID: "b"))
        #expect(r1.isInterrupted && r1.state.int("n") == 2)
        let r2 = try await graph.invoke(.proceed, config: RunConfig(threadID: "b"))
        #expect(!r2.isInterrupted && r2.state.int("n") == 4)
    }

    @Test func updateStateAndTimeTravel() async throws {
        let graph = try counter(before: ["double"])
        _ = try await graph.invoke(.values(["n": 1]), config: RunConfig(threadID: "u"))
        // A human edits the state before `double` runs.
        try graph.updateState(thread: "u", values: ["n": 10])
        let r = try await graph.invoke(.proceed, config: RunConfig(threadID: "u"))
        #expect(r.state.int("n") == 20)
        #expect(r.state.array("log") == ["inc", "double"])
        // Fork from the checkpoint taken before `double` first ran (n == 2): replay gives 4.
        let before = try #require(try graph.history(thread: "u").first { $0.next == ["double"] && $0.values.int("n") == 2 })
        let fork = try await graph.invoke(.proceed, config: RunConfig(threadID: "u", checkpointID: before.checkpoint.id))
        #expect(fork.state.int("n") == 4)
        #expect(try graph.state(thread: "u")?.values.int("n") == 4)
        // As if `inc` had run: the next task is `double`.
        let cp = try graph.updateState(thread: "u", values: ["n": 5], asNode: "inc")
        #expect(cp.nextNodes == ["double"] && cp.source == "update")
    }

    @Test func threadsContinueWithNewInput() async throws {
        let graph = try counter()
        _ = try await graph.invoke(.values(["n": 1]), config: RunConfig(threadID: "c"))
        let r = try await graph.invoke(.values([:]), config: RunConfig(threadID: "c"))
        #expect(r.state.int("n") == 10)
        #expect(r.state.array("log").count == 4)
        #expect(try graph.history(thread: "c").filter { $0.checkpoint.source == "input" }.count == 2)
    }

    @Test func invalidUpdatesAreTypedErrors() async throws {
        var g = StateGraph(StateSchema(["a": .lastValue, "list": .append]))
        g.addNode("x") { _, _ in ["a": 1] }
        g.addNode("y") { _, _ in ["a": 2] }
        g.addEdge(START, "x")
        g.addEdge(START, "y")
        let both = try g.compile()
        await #expect(throws: AgentError.self) { try await both.invoke(.values([:])) }
        var h = StateGraph(StateSchema(["a": .lastValue, "list": .append]))
        h.addNode("bad") { _, _ in ["nope": 1] }
        h.addEdge(START, "bad")
        do { _ = try await h.compile().invoke(.values([:])); Issue.record("no error") } catch let e as AgentError {
            #expect(e.description.contains("no key 'nope'"))
        }
        await #expect(throws: AgentError.self) { try await h.compile().invoke(.values(["zzz": 1])) }
        var l = StateGraph(StateSchema(["list": .append]))
        l.addNode("notlist") { _, _ in ["list": 1] }
        l.addEdge(START, "notlist")
        do { _ = try await l.compile().invoke(.values([:])); Issue.record("no error") } catch let e as AgentError {
            #expect(e.description.contains("appends arrays"))
        }
        await #expect(throws: AgentError.nothingToResume(thread: "none")) {
            try await h.compile(checkpointer: InMemoryCheckpointer()).invoke(.resume("x"), config: RunConfig(threadID: "none"))
        }
    }

    @Test func compileRefusesBrokenGraphs() {
        var g = StateGraph(StateSchema(["a": .lastValue]))
        g.addNode("a1") { _, _ in [:] }
        g.addNode("orphan") { _, _ in [:] }
        g.addEdge(START, "a1")
        g.addEdge("a1", "missing")
        do { _ = try g.compile(); Issue.record("compiled") } catch let e as AgentError {
            #expect(e.description.contains("unknown node 'missing'") && e.description.contains("'orphan' cannot be reached"))
        } catch { Issue.record("\(error)") }
        var empty = StateGraph(StateSchema([:]))
        empty.addNode("x") { _, _ in [:] }
        #expect(throws: AgentError.self) { try empty.compile() }
    }

    @Test func sqliteStoreKeepsHistoryAndRejectsGarbage() async throws {
        let dir = try temporaryDirectory()
        let path = dir.appendingPathComponent("cp.sqlite").path
        _ = try await counter(try SQLiteCheckpointer(path: path)).invoke(.values(["n": 3]), config: RunConfig(threadID: "s"))
        let reopened = try counter(try SQLiteCheckpointer(path: path))
        #expect(try reopened.state(thread: "s")?.values.int("n") == 8)
        #expect(try reopened.history(thread: "s").count == 4)
        #expect(try SQLiteCheckpointer(path: path).threads() == ["s"])
        let junk = dir.appendingPathComponent("junk.sqlite")
        try Data(repeating: 7, count: 4096).write(to: junk)
        #expect(throws: AgentError.self) { try SQLiteCheckpointer(path: junk.path) }
    }

    @Test func tokensStreamFromNodes() async throws {
        let model = ScriptedChatModel(turns: [.assistant("one two three")])
        let agent = try ReactAgent(model: model, tools: [BuiltinTools.calculator()])
        final class Box: @unchecked Sendable { var text = ""; let lock = NSLock() }
        let box = Box()
        _ = try await agent.run("count") { e in if case .token(_, let t) = e { box.lock.withLock { box.text += t } } }
        #expect(box.text == "one two three")
    }
}
