import APIClient
import Agents
import Foundation
import Retrieval
import Testing

@Suite struct MemoryTests {
    @Test func bufferAndWindowPersist() async throws {
        let dir = try temporaryDirectory()
        let store = try MemoryStore(path: dir.appendingPathComponent("mem.sqlite").path)
        let window = try BufferMemory(window: 2, store: store, key: "w")
        for i in 1...3 { try await window.remember(input: "q\(i)", output: "a\(i)") }
        #expect(try await window.recall(for: "x").map(\.content) == ["q2", "a2", "q3", "a3"])
        let reopened = try BufferMemory(window: 2, store: MemoryStore(path: store.path), key: "w")
        #expect(reopened.messages.map(\.content) == ["q2", "a2", "q3", "a3"])
        try await reopened.clear()
        #expect(try BufferMemory(store: store, key: "w").messages.isEmpty)
    }

    @Test func summaryFoldsOldTurns() async throws {
        let model = ScriptedChatModel(turns: [.assistant("The user asked about trees and forests.")])
        let memory = try SummaryMemory(model: model, maxRecentCharacters: 60)
        try await memory.remember(input: "What is a decision tree?", output: "A tree of if-then rules.")
        #expect(model.calls.isEmpty)
        try await memory.remember(input: "And a random forest?", output: "Many trees on bootstrap samples, averaged.")
        #expect(model.calls.count == 1)
        #expect(model.calls[0][0].content.contains("What is a decision tree?"))
        let recalled = try await memory.recall(for: "next")
        #expect(recalled.first?.content == "Summary of the conversation so far: The user asked about trees and forests.")
        #expect(recalled.dropFirst().map(\.content) == ["And a random forest?", "Many trees on bootstrap samples, averaged."])
    }

    @Test func entitiesFromCustomerMessages() async throws {
        let facts = try await PatternEntityExtractor().facts(in: "Hi, my name is Ada Lovelace and my order number is 4417. My email is ada@example.org. I live in London.")
        #expect(facts["user"]?.contains("name: Ada Lovelace") == true)
        #expect(facts["user"]?.contains("order number: 4417") == true)
        #expect(facts["user"]?.contains("email: ada@example.org") == true)
        #expect(facts["user"]?.contains("lives in London") == true)
        #expect(facts["order 4417"] == ["mentioned by the user"])
        let memory = try EntityMemory()
        try await memory.remember(input: "My name is Ada and my plan is basic.", output: "Hello Ada.")
        try await memory.remember(input: "Actually my plan is premium now.", output: "Noted.")
        #expect(memory.entities["user"] == ["name: Ada", "plan: premium now"])
        let recalled = try await memory.recall(for: "What plan am I on?")
        #expect(recalled.first?.content.contains("plan: premium now") == true)
    }

    @Test func vectorMemoryRecallsRelevantExchanges() async throws {
        let dir = try temporaryDirectory()
        let memory = try VectorMemory(at: dir.appendingPathComponent("long.sqlite"), k: 1)
        #expect(try await memory.recall(for: "anything").isEmpty)
        try await memory.remember(input: "My favourite model is gradient boosting", output: "Noted.")
        try await memory.remember(input: "The deadline for the report is Friday", output: "OK.")
        let r = try await memory.recall(for: "when is the report deadline?")
        #expect(r.first?.content.contains("Friday") == true)
        let again = try VectorMemory(at: dir.appendingPathComponent("long.sqlite"), k: 1)
        #expect(try await again.recall(for: "favourite model").first?.content.contains("gradient boosting") == true)
    }

    @Test func episodesOfSimilarTasks() async throws {
        let memory = try EpisodicMemory(k: 1)
        try memory.record(.init(task: "fit a classifier on iris.csv", outcome: "accuracy 0.97 with logistic regression", success: true))
        try memory.record(.init(task: "plot the sales by month", outcome: "no plotting tool", success: false, lesson: "describe the data instead"))
        let r = try await memory.recall(for: "fit a model on the wine csv")
        #expect(r.first?.content.contains("logistic regression") == true)
        #expect(try memory.similar(to: "sales by month").first?.lesson == "describe the data instead")
    }

    @Test func agentUsesEntityMemoryAcrossThreads() async throws {
        let dir = try temporaryDirectory()
        let store = try MemoryStore(path: dir.appendingPathComponent("m.sqlite").path)
        let model = ScriptedChatModel(turns: [.assistant("Thanks Ada, noted."), .assistant("Your order is 4417.")])
        var agent = try ReactAgent(model: model, tools: [BuiltinTools.calculator()])
        agent.memory = [try EntityMemory(store: store, key: "customer-1")]
        _ = try await agent.run("Hello, my name is Ada and my order number is 4417.", thread: "a")
        // A new conversation: the thread is new, the entity memory is not.
        agent.memory = [try EntityMemory(store: MemoryStore(path: store.path), key: "customer-1")]
        let r = try await agent.run("Which order was mine?", thread: "b")
        #expect(r.answer == "Your order is 4417.")
        let sent = model.calls[1]
        #expect(sent.contains { $0.role == "system" && $0.content.contains("order number: 4417") })
        #expect(sent.last?.content == "Which order was mine?")
    }
}
