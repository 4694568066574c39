import APIClient
import Agents
import Foundation
import Testing

func member(_ name: String, _ turns: [String], description: String = "helps") throws -> TeamMember {
    try TeamMember(name: name, description: description,
                   agent: ReactAgent(model: ScriptedChatModel(turns: turns.map { .assistant($0) }), tools: []))
}

func speakers(_ state: GraphState) -> [String] { state.messages().compactMap(\.name) }

@Suite struct TeamTests {
    @Test func supervisorDelegatesUntilFinished() async throws {
        let boss = ScriptedChatModel(turns: [.assistant("{\"next\": \"researcher\"}"), .assistant("{\"next\": \"writer\"}"), .assistant("{\"next\": \"FINISH\"}")])
        let team = try Supervisor(model: boss, members: [
            member("researcher", ["Gradient boosting fits trees to residuals."], description: "finds facts"),
            member("writer", ["Boosting adds trees one at a time, each fixing the last one's errors."], description: "writes the answer"),
        ])
        let r = try await team.graph().invoke(.values(["messages": [AgentMessage.user("Explain boosting").json]]))
        #expect(speakers(r.state) == ["researcher", "writer"])
        #expect(r.state.int("turns") == 2)
        // The supervisor saw the roster and, at its second decision, the researcher's turn.
        #expect(boss.calls[0][0].content.contains("- writer: writes the answer"))
        #expect(boss.calls[1].contains { $0.content == "researcher: Gradient boosting fits trees to residuals." })
    }

    @Test func supervisorRejectsAnUnknownChoice() async throws {
        let boss = ScriptedChatModel(turns: [.assistant("{\"next\": \"nobody\"}")])
        let team = try Supervisor(model: boss, members: [member("a", ["x"])])
        await #expect(throws: AgentError.self) { try await team.graph().invoke(.values([:])) }
        #expect(throws: AgentError.self) { try Supervisor(model: boss, members: []) }
    }

    @Test func groupChatRoundRobinAndTermination() async throws {
        let chat = try GroupChat(members: [member("alice", ["a1", "a2"]), member("bob", ["b1", "b2"])], maxTurns: 3)
        let r = try await chat.graph().invoke(.values(["messages": [AgentMessage.user("Discuss").json]]))
        #expect(r.state.messages().compactMap(\.name) == ["alice", "bob", "alice"])
        let stop = try GroupChat(members: [member("alice", ["done TERMINATE"]), member("bob", ["b1"])], maxTurns: 5)
        #expect(speakers(try await stop.graph().invoke(.values([:])).state) == ["alice"])
    }

    @Test func groupChatAutoSelection() async throws {
        let selector = ScriptedChatModel(turns: [.assistant("{\"next\": \"critic\"}"), .assistant("author")])
        let chat = try GroupChat(members: [member("author", ["draft v2"]), member("critic", ["too long"])], policy: .auto,
                                 selector: selector, maxTurns: 2)
        let r = try await chat.graph().invoke(.values(["messages": [AgentMessage.user("Write a tagline").json]]))
        #expect(speakers(r.state) == ["critic", "author"])
        #expect(throws: AgentError.self) { try GroupChat(members: [member("a", []), member("b", [])], policy: .auto) }
    }

    @Test func debateEndsWithAVerdict() async throws {
        let judge = ScriptedChatModel(turns: [.assistant("{\"winner\": \"con\", \"reason\": \"answered every point\"}")])
        let debate = try Debate(debaters: [member("pro", ["p1", "p2"]), member("con", ["c1", "c2"])], judge: judge, rounds: 2)
        let r = try await debate.graph().invoke(.values(["messages": [AgentMessage.user("Motion: deep learning beats trees on tabular data").json]]))
        #expect(speakers(r.state) == ["pro", "con", "pro", "con", "judge"])
        #expect(r.state["verdict"]?["winner"] == "con")
        let badJudge = ScriptedChatModel(turns: [.assistant("pro wins")])
        let bad = try Debate(debaters: [member("pro", ["p"]), member("con", ["c"])], judge: badJudge, rounds: 1)
        await #expect(throws: AgentError.self) { try await bad.graph().invoke(.values([:])) }
    }

    @Test func handoffsPassTheConversation() async throws {
        let triage = try TeamMember(name: "triage", description: "routes requests", agent: ReactAgent(
            model: ScriptedChatModel(turns: [.assistant("", toolCalls: [AgentToolCall(id: "h1", name: "transfer_to_billing")]),
                                              .assistant("Passing you to billing.")]), tools: []))
        let billing = try member("billing", ["Your refund of $20 is on its way."], description: "handles payments")
        let r = try await Handoffs(members: [triage, billing]).graph().invoke(.values(["messages": [AgentMessage.user("I was charged twice").json]]))
        #expect(speakers(r.state) == ["triage", "billing"])
        #expect(r.state.messages().last?.content == "Your refund of $20 is on its way.")
    }
}
