import APIClient
import Agents
import Foundation
import Testing

@Suite struct PlanningAgentTests {
    @Test func planAndExecuteWithReplanning() async throws {
        let planner = ScriptedChatModel(turns: [
            .assistant("{\"steps\": [\"compute 12*7\", \"add 16\"]}"),
            .assistant("{\"steps\": [\"add 16 to 84\"]}"),
            .assistant("{\"response\": \"100\"}"),
        ])
        let executor = try ReactAgent(model: ScriptedChatModel(turns: [
            .assistant("", toolCalls: [AgentToolCall(id: "a", name: "calculator", arguments: ["expression": "12*7"])]), .assistant("84"),
            .assistant("", toolCalls: [AgentToolCall(id: "b", name: "calculator", arguments: ["expression": "84+16"])]), .assistant("100"),
        ]), tools: [BuiltinTools.calculator()])
        let graph = try PlanAndExecute(planner: planner, executor: executor).graph()
        let r = try await graph.invoke(.values(["input": "What is 12*7 + 16?"]))
        #expect(r.state.string("response") == "100")
        #expect(r.state.array("past_steps").map { $0["result"] } == ["84", "100"])
        // The re-planner saw the first step's result.
        #expect(planner.calls[1].last?.content.contains("compute 12*7: 84") == true)
    }

    @Test func reflectionRevisesUntilApproved() async throws {
        let writer = ScriptedChatModel(turns: [.assistant("Trees split data."), .assistant("Decision trees split data on feature thresholds to reduce impurity.")])
        let critic = ScriptedChatModel(turns: [.assistant("Too vague: say what is split and why."), .assistant("APPROVED")])
        let r = try await Reflection(writer: writer, critic: critic).graph().invoke(.values(["task": "Explain decision trees in one sentence."]))
        #expect(r.state.string("draft") == "Decision trees split data on feature thresholds to reduce impurity.")
        #expect(r.state.int("rounds") == 2)
        #expect(writer.calls[1].last?.content.contains("Too vague") == true)
    }

    @Test func taskListLoopStopsWhenTheListIsEmpty() async throws {
        let manager = ScriptedChatModel(turns: [.assistant("{\"steps\": [\"summarize findings\"]}"), .assistant("{\"steps\": []}")])
        let executor = try ReactAgent(model: ScriptedChatModel(turns: [.assistant("found 3 papers"), .assistant("summary written")]), tools: [])
        let r = try await TaskListAgent(model: manager, executor: executor).graph()
            .invoke(.values(["objective": "Survey boosting", "tasks": ["find papers"]]))
        #expect(r.state.array("results").map { $0["task"] } == ["find papers", "summarize findings"])
        #expect(r.state.array("tasks").isEmpty)
        let bad = ScriptedChatModel(turns: [.assistant("not json")])
        let agent = try TaskListAgent(model: bad, executor: ReactAgent(model: ScriptedChatModel(turns: [.assistant("x")]), tools: []))
        await #expect(throws: AgentError.self) { try await agent.graph().invoke(.values(["objective": "o", "tasks": ["t"]])) }
    }
}
