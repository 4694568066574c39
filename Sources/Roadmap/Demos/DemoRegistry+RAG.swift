import Foundation
import Plot
import RAG
import Retrieval

/// The bundled handbook indexed in a temporary home, with the embedding found on this machine
/// (all-MiniLM-L6-v2 when `models/` has it, else hashed features), shared by the RAG demos and
/// the checkpoint.
struct HandbookIndex {
    let index: RAGIndex
    let home: URL
    let documents: [SourceDocument]
    let questions: [QAItem]
    let report: RAGIndex.Report
    let embeddingName: String

    init(chunking: RAGChunking = .standard, embedding: (any EmbeddingFunction)? = nil) throws {
        let folder = try BundledCorpus.handbook
        documents = try DocumentLoader().load(folder.path)
        questions = try BundledCorpus.questions()
        home = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlearn-rag-demo-\(UUID().uuidString)")
        let function: any EmbeddingFunction = try embedding
            ?? EmbeddingModelLocator.find().map { try TransformerEmbedding(modelDirectory: $0) } ?? HashedFeatureEmbedding()
        embeddingName = function.name
        index = try RAGIndex.create("handbook", in: CollectionStore(home: home), embedding: function, chunking: chunking)
        report = try index.index(documents)
    }

    func remove() { try? FileManager.default.removeItem(at: home) }

    /// Retrieval metrics on the handbook's questions.
    func metrics(_ mode: SearchMode, rerank: Reranking = .none, model: (any RAGLanguageModel)? = nil) throws -> RetrievalMetrics {
        var o = RetrievalOptions()
        o.mode = mode
        o.rerank = rerank
        let retriever = RAGRetriever(index: index, model: model)
        let items = questions, chosen = o
        return try blocking { try await RAGEvaluation.retrieval(retriever, items: items, options: chosen).0 }
    }

    /// Whether every passage's text is exactly its span of the stored document.
    func spansAreExact(_ passages: [RetrievedPassage]) throws -> Bool {
        try passages.allSatisfy { p in
            let text = Array(try index.collection.get(id: p.documentID).text)
            return p.end <= text.count && String(text[p.start..<p.end]) == p.text
        }
    }
}

/// The local model the RAG demos answer with, or nil (they then show retrieval only).
func ragModel(_ ctx: DemoContext) throws -> LocalLanguageModel? {
    try ctx.languageModel.map { try LocalLanguageModel(contentsOf: $0, contextLength: 2048) }
}

func short(_ s: String, _ n: Int = 110) -> String {
    let one = s.replacingOccurrences(of: "\n", with: " ")
    return one.count > n ? String(one.prefix(n)) + "…" : one
}

extension DemoRegistry {
    /// Demos of retrieval-augmented generation over the bundled handbook.
    public static let rag: [Demo] = [
        Demo("rag-pipeline", "The RAG pipeline: ingest, retrieve, prompt, answer with citations",
             shows: "The bundled handbook (8 Markdown pages) is loaded, cut into sections, embedded and indexed; a question retrieves passages with their file and offsets; with a GGUF model the answer cites them as [n]. Re-indexing the unchanged pages embeds nothing.") { ctx in
            let h = try HandbookIndex()
            defer { h.remove() }
            let again = try h.index.index(h.documents)
            let question = "Why is the dot product divided by the square root of the key dimension in attention?"
            var o = RetrievalOptions()
            o.k = 3
            let top3 = o
            let passages = try blocking { try await RAGRetriever(index: h.index).retrieve(question, options: top3) }
            var lines = ["indexed \(h.report.upsert.added) pages → \(try h.index.collection.stats().chunks) chunks (\(h.embeddingName), \(h.index.chunking.storageText)); "
                         + "re-indexed unchanged: \(again.upsert.chunksEmbedded) chunks embedded",
                         "question: \(question)"]
            lines += passages.map { "[\($0.rank)] \(URL(fileURLWithPath: $0.source).lastPathComponent) § \($0.section) [\($0.start)..<\($0.end)]: \(short($0.text))" }
            var passed = try h.spansAreExact(passages) && again.upsert.chunksEmbedded == 0
                && passages.first.map { $0.source.hasSuffix("transformers.md") } == true
            if let model = try ragModel(ctx) {
                var options = RAGOptions()
                options.retrieval.k = 3
                options.maxAnswerTokens = 80
                let chosen = options
                let answer = try blocking { try await RAGPipeline(index: h.index, model: model, options: chosen).answer(question) }
                lines.append("answer (\(model.name)): \(answer.answer)")
                lines += answer.citations.map { "  [\($0.n)] \(URL(fileURLWithPath: $0.source).lastPathComponent) [\($0.start)..<\($0.end)] (\($0.method)): \(short($0.text, 90))" }
                let exact = try answer.citations.allSatisfy { c in String(Array(try h.index.collection.get(id: c.documentID).text)[c.start..<c.end]) == c.text }
                passed = passed && exact && (answer.refused || !answer.answer.isEmpty)
            } else {
                lines.append("(no answer: \(LanguageModelLocator.howToGet))")
            }
            return DemoOutcome(passed: passed, result: lines.joined(separator: "\n"),
                               metrics: [("chunks_embedded_on_reindex", Double(again.upsert.chunksEmbedded)), ("top_similarity", passages.first?.similarity ?? 0)])
        },
        Demo("project-document-qa", "Document Q&A: BM25, vectors or both, and three chunkings, on the same questions",
             shows: "The handbook's 24 answerable questions, scored by whether a retrieved chunk holds the gold passage: hit@k and MRR for BM25, vector and hybrid search, then hybrid search over three chunking strategies.") { _ in
            let h = try HandbookIndex()
            defer { h.remove() }
            let modes: [SearchMode] = [.bm25, .vector, .hybrid]
            let byMode = try modes.map { try h.metrics($0) }
            var lines = zip(modes, byMode).map { "\($0.rawValue): hit@1 \(f($1.hit[1] ?? 0)), hit@3 \(f($1.hit[3] ?? 0)), hit@5 \(f($1.hit[5] ?? 0)), MRR \(f($1.mrr))" }
            let chunkings: [(String, RAGChunking)] = [("recursive 300/30", .text(.recursive(size: 300, overlap: 30))),
                                                      ("sections ≤ 1000", .standard), ("semantic ≤ 1000", .semantic(size: 1000, percentile: 80))]
            var byChunking: [RetrievalMetrics] = []
            for (name, chunking) in chunkings {
                let c = try HandbookIndex(chunking: chunking)
                defer { c.remove() }
                let m = try c.metrics(.hybrid)
                byChunking.append(m)
                lines.append("hybrid, \(name): \(try c.index.collection.stats().chunks) chunks, hit@3 \(f(m.hit[3] ?? 0)), MRR \(f(m.mrr))")
            }
            let hybrid = byMode[2]
            return DemoOutcome(passed: (hybrid.hit[5] ?? 0) >= 0.75 && byMode.allSatisfy { $0.questions == 24 },
                               result: lines.joined(separator: "\n"),
                               metrics: [("hybrid_hit_at_5", hybrid.hit[5] ?? 0), ("hybrid_mrr", hybrid.mrr)],
                               figures: [DemoFigure("modes", BarChart(title: "Retrieval on the handbook questions (\(h.embeddingName))", yLabel: "share of questions",
                                                                      categories: ["hit@1", "hit@3", "hit@5", "MRR"],
                                                                      series: zip(modes, byMode).map { ($0.rawValue, [$1.hit[1] ?? 0, $1.hit[3] ?? 0, $1.hit[5] ?? 0, $1.mrr]) }),
                                                    caption: "Hybrid search fuses the two rankings; each finds passages the other misses."),
                                         DemoFigure("chunking", BarChart(title: "Hybrid hit@3 by chunking", yLabel: "hit@3", categories: chunkings.map(\.0),
                                                                         values: byChunking.map { $0.hit[3] ?? 0 }),
                                                    caption: "Chunks that follow the document's sections keep a passage whole.")])
        },
        Demo("reranking", "Re-ranking the candidates: maximal marginal relevance",
             shows: "Hybrid search's top 20 candidates re-ordered by MMR (λ = 0.5 and 0.8) against plain hybrid order, on the handbook's questions: MMR trades a little precision for passages that say different things.") { _ in
            let h = try HandbookIndex()
            defer { h.remove() }
            let plain = try h.metrics(.hybrid)
            let strong = try h.metrics(.hybrid, rerank: .mmr(lambda: 0.8)), diverse = try h.metrics(.hybrid, rerank: .mmr(lambda: 0.5))
            let rows = [("hybrid", plain), ("MMR λ=0.8", strong), ("MMR λ=0.5", diverse)]
            return DemoOutcome(passed: rows.allSatisfy { $0.1.questions == 24 } && (plain.hit[10] ?? 0) >= (plain.hit[1] ?? 0),
                               result: rows.map { "\($0.0): hit@1 \(f($0.1.hit[1] ?? 0)), hit@5 \(f($0.1.hit[5] ?? 0)), MRR \(f($0.1.mrr))" }.joined(separator: "\n"),
                               metrics: [("mrr_plain", plain.mrr), ("mrr_mmr_0_5", diverse.mrr)])
        },
        Demo("project-knowledge-base", "A knowledge-base chatbot: follow-up questions rewritten with the conversation",
             shows: "Two turns over the handbook: the follow-up \"And how does it pick the features at each split?\" is rewritten by the model into a standalone question before retrieval; both answers cite the notes.", quick: false) { ctx in
            guard let model = try ragModel(ctx) else { return .skipped(LanguageModelLocator.howToGet) }
            let h = try HandbookIndex()
            defer { h.remove() }
            var options = RAGOptions()
            options.retrieval.k = 3
            options.maxAnswerTokens = 60
            let pipeline = RAGPipeline(index: h.index, model: model, options: options)
            let first = try blocking { try await pipeline.answer("What is a random forest?") }
            let history = [RAGMessage.user("What is a random forest?"), .assistant(first.plainAnswer)]
            let second = try blocking { try await pipeline.answer("And how does it pick the features at each split?", history: history) }
            let lines = ["Q1: What is a random forest?", "A1: \(first.answer)", "Q2: And how does it pick the features at each split?",
                         "   searched for: \(second.searchQuestion)", "A2: \(second.answer)"]
                + (first.citations + second.citations).map { "  [\($0.n)] \(URL(fileURLWithPath: $0.source).lastPathComponent) (\($0.method)): \(short($0.text, 80))" }
            return DemoOutcome(passed: !second.searchQuestion.isEmpty && !first.answer.isEmpty && !second.answer.isEmpty,
                               result: lines.joined(separator: "\n"))
        },
        Demo("project-cited-generator", "Generating text that cites its sources",
             shows: "A short explanation written from retrieved handbook passages, each sentence carrying [n] for the passage it rests on (the model's markers, or the passage sharing its words); every citation is checked to be an exact span of its file.", quick: false) { ctx in
            guard let model = try ragModel(ctx) else { return .skipped(LanguageModelLocator.howToGet) }
            let h = try HandbookIndex()
            defer { h.remove() }
            var options = RAGOptions()
            options.retrieval.k = 4
            options.maxAnswerTokens = 100
            let chosen = options
            let answer = try blocking { try await RAGPipeline(index: h.index, model: model, options: chosen).answer("Explain how gradient boosting builds its model.") }
            let exact = try answer.citations.allSatisfy { c in String(Array(try h.index.collection.get(id: c.documentID).text)[c.start..<c.end]) == c.text }
            let lines = [answer.answer] + answer.citations.map { "[\($0.n)] \(URL(fileURLWithPath: $0.source).lastPathComponent) [\($0.start)..<\($0.end)] (\($0.method)): \(short($0.text, 90))" }
            return DemoOutcome(passed: exact && (answer.refused || !answer.citations.isEmpty), result: lines.joined(separator: "\n"),
                               metrics: [("citations", Double(answer.citations.count))])
        },
    ]
}
