import Foundation
import Testing
import RAG
import Retrieval

/// A language model that replies from a script: the first rule whose key occurs in the last
/// message's text gives the reply; it records every prompt.
final class ScriptedModel: RAGLanguageModel, @unchecked Sendable {
    let rules: [(String, String)]
    let fallback: String
    private let lock = NSLock()
    private var prompts: [[RAGMessage]] = []
    init(_ rules: [(String, String)], fallback: String = "I don't know.") { self.rules = rules; self.fallback = fallback }
    var name: String { "scripted" }
    var contextLength: Int { 4096 }
    var calls: [[RAGMessage]] { lock.lock(); defer { lock.unlock() }; return prompts }
    private func record(_ messages: [RAGMessage]) { lock.lock(); prompts.append(messages); lock.unlock() }
    func tokenCount(_ text: String) -> Int { (text.count + 3) / 4 }
    func complete(_ messages: [RAGMessage], maxTokens: Int, temperature: Double, onText: @escaping @Sendable (String) -> Void) async throws -> String {
        record(messages)
        let last = messages.last?.content ?? ""
        let reply = rules.first { last.contains($0.0) }?.1 ?? fallback
        for word in reply.split(separator: " ", omittingEmptySubsequences: false) { onText(String(word) + " ") }
        return reply
    }
}

@Suite struct PipelineTests {
    @Test func answersCiteSourcesWithOffsets() async throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let index = try RetrieverTests.makeIndex(dir)
        let model = ScriptedModel([
            ("Question: Why standardize", "Support vector machines are not scale invariant [1]. Use StandardScaler [1] [9]."),
            ("Question: What do forests average", "A random forest averages many trees grown on bootstrap samples."),
        ])
        var options = RAGOptions()
        options.retrieval.k = 3
        let pipeline = RAGPipeline(index: index, model: model, options: options)

        let a = try await pipeline.answer("Why standardize features for support vector machines?")
        #expect(!a.refused && a.passages.count == 3)
        #expect(a.answer == "Support vector machines are not scale invariant [1]. Use StandardScaler [1].", "the invalid [9] is dropped")
        #expect(a.plainAnswer == "Support vector machines are not scale invariant. Use StandardScaler.")
        let c = try #require(a.citations.first)
        #expect(c.n == 1 && c.method == "model" && c.source.hasSuffix("svm.md"))
        let text = try index.collection.get(id: c.documentID).text
        #expect(String(Array(text)[c.start..<c.end]) == c.text && c.text.contains("not scale invariant"))
        // The prompt numbers the sources and holds the question.
        let prompt = try #require(model.calls.last?.last?.content)
        #expect(prompt.contains("[1] ") && prompt.contains("[3] ") && prompt.hasSuffix("Question: Why standardize features for support vector machines?"))

        // No marker from the model: the sentence is attributed to the passage sharing its words.
        let b = try await pipeline.answer("What do forests average?")
        let cite = try #require(b.citations.first)
        #expect(cite.method == "overlap" && cite.source.hasSuffix("guide.md") && cite.text.contains("bootstrap samples"))
        #expect(b.answer.hasSuffix("[\(cite.n)]."))
        #expect(b.json.text.contains("\"citations\":[{\"n\":\(cite.n)"))
    }

    @Test func refusesByModelOrByTheRelevanceGate() async throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let index = try RetrieverTests.makeIndex(dir)
        let model = ScriptedModel([])
        let plain = RAGPipeline(index: index, model: model)
        let a = try await plain.answer("Who won the 1998 world cup?")
        #expect(a.refused && a.refusalReason == "model" && a.citations.isEmpty)

        var gated = RAGOptions()
        gated.minRelevance = 0.99
        let before = model.calls.count
        let b = try await RAGPipeline(index: index, model: model, options: gated).answer("Who won the 1998 world cup?")
        #expect(b.refused && b.refusalReason == "low relevance" && model.calls.count == before, "the gate answers without the model")
        var tiny = RAGOptions()
        tiny.contextTokens = 1
        let c = try await RAGPipeline(index: index, model: model, options: tiny).answer("What does a random forest average?")
        #expect(c.refused && c.refusalReason == "no passage fits the context budget" && model.calls.count == before)
        #expect(RAGPipeline.isRefusal("Sorry, the sources do not contain that.", refusal: "I don't know."))
        #expect(!RAGPipeline.isRefusal("Trees split on features.", refusal: "I don't know."))
        await #expect(throws: RAGError.self) { try await plain.answer("   ") }
    }

    @Test func followUpsAreRewrittenAndTheBudgetIsKept() async throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let index = try RetrieverTests.makeIndex(dir)
        let model = ScriptedModel([("Last question: And what about boosting?", "How does gradient boosting add trees?"),
                                   ("Question: And what about boosting?", "It adds shallow trees one at a time.")])
        var options = RAGOptions()
        options.contextTokens = 60
        let pipeline = RAGPipeline(index: index, model: model, options: options)
        let a = try await pipeline.answer("And what about boosting?", history: [.user("How do random forests work?"), .assistant("They average trees.")])
        #expect(a.searchQuestion == "How does gradient boosting add trees?")
        #expect(a.passages.first?.section == "Gradient boosting")
        #expect(a.passages.count < 5, "a 60-token budget holds fewer than the 5 retrieved passages")
        let prompt = try #require(model.calls.last)
        #expect(prompt.count == 4 && prompt[1].content == "How do random forests work?", "system, history, then the question with sources")
    }

    @Test func markersAreStripped() {
        #expect(RAGPipeline.strippingMarkers("A [1]. B [2, 3] and [x] stays.") == "A. B and [x] stays.")
    }
}

@Suite struct EvaluationTests {
    @Test func goldPassageRule() {
        let passage = "The learning rate shrinks the contribution of each tree."
        #expect(GoldPassage.contains("Gradient boosting: the LEARNING-rate shrinks the contribution of each tree by a factor.", passage: passage))
        #expect(GoldPassage.contains("…the contribution of each tree. Next paragraph.", passage: "the learning rate shrinks the contribution of each tree") == false)
        #expect(GoldPassage.contains("rate shrinks the contribution of each tree.", passage: passage), "7 of 9 words in one run")
        #expect(GoldPassage.sourceMatches("data/docs/tree.html", "tree.html") && !GoldPassage.sourceMatches("data/docs/subtree.html", "tree.html"))
    }

    @Test func squadScores() {
        #expect(RAGEvaluation.normalizedAnswer("The Gini, impurity!") == "gini impurity")
        #expect(RAGEvaluation.tokenF1("gini impurity", "the gini impurity") == 1)
        #expect(abs(RAGEvaluation.tokenF1("gini or entropy", "gini impurity") - 0.4) < 1e-12)
        #expect(RAGEvaluation.tokenF1("", "x") == 0)
    }

    @Test func retrievalMetricsOnASmallSet() async throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let index = try RetrieverTests.makeIndex(dir)
        let items = try QASet.parse("""
            {"id": "a", "question": "Why standardize features for support vector machines?", "answer": "not scale invariant", "source": "svm.md", "passage": "Support vector machines are not scale invariant, so standardize the features first"}
            {"id": "b", "question": "What shrinks each tree's contribution in boosting?", "answer": "the learning rate", "source": "guide.md", "passage": "The learning rate shrinks every tree's contribution."}
            {"id": "c", "question": "Who painted the Mona Lisa?", "source": null}
            """)
        #expect(items.count == 3 && items.filter(\.answerable).count == 2)
        let (m, outcomes) = try await RAGEvaluation.retrieval(RAGRetriever(index: index), items: items, options: RetrievalOptions())
        #expect(m.questions == 2 && outcomes.count == 2)
        // Recompute from the ranks: hit@k, MRR and (one relevant chunk each) nDCG.
        let ranks = outcomes.map(\.firstRelevantRank)
        for k in RetrievalMetrics.cutoffs {
            #expect(m.hit[k] == Double(ranks.filter { $0 != nil && $0! <= k }.count) / 2)
        }
        #expect(abs(m.mrr - ranks.map { $0.map { 1 / Double($0) } ?? 0 }.reduce(0, +) / 2) < 1e-12)
        #expect(ranks.allSatisfy { $0 != nil })
        #expect(m.ndcg <= 1 && m.ndcg > 0)

        let model = ScriptedModel([("Question: Why standardize", "They are not scale invariant [1]."),
                                   ("Question: What shrinks", "The learning rate.")])
        let (answers, _) = try await RAGEvaluation.answers(RAGPipeline(index: index, model: model), items: items)
        #expect(answers.answerable == 2 && answers.unanswerable == 1 && answers.refusalRate == 1 && answers.falseRefusalRate == 0)
        #expect(answers.exactMatch == 0.5, "'The learning rate.' matches after normalization")
        #expect(answers.citations >= 1)
    }

    @Test func badQAFilesNameTheLine() {
        #expect { try QASet.parse("{\"question\": \"a\"}\n{\"question\": 3}") } throws: { "\($0)".contains("line 2") }
        #expect { try QASet.parse("{\"id\": \"x\", \"question\": \"a\"}\n{\"id\": \"x\", \"question\": \"b\"}") } throws: { "\($0)".contains("twice") }
        #expect { try QASet.parse("{\"question\": \"a\", \"source\": \"f.md\"}") } throws: { "\($0)".contains("needs an \"answer\"") }
        #expect(throws: RAGError.self) { try QASet.parse("") }
        #expect(throws: RAGError.self) { try QASet.parse("[1]") }
    }

    @Test func endpointRepliesAreChecked() throws {
        func parse(_ text: String, _ n: Int = 2) throws -> [[Float]] {
            try EndpointEmbedding.vectors(fromReply: Data(text.utf8), inputs: n, endpoint: "test")
        }
        #expect(try parse(#"{"data": [{"index": 1, "embedding": [3, 4]}, {"index": 0, "embedding": [1.5, -2e-1]}]}"#) == [[1.5, -0.2], [3, 4]])
        for bad in [#"{"data": [{"embedding": [1]}]}"#, #"{"data": [{"index": 18446744073709551615, "embedding": [1]}, {"embedding": [2]}]}"#,
                    #"{"data": [{"index": 0, "embedding": [1]}, {"index": 0, "embedding": [2]}]}"#, #"{"data": [{"embedding": ["x"]}, {"embedding": [1]}]}"#,
                    #"{"data": [{"embedding": [1e999]}, {"embedding": [1]}]}"#, #"{"object": "list"}"#, "not json", "[]"] {
            #expect(throws: RAGError.self, "\(bad)") { try parse(bad) }
        }
    }

    @Test func endpointEmbeddingReportsAnUnreachableServer() {
        #expect(throws: RAGError.self) { try EndpointEmbedding(baseURL: URL(string: "http://127.0.0.1:9/v1")!, model: "m", timeout: 5) }
    }
}

@Suite struct LocatorTests {
    @Test func embeddingModelIsFoundByVariableOrDefaultFolder() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(EmbeddingModelLocator.find(environment: [:], folder: dir) == nil)
        #expect(EmbeddingModelLocator.find(environment: ["SWIFTLEARN_EMBEDDING_MODEL": "/x/minilm"], folder: dir)?.path == "/x/minilm")
        let model = dir.appendingPathComponent("models/all-MiniLM-L6-v2")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        #expect(EmbeddingModelLocator.find(environment: [:], folder: dir) == nil, "a folder without config.json is not a model")
        _ = write("{}", "config.json", in: model)
        #expect(EmbeddingModelLocator.find(environment: [:], folder: dir)?.path == model.path)
    }

    @Test func bundledCorpusLoads() throws {
        let docs = try DocumentLoader().load(try BundledCorpus.handbook.path)
        let questions = try BundledCorpus.questions()
        #expect(docs.count == 8 && docs.allSatisfy { $0.kind == "markdown" && $0.sections.count >= 3 })
        #expect(questions.filter(\.answerable).count == 24 && questions.count == 32)
        for q in questions where q.answerable {
            let doc = try #require(docs.first { GoldPassage.sourceMatches($0.source, q.source!) })
            #expect(doc.text.contains(q.passage!), "\(q.id)")
        }
    }
}
